import type { PoolClient } from "pg";

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** The time of the database server in milliseconds: leases are judged by one clock, whatever the replicas' clocks say. */
export const DB_NOW_MS = "(EXTRACT(EPOCH FROM clock_timestamp()) * 1000)::bigint";

/**
 * The PostgreSQL outbox's schema, one version at a time. Applied in order at
 * start, each in its own transaction with its row in relay_schema_migrations;
 * never edited once released (a change is a new version). Times are
 * milliseconds since 1970 (bigint), as in the SQLite outbox.
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "outbox",
    sql: `
CREATE TABLE relay_jobs (
  id BIGSERIAL PRIMARY KEY,
  conversation_key TEXT NOT NULL,
  dedupe_key TEXT NOT NULL,
  order_ts BIGINT NOT NULL,
  order_seq BIGINT NOT NULL,
  payload TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('pending', 'dead')),
  attempts INTEGER NOT NULL DEFAULT 0,
  received_at BIGINT NOT NULL,
  next_attempt_at BIGINT NOT NULL,
  last_error TEXT,
  dead_at BIGINT
);
CREATE INDEX relay_jobs_queue ON relay_jobs (conversation_key, order_ts, order_seq, id) WHERE state = 'pending';
CREATE TABLE relay_seen (key TEXT PRIMARY KEY, seen_at BIGINT NOT NULL);
CREATE TABLE relay_deliveries (delivery_id TEXT PRIMARY KEY, seen_at BIGINT NOT NULL);
CREATE INDEX relay_deliveries_age ON relay_deliveries (seen_at);
CREATE INDEX relay_seen_age ON relay_seen (seen_at);
CREATE TABLE relay_routes (key TEXT PRIMARY KEY, issued_at BIGINT NOT NULL, sealed TEXT NOT NULL, seen_at BIGINT NOT NULL);
CREATE INDEX relay_routes_age ON relay_routes (seen_at);
CREATE TABLE relay_leases (conversation_key TEXT PRIMARY KEY, owner TEXT NOT NULL, until BIGINT NOT NULL);
`,
  },
  {
    // Each conversation's head (its first pending job in Chatwoot's order), kept by triggers, so that
    // finding what is due reads one row per conversation rather than every pending job.
    version: 2,
    name: "conversation heads",
    sql: `
CREATE TABLE relay_heads (
  conversation_key TEXT PRIMARY KEY,
  job_id BIGINT NOT NULL,
  order_ts BIGINT NOT NULL,
  order_seq BIGINT NOT NULL,
  received_at BIGINT NOT NULL,
  next_attempt_at BIGINT NOT NULL
);
CREATE INDEX relay_heads_job ON relay_heads (job_id);
CREATE INDEX relay_heads_attempt ON relay_heads (next_attempt_at, job_id);
CREATE INDEX relay_heads_received ON relay_heads (received_at);

-- Sets the head of a conversation from its jobs. The row lock comes first: each later statement of a
-- function reads a new snapshot, so a head written by a transaction that held the lock is seen.
CREATE FUNCTION relay_refresh_head(key TEXT) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  first relay_jobs%ROWTYPE;
BEGIN
  PERFORM 1 FROM relay_heads WHERE conversation_key = key FOR UPDATE;
  SELECT * INTO first FROM relay_jobs WHERE conversation_key = key AND state = 'pending' ORDER BY order_ts, order_seq, id LIMIT 1;
  IF NOT FOUND THEN
    DELETE FROM relay_heads WHERE conversation_key = key;
    RETURN;
  END IF;
  INSERT INTO relay_heads (conversation_key, job_id, order_ts, order_seq, received_at, next_attempt_at)
  VALUES (key, first.id, first.order_ts, first.order_seq, first.received_at, first.next_attempt_at)
  ON CONFLICT (conversation_key) DO UPDATE SET job_id = excluded.job_id, order_ts = excluded.order_ts, order_seq = excluded.order_seq,
    received_at = excluded.received_at, next_attempt_at = excluded.next_attempt_at;
END $$;

-- A new pending job becomes the head when it comes first (the upsert waits for, then compares with, a concurrent writer's head).
CREATE FUNCTION relay_jobs_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.state = 'pending' THEN
    INSERT INTO relay_heads (conversation_key, job_id, order_ts, order_seq, received_at, next_attempt_at)
    VALUES (NEW.conversation_key, NEW.id, NEW.order_ts, NEW.order_seq, NEW.received_at, NEW.next_attempt_at)
    ON CONFLICT (conversation_key) DO UPDATE SET job_id = excluded.job_id, order_ts = excluded.order_ts, order_seq = excluded.order_seq,
      received_at = excluded.received_at, next_attempt_at = excluded.next_attempt_at
    WHERE (excluded.order_ts, excluded.order_seq, excluded.job_id) < (relay_heads.order_ts, relay_heads.order_seq, relay_heads.job_id);
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER relay_jobs_inserted AFTER INSERT ON relay_jobs FOR EACH ROW EXECUTE FUNCTION relay_jobs_inserted();

-- A head that leaves (delivered, dead-lettered, retracted) hands over to the next job; a retry moves its due time.
CREATE FUNCTION relay_jobs_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND NEW.state = 'pending' AND OLD.state = 'pending' THEN
    UPDATE relay_heads SET next_attempt_at = NEW.next_attempt_at WHERE conversation_key = NEW.conversation_key AND job_id = NEW.id;
  ELSIF OLD.state = 'pending' THEN
    PERFORM relay_refresh_head(OLD.conversation_key);
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER relay_jobs_changed AFTER UPDATE OR DELETE ON relay_jobs FOR EACH ROW EXECUTE FUNCTION relay_jobs_changed();

INSERT INTO relay_heads (conversation_key, job_id, order_ts, order_seq, received_at, next_attempt_at)
SELECT DISTINCT ON (conversation_key) conversation_key, id, order_ts, order_seq, received_at, next_attempt_at
FROM relay_jobs WHERE state = 'pending' ORDER BY conversation_key, order_ts, order_seq, id;
`,
  },
  {
    // Issue 13's work shared by replicas: turns of periodic work (claimTurn: one row per key, when its last
    // turn was taken), the waiting users who asked for queue updates, and each inbox's queue exits (once per handover).
    version: 3,
    name: "shared queue work",
    sql: `
CREATE TABLE relay_turns (key TEXT PRIMARY KEY, taken_at BIGINT NOT NULL);
CREATE INDEX relay_turns_age ON relay_turns (taken_at);
CREATE TABLE relay_queue_watch (
  inbox_id INTEGER NOT NULL,
  conversation_id INTEGER NOT NULL,
  account_id INTEGER NOT NULL,
  handover TEXT NOT NULL,
  sealed TEXT NOT NULL,
  source_id TEXT NOT NULL,
  last_sent INTEGER,
  seen_at BIGINT NOT NULL,
  PRIMARY KEY (inbox_id, conversation_id)
);
CREATE INDEX relay_queue_watch_age ON relay_queue_watch (seen_at);
CREATE TABLE relay_queue_exits (
  inbox_id INTEGER NOT NULL,
  conversation_id INTEGER NOT NULL,
  handover TEXT NOT NULL,
  exited_at BIGINT NOT NULL,
  PRIMARY KEY (inbox_id, conversation_id, handover)
);
CREATE INDEX relay_queue_exits_recent ON relay_queue_exits (inbox_id, exited_at);
`,
  },
];

/** The advisory lock that serialises migrations of replicas starting together ("relay-migrate" as a number). */
const MIGRATION_LOCK = 7_212_676_920_141;

