import Database from "better-sqlite3";
import { mkdirSync } from "fs";
import { open, type FileHandle } from "fs/promises";
import { join } from "path";
import { isRecord } from "../core/json-guards";
import { createQueueIndex, type QueuedJob } from "./queue-index";
import { createRecentPayloads } from "./recent-payloads";
import { parseInjectJob, type InjectJob } from "./relay-job";

/** A job as stored: the inject itself, or the private note telling an agent that a message did not arrive. */
export type JobPayload = { kind: "inject"; job: InjectJob } | { kind: "note"; accountId: number; conversationId: number; content: string };

export interface StoredJob {
  id: number;
  conversationKey: string;
  payload: JobPayload;
  attempts: number;
  receivedAt: number;
}

/**
 * The newest route the relay has seen for one conversation and contact (C15),
 * under `key` (a hash of inbox, conversation and source id: see newest-routes.ts).
 */
export interface RouteRecord {
  key: string;
  issuedAt: number;
  sealed: string;
}

export interface EnqueueRequest {
  deliveryId: string | null;
  jobs: { conversationKey: string; orderTs: number; orderSeq: number; dedupeKey: string; payload: JobPayload }[];
  /** Newest routes to record in the same transaction; an older one never replaces a newer one. */
  routes?: RouteRecord[];
}

export type EnqueueResult = { duplicate: true } | { duplicate: false; enqueued: number; duplicates: number };

