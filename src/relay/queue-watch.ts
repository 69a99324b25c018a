import type { RouteBinding } from "../core/route-seal";
import { queueRank, shouldSendUpdate, type QueueListing } from "./queue-rank";
import type { QueueSignal } from "./queue-signal";
import type { SharedWaiting } from "./shared-queue";
import { tupleHash } from "./tuple-hash";
import { addSample, estimateWaitSeconds } from "./wait-estimate";

/** The authentic route a webhook carried, as the queue watch needs it. */
export interface QueueRoute {
  sealed: string;
  binding: RouteBinding;
  accountId: number;
  /** When the handover sealed the route (ms): the start of the handover; null for old seals. */
  issuedAt: number | null;
  /** The handover asked for queue updates (sealed with the route). */
  queueUpdates: boolean;
}

/** A conversation waiting for its first agent, whose user asked for queue updates. */
export interface Watched {
  accountId: number;
  inboxId: number;
  conversationId: number;
  sealed: string;
  binding: RouteBinding;
  /** Which handover (the route's issue time, else a hash of the sealed route): queue updates are keyed per handover. */
  handover: string;
  /** The position last sent to the user (null: none yet). */
  lastSent: number | null;
  bytes: number;
}

export interface QueueUpdate {
  watched: Watched;
  position: number;
  waitSeconds: number | null;
}

/** What a webhook gave the histograms (seconds), once per handover. */
export interface Observed {
  firstResponseSeconds?: number;
  durationSeconds?: number;
  /** A new waiting conversation could not be watched: the watch list is full. */
  refused?: boolean;
  /** The handover the observations belong to (inbox, conversation, route's issue time): replicas count each once. */
  handover?: string;
}

interface InboxState {
  lastPollAt: number | null;
  /** Times (ms) at which recent handovers left the queue (first assigned or answered), for the wait estimate. */
  samples: number[];
}

export const DEFAULT_WATCH_BYTES = 4 * 1024 * 1024;
/** Handovers whose first response / end was already observed (webhooks come twice): remembered up to this many. */
const SEEN_LIMIT = 20_000;

function entryBytes(route: QueueRoute): number {
  return 2 * (route.sealed.length + route.binding.sourceId.length) + 200;
}

/** A handover's identity, the same on every replica: the route's issue time, else (old seals) a hash of the sealed route. */
export function handoverOf(route: QueueRoute): string {
  return route.issuedAt !== null ? `t${route.issuedAt}` : `h${tupleHash([route.sealed])}`;
}

/**
 * What the watch tells the replicas' shared state (PostgreSQL, see shared-queue.ts), as it happens; the
 * listener does the I/O (after the webhook's own work) and logs its failures.
 */
export interface QueueWatchShare {
  watched(entry: SharedWaiting): void;
  forgotten(inboxId: number, conversationId: number): void;
  exited(inboxId: number, conversationId: number, handover: string, at: number): void;
}

/** A bounded set of keys, oldest out first. */
function boundedSet(limit: number) {
  const keys = new Set<string>();
  return {
    has: (key: string): boolean => keys.has(key),
    delete: (key: string): boolean => keys.delete(key),
    add(key: string): void {
      keys.add(key);
      for (const oldest of keys) {
        if (keys.size <= limit) break;
        keys.delete(oldest);
      }
    },
  };
}

/**
 * The relay's memory for issue 13, without I/O: which conversations wait for a
 * first agent and want queue updates (capped by bytes), each inbox's recent
 * first responses, and when each inbox was last listed. The poller asks it
 * which inboxes are due (at most one listing per inbox per interval) and hands
 * it the listings; webhooks tell it who was answered, assigned or closed.
 */
