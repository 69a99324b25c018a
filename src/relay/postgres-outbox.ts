import { randomUUID } from "crypto";
import { Client, Pool, type PoolClient } from "pg";
import { isRecord } from "../core/json-guards";
import { parsePayload, WRITE_RETRY_MS, type EnqueueRequest, type EnqueueResult, type RouteRecord, type Schedule, type StoredJob } from "./outbox";
import type { OutboxStore } from "./outbox-store";
import { DB_NOW_MS, migrate } from "./postgres-migrations";
import { postgresSharedQueue } from "./postgres-shared-queue";

export interface PostgresOutboxOptions {
  /** How long a claim of a conversation lasts without renewal (renewed every third of it while the delivery runs). */
  leaseMs: number;
  /** Connections in the pool (intake, worker and bookkeeping share them). */
  poolSize?: number;
  /** How long to wait for a connection before a webhook is answered 503. */
  connectTimeoutMs?: number;
}

/** The channel of LISTEN/NOTIFY that wakes every replica's worker when jobs are committed. */
const CHANNEL = "relay_jobs_added";
/** How often the pending and dead counts are read again for /metrics, at most (between reads, this replica's own changes count at once). */
const DEPTH_REFRESH_MS = 5_000;
/**
 * How long delivery ids are kept (repeats of one delivery come within seconds; each message's and
 * change's own dedupe key is kept for the week of seen keys and still catches a later repeat).
 */
const DELIVERY_RETENTION_MS = 3_600_000;
/** No statement of the outbox should take this long; one that does is ended (its webhook gets 503, its settlement is tried again). */
const STATEMENT_TIMEOUT_MS = 30_000;
/** Transactions that lost a deadlock or serialization race are tried again this many times. */
const RETRIES = 3;

/** bigint columns arrive as text: read them back as numbers (milliseconds and ids stay far below 2^53). */
function numberOf(value: unknown): number | undefined {
  const number = typeof value === "number" ? value : typeof value === "string" && /^-?\d{1,16}$/.test(value) ? Number(value) : undefined;
  return number !== undefined && Number.isSafeInteger(number) ? number : undefined;
}