export interface Schedule {
  /** Jobs to start now: due heads of conversations not in flight. */
  jobs: StoredJob[];
  /** When the next head of an idle conversation becomes due, or null. */
  nextDueAt: number | null;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS jobs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  conversation_key TEXT NOT NULL,
  order_ts INTEGER NOT NULL,
  order_seq INTEGER NOT NULL,
  payload TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('pending', 'dead')),
  attempts INTEGER NOT NULL DEFAULT 0,
  received_at INTEGER NOT NULL,
  next_attempt_at INTEGER NOT NULL,
  last_error TEXT,
  dead_at INTEGER
);
DROP INDEX IF EXISTS jobs_queue;
CREATE TABLE IF NOT EXISTS seen (key TEXT PRIMARY KEY, seen_at INTEGER NOT NULL) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS seen_age ON seen (seen_at);
CREATE TABLE IF NOT EXISTS routes (key TEXT PRIMARY KEY, issued_at INTEGER NOT NULL, sealed TEXT NOT NULL, seen_at INTEGER NOT NULL) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS routes_age ON routes (seen_at);
`;

/** Newer wins; the same route again only refreshes when it was last seen (so an active conversation's route does not expire). */
const UPSERT_ROUTE = `
INSERT INTO routes (key, issued_at, sealed, seen_at) VALUES (@key, @issuedAt, @sealed, @now)
ON CONFLICT (key) DO UPDATE SET issued_at = excluded.issued_at, sealed = excluded.sealed, seen_at = excluded.seen_at
WHERE excluded.issued_at > routes.issued_at OR excluded.sealed = routes.sealed`;

const PENDING = `
SELECT id, conversation_key AS conversationKey, order_ts AS orderTs, order_seq AS orderSeq, received_at AS receivedAt, next_attempt_at AS nextAttemptAt, attempts
FROM jobs WHERE state = 'pending'`;

/** How long seen keys (and with them one-per-conversation notes) and each conversation's newest route are kept without being seen again. */
export const SEEN_RETENTION_MS = 7 * 24 * 3_600_000;

/** How many payloads are kept in memory for delivery, and how many bytes of them (a backlog beyond that is read from the database). */
const RECENT_PAYLOADS = 20_000;
export const RECENT_PAYLOAD_BYTES = 32 * 1024 * 1024;
/** How many delivery ids are remembered (repeated deliveries arrive within seconds). */
const RECENT_DELIVERIES = 50_000;
/** How soon the worker tries again a write the database refused (disk full), before it starts more deliveries. */
export const WRITE_RETRY_MS = 1_000;

export interface OutboxOptions {
  recentPayloadBytes?: number;
  /**
   * Tests only: called with the open connection, e.g. to set `PRAGMA max_page_count` and so
   * make SQLite answer SQLITE_FULL as a full disk would (issue 12 item 9). Production never sets it.
   */
  testDatabaseHook?: (db: Database.Database) => void;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Reads a stored payload back; anything malformed is undefined (the job is then dead-lettered as unreadable). */
export function parsePayload(text: string): JobPayload | undefined {
  const value = parseJson(text);
  if (!isRecord(value)) return undefined;
  const job = value.kind === "inject" ? parseInjectJob(value.job) : undefined;
  if (job !== undefined) return { kind: "inject", job };
  if (value.kind === "note" && typeof value.accountId === "number" && typeof value.conversationId === "number" && typeof value.content === "string") {
    return { kind: "note", accountId: value.accountId, conversationId: value.conversationId, content: value.content };
  }
  return undefined;
}

function isQueuedJob(row: unknown): row is QueuedJob {
  return (
    isRecord(row) &&
    typeof row.id === "number" &&
    typeof row.conversationKey === "string" &&
    typeof row.orderTs === "number" &&
    typeof row.orderSeq === "number" &&
    typeof row.receivedAt === "number" &&
    typeof row.nextAttemptAt === "number" &&
    typeof row.attempts === "number"
  );
}

function routeRecordOf(key: string, row: unknown): (RouteRecord & { seenAt: number }) | undefined {
  if (!isRecord(row) || typeof row.issuedAt !== "number" || typeof row.sealed !== "string" || typeof row.seenAt !== "number") return undefined;
  return { key, issuedAt: row.issuedAt, sealed: row.sealed, seenAt: row.seenAt };
}

function countOf(row: unknown): number {
  return isRecord(row) && typeof row.count === "number" ? row.count : 0;
}

interface Enqueued {
  result: EnqueueResult;
  added: QueuedJob[];
}

interface Waiting {
  request: EnqueueRequest;
  now: number;
  resolve: (result: EnqueueResult) => void;
  reject: (error: unknown) => void;
}

/** A bounded set: the oldest entry goes first. */
function rememberIn<T>(set: Set<T>, value: T, capacity: number): void {
  if (set.size >= capacity) {
    const oldest = set.values().next().value;
    if (oldest !== undefined) set.delete(oldest);
  }
  set.add(value);
}

function openDatabase(dataDir: string): Database.Database {
  mkdirSync(dataDir, { recursive: true });
  const db = new Database(join(dataDir, "outbox.sqlite"));
  db.pragma("journal_mode = WAL");
  // Commits that acknowledge webhooks are synced to disk before the acknowledgement (see syncLog and
  // syncedCommit); the bookkeeping after a delivery is not: losing it to a power cut means a delivery
  // is repeated, which the Session node ignores. NORMAL still syncs around checkpoints.
  db.pragma("synchronous = NORMAL");
  // Checkpoints copy the log into the database and sync it; fewer, larger ones cost less per job.
  db.pragma("wal_autocheckpoint = 4000");
  db.pragma("busy_timeout = 5000");
  db.exec(SCHEMA);
  return db;
}

/**
 * The durable outbox: an embedded SQLite database (WAL). A webhook is
 * acknowledged only once its jobs are committed and the log is synced to disk;
 * a job leaves only when Cognigy accepted it, or stays as dead-lettered.
 * Pending jobs are also indexed in memory for scheduling; the index is rebuilt
 * from the database at every start.
 */
export function openOutbox(dataDir: string, options: OutboxOptions = {}) {
  const db = openDatabase(dataDir);
  options.testDatabaseHook?.(db);
  const index = createQueueIndex();
  for (const row of db.prepare(PENDING).all()) if (isQueuedJob(row)) index.add(row);
  const markSeen = db.prepare("INSERT OR IGNORE INTO seen (key, seen_at) VALUES (?, ?)");
  const insertJob = db.prepare(
    "INSERT INTO jobs (conversation_key, order_ts, order_seq, payload, state, received_at, next_attempt_at) VALUES (@conversationKey, @orderTs, @orderSeq, @payload, 'pending', @now, @now)",
  );
  const payloadOf = db.prepare("SELECT payload FROM jobs WHERE id = ?").pluck();
  const remove = db.prepare("DELETE FROM jobs WHERE id = ?");
  const removeMany = db.transaction((ids: number[]) => ids.forEach((id) => remove.run(id)));
  const retry = db.prepare("UPDATE jobs SET attempts = attempts + 1, next_attempt_at = ?, last_error = ? WHERE id = ?");
  const kill = db.prepare("UPDATE jobs SET state = 'dead', attempts = attempts + 1, last_error = ?, dead_at = ? WHERE id = ?");
  const pruneSeen = db.prepare("DELETE FROM seen WHERE seen_at < ?");
  const upsertRoute = db.prepare(UPSERT_ROUTE);
  const routeOf = db.prepare("SELECT issued_at AS issuedAt, sealed, seen_at AS seenAt FROM routes WHERE key = ?");
  const pruneRoutes = db.prepare("DELETE FROM routes WHERE seen_at < ?");
  let dead = countOf(db.prepare("SELECT COUNT(*) AS count FROM jobs WHERE state = 'dead'").get());
  /** Payloads of jobs enqueued by this process (as JSON text), so a delivery need not read them back. */
  const recent = createRecentPayloads(RECENT_PAYLOADS, options.recentPayloadBytes ?? RECENT_PAYLOAD_BYTES);
  /** Delivery ids seen lately; after a restart the durable key of each message or change still catches repeats. */
  const recentDeliveries = new Set<string>();
  let onAdded: () => void = () => undefined;
  let closed = false;
  /**
   * A write failed (disk full, …) and none of its kind has succeeded since: /readyz says so. Kept by
   * kind, because a delete can succeed where an insert cannot, and only an enqueue proves webhooks can be taken.
   */
  const failing = { enqueue: false, bookkeeping: false };
  /**
   * What the open transaction put in memory: a failed commit rolls the database back, and these go
   * with it. Otherwise a delivery id would stay remembered and its repeat be answered "duplicate"
   * without ever being stored (issue 12 item 9), and row ids, which SQLite gives out again after a
   * rollback, would keep payloads that are not in the database.
   */
  let uncommitted: { deliveryIds: string[]; ids: number[] } = { deliveryIds: [], ids: [] };

  /** Larger than a page, so the probe needs room the way a webhook's row does. */
  const PROBE_KEY = `readyz-probe:${"x".repeat(8_192)}`;
  const probeInsert = db.prepare("INSERT OR REPLACE INTO seen (key, seen_at) VALUES (?, ?)");
  const probeDelete = db.prepare("DELETE FROM seen WHERE key = ?");

  /** Whether a write goes through now (committed, then removed). */
  function probeWrite(): boolean {
    try {
      probeInsert.run(PROBE_KEY, Date.now());
      probeDelete.run(PROBE_KEY);
      return true;
    } catch {
      return false;
    }
  }

  /** Runs one transaction that enqueues; on failure forgets what it remembered, and rethrows. */
  function committing<T>(commit: () => T): T {
    uncommitted = { deliveryIds: [], ids: [] };
    try {
      const result = commit();
      failing.enqueue = false;
      return result;
    } catch (error: unknown) {
      failing.enqueue = true;
      for (const deliveryId of uncommitted.deliveryIds) recentDeliveries.delete(deliveryId);
      for (const id of uncommitted.ids) recent.forget(id);
      throw error;
    } finally {
      uncommitted = { deliveryIds: [], ids: [] };
    }
  }

  function insert(request: EnqueueRequest, now: number): Enqueued {
    if (request.deliveryId !== null) {
      if (recentDeliveries.has(request.deliveryId)) return { result: { duplicate: true }, added: [] };
      rememberIn(recentDeliveries, request.deliveryId, RECENT_DELIVERIES);
      uncommitted.deliveryIds.push(request.deliveryId);
    }
    for (const route of request.routes ?? []) upsertRoute.run({ key: route.key, issuedAt: route.issuedAt, sealed: route.sealed, now });
    const added: QueuedJob[] = [];
    for (const job of request.jobs) {
      if (markSeen.run(job.dedupeKey, now).changes === 0) continue;
      const payload = JSON.stringify(job.payload);
      const info = insertJob.run({ conversationKey: job.conversationKey, orderTs: job.orderTs, orderSeq: job.orderSeq, payload, now });
      const id = Number(info.lastInsertRowid);
      recent.remember(id, payload);
      uncommitted.ids.push(id);
      added.push({ id, conversationKey: job.conversationKey, orderTs: job.orderTs, orderSeq: job.orderSeq, receivedAt: now, nextAttemptAt: now, attempts: 0 });
    }
    return { result: { duplicate: false, enqueued: added.length, duplicates: request.jobs.length - added.length }, added };
  }

  const retractOne = db.transaction((dedupeKey: string, conversationKey: string, now: number): number => {
    markSeen.run(dedupeKey, now);
    let removed = 0;
    for (const queued of index.jobsOf(conversationKey)) {
      const payload = payloadFor(queued.id);
      if (payload?.kind !== "inject" || payload.job.dedupeKey !== dedupeKey) continue;
      remove.run(queued.id);
      index.remove(queued.id);
      recent.forget(queued.id);
      removed += 1;
    }
    return removed;
  });
  const commitOne = db.transaction((request: EnqueueRequest, now: number): Enqueued => insert(request, now));
  const commitMany = db.transaction((items: Waiting[]): Enqueued[] => items.map((item) => insert(item.request, item.now)));

  /** Runs a commit that acknowledges something with fsync (synchronous = FULL), then back to NORMAL. */
  function syncedCommit<T>(commit: () => T): T {
    db.pragma("synchronous = FULL");
    try {
      return commit();
    } finally {
      db.pragma("synchronous = NORMAL");
    }
  }

  const log = createLogSync(join(dataDir, "outbox.sqlite-wal"));
  let waiting: Waiting[] = [];

  /**
   * Group commit: the webhooks that arrived during this turn of the event loop
   * share one transaction; they are acknowledged once the log is on disk.
   */
  function flush(): void {
    const items = waiting;
    waiting = [];
    let results: Enqueued[];
    try {
      results = committing(() => commitMany(items));
    } catch (error: unknown) {
      for (const item of items) item.reject(error);
      return;
    }
    results.forEach((enqueued, position) => {
      enqueued.added.forEach(index.add);
      const item = items[position];
      if (item !== undefined) log.afterSync(() => item.resolve(enqueued.result), item.reject);
    });
    // Delivery may start now: the acknowledgement still waits for the disk, and a job delivered but
    // lost to a power cut before the sync was never acknowledged (Chatwoot marks that message failed).
    if (results.some((enqueued) => enqueued.added.length > 0)) onAdded();
    log.sync();
  }

  let finished: number[] = [];
  /** The worker's bookkeeping the database refused (disk full): written again, in order, before more deliveries start. */
  let owed: (() => void)[] = [];
  const writeOwed = db.transaction((ids: number[], writes: (() => void)[]) => {
    removeMany(ids);
    writes.forEach((write) => write());
  });

  /**
   * Deliveries finished during this turn of the event loop are removed together (one transaction), at
   * the latest before the next schedule, with any bookkeeping owed. If the database refuses, they are
   * kept for the next try; returns whether nothing is owed any more.
   */
  function removeFinished(): boolean {
    const ids = finished;
    const writes = owed;
    finished = [];
    owed = [];
    if (closed || (ids.length === 0 && writes.length === 0)) return true;
    try {
      writeOwed(ids, writes);
      failing.bookkeeping = false;
      return true;
    } catch {
      failing.bookkeeping = true;
      finished = ids.concat(finished);
      owed = writes.concat(owed);
      return false;
    }
  }

  /** A write of the worker's bookkeeping: now, or when the database takes writes again. */
  function writeOrOwe(write: () => void): void {
    if (owed.length === 0) {
      try {
        write();
        failing.bookkeeping = false;
        return;
      } catch {
        failing.bookkeeping = true;
      }
    }
    owed.push(write);
  }

  function markDead(id: number, error: string, now: number): void {
    writeOrOwe(() => {
      // A job retracted while in flight has no row left: nothing to count.
      if (kill.run(error, now, id).changes > 0) dead += 1;
    });
  }

  /** From memory if still there, else read back from the database. */
  function payloadFor(id: number): JobPayload | undefined {
    const text: unknown = recent.get(id) ?? payloadOf.get(id);
    return typeof text === "string" ? parsePayload(text) : undefined;
  }

  function load(job: QueuedJob, now: number): StoredJob | undefined {
    const payload = payloadFor(job.id);
    if (payload !== undefined) return { id: job.id, conversationKey: job.conversationKey, payload, attempts: job.attempts, receivedAt: job.receivedAt };
    markDead(job.id, "unreadable job", now);
    index.remove(job.id);
    return undefined;
  }

  return {
    /** Records the delivery and its jobs in one synced transaction; a delivery or job seen before is not enqueued again. */
    enqueue(request: EnqueueRequest, now: number): EnqueueResult {
      const enqueued = committing(() => syncedCommit(() => commitOne(request, now)));
      enqueued.added.forEach(index.add);
      if (enqueued.added.length > 0) onAdded();
      return enqueued.result;
    },
    /** As enqueue, committed together with the other requests of this event-loop turn; resolves once on disk. */
    enqueueSoon(request: EnqueueRequest, now: number): Promise<EnqueueResult> {
      return new Promise((resolve, reject) => {
        if (waiting.length === 0) setImmediate(flush);
        waiting.push({ request, now, resolve, reject });
      });
    },
    /** Called whenever jobs were added (the worker's wake-up), before their commit is synced. */
    onJobsAdded(listener: () => void): void {
      onAdded = listener;
    },
    /** What to start now (at most `limit`, one per conversation, none of a conversation in flight), and when to look again. */
    schedule(now: number, reorderWindowMs: number, busy: ReadonlySet<string>, limit: number): Schedule {
      // A delivery that finished is removed before the next one starts: after a crash, only the one in flight can repeat.
      // So while the database refuses the removal (disk full), nothing starts; the worker looks again soon.
      if (!removeFinished()) return { jobs: [], nextDueAt: now + WRITE_RETRY_MS };
      const due = index.due(now, reorderWindowMs, busy, limit);
      const jobs = due.jobs.map((job) => load(job, now)).filter((job): job is StoredJob => job !== undefined);
      return { jobs, nextDueAt: jobs.length < due.jobs.length ? now : due.nextDueAt };
    },
    delivered(id: number): void {
      if (finished.length === 0) setImmediate(() => void removeFinished());
      finished.push(id);
      index.remove(id);
      recent.forget(id);
    },
    /** The attempt is counted in memory at once; its row is updated now or, on a full disk, before the next schedule. */
    retryAt(id: number, at: number, error: string): void {
      writeOrOwe(() => retry.run(at, error, id));
      index.retry(id, at);
    },
    /**
     * A message was deleted (C11): it counts as seen, so its original is never
     * queued if Chatwoot delivers it later, and a pending original is removed.
     * One whose delivery is under way may still arrive; its row is gone, so the
     * worker's bookkeeping for it changes nothing. Returns how many were removed.
     */
    retract(dedupeKey: string, conversationKey: string, now: number): number {
      try {
        const removed = syncedCommit(() => retractOne(dedupeKey, conversationKey, now));
        failing.enqueue = false;
        return removed;
      } catch (error: unknown) {
        failing.enqueue = true;
        throw error;
      }
    },
    /** Leaves the queue at once; its row is marked dead now or, on a full disk, before the next schedule. */
    deadLetter(id: number, error: string, now: number): void {
      markDead(id, error, now);
      index.remove(id);
      recent.forget(id);
    },
    depth: (): { pending: number; dead: number } => ({ pending: index.size(), dead }),
    /** Forgets seen keys and newest routes not seen since `olderThan`; returns how many keys went. */
    pruneSeen(olderThan: number): number {
      pruneRoutes.run(olderThan);
      return pruneSeen.run(olderThan).changes;
    },
    /** The newest route recorded under `key` (see newest-routes.ts), and when it was last recorded. A read: no commit. */
    newestRoute: (key: string): (RouteRecord & { seenAt: number }) | undefined => routeRecordOf(key, routeOf.get(key)),
    /**
     * Readable, and writes go through. After a refused write, each check tries
     * a write of its own (a page-sized row, committed and removed), so a relay
     * that gets no webhooks meanwhile still says when space has returned.
     */
    healthy(): boolean {
      if (failing.enqueue && probeWrite()) failing.enqueue = false;
      if (failing.enqueue || failing.bookkeeping) return false;
      try {
        return isRecord(db.prepare("SELECT 1 AS ok").get());
      } catch {
        return false;
      }
    },
    close(): void {
      if (closed) return;
      // On a full disk what is owed stays undone: those jobs are delivered again after the restart.
      removeFinished();
      closed = true;
      db.close();
      log.close();
    },
  };
}

export type Outbox = ReturnType<typeof openOutbox>;

/**
 * fdatasync of the write-ahead log on libuv's thread pool, one at a time: each
 * covers every commit made before it started; commits made meanwhile wait for
 * the next. The event loop goes on while the disk works.
 */
function createLogSync(walPath: string) {
  let handle: Promise<FileHandle> | undefined;
  let acks: (() => void)[] = [];
  let failures: ((error: unknown) => void)[] = [];
  let syncing = false;

  function sync(): void {
    if (syncing || acks.length === 0) return;
    syncing = true;
    const done = acks;
    const failed = failures;
    acks = [];
    failures = [];
    handle ??= open(walPath, "r");
    handle
      .then((file) => file.datasync())
      .then(
        () => done.forEach((ack) => ack()),
        (error: unknown) => failed.forEach((fail) => fail(error)),
      )
      .finally(() => {
        syncing = false;
        sync();
      });
  }

  return {
    afterSync(ack: () => void, fail: (error: unknown) => void): void {
      acks.push(ack);
      failures.push(fail);
    },
    sync,
    close(): void {
      void handle?.then((file) => file.close()).catch(() => undefined);
    },
  };
}
