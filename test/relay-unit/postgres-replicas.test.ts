import { Client } from "pg";
import type { EnqueueRequest, StoredJob } from "../../src/relay/outbox";
import { ONCE, type OutboxStore } from "../../src/relay/outbox-store";
import { MIGRATIONS } from "../../src/relay/postgres-migrations";
import { openPostgresOutbox } from "../../src/relay/postgres-outbox";
import { usePostgres } from "../support/postgres-server";

/** What only a shared database has to show: several replicas on one PostgreSQL outbox (issue 14). */

const T0 = 1_781_691_342_000;
const NONE: ReadonlySet<string> = new Set();

const server = usePostgres();
let url: string;
let opened: OutboxStore[];


beforeEach(async () => {
  url = await server().freshDatabase();
  opened = [];
});

afterEach(async () => {
  for (const outbox of opened) await outbox.close();
});

async function replica(leaseMs = 30_000): Promise<OutboxStore> {
  const outbox = openPostgresOutbox(url, { leaseMs });
  opened.push(outbox);
  await outbox.ready();
  return outbox;
}

function request(deliveryId: string | null, conversation: number, ...messageIds: number[]): EnqueueRequest {
  return {
    deliveryId,
    jobs: messageIds.map((messageId) => ({
      conversationKey: `1:${conversation}`,
      orderTs: T0 + messageId,
      orderSeq: messageId,
      dedupeKey: `message:1:${messageId}`,
      payload: { kind: "note", accountId: 1, conversationId: conversation, content: `note ${messageId}` },
    })),
  };
}

function contents(jobs: StoredJob[]): string[] {
  return jobs.map((job) => (job.payload.kind === "note" ? job.payload.content : "inject"));
}

