import type { Watched } from "./queue-watch";

/** A waiting conversation as replicas share it: what a poll needs to send its user an update. */
export type SharedWaiting = Omit<Watched, "bytes">;

/**
 * Issue 13's queue state shared by replicas on PostgreSQL (postgres-shared-queue.ts):
 * the waiting users who asked for updates, whichever replica got their webhooks,
 * and each inbox's queue exits, recorded once per handover. The replica that
 * wins an inbox's turn (OutboxStore#claimTurn) lists it for all of them. The
 * SQLite store has none: one relay per data directory keeps it in memory.
 */
export interface SharedQueue {
  /** Records (or refreshes) a waiting conversation; the position last sent is kept for the same handover. */
  watch(entry: SharedWaiting, now: number): Promise<void>;
  /** The conversation no longer waits (answered, assigned, closed, or absent from the listing). */
  forget(inboxId: number, conversationId: number): Promise<void>;
  /** Inboxes with someone waiting (and a known account). */
  inboxes(): Promise<{ accountId: number; inboxId: number }[]>;
  /** Everyone waiting in one inbox, at most `limit`. */
  waiting(inboxId: number, limit: number): Promise<SharedWaiting[]>;
  /** The position sent to the user of this handover. */
  sent(inboxId: number, conversationId: number, handover: string, position: number): Promise<void>;
  /** A handover left the queue at `at` (ms); recorded once per handover, whichever replica saw it. */
  exit(inboxId: number, conversationId: number, handover: string, at: number): Promise<void>;
  /** The inbox's queue exits since `since` (ms), oldest first, at most `limit` (the newest). */
  exits(inboxId: number, since: number, limit: number): Promise<number[]>;
}
