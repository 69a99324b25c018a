import type { QueueWatchShare } from "./queue-watch";
import type { SharedQueue } from "./shared-queue";

/**
 * The queue watch's changes written to the replicas' shared state (PostgreSQL).
 * Each write starts when the watch sees the change, during a webhook's
 * handling, and is never awaited by it: the webhook's answer waits for its own
 * commit only. A write that fails is logged and costs only queue updates (the
 * next webhook of the conversation, or the next listing, writes it again); it
 * never fails the webhook.
 */
export function shareQueueWatch(shared: SharedQueue, log: { warn(object: object, message: string): void }, now: () => number): QueueWatchShare {
  const logged = (what: string) => (error: unknown) => log.warn({ error: error instanceof Error ? error.message : String(error) }, `queue watch: ${what} not shared with the other replicas`);
  return {
    watched: (entry) => void shared.watch(entry, now()).catch(logged("a waiting user")),
    forgotten: (inboxId, conversationId) => void shared.forget(inboxId, conversationId).catch(logged("a user no longer waiting")),
    exited: (inboxId, conversationId, handover, at) => void shared.exit(inboxId, conversationId, handover, at).catch(logged("a queue exit")),
  };
}
