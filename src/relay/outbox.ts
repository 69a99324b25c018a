import Database from "better-sqlite3";
import { mkdirSync } from "fs";
import { join } from "path";
import { isRecord } from "../core/json-guards";
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

export interface EnqueueRequest {
  deliveryId: string | null;
  jobs: { conversationKey: string; orderTs: number; orderSeq: number; dedupeKey: string; payload: JobPayload }[];
}

export type EnqueueResult = { duplicate: true } | { duplicate: false; enqueued: number; duplicates: number };

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
CREATE INDEX IF NOT EXISTS jobs_queue ON jobs (state, conversation_key, order_ts, order_seq, id);
CREATE TABLE IF NOT EXISTS seen (key TEXT PRIMARY KEY, seen_at INTEGER NOT NULL) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS seen_age ON seen (seen_at);
`;

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function parsePayload(text: string): JobPayload | undefined {
  const value = parseJson(text);
  if (!isRecord(value)) return undefined;
  const job = value.kind === "inject" ? parseInjectJob(value.job) : undefined;
  if (job !== undefined) return { kind: "inject", job };
  if (value.kind === "note" && typeof value.accountId === "number" && typeof value.conversationId === "number" && typeof value.content === "string") {
    return { kind: "note", accountId: value.accountId, conversationId: value.conversationId, content: value.content };
  }
  return undefined;
}

/**
 * The head of each conversation's queue (no earlier pending job), with the time
 * it becomes due: its retry time, but not before the reorder window has passed.
 */
const HEADS = `
SELECT id, conversation_key AS conversationKey, attempts, received_at AS receivedAt, MAX(next_attempt_at, received_at + @reorderWindowMs) AS dueAt FROM jobs j
WHERE state = 'pending'
  AND NOT EXISTS (
    SELECT 1 FROM jobs e WHERE e.state = 'pending' AND e.conversation_key = j.conversation_key
      AND (e.order_ts < j.order_ts OR (e.order_ts = j.order_ts AND (e.order_seq < j.order_seq OR (e.order_seq = j.order_seq AND e.id < j.id)))))
ORDER BY dueAt, id`;

interface HeadRow {
  id: number;
  conversationKey: string;
  attempts: number;
  receivedAt: number;
  dueAt: number;
}

function isHeadRow(row: unknown): row is HeadRow {
  return isRecord(row) && typeof row.id === "number" && typeof row.conversationKey === "string" && typeof row.attempts === "number" && typeof row.receivedAt === "number" && typeof row.dueAt === "number";
}

export interface Schedule {
  /** Jobs to start now: due heads of conversations not in flight. */
  jobs: StoredJob[];
  /** When the next head of an idle conversation becomes due, or null. */
  nextDueAt: number | null;
}

function countOf(row: unknown): number {
  return isRecord(row) && typeof row.count === "number" ? row.count : 0;
}

/**
 * The durable outbox: an embedded SQLite database (WAL, fsync on commit). A
 * webhook is acknowledged only after its jobs are committed here; a job leaves
 * only when Cognigy accepted it, or stays as dead-lettered.
 */
export function openOutbox(dataDir: string) {
  mkdirSync(dataDir, { recursive: true });
  const db = new Database(join(dataDir, "outbox.sqlite"));
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = FULL");
  db.pragma("busy_timeout = 5000");
  db.exec(SCHEMA);
  const markSeen = db.prepare("INSERT OR IGNORE INTO seen (key, seen_at) VALUES (?, ?)");
  const insertJob = db.prepare(
    "INSERT INTO jobs (conversation_key, order_ts, order_seq, payload, state, received_at, next_attempt_at) VALUES (@conversationKey, @orderTs, @orderSeq, @payload, 'pending', @now, @now)",
  );
  const heads = db.prepare(HEADS);
  const payloadOf = db.prepare("SELECT payload FROM jobs WHERE id = ?").pluck();
  const remove = db.prepare("DELETE FROM jobs WHERE id = ?");
  const retry = db.prepare("UPDATE jobs SET attempts = attempts + 1, next_attempt_at = ?, last_error = ? WHERE id = ?");
  const kill = db.prepare("UPDATE jobs SET state = 'dead', attempts = attempts + 1, last_error = ?, dead_at = ? WHERE id = ?");
  const pendingCount = db.prepare("SELECT COUNT(*) AS count FROM jobs WHERE state = 'pending'");
  const deadCount = db.prepare("SELECT COUNT(*) AS count FROM jobs WHERE state = 'dead'");
  const pruneSeen = db.prepare("DELETE FROM seen WHERE seen_at < ?");

  const enqueueTransaction = db.transaction((request: EnqueueRequest, now: number): EnqueueResult => {
    if (request.deliveryId !== null && markSeen.run(`delivery:${request.deliveryId}`, now).changes === 0) return { duplicate: true };
    let enqueued = 0;
    for (const job of request.jobs) {
      if (markSeen.run(job.dedupeKey, now).changes === 0) continue;
      insertJob.run({ conversationKey: job.conversationKey, orderTs: job.orderTs, orderSeq: job.orderSeq, payload: JSON.stringify(job.payload), now });
      enqueued += 1;
    }
    return { duplicate: false, enqueued, duplicates: request.jobs.length - enqueued };
  });

  return {
    /** Records the delivery and its jobs in one transaction; a delivery or job seen before is not enqueued again. */
    enqueue: (request: EnqueueRequest, now: number): EnqueueResult => enqueueTransaction(request, now),
    /** What to start now (at most `limit`, one per conversation, none of a conversation in flight), and when to look again. */
    schedule(now: number, reorderWindowMs: number, busy: ReadonlySet<string>, limit: number): Schedule {
      const jobs: StoredJob[] = [];
      let nextDueAt: number | null = null;
      for (const row of heads.all({ reorderWindowMs }).filter(isHeadRow)) {
        if (busy.has(row.conversationKey)) continue;
        if (row.dueAt > now) {
          nextDueAt = Math.min(nextDueAt ?? Infinity, row.dueAt);
          continue;
        }
        if (jobs.length >= limit) continue;
        const text: unknown = payloadOf.get(row.id);
        const payload = typeof text === "string" ? parsePayload(text) : undefined;
        if (payload === undefined) kill.run("unreadable job", now, row.id);
        else jobs.push({ id: row.id, conversationKey: row.conversationKey, payload, attempts: row.attempts, receivedAt: row.receivedAt });
      }
      return { jobs, nextDueAt };
    },
    delivered: (id: number): void => void remove.run(id),
    retryAt: (id: number, at: number, error: string): void => void retry.run(at, error, id),
    deadLetter: (id: number, error: string, now: number): void => void kill.run(error, now, id),
    depth: (): { pending: number; dead: number } => ({ pending: countOf(pendingCount.get()), dead: countOf(deadCount.get()) }),
    pruneSeen: (olderThan: number): number => pruneSeen.run(olderThan).changes,
    healthy(): boolean {
      try {
        return isRecord(db.prepare("SELECT 1 AS ok").get());
      } catch {
        return false;
      }
    },
    close(): void {
      db.close();
    },
  };
}

export type Outbox = ReturnType<typeof openOutbox>;