async function query(sql: string): Promise<unknown[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

describe("PostgreSQL outbox: replicas on one database", () => {
  it("gives a shared turn to one replica per interval, however many ask at once, judged by the database's clock", async () => {
    const replicas = await Promise.all([replica(), replica(), replica()]);
    const t = Date.now();
    const answers = await Promise.all(replicas.flatMap((outbox) => Array.from({ length: 5 }, () => outbox.claimTurn("queue:1:12", 1_000, t))));
    expect(answers.filter((won) => won)).toHaveLength(1);
    // Another replica, later within the interval: not its turn; past the interval: its turn, and nobody else's.
    expect(await replicas[1]?.claimTurn("queue:1:12", 1_000, t + 800)).toBe(false);
    const later = await Promise.all(replicas.map((outbox) => outbox.claimTurn("queue:1:12", 1_000, t + 1_200)));
    expect(later.filter((won) => won)).toHaveLength(1);
    // A handover's first response, counted by one replica only.
    const once = await Promise.all(replicas.map((outbox) => outbox.claimTurn("first:12:321:t1", ONCE, t)));
    expect(once.filter((won) => won)).toHaveLength(1);
  });

  it("forgets turns with the seen keys", async () => {
    const a = await replica();
    const t = Date.now();
    expect(await a.claimTurn("first:12:321:t1", ONCE, t)).toBe(true);
    await a.pruneSeen(Date.now() + 60_000);
    expect(await query("SELECT key FROM relay_turns")).toEqual([]);
    expect(await a.claimTurn("first:12:321:t1", ONCE, t)).toBe(true);
  });

  it("creates the schema once when replicas start together, and records each migration", async () => {
    await Promise.all([replica(), replica(), replica(), replica()]);
    expect(await query("SELECT version, name FROM relay_schema_migrations ORDER BY version")).toEqual(MIGRATIONS.map((migration) => ({ version: migration.version, name: migration.name })));
  });

  it("gives a conversation to one replica at a time; the next job goes to whichever looks after the first is settled", async () => {
    const a = await replica();
    const b = await replica();
    await a.enqueue(request("d1", 7, 1, 2), T0);
    const first = await a.schedule(T0 + 1_000, 0, NONE, 10);
    expect(contents(first.jobs)).toEqual(["note 1"]);
    expect((await b.schedule(T0 + 1_000, 0, NONE, 10)).jobs).toEqual([]);
    const [job] = first.jobs;
    if (job === undefined) throw new Error("nothing scheduled");
    await a.delivered(job.id);
    expect(contents((await b.schedule(T0 + 1_000, 0, NONE, 10)).jobs)).toEqual(["note 2"]);
    expect((await a.schedule(T0 + 1_000, 0, NONE, 10)).jobs).toEqual([]);
  });

  it("spreads different conversations over the replicas, never one conversation to two", async () => {
    const a = await replica();
    const b = await replica();
    for (let conversation = 1; conversation <= 20; conversation += 1) await a.enqueue(request(`d${conversation}`, conversation, conversation * 10, conversation * 10 + 1), T0);
    const [fromA, fromB] = await Promise.all([a.schedule(T0 + 1_000, 0, NONE, 15), b.schedule(T0 + 1_000, 0, NONE, 15)]);
    const keys = [...fromA.jobs, ...fromB.jobs].map((job) => job.conversationKey);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys.length).toBeGreaterThanOrEqual(15);
    expect([...fromA.jobs, ...fromB.jobs].every((job) => job.payload.kind === "note" && job.payload.content === `note ${Number(job.conversationKey.split(":")[1]) * 10}`)).toBe(true);
  });

  it("lets another replica take over the job of a replica that died, once its lease expired (that one delivery repeats)", async () => {
    const dying = await replica(1_000);
    const survivor = await replica(1_000);
    await dying.enqueue(request("d1", 7, 1, 2), T0);
    const [job] = (await dying.schedule(T0 + 1_000, 0, NONE, 10)).jobs;
    if (job === undefined) throw new Error("nothing scheduled");
    // A crash: the claim stays in the database, nothing is settled.
    await dying.close();
    expect((await survivor.schedule(T0 + 1_000, 0, NONE, 10)).jobs).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const takenOver = (await survivor.schedule(T0 + 1_000, 0, NONE, 10)).jobs;
    expect(takenOver.map((taken) => taken.id)).toEqual([job.id]);
  });

  it("keeps a lease alive while a long delivery runs (renewed), so no other replica takes the conversation", async () => {
    const slow = await replica(1_000);
    const other = await replica(1_000);
    await slow.enqueue(request("d1", 7, 1), T0);
    expect((await slow.schedule(T0 + 1_000, 0, NONE, 10)).jobs).toHaveLength(1);
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    expect((await other.schedule(T0 + 1_000, 0, NONE, 10)).jobs).toEqual([]);
  });

  it("dedupes the same webhook sent to two replicas at once: one stores it, the other answers duplicate", async () => {
    const a = await replica();
    const b = await replica();
    const results = await Promise.all([a.enqueue(request("same-delivery", 7, 1, 2, 3), T0), b.enqueue(request("same-delivery", 7, 1, 2, 3), T0)]);
    expect(results).toContainEqual({ duplicate: true });
    expect(results).toContainEqual({ duplicate: false, enqueued: 3, duplicates: 0 });
    expect(await query("SELECT COUNT(*)::int AS count FROM relay_jobs")).toEqual([{ count: 3 }]);
  });

  it("dedupes the same message under two delivery ids on two replicas at once", async () => {
    const a = await replica();
    const b = await replica();
    const results = await Promise.all([a.enqueue(request("delivery-a", 7, 1), T0), b.enqueue(request("delivery-b", 7, 1), T0)]);
    expect(results.map((result) => (result.duplicate ? -1 : result.enqueued)).sort()).toEqual([0, 1]);
  });

  it("wakes every replica's worker (LISTEN/NOTIFY) when one of them commits jobs", async () => {
    const a = await replica();
    const b = await replica();
    const woken = new Promise<void>((resolve) => b.onJobsAdded(resolve));
    await a.enqueue(request("d1", 7, 1), T0);
    await expect(woken).resolves.toBeUndefined();
  });

  it("answers a failed commit with a rejection while the database is unreachable, and is not healthy", async () => {
    const away = openPostgresOutbox(url.replace(/:\d+\//, ":1/"), { leaseMs: 30_000, connectTimeoutMs: 500 });
    opened.push(away);
    await expect(away.ready()).rejects.toThrow(/PostgreSQL outbox: cannot connect/);
    expect(await away.healthy()).toBe(false);
  });
});