export function createQueueWatch(options: { intervalMs: number; capacityBytes?: number; share?: QueueWatchShare }) {
  const capacity = options.capacityBytes ?? DEFAULT_WATCH_BYTES;
  const watched = new Map<string, Watched>();
  const inboxes = new Map<number, InboxState>();
  const firstResponses = boundedSet(SEEN_LIMIT);
  const leftQueue = boundedSet(SEEN_LIMIT);
  const ended = boundedSet(SEEN_LIMIT);
  /** Conversations (by handover) whose shared row this replica already removed: one removal each, not one per webhook. */
  const unshared = boundedSet(SEEN_LIMIT);
  let used = 0;

  const keyOf = (inboxId: number, conversationId: number): string => `${inboxId}:${conversationId}`;
  const inbox = (id: number): InboxState => {
    const known = inboxes.get(id);
    if (known !== undefined) return known;
    const created: InboxState = { lastPollAt: null, samples: [] };
    inboxes.set(id, created);
    return created;
  };

  function forget(key: string): void {
    const entry = watched.get(key);
    if (entry === undefined) return;
    watched.delete(key);
    used -= entry.bytes;
  }

  /** Forgets here and, once per handover, in the shared state (another replica may be the one watching). */
  function forgetShared(key: string, inboxId: number, conversationId: number, route: QueueRoute | undefined): void {
    const entry = watched.get(key);
    forget(key);
    if (options.share === undefined || (entry === undefined && route?.queueUpdates !== true)) return;
    const handover = `${key}:${entry?.handover ?? (route === undefined ? "" : handoverOf(route))}`;
    if (unshared.has(handover)) return;
    unshared.add(handover);
    options.share.forgotten(inboxId, conversationId);
  }

  /** Adds or replaces an entry within the capacity; false when it does not fit. */
  function put(key: string, entry: Omit<Watched, "bytes">, route: QueueRoute): boolean {
    const bytes = entryBytes(route);
    const previous = watched.get(key);
    const extra = bytes - (previous?.bytes ?? 0);
    if (used + extra > capacity) return false;
    watched.set(key, { ...entry, bytes });
    used += extra;
    return true;
  }

  function watch(key: string, signal: QueueSignal, route: QueueRoute): boolean {
    const previous = watched.get(key);
    const accountId = route.accountId > 0 ? route.accountId : (previous?.accountId ?? 0);
    const handover = handoverOf(route);
    const lastSent = previous?.handover === handover ? previous.lastSent : null;
    const entry = { accountId, inboxId: signal.inboxId, conversationId: signal.conversationId, sealed: route.sealed, binding: route.binding, handover, lastSent };
    if (!put(key, entry, route)) return false;
    unshared.delete(`${key}:${handover}`);
    options.share?.watched(entry);
    return true;
  }

  return {
    /** A verified webhook: histograms once per handover; the watch list follows the conversation's state. */
    observe(signal: QueueSignal, route: QueueRoute | undefined, now: number): Observed {
      const key = keyOf(signal.inboxId, signal.conversationId);
      const observed: Observed = {};
      const handover = route === undefined ? undefined : `${key}:${route.issuedAt ?? "?"}`;
      const startedAt = route?.issuedAt ?? null;
      // The queue moves on when a handover first gets an agent: assigned, or answered first (once each).
      if ((signal.assigned || signal.firstReplyAt !== null) && handover !== undefined && !leftQueue.has(handover)) {
        leftQueue.add(handover);
        if (route !== undefined) options.share?.exited(signal.inboxId, signal.conversationId, handoverOf(route), now);
        const state = inbox(signal.inboxId);
        // The relay's own clock for every exit: gaps are never skewed by Chatwoot's clock or a late webhook's payload time.
        state.samples = addSample(state.samples, now, now);
      }
      if (signal.firstReplyAt !== null && handover !== undefined && !firstResponses.has(handover)) {
        firstResponses.add(handover);
        if (startedAt !== null && signal.firstReplyAt >= startedAt) observed.firstResponseSeconds = (signal.firstReplyAt - startedAt) / 1000;
      }
      if (signal.status === "resolved" && handover !== undefined && startedAt !== null && !ended.has(handover)) {
        ended.add(handover);
        observed.durationSeconds = Math.max(0, ((signal.at ?? now) - startedAt) / 1000);
      }
      if (route !== undefined && (observed.firstResponseSeconds !== undefined || observed.durationSeconds !== undefined)) observed.handover = `${key}:${handoverOf(route)}`;
      const answered = signal.firstReplyAt !== null || signal.repliedBefore || (handover !== undefined && firstResponses.has(handover));
      const waiting = signal.status === "open" && !signal.assigned && !answered;
      if (waiting && route?.queueUpdates === true) {
        if (!watch(key, signal, route)) observed.refused = true;
      } else if (!waiting && (signal.status !== undefined || signal.assigned || answered)) forgetShared(key, signal.inboxId, signal.conversationId, route);
      return observed;
    },

    /** Inboxes with someone waiting (and a known account) not listed for an interval; each is marked as listed now. */
    due(now: number): { accountId: number; inboxId: number }[] {
      const result = new Map<number, number>();
      for (const entry of watched.values()) {
        if (entry.accountId === 0 || result.has(entry.inboxId)) continue;
        const state = inbox(entry.inboxId);
        if (state.lastPollAt !== null && now - state.lastPollAt < options.intervalMs) continue;
        result.set(entry.inboxId, entry.accountId);
      }
      for (const inboxId of result.keys()) inbox(inboxId).lastPollAt = now;
      return [...result].map(([inboxId, accountId]) => ({ accountId, inboxId }));
    },

    /**
     * The inbox's waiting users as the replicas share them (PostgreSQL), before applying a listing: each is
     * watched here too, with the position last sent by whichever replica sent it. Those that do not fit are skipped.
     */
    adopt(entries: readonly SharedWaiting[]): void {
      for (const entry of entries) {
        const key = keyOf(entry.inboxId, entry.conversationId);
        const previous = watched.get(key);
        const lastSent = entry.lastSent ?? (previous?.handover === entry.handover ? previous.lastSent : null);
        put(key, { ...entry, lastSent }, { sealed: entry.sealed, binding: entry.binding, accountId: entry.accountId, issuedAt: null, queueUpdates: true });
      }
    },

    /**
     * One inbox's listing: the updates to send (a new position), and conversations no longer waiting forgotten.
     * `exits`: the inbox's queue exits as the replicas share them (PostgreSQL); else those this process saw.
     */
    apply(inboxId: number, listing: QueueListing, now: number, exits?: readonly number[]): QueueUpdate[] {
      const updates: QueueUpdate[] = [];
      const samples = exits ?? inbox(inboxId).samples;
      for (const [key, entry] of watched) {
        if (entry.inboxId !== inboxId) continue;
        const rank = queueRank(listing, entry.conversationId);
        if (rank === "absent") forgetShared(key, entry.inboxId, entry.conversationId, undefined);
        else if (rank !== "beyond_page" && shouldSendUpdate(entry.lastSent, rank.position)) {
          entry.lastSent = rank.position;
          updates.push({ watched: entry, position: rank.position, waitSeconds: estimateWaitSeconds(samples, rank.position, now) });
        }
      }
      return updates;
    },

    size: (): number => watched.size,
    bytes: (): number => used,
  };
}

export type QueueWatch = ReturnType<typeof createQueueWatch>;
