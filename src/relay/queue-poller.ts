import { ChatwootApiError } from "../chatwoot/chatwoot-api-error";
import type { OutboxStore } from "./outbox-store";
import type { QueueListing } from "./queue-rank";
import type { QueueUpdate, QueueWatch } from "./queue-watch";
import type { RelayMetrics } from "./relay-metrics";
import type { SharedQueue } from "./shared-queue";
import { MAX_SAMPLES, WINDOW_MS } from "./wait-estimate";
import type { InjectJob } from "./relay-job";

export interface QueuePollerDeps {
  watch: QueueWatch;
  intervalMs: number;
  /** One listing of an inbox's queue (ChatwootClient#listQueue). */
  list(accountId: number, inboxId: number): Promise<QueueListing>;
  /** Its enqueue, and its claimTurn: one replica lists an inbox per interval (either store: SQLite or PostgreSQL). */
  outbox: Pick<OutboxStore, "enqueue" | "claimTurn">;
  metrics: RelayMetrics;
  log: { warn(object: object, message: string): void; info(object: object, message: string): void };
  wake(): void;
  now?: () => number;
  /** PostgreSQL: the waiting users and queue exits of all replicas (the winner of an inbox's turn updates them all). */
  shared?: SharedQueue;
}

/** Waiting users of one inbox read from the shared state per listing (the listing's first page holds 25 ranks at most anyway). */
const MAX_SHARED_WAITING = 1_000;

/** How often the poller looks for inboxes that are due (the interval itself is per inbox). */
const TICK_MS = 1_000;

/**
 * The update as an outbox job: in the conversation's own queue, after anything already there, once per position
 * and handover, whichever replica lists the queue (the outbox refuses a dedupe key it has seen).
 */
export function queueUpdateJob(update: QueueUpdate, now: number): InjectJob {
  const { watched } = update;
  return {
    dedupeKey: `queue:${watched.inboxId}:${watched.conversationId}:${watched.handover}:${update.position}`,
    conversationKey: `${watched.inboxId}:${watched.conversationId}`,
    orderTs: now,
    orderSeq: Number.MAX_SAFE_INTEGER,
    accountId: watched.accountId,
    sealedRoute: watched.sealed,
    binding: watched.binding,
    event: { type: "queue_update", conversationId: watched.conversationId, position: update.position, waitSeconds: update.waitSeconds },
  };
}

function failureOf(error: unknown): string {
  if (error instanceof ChatwootApiError) return error.kind === "http" && error.status !== null ? String(error.status) : error.kind;
  return "failed";
}

/**
 * Lists each due inbox's queue once per interval (see queue-watch.ts) and puts
 * the updates into the outbox, so they are durable and ordered with the
 * conversation's other events. A refused or failed listing (401, 403, 429, 5xx,
 * timeout) is counted, logged once per inbox until a listing succeeds again
 * (the error names the status and Chatwoot's message, never the token), and
 * tried again next interval.
 */
