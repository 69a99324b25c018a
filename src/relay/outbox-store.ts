import type { EnqueueRequest, EnqueueResult, RouteRecord, Schedule } from "./outbox";
import type { SharedQueue } from "./shared-queue";

/**
 * The durable outbox as the relay uses it, whichever database holds it: the
 * embedded SQLite file (sqlite-outbox.ts, one relay) or a shared PostgreSQL
 * (postgres-outbox.ts, any number of replicas). Every write that acknowledges
 * something resolves only once it is committed; the guarantees are the same
 * with either store (one contract test suite runs against both).
 */
/** The interval of a turn that is taken once: "this handover's first response was counted". */
export const ONCE = Number.MAX_SAFE_INTEGER;

export interface OutboxStore {
  /** Which database: "sqlite" or "postgres". */
  readonly kind: "sqlite" | "postgres";
  /** Resolves once the database is open and its schema migrated (rejects, naming what failed, otherwise). */
  ready(): Promise<void>;
  /**
   * Records the delivery and its jobs (and newest routes) in one committed transaction, shared with the other
   * requests of this turn of the event loop; a delivery id or job dedupe key seen before is not enqueued again.
   */
  enqueue(request: EnqueueRequest, now: number): Promise<EnqueueResult>;
  /** Called whenever jobs were added, by this process or (PostgreSQL) by another replica: the worker's wake-up. */
  onJobsAdded(listener: () => void): void;
  /**
   * What to start now: due heads of conversations nobody is delivering (at most `limit`, one per conversation,
   * none of `busy`), claimed for this process until settled; and when to look again.
   */
  schedule(now: number, reorderWindowMs: number, busy: ReadonlySet<string>, limit: number): Promise<Schedule>;
  /** The job was accepted: it leaves the outbox, and its conversation's next job may start. */
  delivered(id: number): Promise<void>;
  /** The attempt failed: counted, and the job is due again at `at`. */
  retryAt(id: number, at: number, error: string): Promise<void>;
  /** The job is given up: kept as dead-lettered, out of the queue. */
  deadLetter(id: number, error: string, now: number): Promise<void>;
  /** A deleted message (C11): its key counts as seen and a pending original is removed; returns how many were removed. */
  retract(dedupeKey: string, conversationKey: string, now: number): Promise<number>;
  /** Jobs pending and dead-lettered, as last known (metrics read it synchronously). */
  depth(): { pending: number; dead: number };
  /** Forgets seen keys and newest routes not seen since `olderThan`; returns how many keys went. */
  pruneSeen(olderThan: number): Promise<number>;
  /** The newest route recorded under `key` (see newest-routes.ts), and when it was last recorded. */
  newestRoute(key: string): Promise<(RouteRecord & { seenAt: number }) | undefined>;
  /**
   * Work done by one replica for all (issue 14 with issue 13's polling): true when the caller may do `key`'s
   * work now, because nobody took a turn for it within `intervalMs`; the turn is then recorded as taken now.
   * PostgreSQL: one conditional upsert judged by the database's clock (shifted only by the offset of the
   * caller's `now` from this process's clock, which tests inject; 0 in production), so replicas starting
   * together get one winner. SQLite (one relay per data directory): the same rule in this process's memory.
   * With ONCE as the interval, a key is won once (until pruned with the seen keys).
   */
  claimTurn(key: string, intervalMs: number, now: number): Promise<boolean>;
  /** PostgreSQL: issue 13's queue state shared by replicas (see shared-queue.ts); SQLite: none (kept in memory). */
  readonly sharedQueue?: SharedQueue;
  /** Readable, and writes go through (/readyz). */
  healthy(): Promise<boolean>;
  close(): Promise<void>;
}
