import { mkdtempSync, rmSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import type { EnqueueRequest, StoredJob } from "../../src/relay/outbox";
import { ONCE, type OutboxStore } from "../../src/relay/outbox-store";
import { openPostgresOutbox } from "../../src/relay/postgres-outbox";
import { openSqliteOutbox } from "../../src/relay/sqlite-outbox";
import type { InjectJob } from "../../src/relay/relay-job";
import { usePostgres } from "../support/postgres-server";

/**
 * One contract for both stores (issue 14): the same calls, the same answers,
 * whether the outbox is the embedded SQLite file or a shared PostgreSQL.
 */

const WINDOW = 250;
const T0 = 1_781_691_342_000;
const NONE: ReadonlySet<string> = new Set();

const server = usePostgres();


interface Backend {
  name: string;
  /** A place for one test's outbox: a directory, or a fresh database. */
  place(): Promise<string>;
  open(place: string): OutboxStore;
  remove(place: string): void;
}

const BACKENDS: Backend[] = [
  {
    name: "sqlite",
    place: async () => mkdtempSync(join(tmpdir(), "relay-contract-")),
    open: (dir) => openSqliteOutbox(dir),
    remove: (dir) => rmSync(dir, { recursive: true, force: true }),
  },
  {
    name: "postgres",
    place: () => server().freshDatabase(),
    open: (url) => openPostgresOutbox(url, { leaseMs: 30_000 }),
    remove: () => undefined,
  },
];

interface JobSpec {
  conversation?: number;
  messageId: number;
  orderTs?: number;
  orderSeq?: number;
  key?: string;
}

function injectJob(spec: JobSpec): InjectJob {
  const conversationId = spec.conversation ?? 321;
  return {
    dedupeKey: spec.key ?? `message:1:${spec.messageId}`,
    conversationKey: `1:${conversationId}`,
    orderTs: spec.orderTs ?? T0,
    orderSeq: spec.orderSeq ?? spec.messageId,
    accountId: 1,
    sealedRoute: "v1.sealed-route-placeholder.abc",
    binding: { inboxId: 12, sourceId: `source-${conversationId}` },
    event: { type: "agent_message", conversationId, messageId: spec.messageId, text: `message ${spec.messageId} – Grüße 👋`, attachments: [], agentName: "Anna" },
  };
}

function request(deliveryId: string | null, ...specs: JobSpec[]): EnqueueRequest {
  return {
    deliveryId,
    jobs: specs.map((spec) => {
      const job = injectJob(spec);
      return { conversationKey: job.conversationKey, orderTs: job.orderTs, orderSeq: job.orderSeq, dedupeKey: job.dedupeKey, payload: { kind: "inject", job } };
    }),
  };
}

function messageIds(jobs: StoredJob[]): number[] {
  return jobs.map((job) => (job.payload.kind === "inject" && "messageId" in job.payload.job.event ? job.payload.job.event.messageId : -1));
}

/** Schedules, settles everything as delivered, and returns the message ids in the order they came. */
async function drain(outbox: OutboxStore, now: number): Promise<number[]> {
  const order: number[] = [];
  for (let round = 0; round < 50; round += 1) {
    const { jobs } = await outbox.schedule(now, WINDOW, NONE, 100);
    if (jobs.length === 0) return order;
    order.push(...messageIds(jobs));
    for (const job of jobs) await outbox.delivered(job.id);
  }
  throw new Error("the outbox did not drain");
}

describe.each(BACKENDS)("outbox contract: $name", (backend) => {
  let place: string;
  let opened: OutboxStore[];

  beforeEach(async () => {
    place = await backend.place();
    opened = [];
  });

  afterEach(async () => {
    for (const outbox of opened) await outbox.close();
    backend.remove(place);
  });

  async function open(): Promise<OutboxStore> {
    const outbox = backend.open(place);
    opened.push(outbox);
    await outbox.ready();
    return outbox;
  }

  it("stores the jobs of a delivery and hands them back unchanged", async () => {
    const outbox = await open();
    const enqueued = request("delivery-1", { messageId: 1 });
    expect(await outbox.enqueue(enqueued, T0)).toEqual({ duplicate: false, enqueued: 1, duplicates: 0 });
    const { jobs, nextDueAt } = await outbox.schedule(T0 + WINDOW, WINDOW, NONE, 10);
    expect(jobs).toEqual<StoredJob[]>([{ id: expect.any(Number), conversationKey: "1:321", payload: enqueued.jobs[0]?.payload ?? { kind: "note", accountId: 0, conversationId: 0, content: "" }, attempts: 0, receivedAt: T0 }]);
    expect(nextDueAt).toBeNull();
    expect(outbox.depth()).toEqual({ pending: 1, dead: 0 });
  });

  it("answers a repeated delivery id as a duplicate, and a repeated job key as a duplicate job", async () => {
    const outbox = await open();
    expect(await outbox.enqueue(request("d1", { messageId: 1 }), T0)).toEqual({ duplicate: false, enqueued: 1, duplicates: 0 });
    expect(await outbox.enqueue(request("d1", { messageId: 1 }), T0)).toEqual({ duplicate: true });
    expect(await outbox.enqueue(request("d2", { messageId: 1 }, { messageId: 2 }), T0)).toEqual({ duplicate: false, enqueued: 1, duplicates: 1 });
    expect(await outbox.enqueue(request(null, { messageId: 2 }), T0)).toEqual({ duplicate: false, enqueued: 0, duplicates: 1 });
    expect(await drain(outbox, T0 + WINDOW)).toEqual([1, 2]);
  });

  it("dedupes the requests committed together in one turn of the event loop", async () => {
    const outbox = await open();
    const results = await Promise.all([outbox.enqueue(request("same", { messageId: 1 }), T0), outbox.enqueue(request("same", { messageId: 1 }), T0), outbox.enqueue(request("other", { messageId: 1 }), T0)]);
    expect(results).toEqual([{ duplicate: false, enqueued: 1, duplicates: 0 }, { duplicate: true }, { duplicate: false, enqueued: 0, duplicates: 1 }]);
  });

  it("delivers each conversation in (orderTs, orderSeq) order, whatever the order of arrival", async () => {
    const outbox = await open();
    await outbox.enqueue(request("d1", { messageId: 3, orderTs: T0 + 2, orderSeq: 3 }), T0);
    await outbox.enqueue(request("d2", { messageId: 1, orderTs: T0, orderSeq: 1 }), T0);
    await outbox.enqueue(request("d3", { messageId: 4, orderTs: T0 + 2, orderSeq: Number.MAX_SAFE_INTEGER, key: "status:1:321:resolved:1" }), T0);
    await outbox.enqueue(request("d4", { messageId: 2, orderTs: T0 + 1, orderSeq: 2 }), T0);
    expect(await drain(outbox, T0 + WINDOW)).toEqual([1, 2, 3, 4]);
  });

  it("returns one head per conversation, in the order they become due", async () => {
    const outbox = await open();
    await outbox.enqueue(request("d1", { conversation: 1, messageId: 1 }, { conversation: 1, messageId: 11 }), T0 + 20);
    await outbox.enqueue(request("d2", { conversation: 2, messageId: 2 }), T0);
    await outbox.enqueue(request("d3", { conversation: 3, messageId: 3 }), T0 + 10);
    expect(messageIds((await outbox.schedule(T0 + 1_000, WINDOW, NONE, 10)).jobs)).toEqual([2, 3, 1]);
  });

  it("skips conversations in flight and hands out at most `limit`", async () => {
    const outbox = await open();
    for (const conversation of [1, 2, 3]) await outbox.enqueue(request(`d${conversation}`, { conversation, messageId: conversation }), T0 + conversation);
    expect(messageIds((await outbox.schedule(T0 + 1_000, WINDOW, new Set(["1:1"]), 1)).jobs)).toEqual([2]);
  });

  it.each<[number, number[]]>([
    [WINDOW - 1, []],
    [WINDOW, [1]],
  ])("keeps the reorder window: at %i ms after arrival hands out %j", async (elapsed, expected) => {
    const outbox = await open();
    await outbox.enqueue(request("d1", { messageId: 1 }), T0);
    const { jobs, nextDueAt } = await outbox.schedule(T0 + elapsed, WINDOW, NONE, 10);
    expect(messageIds(jobs)).toEqual(expected);
    expect(nextDueAt).toBe(expected.length === 0 ? T0 + WINDOW : null);
  });

  it("lets a webhook sent earlier but arriving later overtake", async () => {
    const outbox = await open();
    await outbox.enqueue(request("late-in-order", { messageId: 2, orderTs: T0 + 50 }), T0);
    await outbox.enqueue(request("early-in-order", { messageId: 1, orderTs: T0 }), T0 + 100);
    expect(await outbox.schedule(T0 + WINDOW, WINDOW, NONE, 10)).toEqual({ jobs: [], nextDueAt: T0 + 100 + WINDOW });
    expect(await drain(outbox, T0 + 100 + WINDOW)).toEqual([1, 2]);
  });

  it("retries a job at the time given, counting the attempt, and the conversation waits for it", async () => {
    const outbox = await open();
    await outbox.enqueue(request("d1", { messageId: 1 }, { messageId: 2 }), T0);
    const [first] = (await outbox.schedule(T0 + WINDOW, WINDOW, NONE, 10)).jobs;
    if (first === undefined) throw new Error("nothing scheduled");
    await outbox.retryAt(first.id, T0 + 5_000, "timeout");
    expect(await outbox.schedule(T0 + 1_000, WINDOW, NONE, 10)).toEqual({ jobs: [], nextDueAt: T0 + 5_000 });
    const again = (await outbox.schedule(T0 + 5_000, WINDOW, NONE, 10)).jobs;
    expect(again.map((job) => [job.id, job.attempts])).toEqual([[first.id, 1]]);
  });

  it("dead-letters a job: out of the queue, counted as dead, and the next job goes on", async () => {
    const outbox = await open();
    await outbox.enqueue(request("d1", { messageId: 1 }, { messageId: 2 }), T0);
    const [first] = (await outbox.schedule(T0 + WINDOW, WINDOW, NONE, 10)).jobs;
    if (first === undefined) throw new Error("nothing scheduled");
    await outbox.deadLetter(first.id, "HTTP 400", T0 + WINDOW);
    expect(outbox.depth()).toEqual({ pending: 1, dead: 1 });
    expect(await drain(outbox, T0 + WINDOW)).toEqual([2]);
    expect(outbox.depth()).toEqual({ pending: 0, dead: 1 });
  });

  it("retracts a pending message, and never queues it when it arrives later", async () => {
    const outbox = await open();
    await outbox.enqueue(request("d1", { messageId: 1 }, { messageId: 2 }), T0);
    expect(await outbox.retract("message:1:1", "1:321", T0)).toBe(1);
    expect(await outbox.retract("message:1:3", "1:321", T0)).toBe(0);
    expect(await outbox.enqueue(request("d2", { messageId: 3 }), T0)).toEqual({ duplicate: false, enqueued: 0, duplicates: 1 });
    expect(await drain(outbox, T0 + WINDOW)).toEqual([2]);
  });

  it.each<["delivered" | "deadLetter"]>([["delivered"], ["deadLetter"]])("settles a job retracted while in flight (%s) without counting it, and goes on with the next", async (settlement) => {
    const outbox = await open();
    await outbox.enqueue(request("d1", { messageId: 1 }, { messageId: 2 }), T0);
    const [inFlight] = (await outbox.schedule(T0 + WINDOW, WINDOW, NONE, 10)).jobs;
    if (inFlight === undefined) throw new Error("nothing scheduled");
    expect(await outbox.retract("message:1:1", "1:321", T0)).toBe(1);
    if (settlement === "delivered") await outbox.delivered(inFlight.id);
    else await outbox.deadLetter(inFlight.id, "HTTP 400", T0);
    expect(outbox.depth()).toEqual({ pending: 1, dead: 0 });
    expect(await drain(outbox, T0 + WINDOW)).toEqual([2]);
    expect(outbox.depth()).toEqual({ pending: 0, dead: 0 });
  });

  it("keeps the newest route: a newer one replaces, an older one does not; the same one refreshes its time", async () => {
    const outbox = await open();
    const route = (issuedAt: number, sealed: string) => ({ deliveryId: null, jobs: [], routes: [{ key: "route-key", issuedAt, sealed }] });
    expect(await outbox.newestRoute("route-key")).toBeUndefined();
    await outbox.enqueue(route(T0, "sealed-1"), T0);
    await outbox.enqueue(route(T0 + 10, "sealed-2"), T0 + 1);
    await outbox.enqueue(route(T0 + 5, "sealed-old"), T0 + 2);
    expect(await outbox.newestRoute("route-key")).toEqual({ key: "route-key", issuedAt: T0 + 10, sealed: "sealed-2", seenAt: T0 + 1 });
    await outbox.enqueue(route(T0 + 10, "sealed-2"), T0 + 3);
    expect(await outbox.newestRoute("route-key")).toEqual({ key: "route-key", issuedAt: T0 + 10, sealed: "sealed-2", seenAt: T0 + 3 });
  });

  it("prunes seen keys and routes not seen since a time", async () => {
    const outbox = await open();
    await outbox.enqueue({ ...request(null, { messageId: 1 }), routes: [{ key: "route-key", issuedAt: T0, sealed: "sealed" }] }, T0);
    await drain(outbox, T0 + WINDOW);
    expect(await outbox.pruneSeen(T0 + 1)).toBeGreaterThanOrEqual(1);
    expect(await outbox.newestRoute("route-key")).toBeUndefined();
    expect(await outbox.enqueue(request(null, { messageId: 1 }), T0 + 2)).toEqual({ duplicate: false, enqueued: 1, duplicates: 0 });
  });

  it("keeps pending and dead jobs, and seen keys, across a restart", async () => {
    const first = await open();
    await first.enqueue(request("d1", { messageId: 1 }, { messageId: 2 }, { messageId: 3 }), T0);
    const [head] = (await first.schedule(T0 + WINDOW, WINDOW, NONE, 10)).jobs;
    if (head === undefined) throw new Error("nothing scheduled");
    await first.deadLetter(head.id, "HTTP 400", T0);
    await first.close();
    const second = await open();
    await second.schedule(T0, WINDOW, NONE, 0);
    expect(second.depth()).toEqual({ pending: 2, dead: 1 });
    expect(await second.enqueue(request("d9", { messageId: 2 }), T0)).toEqual({ duplicate: false, enqueued: 0, duplicates: 1 });
    expect(await drain(second, T0 + WINDOW)).toEqual([2, 3]);
  });

  it("is healthy while open, and not once closed; a closed outbox refuses to enqueue", async () => {
    const outbox = await open();
    expect(await outbox.healthy()).toBe(true);
    await outbox.close();
    expect(await outbox.healthy()).toBe(false);
    await expect(outbox.enqueue(request("d1", { messageId: 1 }), T0)).rejects.toThrow();
  });

  it("wakes its listener when jobs are added, not for duplicates", async () => {
    const outbox = await open();
    let wakes = 0;
    outbox.onJobsAdded(() => (wakes += 1));
    await outbox.enqueue(request("d1", { messageId: 1 }), T0);
    // PostgreSQL also hears its own NOTIFY: let it arrive.
    await new Promise((resolve) => setTimeout(resolve, 100));
    const afterFirst = wakes;
    expect(afterFirst).toBeGreaterThanOrEqual(1);
    await outbox.enqueue(request("d1", { messageId: 1 }), T0);
    await outbox.enqueue(request("d2", { messageId: 1 }), T0);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(wakes).toBe(afterFirst);
  });
  it("gives a key's turn to one caller per interval, other keys apart, and the turn again once the interval has passed", async () => {
    const outbox = await open();
    const t = Date.now();
    expect(await outbox.claimTurn("queue:1:12", 1_000, t)).toBe(true);
    expect(await outbox.claimTurn("queue:1:12", 1_000, t + 900)).toBe(false);
    expect(await outbox.claimTurn("queue:1:13", 1_000, t + 900)).toBe(true);
    expect(await outbox.claimTurn("queue:1:12", 1_000, t + 1_100)).toBe(true);
    // The new turn counts from when it was taken.
    expect(await outbox.claimTurn("queue:1:12", 1_000, t + 2_000)).toBe(false);
    expect(await outbox.claimTurn("queue:1:12", 1_000, t + 2_200)).toBe(true);
  });

  it("gives a turn to exactly one of many concurrent callers", async () => {
    const outbox = await open();
    const t = Date.now();
    const answers = await Promise.all(Array.from({ length: 20 }, () => outbox.claimTurn("agents:1", 300_000, t)));
    expect(answers.filter((won) => won)).toHaveLength(1);
  });

  it("gives a ONCE key's turn once, however late the next caller comes", async () => {
    const outbox = await open();
    const t = Date.now();
    expect(await outbox.claimTurn("first:12:321:t1", ONCE, t)).toBe(true);
    expect(await outbox.claimTurn("first:12:321:t1", ONCE, t + 30 * 86_400_000)).toBe(false);
    expect(await outbox.claimTurn("first:12:321:t2", ONCE, t)).toBe(true);
  });
});