export function createQueuePoller(deps: QueuePollerDeps) {
  const now = deps.now ?? Date.now;
  const failing = new Set<number>();
  const inFlight = new Set<Promise<void>>();
  /** Inboxes known only from the shared state: when this replica last tried them (the turn decides who lists). */
  const sharedTried = new Map<number, number>();
  let looking = false;
  let timer: NodeJS.Timeout | undefined;

  async function enqueue(updates: QueueUpdate[], at: number): Promise<void> {
    if (updates.length === 0) return;
    const jobs = updates.map((update) => {
      const job = queueUpdateJob(update, at);
      return { ...job, payload: { kind: "inject" as const, job } };
    });
    const result = await deps.outbox.enqueue({ deliveryId: null, jobs }, at);
    if (!result.duplicate && result.enqueued > 0) {
      deps.metrics.queueUpdates.inc(result.enqueued);
      deps.metrics.enqueued.inc(result.enqueued);
      deps.wake();
    }
  }

  /** `due`: the tick's time, at which the inbox was found due (on SQLite the turn's rule then matches the watch's exactly). */
  async function poll(accountId: number, inboxId: number, due: number): Promise<void> {
    // Replicas share the inbox's turn: whoever wins lists it for all this interval (a store that cannot answer: no listing).
    let won: boolean;
    try {
      won = await deps.outbox.claimTurn(`queue:${accountId}:${inboxId}`, deps.intervalMs, due);
    } catch (error: unknown) {
      deps.log.warn({ inbox: inboxId, error: error instanceof Error ? error.message : String(error) }, "queue listing skipped: its turn could not be claimed");
      return;
    }
    if (!won) return;
    let listing: QueueListing;
    try {
      listing = await deps.list(accountId, inboxId);
    } catch (error: unknown) {
      const result = failureOf(error);
      deps.metrics.queuePolls.inc({ result });
      if (!failing.has(inboxId)) {
        failing.add(inboxId);
        deps.log.warn({ inbox: inboxId, result, error: error instanceof Error ? error.message : String(error) }, "queue listing failed: no queue updates for this inbox until it succeeds (tried each interval)");
      }
      return;
    }
    deps.metrics.queuePolls.inc({ result: "ok" });
    if (failing.delete(inboxId)) deps.log.info({ inbox: inboxId }, "queue listing works again");
    const at = now();
    try {
      const shared = deps.shared;
      if (shared === undefined) await enqueue(deps.watch.apply(inboxId, listing, at), at);
      else {
        deps.watch.adopt(await shared.waiting(inboxId, MAX_SHARED_WAITING));
        const exits = await shared.exits(inboxId, at - WINDOW_MS, MAX_SAMPLES);
        const updates = deps.watch.apply(inboxId, listing, at, exits);
        await enqueue(updates, at);
        await Promise.all(updates.map(({ watched, position }) => shared.sent(inboxId, watched.conversationId, watched.handover, position)));
      }
    } catch (error: unknown) {
      // The outbox cannot be written (disk full, database away): these updates are skipped; the next interval sends the position again.
      deps.log.warn({ inbox: inboxId, error: error instanceof Error ? error.message : String(error) }, "queue updates not queued");
    }
    deps.metrics.queueWatched.set(deps.watch.size());
  }

  /** Inboxes someone waits in according to the shared state, not tried by this replica within the interval. */
  async function sharedDue(shared: SharedQueue, at: number, local: ReadonlySet<number>): Promise<{ accountId: number; inboxId: number }[]> {
    const inboxes = await shared.inboxes();
    const current = new Set(inboxes.map(({ inboxId }) => inboxId));
    for (const inboxId of sharedTried.keys()) if (!current.has(inboxId)) sharedTried.delete(inboxId);
    for (const inboxId of local) sharedTried.set(inboxId, at);
    return inboxes.filter(({ inboxId }) => {
      const last = sharedTried.get(inboxId);
      if (local.has(inboxId) || (last !== undefined && at - last < deps.intervalMs && at >= last)) return false;
      sharedTried.set(inboxId, at);
      return true;
    });
  }

  function start(accountId: number, inboxId: number, due: number): void {
    // A timer's task never rejects: anything unexpected is logged, and the inbox polled again next interval.
    const task = poll(accountId, inboxId, due)
      .catch((error: unknown) => deps.log.warn({ inbox: inboxId, error: error instanceof Error ? error.message : String(error) }, "queue poll failed unexpectedly"))
      .finally(() => inFlight.delete(task));
    inFlight.add(task);
  }

  function tick(): void {
    const at = now();
    const local = deps.watch.due(at);
    for (const { accountId, inboxId } of local) start(accountId, inboxId, at);
    const shared = deps.shared;
    if (shared === undefined || looking) return;
    looking = true;
    const task = sharedDue(shared, at, new Set(local.map(({ inboxId }) => inboxId)))
      .then((due) => due.forEach(({ accountId, inboxId }) => start(accountId, inboxId, at)))
      .catch((error: unknown) => deps.log.warn({ error: error instanceof Error ? error.message : String(error) }, "queue watch: the shared waiting list could not be read"))
      .finally(() => {
        looking = false;
        inFlight.delete(task);
      });
    inFlight.add(task);
  }

  return {
    start(): void {
      if (deps.intervalMs <= 0 || timer !== undefined) return;
      timer = setInterval(tick, Math.min(TICK_MS, deps.intervalMs));
      timer.unref();
    },
    /** Looks for due inboxes now (a new waiting user gets the first update soon, within the inbox's interval). */
    tick,
    async stop(): Promise<void> {
      clearInterval(timer);
      timer = undefined;
      await Promise.all([...inFlight]);
    },
  };
}

export type QueuePoller = ReturnType<typeof createQueuePoller>;
