import { Pool } from "pg";
import { MIGRATIONS, migrate, type Migration } from "../../src/relay/postgres-migrations";
import { usePostgres } from "../support/postgres-server";

/** Versioned migrations of the PostgreSQL outbox, on a real server. */

const server = usePostgres();
let pool: Pool;


beforeEach(async () => {
  pool = new Pool({ connectionString: await server().freshDatabase() });
});

afterEach(async () => {
  await pool.end();
});

async function run(migrations: readonly Migration[]): Promise<number[]> {
  const client = await pool.connect();
  try {
    return await migrate(client, migrations);
  } finally {
    client.release();
  }
}

const versions = async (): Promise<number[]> => (await pool.query("SELECT version FROM relay_schema_migrations ORDER BY version")).rows.map((row: { version: number }) => row.version);

describe("PostgreSQL outbox migrations", () => {
  it("applies every version on an empty database, and none the second time", async () => {
    expect(await run(MIGRATIONS)).toEqual(MIGRATIONS.map((migration) => migration.version));
    expect(await run(MIGRATIONS)).toEqual([]);
    expect(await versions()).toEqual(MIGRATIONS.map((migration) => migration.version));
  });

  it("applies only the versions a database does not have yet (an upgrade)", async () => {
    const first = MIGRATIONS.slice(0, 1);
    expect(await run(first)).toEqual([1]);
    expect(await run(MIGRATIONS)).toEqual(MIGRATIONS.slice(1).map((migration) => migration.version));
  });

  it("keeps pending jobs' heads across the upgrade that added them (version 2 fills relay_heads)", async () => {
    await run(MIGRATIONS.slice(0, 1));
    await pool.query(
      `INSERT INTO relay_jobs (conversation_key, dedupe_key, order_ts, order_seq, payload, state, received_at, next_attempt_at)
       VALUES ('1:7', 'b', 20, 0, '{}', 'pending', 1, 1), ('1:7', 'a', 10, 0, '{}', 'pending', 2, 2), ('1:8', 'c', 5, 0, '{}', 'dead', 1, 1)`,
    );
    await run(MIGRATIONS);
    expect((await pool.query("SELECT conversation_key, order_ts::int FROM relay_heads ORDER BY conversation_key")).rows).toEqual([{ conversation_key: "1:7", order_ts: 10 }]);
  });

  it("rolls a failing version back whole, names it, and leaves the later ones for the next start", async () => {
    const broken: Migration[] = [...MIGRATIONS, { version: 90, name: "broken", sql: "CREATE TABLE relay_half (id INT); SELECT no_such_column FROM relay_jobs" }, { version: 91, name: "later", sql: "CREATE TABLE relay_later (id INT)" }];
    await expect(run(broken)).rejects.toThrow(/migration 90 \(broken\) failed/);
    expect(await versions()).toEqual(MIGRATIONS.map((migration) => migration.version));
    expect((await pool.query("SELECT to_regclass('relay_half') IS NULL AS gone, to_regclass('relay_later') IS NULL AS later")).rows).toEqual([{ gone: true, later: true }]);
  });

  it("leaves a database that a newer relay migrated further as it is", async () => {
    await run([...MIGRATIONS, { version: 99, name: "from a newer relay", sql: "CREATE TABLE relay_newer (id INT)" }]);
    expect(await run(MIGRATIONS)).toEqual([]);
    expect(await versions()).toEqual([...MIGRATIONS.map((migration) => migration.version), 99]);
  });
});
