import type { RouteBinding } from "../core/route-seal";
import type { RouteRecord } from "./outbox";
import type { RouteOpener } from "./route-cache";
import { tupleHash } from "./tuple-hash";
import type { SeenRoute } from "./webhook-route";

/** What the relay does with the route a webhook carries. */
export type RouteVerdict =
  /** Sealed before seals carried an issue time: used as it is, never judged stale, not recorded. */
  | { kind: "unstamped" }
  /** The newest known, or newer: used as it is; `record` is what to commit with the webhook (new, or a refresh), if anything. */
  | { kind: "current"; record: RouteRecord | null }
  /** Older than the newest known for this conversation and contact (C15): deliver to `newest` instead; `firstTime` once per restore and process. */
  | { kind: "stale"; newest: RouteRecord; firstTime: boolean };

export interface NewestRoutesOptions {
  /** The durable copy (outbox.newestRoute): read on a miss, so the newest route survives restarts. */
  lookup: (key: string) => (RouteRecord & { seenAt: number }) | undefined;
  /** Opens the newest route again under the webhook's binding before it is used. */
  openRoute: RouteOpener;
  /** Forget a route not seen for this long (the outbox prunes its rows after the same time). */
  retentionMs: number;
  /** A route still in use is recorded again (its age refreshed) at most this often. */
  refreshAfterMs?: number;
  capacityBytes?: number;
}

interface Entry {
  record: RouteRecord;
  seenAt: number;
  bytes: number;
  /** The issue time of the stale route last reported for this conversation. */
  reported: number | null;
}

/** The key of one conversation's newest route: inbox, display id and the contact's source id, length-prefixed and hashed. */
export function newestRouteKey(binding: RouteBinding, conversationId: number): string {
  return tupleHash(["newest-route", binding.inboxId, conversationId, binding.sourceId]);
}

/**
 * The newest route the relay has seen per conversation and contact (C15: a
 * stale agent browser can write an earlier one back). Judged by the issue time
 * sealed into the route, so by the handover that made it, not by arrival.
 * Kept in memory (least recently used first out, capped by bytes) over the
 * outbox's `routes` table; the caller commits `record` with the webhook.
 */
export function createNewestRoutes(options: NewestRoutesOptions) {
  const capacityBytes = options.capacityBytes ?? 16 * 1024 * 1024;
  const refreshAfterMs = options.refreshAfterMs ?? 24 * 3_600_000;
  const memory = new Map<string, Entry>();
  let used = 0;

  function store(record: RouteRecord, seenAt: number, reported: number | null): Entry {
    const previous = memory.get(record.key);
    if (previous !== undefined) {
      memory.delete(record.key);
      used -= previous.bytes;
    }
    const entry: Entry = { record, seenAt, bytes: 2 * (record.key.length + record.sealed.length) + 200, reported };
    for (const [key, oldest] of memory) {
      if (used + entry.bytes <= capacityBytes) break;
      memory.delete(key);
      used -= oldest.bytes;
    }
    memory.set(record.key, entry);
    used += entry.bytes;
    return entry;
  }

  function known(key: string, now: number): Entry | undefined {
    const cached = memory.get(key);
    if (cached !== undefined && cached.seenAt >= now - options.retentionMs) return store(cached.record, cached.seenAt, cached.reported);
    const row = options.lookup(key);
    if (row === undefined || row.seenAt < now - options.retentionMs) return undefined;
    return store({ key, issuedAt: row.issuedAt, sealed: row.sealed }, row.seenAt, null);
  }

  return {
    check(seen: SeenRoute, now: number): RouteVerdict {
      if (seen.issuedAt === null) return { kind: "unstamped" };
      const key = newestRouteKey(seen.binding, seen.conversationId);
      const record: RouteRecord = { key, issuedAt: seen.issuedAt, sealed: seen.sealed };
      const newest = known(key, now);
      if (newest === undefined || seen.issuedAt > newest.record.issuedAt) {
        store(record, now, null);
        return { kind: "current", record };
      }
      if (seen.sealed === newest.record.sealed) {
        if (now - newest.seenAt < refreshAfterMs) return { kind: "current", record: null };
        store(record, now, newest.reported);
        return { kind: "current", record };
      }
      // The same millisecond: nothing tells which is newer, so the webhook's own route is used.
      if (seen.issuedAt === newest.record.issuedAt) return { kind: "current", record: null };
      // Never a route for another contact: the newest must open under this webhook's binding.
      if (!options.openRoute(newest.record.sealed, seen.binding).ok) return { kind: "current", record: null };
      const firstTime = newest.reported !== seen.issuedAt;
      newest.reported = seen.issuedAt;
      return { kind: "stale", newest: newest.record, firstTime };
    },
  };
}

export type NewestRoutes = ReturnType<typeof createNewestRoutes>;
