import { openOutbox, type OutboxOptions } from "./outbox";
import type { OutboxStore } from "./outbox-store";

/** Turn keys remembered by a single relay (claimTurn); beyond it, those taken longest ago are forgotten. */
const MAX_TURNS = 50_000;

/** claimTurn's rule in this process: one relay per data directory, so memory is the whole truth. */
function localTurns() {
  const takenAt = new Map<string, number>();
  return async (key: string, intervalMs: number, now: number): Promise<boolean> => {
    const last = takenAt.get(key);
    if (last !== undefined && last > now - intervalMs) return false;
    takenAt.delete(key);
    takenAt.set(key, now);
    for (const oldest of takenAt.keys()) {
      if (takenAt.size <= MAX_TURNS) break;
      takenAt.delete(oldest);
    }
    return true;
  };
}

/**
 * The embedded default: the SQLite outbox in `dataDir` (outbox.ts) behind the
 * store interface. Its calls finish synchronously; they are only wrapped as
 * promises, so a failure (disk full) becomes a rejection the caller answers 503.
 */
export function openSqliteOutbox(dataDir: string, options: OutboxOptions = {}): OutboxStore {
  const outbox = openOutbox(dataDir, options);
  return {
    kind: "sqlite",
    ready: async () => undefined,
    enqueue: (request, now) => outbox.enqueueSoon(request, now),
    onJobsAdded: (listener) => outbox.onJobsAdded(listener),
    schedule: async (now, reorderWindowMs, busy, limit) => outbox.schedule(now, reorderWindowMs, busy, limit),
    delivered: async (id) => outbox.delivered(id),
    retryAt: async (id, at, error) => outbox.retryAt(id, at, error),
    deadLetter: async (id, error, now) => outbox.deadLetter(id, error, now),
    retract: async (dedupeKey, conversationKey, now) => outbox.retract(dedupeKey, conversationKey, now),
    depth: () => outbox.depth(),
    pruneSeen: async (olderThan) => outbox.pruneSeen(olderThan),
    newestRoute: async (key) => outbox.newestRoute(key),
    claimTurn: localTurns(),
    healthy: async () => outbox.healthy(),
    close: async () => outbox.close(),
  };
}
