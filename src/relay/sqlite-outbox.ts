import { openOutbox, type OutboxOptions } from "./outbox";
import type { OutboxStore } from "./outbox-store";

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
    healthy: async () => outbox.healthy(),
    close: async () => outbox.close(),
  };
}
