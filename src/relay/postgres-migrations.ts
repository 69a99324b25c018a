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
CREATE INDEX relay_seen_age ON relay_seen (seen_at);
CREATE TABLE relay_routes (key TEXT PRIMARY KEY, issued_at BIGINT NOT NULL, sealed TEXT NOT NULL, seen_at BIGINT NOT NULL);
CREATE INDEX relay_routes_age ON relay_routes (seen_at);
CREATE TABLE relay_leases (conversation_key TEXT PRIMARY KEY, owner TEXT NOT NULL, until BIGINT NOT NULL);
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