function stringOf(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

function errorCode(error: unknown): string | undefined {
  return isRecord(error) && typeof error.code === "string" ? error.code : undefined;
}

function countOf(row: unknown): number {
  return isRecord(row) ? (numberOf(row.count) ?? 0) : 0;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

interface Waiting {
  request: EnqueueRequest;
  now: number;
  resolve: (result: EnqueueResult) => void;
  reject: (error: unknown) => void;
}

/** Heads of conversations that nobody else holds and this replica is not delivering. */
const FREE_HEADS = `relay_heads h WHERE NOT (h.conversation_key = ANY($3::text[]))
  AND NOT EXISTS (SELECT 1 FROM relay_leases l WHERE l.conversation_key = h.conversation_key AND l.until > ${DB_NOW_MS} AND l.owner <> $4)`;

/**
 * Due free heads, the earliest attempt first (as the SQLite outbox orders them), read along the index
 * so a look costs about `limit` rows whatever the backlog; then two rows bounding when the next head
 * becomes due (its attempt time, or the end of its reorder window): the worker looks again then.
 */
const CANDIDATES = `
(SELECT h.conversation_key, NULL::bigint AS due_at FROM ${FREE_HEADS} AND h.next_attempt_at <= $1 AND h.received_at <= $1 - $2 ORDER BY h.next_attempt_at, h.job_id LIMIT $5)
UNION ALL
(SELECT NULL, MIN(h.next_attempt_at) FROM ${FREE_HEADS} AND h.next_attempt_at > $1)
UNION ALL
(SELECT NULL, MIN(h.received_at) + $2 FROM ${FREE_HEADS} AND h.received_at > $1 - $2)`;

/** Claims the conversations whose lease is free, expired or already this replica's; returns those it got. */
const CLAIM = `
INSERT INTO relay_leases (conversation_key, owner, until)
SELECT key, $2, ${DB_NOW_MS} + $3 FROM unnest($1::text[]) AS key
ON CONFLICT (conversation_key) DO UPDATE SET owner = excluded.owner, until = excluded.until
WHERE relay_leases.until <= ${DB_NOW_MS} OR relay_leases.owner = excluded.owner
RETURNING conversation_key`;

const HEADS_OF = `
SELECT j.id, j.conversation_key, j.payload, j.attempts, j.received_at, j.next_attempt_at
FROM relay_heads h JOIN relay_jobs j ON j.id = h.job_id AND j.state = 'pending'
WHERE h.conversation_key = ANY($1::text[])`;

/** A turn of shared periodic work: taken when the key's last turn is at least the interval old (judged by the database's clock). */
const TAKE_TURN = `
INSERT INTO relay_turns (key, taken_at) VALUES ($1, ${DB_NOW_MS} + $3::bigint)
ON CONFLICT (key) DO UPDATE SET taken_at = excluded.taken_at
WHERE relay_turns.taken_at <= excluded.taken_at - $2::bigint
RETURNING key`;

const RELEASE = "DELETE FROM relay_leases WHERE conversation_key = ANY($1::text[]) AND owner = $2";

/**
 * The outbox on a shared PostgreSQL, for any number of relay replicas. A
 * webhook is acknowledged once its transaction is committed. Dedupe holds
 * across replicas by primary keys (`INSERT … ON CONFLICT DO NOTHING`). Each
 * conversation is delivered by one replica at a time: a replica claims a
 * conversation's lease row before it takes its head job, renews it while the
 * delivery runs, and gives it up in the same statement that settles the job;
 * a replica that dies loses the claim when the lease expires, and another
 * takes the same head job over (that one delivery may be repeated).
 * LISTEN/NOTIFY wakes every replica when jobs are committed.
 */
export function openPostgresOutbox(connectionString: string, options: PostgresOutboxOptions): OutboxStore {
  const owner = randomUUID();
  const pool = new Pool({ connectionString, max: options.poolSize ?? 10, connectionTimeoutMillis: options.connectTimeoutMs ?? 3_000, application_name: "chatwoot-handover-relay", statement_timeout: STATEMENT_TIMEOUT_MS });
  // An idle connection that the server closes (restart, failover) must not end the process; the next query reconnects.
  pool.on("error", () => undefined);
  let onAdded: () => void = () => undefined;
  let closed = false;
  let opened: Promise<void> | undefined;
  let listener: Client | undefined;
  let listenTimer: NodeJS.Timeout | undefined;
  let depth = { pending: 0, dead: 0 };
  let depthReadAt = 0;
  /** Jobs this replica claimed and has not settled: id → conversation key (its lease is renewed meanwhile). */
  const claimed = new Map<number, string>();
  /** Settlements the database refused (it was away): written again, in order, before more deliveries start. */
  const owed: { write: (client: Pool) => Promise<void> }[] = [];
  /** Deliveries finished during this turn of the event loop, removed together. */
  let finished: { id: number; resolve: () => void }[] = [];
  let waiting: Waiting[] = [];
  let renewTimer: NodeJS.Timeout | undefined;
  let routeReads: { key: string; resolve: (row: (RouteRecord & { seenAt: number }) | undefined) => void; reject: (error: unknown) => void }[] = [];

  async function readRoutes(): Promise<void> {
    const reads = routeReads;
    routeReads = [];
    const found = new Map<string, RouteRecord & { seenAt: number }>();
    try {
      await ready();
      const { rows } = await pool.query("SELECT key, issued_at, sealed, seen_at FROM relay_routes WHERE key = ANY($1::text[])", [[...new Set(reads.map((read) => read.key))]]);
      for (const row of rows) {
        if (!isRecord(row)) continue;
        const key = stringOf(row.key);
        const issuedAt = numberOf(row.issued_at);
        const seenAt = numberOf(row.seen_at);
        const sealed = stringOf(row.sealed);
        if (key !== undefined && issuedAt !== undefined && seenAt !== undefined && sealed !== undefined) found.set(key, { key, issuedAt, sealed, seenAt });
      }
    } catch (error: unknown) {
      for (const read of reads) read.reject(error);
      return;
    }
    for (const read of reads) read.resolve(found.get(read.key));
  }

  async function transaction<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt += 1) {
      const client = await pool.connect();
      try {
        await client.query("BEGIN");
        const result = await work(client);
        await client.query("COMMIT");
        client.release();
        return result;
      } catch (error: unknown) {
        const rolledBack = await client.query("ROLLBACK").then(
          () => true,
          () => false,
        );
        // A connection that cannot even roll back (the server went away) is closed, not handed out again.
        client.release(!rolledBack);
        const code = errorCode(error);
        if (attempt >= RETRIES || (code !== "40P01" && code !== "40001")) throw error;
      }
    }
  }

  async function listen(): Promise<void> {
    if (closed) return;
    const client = new Client({ connectionString, application_name: "chatwoot-handover-relay-listen" });
    const retry = (): void => {
      if (closed || listener !== client) return;
      listener = undefined;
      void client.end().catch(() => undefined);
      clearTimeout(listenTimer);
      listenTimer = setTimeout(() => void listen().catch(() => undefined), 1_000);
      // Jobs committed while nobody listened are found by the worker's next look.
      onAdded();
    };
    listener = client;
    client.on("error", retry);
    client.on("end", retry);
    client.on("notification", () => onAdded());
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANNEL}`);
    } catch {
      retry();
    }
  }

  async function init(): Promise<void> {
    const client = await pool.connect().catch((error: unknown) => {
      throw new Error(`PostgreSQL outbox: cannot connect (RELAY_DATABASE_URL): ${messageOf(error)}`, { cause: error });
    });
    try {
      await migrate(client);
    } finally {
      client.release();
    }
    if (listener === undefined) await listen();
    await readDepth();
    clearInterval(renewTimer);
    renewTimer = setInterval(() => void renew(), Math.max(100, Math.floor(options.leaseMs / 3)));
    renewTimer.unref();
  }

  function ready(): Promise<void> {
    // A failed start is tried again by the next call (the database may be back).
    opened ??= init().catch((error: unknown) => {
      opened = undefined;
      throw error;
    });
    return opened;
  }

  async function readDepth(): Promise<void> {
    const { rows } = await pool.query("SELECT COUNT(*) FILTER (WHERE state = 'pending') AS pending, COUNT(*) FILTER (WHERE state = 'dead') AS dead FROM relay_jobs");
    const row: unknown = rows[0];
    if (isRecord(row)) depth = { pending: numberOf(row.pending) ?? 0, dead: numberOf(row.dead) ?? 0 };
    depthReadAt = Date.now();
  }

  /** Keeps the claims of the deliveries under way (a delivery longer than the lease is not taken over). */
  async function renew(): Promise<void> {
    const keys = [...new Set(claimed.values())];
    if (closed || keys.length === 0) return;
    await pool.query(`UPDATE relay_leases SET until = ${DB_NOW_MS} + $3 WHERE owner = $2 AND conversation_key = ANY($1::text[])`, [keys, owner, options.leaseMs]).catch(() => undefined);
  }

  /**
   * The requests of one group commit in a few statements, whatever their number: delivery ids first (a
   * repeat, even within the batch, is a duplicate), then routes, then every job whose dedupe key is new
   * (the first of the batch wins), inserted in the order of the requests so that equal positions keep it.
   */
  async function insertBatch(client: PoolClient, items: Waiting[]): Promise<{ result: EnqueueResult; added: number }[]> {
    const deliveries = items.flatMap((item, position) => (item.request.deliveryId === null ? [] : [{ key: item.request.deliveryId, now: item.now, position }]));
    const freshDeliveries = new Set<string>();
    if (deliveries.length > 0) {
      const seen = await client.query("INSERT INTO relay_deliveries (delivery_id, seen_at) SELECT * FROM unnest($1::text[], $2::bigint[]) ON CONFLICT (delivery_id) DO NOTHING RETURNING delivery_id AS key", [
        deliveries.map((delivery) => delivery.key),
        deliveries.map((delivery) => delivery.now),
      ]);
      for (const row of seen.rows) if (isRecord(row) && typeof row.key === "string") freshDeliveries.add(row.key);
    }
    const duplicate = items.map((item) => {
      if (item.request.deliveryId === null) return false;
      const key = item.request.deliveryId;
      if (!freshDeliveries.has(key)) return true;
      freshDeliveries.delete(key);
      return false;
    });
    const kept = items.filter((_item, position) => !duplicate[position]);
    for (const item of kept) {
      for (const route of item.request.routes ?? []) {
        await client.query(
          `INSERT INTO relay_routes (key, issued_at, sealed, seen_at) VALUES ($1, $2, $3, $4)
           ON CONFLICT (key) DO UPDATE SET issued_at = excluded.issued_at, sealed = excluded.sealed, seen_at = excluded.seen_at
           WHERE excluded.issued_at > relay_routes.issued_at OR excluded.sealed = relay_routes.sealed`,
          [route.key, route.issuedAt, route.sealed, item.now],
        );
      }
    }
    const jobs = items.flatMap((item, request) => (duplicate[request] === true ? [] : item.request.jobs.map((job) => ({ job, request, now: item.now }))));
    const addedBy = new Map<number, number>();
    if (jobs.length > 0) {
      const inserted = await client.query(
        `WITH input AS (
           SELECT DISTINCT ON (dedupe_key) * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::bigint[], $5::bigint[], $6::text[], $7::int[])
             WITH ORDINALITY AS t(dedupe_key, now, conversation_key, order_ts, order_seq, payload, request, position)
           ORDER BY dedupe_key, position
         ), seen AS (
           INSERT INTO relay_seen (key, seen_at) SELECT dedupe_key, now FROM input ON CONFLICT (key) DO NOTHING RETURNING key
         )
         INSERT INTO relay_jobs (conversation_key, dedupe_key, order_ts, order_seq, payload, state, received_at, next_attempt_at)
         SELECT input.conversation_key, input.dedupe_key, input.order_ts, input.order_seq, input.payload, 'pending', input.now, input.now
         FROM input JOIN seen ON seen.key = input.dedupe_key ORDER BY input.position
         RETURNING dedupe_key`,
        [
          jobs.map(({ job }) => job.dedupeKey),
          jobs.map(({ now }) => now),
          jobs.map(({ job }) => job.conversationKey),
          jobs.map(({ job }) => job.orderTs),
          jobs.map(({ job }) => job.orderSeq),
          jobs.map(({ job }) => JSON.stringify(job.payload)),
          jobs.map(({ request }) => request),
        ],
      );
      const firstRequestOf = new Map<string, number>();
      for (const { job, request } of jobs) if (!firstRequestOf.has(job.dedupeKey)) firstRequestOf.set(job.dedupeKey, request);
      for (const row of inserted.rows) {
        const request = isRecord(row) && typeof row.dedupe_key === "string" ? firstRequestOf.get(row.dedupe_key) : undefined;
        if (request !== undefined) addedBy.set(request, (addedBy.get(request) ?? 0) + 1);
      }
    }
    return items.map((item, request) => {
      if (duplicate[request] === true) return { result: { duplicate: true }, added: 0 };
      const added = addedBy.get(request) ?? 0;
      return { result: { duplicate: false, enqueued: added, duplicates: item.request.jobs.length - added }, added };
    });
  }

  /** Group commit: the requests of one turn of the event loop share one transaction, acknowledged once it is committed. */
  async function flush(): Promise<void> {
    const items = waiting;
    waiting = [];
    let results: { result: EnqueueResult; added: number }[];
    try {
      await ready();
      results = await transaction(async (client) => {
        const done = await insertBatch(client, items);
        if (done.some((enqueued) => enqueued.added > 0)) await client.query(`NOTIFY ${CHANNEL}`);
        return done;
      });
    } catch (error: unknown) {
      for (const item of items) item.reject(error);
      return;
    }
    results.forEach((enqueued, position) => items[position]?.resolve(enqueued.result));
    const added = results.reduce((sum, enqueued) => sum + enqueued.added, 0);
    if (added > 0) {
      depth = { ...depth, pending: depth.pending + added };
      onAdded();
    }
  }

  /** Settles a claimed job and gives up its conversation's lease in the same statement; owed when the database refuses. */
  async function settle(id: number, sql: string, values: unknown[], counted: (settled: number) => void = () => undefined): Promise<void> {
    const key = claimed.get(id) ?? "";
    await writeOrOwe(async (client: Pool): Promise<void> => {
      const result = await client.query(`WITH settled AS (${sql}), released AS (DELETE FROM relay_leases WHERE conversation_key = $1 AND owner = $2) SELECT COUNT(*)::int AS count FROM settled`, [key, owner, ...values]);
      claimed.delete(id);
      counted(countOf(result.rows[0]));
    });
  }

  /** The deliveries that finished during one turn of the event loop leave together, with their leases (one statement). */
  async function removeDelivered(): Promise<void> {
    const batch = finished;
    finished = [];
    const ids = batch.map((item) => item.id);
    const keys = ids.map((id) => claimed.get(id) ?? "");
    await writeOrOwe(async (client: Pool): Promise<void> => {
      const result = await client.query(
        "WITH settled AS (DELETE FROM relay_jobs WHERE id = ANY($3::bigint[]) RETURNING id), released AS (DELETE FROM relay_leases WHERE conversation_key = ANY($1::text[]) AND owner = $2) SELECT COUNT(*)::int AS count FROM settled",
        [keys, owner, ids],
      );
      for (const id of ids) claimed.delete(id);
      // A job retracted while in flight has no row left: nothing to count.
      depth = { ...depth, pending: Math.max(0, depth.pending - countOf(result.rows[0])) };
    });
    for (const item of batch) item.resolve();
  }

  async function writeOrOwe(write: (client: Pool) => Promise<void>): Promise<void> {
    if (owed.length === 0) {
      try {
        await write(pool);
        return;
      } catch {
        // The database is away: written before the next look (the lease is kept, and renewed, meanwhile).
      }
    }
    owed.push({ write });
  }

  async function payOwed(): Promise<boolean> {
    while (owed.length > 0) {
      const next = owed[0];
      if (next === undefined) break;
      try {
        await next.write(pool);
      } catch {
        return false;
      }
      owed.shift();
    }
    return true;
  }

  async function claim(now: number, reorderWindowMs: number, busy: ReadonlySet<string>, limit: number): Promise<Schedule> {
    const { rows } = await pool.query(CANDIDATES, [now, reorderWindowMs, [...busy], owner, limit]);
    const keys: string[] = [];
    let nextDueAt: number | null = null;
    for (const row of rows) {
      if (!isRecord(row)) continue;
      const key = stringOf(row.conversation_key);
      const dueAt = numberOf(row.due_at);
      if (key === undefined) nextDueAt = dueAt === undefined ? nextDueAt : Math.min(dueAt, nextDueAt ?? Infinity);
      else keys.push(key);
    }
    if (keys.length === 0) return { jobs: [], nextDueAt };
    const rank = new Map(keys.map((key, position) => [key, position]));
    // Sorted, so two replicas claiming overlapping sets lock the rows in the same order (no deadlock).
    keys.sort();
    const won = (await pool.query(CLAIM, [keys, owner, options.leaseMs])).rows.map((row: unknown) => (isRecord(row) ? stringOf(row.conversation_key) : undefined));
    const wonKeys = won.filter((key): key is string => key !== undefined);
    if (wonKeys.length === 0) return { jobs: [], nextDueAt: now };
    // Read under the lease: another replica may have settled the head between the look and the claim.
    const heads = await pool.query(HEADS_OF, [wonKeys]);
    const jobs: StoredJob[] = [];
    const release: string[] = [];
    const unreadable: number[] = [];
    const started = new Set<string>();
    for (const row of heads.rows) {
      if (!isRecord(row)) continue;
      const id = numberOf(row.id);
      const key = stringOf(row.conversation_key);
      const receivedAt = numberOf(row.received_at);
      const nextAttemptAt = numberOf(row.next_attempt_at);
      const attempts = numberOf(row.attempts);
      if (id === undefined || key === undefined || receivedAt === undefined || nextAttemptAt === undefined || attempts === undefined) continue;
      started.add(key);
      if (Math.max(nextAttemptAt, receivedAt + reorderWindowMs) > now) {
        release.push(key);
        continue;
      }
      const payload = typeof row.payload === "string" ? parsePayload(row.payload) : undefined;
      claimed.set(id, key);
      if (payload === undefined) {
        unreadable.push(id);
        continue;
      }
      jobs.push({ id, conversationKey: key, payload, attempts, receivedAt });
    }
    for (const key of wonKeys) if (!started.has(key)) release.push(key);
    jobs.sort((a, b) => (rank.get(a.conversationKey) ?? 0) - (rank.get(b.conversationKey) ?? 0));
    if (release.length > 0) await pool.query(RELEASE, [release, owner]);
    for (const id of unreadable) await deadLetter(id, "unreadable job", now);
    return { jobs, nextDueAt: unreadable.length > 0 || release.length > 0 ? now + 1 : nextDueAt };
  }

  async function deadLetter(id: number, error: string, now: number): Promise<void> {
    await settle(id, "UPDATE relay_jobs SET state = 'dead', attempts = attempts + 1, last_error = $3, dead_at = $4 WHERE id = $5 AND state = 'pending' RETURNING id", [error, now, id], (settled) => {
      // A job retracted while in flight has no row left: nothing to count.
      depth = { pending: Math.max(0, depth.pending - settled), dead: depth.dead + settled };
    });
  }

  return {
    kind: "postgres",
    ready,
    sharedQueue: postgresSharedQueue(pool, ready),
    enqueue(request: EnqueueRequest, now: number): Promise<EnqueueResult> {
      return new Promise((resolve, reject) => {
        if (closed) return reject(new Error("the outbox is closed"));
        if (waiting.length === 0) setImmediate(() => void flush());
        waiting.push({ request, now, resolve, reject });
      });
    },
    onJobsAdded(listener: () => void): void {
      onAdded = listener;
    },
    async schedule(now: number, reorderWindowMs: number, busy: ReadonlySet<string>, limit: number): Promise<Schedule> {
      await ready();
      // A delivery that finished is settled before the next one starts: after a crash, only the one in flight can repeat.
      if (!(await payOwed())) return { jobs: [], nextDueAt: now + WRITE_RETRY_MS };
      if (Date.now() - depthReadAt >= DEPTH_REFRESH_MS) await readDepth();
      return claim(now, reorderWindowMs, busy, limit);
    },
    delivered(id: number): Promise<void> {
      return new Promise((resolve) => {
        if (finished.length === 0) setImmediate(() => void removeDelivered());
        finished.push({ id, resolve });
      });
    },
    async retryAt(id: number, at: number, error: string): Promise<void> {
      await settle(id, "UPDATE relay_jobs SET attempts = attempts + 1, next_attempt_at = $3, last_error = $4 WHERE id = $5 RETURNING id", [at, error, id]);
    },
    deadLetter,
    async retract(dedupeKey: string, conversationKey: string, now: number): Promise<number> {
      await ready();
      const removed = await pool.query(
        `WITH seen AS (INSERT INTO relay_seen (key, seen_at) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING)
         DELETE FROM relay_jobs WHERE conversation_key = $3 AND dedupe_key = $1 AND state = 'pending' RETURNING id`,
        [dedupeKey, now, conversationKey],
      );
      const count = removed.rowCount ?? 0;
      if (count > 0) depth = { ...depth, pending: Math.max(0, depth.pending - count) };
      return count;
    },
    depth: () => depth,
    async pruneSeen(olderThan: number): Promise<number> {
      await ready();
      await pool.query("DELETE FROM relay_deliveries WHERE seen_at < $1", [Math.max(olderThan, Date.now() - DELIVERY_RETENTION_MS)]);
      await pool.query("DELETE FROM relay_routes WHERE seen_at < $1", [olderThan]);
      await pool.query("DELETE FROM relay_turns WHERE taken_at < $1", [olderThan]);
      await pool.query("DELETE FROM relay_queue_exits WHERE exited_at < $1", [olderThan]);
      // A waiting user no webhook or listing refreshed for the retention: its conversation was long since handled.
      await pool.query("DELETE FROM relay_queue_watch WHERE seen_at < $1", [olderThan]);
      return (await pool.query("DELETE FROM relay_seen WHERE seen_at < $1", [olderThan])).rowCount ?? 0;
    },
    /** Reads of one turn of the event loop share one query (every webhook with a route reads one). */
    newestRoute(key: string): Promise<(RouteRecord & { seenAt: number }) | undefined> {
      return new Promise((resolve, reject) => {
        if (routeReads.length === 0) setImmediate(() => void readRoutes());
        routeReads.push({ key, resolve, reject });
      });
    },
    async claimTurn(key: string, intervalMs: number, now: number): Promise<boolean> {
      await ready();
      const result = await pool.query(TAKE_TURN, [key, Math.max(0, Math.round(intervalMs)), Math.round(now - Date.now())]);
      return (result.rowCount ?? 0) > 0;
    },
    async healthy(): Promise<boolean> {
      if (closed) return false;
      try {
        await ready();
        await pool.query("SELECT 1");
        return await payOwed();
      } catch {
        return false;
      }
    },
    async close(): Promise<void> {
      if (closed) return;
      clearInterval(renewTimer);
      clearTimeout(listenTimer);
      await payOwed().catch(() => false);
      closed = true;
      const client = listener;
      listener = undefined;
      await client?.end().catch(() => undefined);
      await pool.end().catch(() => undefined);
    },
  };
}