function versionOf(row: unknown): number | undefined {
  if (typeof row !== "object" || row === null || !("version" in row)) return undefined;
  const version = Number(row.version);
  return Number.isInteger(version) ? version : undefined;
}

/**
 * Brings the schema to the newest version this relay knows. Replicas that
 * start together wait for each other on an advisory lock, so each version is
 * applied once. A database already newer (a later relay ran) is left as it
 * is: migrations only add, so an older replica keeps working during an upgrade.
 * Returns the versions applied now.
 */
export async function migrate(client: PoolClient, migrations: readonly Migration[] = MIGRATIONS): Promise<number[]> {
  await client.query("SELECT pg_advisory_lock($1)", [MIGRATION_LOCK]);
  try {
    await client.query("CREATE TABLE IF NOT EXISTS relay_schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())");
    const done = new Set((await client.query("SELECT version FROM relay_schema_migrations")).rows.map(versionOf));
    const applied: number[] = [];
    for (const migration of migrations) {
      if (done.has(migration.version)) continue;
      await client.query("BEGIN");
      try {
        await client.query(migration.sql);
        await client.query("INSERT INTO relay_schema_migrations (version, name) VALUES ($1, $2)", [migration.version, migration.name]);
        await client.query("COMMIT");
      } catch (error: unknown) {
        await client.query("ROLLBACK");
        throw new Error(`PostgreSQL outbox: migration ${migration.version} (${migration.name}) failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
      }
      applied.push(migration.version);
    }
    return applied;
  } finally {
    await client.query("SELECT pg_advisory_unlock($1)", [MIGRATION_LOCK]);
  }
}
