import Database from "better-sqlite3";
import { existsSync, mkdtempSync, rmSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { openOutbox, WRITE_RETRY_MS, type EnqueueRequest, type JobPayload, type Outbox, type StoredJob } from "../../src/relay/outbox";
import type { InjectJob } from "../../src/relay/relay-job";

const WINDOW = 250;
const T0 = 1_781_691_342_000;
const NONE: ReadonlySet<string> = new Set();

let dataDir: string;
let opened: Outbox[] = [];

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), "relay-outbox-"));
  opened = [];
});

afterEach(() => {
  for (const outbox of opened) {
    if (outbox.healthy()) outbox.close();
  }
  rmSync(dataDir, { recursive: true, force: true });
});

function open(dir: string = dataDir): Outbox {
  const outbox = openOutbox(dir);
  opened.push(outbox);
  return outbox;
}

interface JobSpec {
  conversation?: number;
  messageId: number;
  orderTs?: number;
  orderSeq?: number;
  key?: string;
  text?: string;
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
    event: { type: "agent_message", conversationId, messageId: spec.messageId, text: spec.text ?? `message ${spec.messageId}`, attachments: [], agentName: "Anna" },
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

/** Schedules, marks everything delivered, and returns the message ids in the order they came. */
function drain(outbox: Outbox, now: number): number[] {
  const order: number[] = [];
  for (let round = 0; round < 50; round += 1) {
    const { jobs } = outbox.schedule(now, WINDOW, NONE, 100);
    if (jobs.length === 0) return order;
    order.push(...messageIds(jobs));
    for (const job of jobs) outbox.delivered(job.id);
  }
  throw new Error("the outbox did not drain");
}

describe("outbox: enqueue and schedule", () => {
  it("stores the jobs of a delivery and hands them back unchanged", () => {
    const outbox = open();
    const enqueued = request("delivery-1", { messageId: 1, text: "Grüße – 👋" });
    expect(outbox.enqueue(enqueued, T0)).toEqual({ duplicate: false, enqueued: 1, duplicates: 0 });
    expect(outbox.depth()).toEqual({ pending: 1, dead: 0 });
    const { jobs, nextDueAt } = outbox.schedule(T0 + WINDOW, WINDOW, NONE, 10);
    expect(jobs).toEqual<StoredJob[]>([{ id: expect.any(Number), conversationKey: "1:321", payload: enqueued.jobs[0]?.payload ?? { kind: "note", accountId: 0, conversationId: 0, content: "" }, attempts: 0, receivedAt: T0 }]);
    expect(nextDueAt).toBeNull();
  });

  it("returns one head per conversation, the earliest by (orderTs, orderSeq)", () => {
    const outbox = open();
    outbox.enqueue(request("d1", { conversation: 1, messageId: 30, orderTs: T0 + 200, orderSeq: 1 }, { conversation: 1, messageId: 20, orderTs: T0 + 100, orderSeq: 5 }, { conversation: 1, messageId: 10, orderTs: T0 + 100, orderSeq: 3 }), T0);
    outbox.enqueue(request("d2", { conversation: 2, messageId: 40 }, { conversation: 2, messageId: 41 }), T0);
    const { jobs } = outbox.schedule(T0 + WINDOW, WINDOW, NONE, 10);
    expect(jobs.map((job) => job.conversationKey).sort()).toEqual(["1:1", "1:2"]);
    expect(messageIds(jobs).sort((a, b) => a - b)).toEqual([10, 40]);
  });

  it("delivers each conversation in (orderTs, orderSeq) order, whatever the order of arrival", () => {
    const outbox = open();
    outbox.enqueue(request("d1", { messageId: 3, orderTs: T0 + 2, orderSeq: 3 }), T0);
    outbox.enqueue(request("d2", { messageId: 1, orderTs: T0, orderSeq: 1 }), T0);
    outbox.enqueue(request("d3", { messageId: 4, orderTs: T0 + 2, orderSeq: Number.MAX_SAFE_INTEGER, key: "status:1:321:resolved:1" }), T0);
    outbox.enqueue(request("d4", { messageId: 2, orderTs: T0 + 1, orderSeq: 2 }), T0);
    expect(drain(outbox, T0 + WINDOW)).toEqual([1, 2, 3, 4]);
  });

  it("keeps arrival order for jobs with equal orderTs and orderSeq", () => {
    const outbox = open();
    outbox.enqueue(request("d1", { messageId: 7, orderSeq: 1, key: "a" }, { messageId: 8, orderSeq: 1, key: "b" }, { messageId: 9, orderSeq: 1, key: "c" }), T0);
    expect(drain(outbox, T0 + WINDOW)).toEqual([7, 8, 9]);
  });

  it("hands out heads of different conversations in the order they become due", () => {
    const outbox = open();
    outbox.enqueue(request("d1", { conversation: 1, messageId: 1 }), T0 + 20);
    outbox.enqueue(request("d2", { conversation: 2, messageId: 2 }), T0);
    outbox.enqueue(request("d3", { conversation: 3, messageId: 3 }), T0 + 10);
    expect(messageIds(outbox.schedule(T0 + 1_000, WINDOW, NONE, 10).jobs)).toEqual([2, 3, 1]);
  });

  it("never hands out the next job of a conversation before its head is settled", () => {
    const outbox = open();
    outbox.enqueue(request("d1", { messageId: 1 }, { messageId: 2 }), T0);
    const first = outbox.schedule(T0 + WINDOW, WINDOW, NONE, 10);
    expect(messageIds(first.jobs)).toEqual([1]);
    expect(messageIds(outbox.schedule(T0 + WINDOW, WINDOW, new Set(["1:321"]), 10).jobs)).toEqual([]);
    expect(messageIds(outbox.schedule(T0 + 10_000, WINDOW, NONE, 10).jobs)).toEqual([1]);
  });

  it("returns nothing and no due time from an empty outbox", () => {
    expect(open().schedule(T0, WINDOW, NONE, 10)).toEqual({ jobs: [], nextDueAt: null });
  });
});

describe("outbox: reorder window", () => {
  it.each<[number, number[]]>([
    [0, []],
    [WINDOW - 1, []],
    [WINDOW, [1]],
    [WINDOW + 1, [1]],
  ])("at %i ms after arrival hands out %j", (elapsed, expected) => {
    const outbox = open();
    outbox.enqueue(request("d1", { messageId: 1 }), T0);
    const { jobs, nextDueAt } = outbox.schedule(T0 + elapsed, WINDOW, NONE, 10);
    expect(messageIds(jobs)).toEqual(expected);
    expect(nextDueAt).toBe(expected.length === 0 ? T0 + WINDOW : null);
  });

  it("hands out at once with a window of 0", () => {
    const outbox = open();
    outbox.enqueue(request("d1", { messageId: 1 }), T0);
    expect(messageIds(outbox.schedule(T0, 0, NONE, 10).jobs)).toEqual([1]);
  });

  it("lets a webhook sent earlier but arriving later overtake, and waits its own window", () => {
    const outbox = open();
    outbox.enqueue(request("late-in-order", { messageId: 2, orderTs: T0 + 50 }), T0);
    outbox.enqueue(request("early-in-order", { messageId: 1, orderTs: T0 }), T0 + 100);
    const beforeWindow = outbox.schedule(T0 + WINDOW, WINDOW, NONE, 10);
    expect(beforeWindow).toEqual({ jobs: [], nextDueAt: T0 + 100 + WINDOW });
    expect(drain(outbox, T0 + 100 + WINDOW)).toEqual([1, 2]);
  });
});

describe("outbox: busy conversations and the limit", () => {
  it("skips conversations in flight, and leaves them out of nextDueAt", () => {
    const outbox = open();
    outbox.enqueue(request("d1", { conversation: 1, messageId: 1 }), T0);
    outbox.enqueue(request("d2", { conversation: 2, messageId: 2 }), T0 + 500);
    const { jobs, nextDueAt } = outbox.schedule(T0 + WINDOW, WINDOW, new Set(["1:1", "1:2"]), 10);
    expect(jobs).toEqual([]);
    expect(nextDueAt).toBeNull();
    expect(messageIds(outbox.schedule(T0 + WINDOW, WINDOW, new Set(["1:2"]), 10).jobs)).toEqual([1]);
  });

  it.each<[number, number[]]>([
    [0, []],
    [1, [1]],
    [2, [1, 2]],
    [3, [1, 2, 3]],
    [10, [1, 2, 3]],
  ])("hands out at most %i jobs", (limit, expected) => {
    const outbox = open();
    for (const conversation of [1, 2, 3]) outbox.enqueue(request(`d${conversation}`, { conversation, messageId: conversation }), T0 + conversation);
    expect(messageIds(outbox.schedule(T0 + 1_000, WINDOW, NONE, limit).jobs)).toEqual(expected);
    expect(outbox.depth().pending).toBe(3);
  });

  it("reports the next due time of idle heads while the limit is reached", () => {
    const outbox = open();
    outbox.enqueue(request("d1", { conversation: 1, messageId: 1 }), T0);
    outbox.enqueue(request("d2", { conversation: 2, messageId: 2 }), T0 + 700);
    expect(outbox.schedule(T0 + WINDOW, WINDOW, NONE, 0)).toEqual({ jobs: [], nextDueAt: T0 + 700 + WINDOW });
  });
});

describe("outbox: de-duplication", () => {
  it("refuses a delivery id seen before, without touching its jobs", () => {
    const outbox = open();
    expect(outbox.enqueue(request("delivery-1", { messageId: 1 }), T0)).toEqual({ duplicate: false, enqueued: 1, duplicates: 0 });
    expect(outbox.enqueue(request("delivery-1", { messageId: 2 }), T0 + 1)).toEqual({ duplicate: true });
    expect(outbox.depth()).toEqual({ pending: 1, dead: 0 });
  });

  it("refuses a job whose dedupe key was seen in another delivery", () => {
    const outbox = open();
    outbox.enqueue(request("message_created", { messageId: 1 }), T0);
    expect(outbox.enqueue(request("message_updated", { messageId: 1 }, { messageId: 2 }), T0 + 1)).toEqual({ duplicate: false, enqueued: 1, duplicates: 1 });
    expect(outbox.depth().pending).toBe(2);
  });

  it("de-duplicates within one delivery", () => {
    const outbox = open();
    expect(outbox.enqueue(request("d1", { messageId: 1 }, { messageId: 1 }), T0)).toEqual({ duplicate: false, enqueued: 1, duplicates: 1 });
  });

  it("does not de-duplicate deliveries without an id, only their jobs", () => {
    const outbox = open();
    expect(outbox.enqueue(request(null, { messageId: 1 }), T0)).toEqual({ duplicate: false, enqueued: 1, duplicates: 0 });
    expect(outbox.enqueue(request(null, { messageId: 1 }), T0)).toEqual({ duplicate: false, enqueued: 0, duplicates: 1 });
    expect(outbox.enqueue(request(null, { messageId: 2 }), T0)).toEqual({ duplicate: false, enqueued: 1, duplicates: 0 });
  });

  it("keeps a delivery id and a dedupe key of the same text apart", () => {
    const outbox = open();
    expect(outbox.enqueue(request("message:1:5", { messageId: 5 }), T0)).toEqual({ duplicate: false, enqueued: 1, duplicates: 0 });
  });

  it("still refuses a job after it was delivered", () => {
    const outbox = open();
    outbox.enqueue(request("d1", { messageId: 1 }), T0);
    expect(drain(outbox, T0 + WINDOW)).toEqual([1]);
    expect(outbox.enqueue(request("d2", { messageId: 1 }), T0 + 1_000)).toEqual({ duplicate: false, enqueued: 0, duplicates: 1 });
    expect(outbox.depth()).toEqual({ pending: 0, dead: 0 });
  });

  it("records a delivery even when all its jobs are duplicates", () => {
    const outbox = open();
    outbox.enqueue(request("d1", { messageId: 1 }), T0);
    outbox.enqueue(request("d2", { messageId: 1 }), T0);
    expect(outbox.enqueue(request("d2", { messageId: 3 }), T0)).toEqual({ duplicate: true });
  });
});

describe("outbox: retries, dead letters and delivery", () => {
  it("delays a retried job until its retry time and counts the attempt", () => {
    const outbox = open();
    outbox.enqueue(request("d1", { messageId: 1 }, { messageId: 2 }), T0);
    const [head] = outbox.schedule(T0 + WINDOW, WINDOW, NONE, 10).jobs;
    if (head === undefined) throw new Error("expected a head");
    outbox.retryAt(head.id, T0 + 5_000, "HTTP 503");
    expect(outbox.schedule(T0 + 4_999, WINDOW, NONE, 10)).toEqual({ jobs: [], nextDueAt: T0 + 5_000 });
    const retried = outbox.schedule(T0 + 5_000, WINDOW, NONE, 10).jobs;
    expect(retried.map((job) => [job.id, job.attempts])).toEqual([[head.id, 1]]);
    outbox.retryAt(head.id, T0 + 6_000, "timeout");
    expect(outbox.schedule(T0 + 6_000, WINDOW, NONE, 10).jobs.map((job) => job.attempts)).toEqual([2]);
  });

  it("keeps the reorder window for a retry scheduled before it ends", () => {
    const outbox = open();
    outbox.enqueue(request("d1", { messageId: 1 }), T0);
    const [head] = outbox.schedule(T0, 0, NONE, 10).jobs;
    if (head === undefined) throw new Error("expected a head");
    outbox.retryAt(head.id, T0 + 10, "timeout");
    expect(outbox.schedule(T0 + 10, WINDOW, NONE, 10)).toEqual({ jobs: [], nextDueAt: T0 + WINDOW });
  });

  it("removes a delivered job and moves on to the next of its conversation", () => {
    const outbox = open();
    outbox.enqueue(request("d1", { messageId: 1 }, { messageId: 2 }), T0);
    const [head] = outbox.schedule(T0 + WINDOW, WINDOW, NONE, 10).jobs;
    if (head === undefined) throw new Error("expected a head");
    outbox.delivered(head.id);
    expect(outbox.depth()).toEqual({ pending: 1, dead: 0 });
    expect(messageIds(outbox.schedule(T0 + WINDOW, WINDOW, NONE, 10).jobs)).toEqual([2]);
  });

  it("has the removal of a delivered job on disk before the next job is handed out, so a crash can repeat only the one in flight", () => {
    const outbox = open();
    outbox.enqueue(request("d1", { messageId: 1 }, { messageId: 2 }), T0);
    const [head] = outbox.schedule(T0 + WINDOW, WINDOW, NONE, 10).jobs;
    if (head === undefined) throw new Error("expected a head");
    outbox.delivered(head.id);
    // Still in the same turn of the event loop: the next schedule commits the removal first.
    expect(messageIds(outbox.schedule(T0 + WINDOW, WINDOW, NONE, 10).jobs)).toEqual([2]);
    const reader = new Database(join(dataDir, "outbox.sqlite"), { readonly: true });
    try {
      expect(reader.prepare("SELECT id FROM jobs ORDER BY id").pluck().all()).toEqual([head.id + 1]);
    } finally {
      reader.close();
    }
  });

  it("dead-letters a job, keeps it counted, and unblocks the next job of the conversation", () => {
    const outbox = open();
    outbox.enqueue(request("d1", { messageId: 1 }, { messageId: 2 }), T0);
    const [head] = outbox.schedule(T0 + WINDOW, WINDOW, NONE, 10).jobs;
    if (head === undefined) throw new Error("expected a head");
    outbox.deadLetter(head.id, "Cognigy answered HTTP 404", T0 + 300);
    expect(outbox.depth()).toEqual({ pending: 1, dead: 1 });
    const next = outbox.schedule(T0 + WINDOW, WINDOW, NONE, 10).jobs;
    expect(messageIds(next)).toEqual([2]);
    expect(next.map((job) => job.id)).not.toContain(head.id);
  });

  it("stores and hands back a note for an agent", () => {
    const outbox = open();
    const payload: JobPayload = { kind: "note", accountId: 1, conversationId: 321, content: "⚠️ This message did not reach the user" };
    outbox.enqueue({ deliveryId: null, jobs: [{ conversationKey: "note:1:321", orderTs: T0, orderSeq: 0, dedupeKey: "note:message:1:1", payload }] }, T0);
    expect(outbox.schedule(T0 + WINDOW, WINDOW, NONE, 10).jobs.map((job) => [job.conversationKey, job.payload])).toEqual([["note:1:321", payload]]);
  });
});

describe("outbox: unreadable rows", () => {
  function insertRaw(payload: string, conversationKey = "1:321", orderTs = T0 - 1): void {
    const db = new Database(join(dataDir, "outbox.sqlite"));
    try {
      db.prepare("INSERT INTO jobs (conversation_key, order_ts, order_seq, payload, state, received_at, next_attempt_at) VALUES (?, ?, 0, ?, 'pending', ?, ?)").run(conversationKey, orderTs, payload, T0, T0);
    } finally {
      db.close();
    }
  }

  it.each<[string, string]>([
    ["text that is not JSON (a damaged database)", "{not json"],
    ["JSON null", "null"],
    ["an unknown kind", JSON.stringify({ kind: "email", to: "x" })],
    ["an inject job without event", JSON.stringify({ kind: "inject", job: { ...injectJob({ messageId: 1 }), event: undefined } })],
    ["an inject job with a status that does not exist", JSON.stringify({ kind: "inject", job: { ...injectJob({ messageId: 1 }), event: { type: "status_changed", conversationId: 321, status: "archived" } } })],
    ["a note without content", JSON.stringify({ kind: "note", accountId: 1, conversationId: 321 })],
    ["a note with a string account id", JSON.stringify({ kind: "note", accountId: "1", conversationId: 321, content: "x" })],
  ])("dead-letters a row holding %s, found when the outbox opens, and then delivers the rest of the conversation", (_, payload) => {
    const before = open();
    before.enqueue(request("d1", { messageId: 2 }), T0);
    before.close();
    insertRaw(payload);
    const outbox = open();
    expect(outbox.schedule(T0 + WINDOW, WINDOW, NONE, 10).jobs).toEqual([]);
    expect(outbox.depth()).toEqual({ pending: 1, dead: 1 });
    expect(messageIds(outbox.schedule(T0 + WINDOW, WINDOW, NONE, 10).jobs)).toEqual([2]);
  });

  it("leaves an unreadable row alone while its conversation is busy or the limit is reached", () => {
    open().close();
    insertRaw("null");
    const outbox = open();
    outbox.schedule(T0 + WINDOW, WINDOW, new Set(["1:321"]), 10);
    outbox.schedule(T0 + WINDOW, WINDOW, NONE, 0);
    expect(outbox.depth()).toEqual({ pending: 1, dead: 0 });
  });
});

describe("outbox: durability", () => {
  it("keeps pending jobs, attempts, dead letters and seen message keys across close and reopen (delivery ids are remembered in memory only)", () => {
    const first = open();
    first.enqueue(request("d1", { conversation: 1, messageId: 1 }, { conversation: 1, messageId: 2 }), T0);
    first.enqueue(request("d2", { conversation: 2, messageId: 3 }), T0);
    const heads = first.schedule(T0 + WINDOW, WINDOW, NONE, 10).jobs;
    const byConversation = new Map(heads.map((job) => [job.conversationKey, job]));
    const retried = byConversation.get("1:1");
    const killed = byConversation.get("1:2");
    if (retried === undefined || killed === undefined) throw new Error("expected both heads");
    first.retryAt(retried.id, T0 + 2_000, "HTTP 503");
    first.deadLetter(killed.id, "HTTP 404", T0 + 300);
    first.close();

    const second = open();
    expect(second.depth()).toEqual({ pending: 2, dead: 1 });
    expect(second.enqueue(request("d1", { conversation: 1, messageId: 1 }), T0 + 3_000)).toEqual({ duplicate: false, enqueued: 0, duplicates: 1 });
    expect(second.enqueue(request("d3", { conversation: 1, messageId: 1 }), T0 + 3_000)).toEqual({ duplicate: false, enqueued: 0, duplicates: 1 });
    expect(second.schedule(T0 + 1_999, WINDOW, NONE, 10)).toEqual({ jobs: [], nextDueAt: T0 + 2_000 });
    const after = second.schedule(T0 + 2_000, WINDOW, NONE, 10).jobs;
    expect(after.map((job) => [job.id, job.attempts, job.receivedAt])).toEqual([[retried.id, 1, T0]]);
    expect(after[0]?.payload).toEqual(retried.payload);
  });

  it("commits each enqueue so another connection sees it at once", () => {
    const outbox = open();
    outbox.enqueue(request("d1", { messageId: 1 }, { messageId: 2 }), T0);
    const reader = new Database(join(dataDir, "outbox.sqlite"), { readonly: true });
    try {
      expect(reader.prepare("SELECT COUNT(*) AS count FROM jobs WHERE state = 'pending'").get()).toEqual({ count: 2 });
      expect(reader.pragma("journal_mode", { simple: true })).toBe("wal");
    } finally {
      reader.close();
    }
  });

  it("creates a missing data directory", () => {
    const nested = join(dataDir, "a", "b");
    const outbox = open(nested);
    expect(existsSync(join(nested, "outbox.sqlite"))).toBe(true);
    expect(outbox.healthy()).toBe(true);
  });

  it("reports itself unhealthy once closed", () => {
    const outbox = open();
    expect(outbox.healthy()).toBe(true);
    outbox.close();
    expect(outbox.healthy()).toBe(false);
  });
});

describe("outbox: pruneSeen", () => {
  it("forgets keys seen before the cut-off, so they can be enqueued again", () => {
    const outbox = open();
    outbox.enqueue(request("d-old", { messageId: 1 }), T0);
    outbox.enqueue(request("d-new", { messageId: 2 }), T0 + 1_000);
    expect(outbox.pruneSeen(T0 + 1_000)).toBe(1);
    expect(outbox.enqueue(request("d-old-again", { messageId: 1 }), T0 + 2_000)).toEqual({ duplicate: false, enqueued: 1, duplicates: 0 });
    expect(outbox.enqueue(request("d-new-again", { messageId: 2 }), T0 + 2_000)).toEqual({ duplicate: false, enqueued: 0, duplicates: 1 });
  });

  it.each<[number, number]>([
    [T0, 0],
    [T0 + 1, 1],
    [T0 + 10_000, 2],
  ])("with the cut-off %i removes %i keys", (olderThan, removed) => {
    const outbox = open();
    outbox.enqueue(request("a", { messageId: 1 }), T0);
    outbox.enqueue(request("b", { messageId: 2 }), T0 + 5_000);
    expect(outbox.pruneSeen(olderThan)).toBe(removed);
  });

  it("leaves pending jobs in place", () => {
    const outbox = open();
    outbox.enqueue(request("a", { messageId: 1 }), T0);
    outbox.pruneSeen(T0 + 1);
    expect(outbox.depth()).toEqual({ pending: 1, dead: 0 });
  });
});

describe("outbox: nextDueAt", () => {
  it("is the earliest due time of the idle heads not yet due", () => {
    const outbox = open();
    outbox.enqueue(request("d1", { conversation: 1, messageId: 1 }), T0 + 900);
    outbox.enqueue(request("d2", { conversation: 2, messageId: 2 }), T0 + 400);
    outbox.enqueue(request("d3", { conversation: 3, messageId: 3 }), T0);
    const { jobs, nextDueAt } = outbox.schedule(T0 + WINDOW, WINDOW, NONE, 10);
    expect(messageIds(jobs)).toEqual([3]);
    expect(nextDueAt).toBe(T0 + 400 + WINDOW);
  });

  it("looks only at heads: a later job of a conversation does not count", () => {
    const outbox = open();
    outbox.enqueue(request("d1", { messageId: 1 }), T0);
    outbox.enqueue(request("d2", { messageId: 2 }), T0 + 100);
    expect(outbox.schedule(T0, WINDOW, NONE, 10)).toEqual({ jobs: [], nextDueAt: T0 + WINDOW });
  });

  it("is null when every head is due or busy", () => {
    const outbox = open();
    outbox.enqueue(request("d1", { conversation: 1, messageId: 1 }), T0);
    outbox.enqueue(request("d2", { conversation: 2, messageId: 2 }), T0 + 5_000);
    expect(outbox.schedule(T0 + WINDOW, WINDOW, new Set(["1:2"]), 10).nextDueAt).toBeNull();
  });
});

describe("outbox: retract (a message deleted in Chatwoot, C11)", () => {
  it("removes the pending original of a deleted message, leaving the other jobs of its conversation", () => {
    const outbox = open();
    outbox.enqueue(request("d1", { messageId: 1 }, { messageId: 2 }, { messageId: 3 }), T0);
    expect(outbox.retract("message:1:2", "1:321", T0 + 100)).toBe(1);
    expect(outbox.depth()).toEqual({ pending: 2, dead: 0 });
    expect(drain(outbox, T0 + WINDOW)).toEqual([1, 3]);
  });

  it("removes it from the database too, so a restart does not bring it back", () => {
    const first = open();
    first.enqueue(request("d1", { messageId: 1 }, { messageId: 2 }), T0);
    first.retract("message:1:1", "1:321", T0 + 100);
    first.close();
    expect(drain(open(), T0 + WINDOW)).toEqual([2]);
  });

  it("keeps an original that Chatwoot delivers after its deletion from being queued", () => {
    const outbox = open();
    expect(outbox.retract("message:1:5", "1:321", T0)).toBe(0);
    expect(outbox.enqueue(request("d2", { messageId: 5 }), T0 + 10)).toEqual({ duplicate: false, enqueued: 0, duplicates: 1 });
    expect(outbox.depth()).toEqual({ pending: 0, dead: 0 });
  });

  it("finds the original among jobs read back from the database (not only those this process enqueued)", () => {
    const first = open();
    first.enqueue(request("d1", { messageId: 1 }, { messageId: 2 }), T0);
    first.close();
    const second = open();
    expect(second.retract("message:1:1", "1:321", T0 + 100)).toBe(1);
    expect(drain(second, T0 + WINDOW)).toEqual([2]);
  });

  it("touches no job of another conversation or another message", () => {
    const outbox = open();
    outbox.enqueue(request("d1", { messageId: 1, conversation: 321 }, { messageId: 2, conversation: 322 }), T0);
    expect(outbox.retract("message:1:2", "1:321", T0)).toBe(0);
    expect(outbox.retract("message:1:9", "1:322", T0)).toBe(0);
    expect(outbox.depth()).toEqual({ pending: 2, dead: 0 });
  });

  it("lets a delivery already under way finish without counting anything for the retracted row", () => {
    const outbox = open();
    outbox.enqueue(request("d1", { messageId: 1 }, { messageId: 2 }), T0);
    const [head] = outbox.schedule(T0 + WINDOW, WINDOW, NONE, 10).jobs;
    if (head === undefined) throw new Error("expected a head");
    outbox.retract("message:1:1", "1:321", T0 + WINDOW);
    outbox.deadLetter(head.id, "Cognigy answered HTTP 404", T0 + 300);
    expect(outbox.depth()).toEqual({ pending: 1, dead: 0 });
    expect(drain(outbox, T0 + WINDOW)).toEqual([2]);
  });
});

describe("outbox: each conversation's newest route (C15)", () => {
  const route = (issuedAt: number, sealed = `sealed-${issuedAt}`) => ({ key: "conversation-key", issuedAt, sealed });

  it.each<{ name: string; writes: { issuedAt: number; sealed?: string; at: number }[]; newest: { issuedAt: number; sealed: string; seenAt: number } }>([
    { name: "keeps the first route", writes: [{ issuedAt: 100, at: T0 }], newest: { issuedAt: 100, sealed: "sealed-100", seenAt: T0 } },
    { name: "a newer route replaces it", writes: [{ issuedAt: 100, at: T0 }, { issuedAt: 200, at: T0 + 1 }], newest: { issuedAt: 200, sealed: "sealed-200", seenAt: T0 + 1 } },
    { name: "an older route never does", writes: [{ issuedAt: 200, at: T0 }, { issuedAt: 100, at: T0 + 1 }], newest: { issuedAt: 200, sealed: "sealed-200", seenAt: T0 } },
    { name: "another route of the same time does not", writes: [{ issuedAt: 200, at: T0 }, { issuedAt: 200, sealed: "other", at: T0 + 1 }], newest: { issuedAt: 200, sealed: "sealed-200", seenAt: T0 } },
    { name: "the same route again refreshes when it was seen", writes: [{ issuedAt: 200, at: T0 }, { issuedAt: 200, at: T0 + 5 }], newest: { issuedAt: 200, sealed: "sealed-200", seenAt: T0 + 5 } },
  ])("$name", ({ writes, newest }) => {
    const outbox = open();
    for (const write of writes) outbox.enqueue({ deliveryId: null, jobs: [], routes: [route(write.issuedAt, write.sealed)] }, write.at);
    expect(outbox.newestRoute("conversation-key")).toEqual({ key: "conversation-key", ...newest });
  });

  it("is written in the webhook's group commit and survives a restart", async () => {
    const first = open();
    await first.enqueueSoon({ ...request("d1", { messageId: 1 }), routes: [route(300)] }, T0);
    first.close();
    const second = open();
    expect(second.newestRoute("conversation-key")).toEqual({ key: "conversation-key", issuedAt: 300, sealed: "sealed-300", seenAt: T0 });
    expect(second.depth()).toEqual({ pending: 1, dead: 0 });
  });

  it("is not written by a repeated delivery", () => {
    const outbox = open();
    outbox.enqueue({ ...request("d1", { messageId: 1 }), routes: [route(300)] }, T0);
    outbox.enqueue({ ...request("d1", { messageId: 1 }), routes: [route(400)] }, T0 + 1);
    expect(outbox.newestRoute("conversation-key")).toMatchObject({ issuedAt: 300 });
  });

  it("is forgotten with the seen keys once not seen for the retention", () => {
    const outbox = open();
    outbox.enqueue({ deliveryId: null, jobs: [], routes: [route(300)] }, T0);
    outbox.pruneSeen(T0);
    expect(outbox.newestRoute("conversation-key")).toMatchObject({ issuedAt: 300 });
    outbox.pruneSeen(T0 + 1);
    expect(outbox.newestRoute("conversation-key")).toBeUndefined();
  });

  it("is added to a database made before it (the schema is created if missing)", () => {
    const legacy = new Database(join(dataDir, "outbox.sqlite"));
    legacy.exec("CREATE TABLE seen (key TEXT PRIMARY KEY, seen_at INTEGER NOT NULL) WITHOUT ROWID");
    legacy.close();
    const outbox = open();
    outbox.enqueue({ deliveryId: null, jobs: [], routes: [route(300)] }, T0);
    expect(outbox.newestRoute("conversation-key")).toMatchObject({ issuedAt: 300 });
  });
});

describe("outbox: a full disk (issue 12 item 9)", () => {
  /** An outbox whose connection the test holds: `max_page_count` makes SQLite answer SQLITE_FULL, `query_only` refuses every write. */
  function openWithConnection(): { outbox: Outbox; db: Database.Database } {
    let connection: Database.Database | undefined;
    const outbox = openOutbox(dataDir, { testDatabaseHook: (db) => void (connection = db) });
    opened.push(outbox);
    if (connection === undefined) throw new Error("the hook was not called");
    return { outbox, db: connection };
  }

  function fill(db: Database.Database): void {
    // No page beyond those the database has: any growth fails with SQLITE_FULL.
    const pages = db.pragma("page_count", { simple: true });
    if (typeof pages !== "number" || db.pragma(`max_page_count = ${pages}`, { simple: true }) !== pages) throw new Error("max_page_count was not set");
  }

  function makeRoom(db: Database.Database): void {
    db.pragma("max_page_count = 1073741823");
  }

  /** Large enough that each job needs new pages. */
  const big = (messageId: number, conversation = 321): JobSpec => ({ messageId, conversation, text: "x".repeat(20_000) });

  function rows(): { id: number; state: string; attempts: number }[] {
    const reader = new Database(join(dataDir, "outbox.sqlite"), { readonly: true });
    try {
      return reader
        .prepare("SELECT id, state, attempts FROM jobs ORDER BY id")
        .all()
        .flatMap((row) => (typeof row === "object" && row !== null && "id" in row && "state" in row && "attempts" in row && typeof row.id === "number" && typeof row.state === "string" && typeof row.attempts === "number" ? [{ id: row.id, state: row.state, attempts: row.attempts }] : []));
    } finally {
      reader.close();
    }
  }

  it("forgets the delivery id of a group commit that failed, so Chatwoot's repeat is stored, not answered 'duplicate'", async () => {
    const { outbox, db } = openWithConnection();
    fill(db);
    await expect(outbox.enqueueSoon(request("d1", big(1)), T0)).rejects.toMatchObject({ code: "SQLITE_FULL" });
    makeRoom(db);
    await expect(outbox.enqueueSoon(request("d1", big(1)), T0)).resolves.toEqual({ duplicate: false, enqueued: 1, duplicates: 0 });
    expect(messageIds(outbox.schedule(T0 + WINDOW, WINDOW, NONE, 10).jobs)).toEqual([1]);
  });

  it("forgets the delivery ids of every request in the failed group, and keeps those committed before", async () => {
    const { outbox, db } = openWithConnection();
    await outbox.enqueueSoon(request("d0", { messageId: 100 }), T0);
    fill(db);
    const failed = [outbox.enqueueSoon(request("d1", big(1)), T0), outbox.enqueueSoon(request("d2", big(2, 322)), T0), outbox.enqueueSoon(request("d0", big(3)), T0)];
    const settled = await Promise.allSettled(failed);
    expect(settled.map((result) => result.status)).toEqual(["rejected", "rejected", "rejected"]);
    makeRoom(db);
    await expect(outbox.enqueueSoon(request("d0", big(3)), T0)).resolves.toEqual({ duplicate: true });
    await expect(outbox.enqueueSoon(request("d2", big(2, 322)), T0)).resolves.toMatchObject({ duplicate: false, enqueued: 1 });
    await expect(outbox.enqueueSoon(request("d1", big(1)), T0)).resolves.toMatchObject({ duplicate: false, enqueued: 1 });
  });

  it("forgets the delivery id of a synchronous enqueue that failed", () => {
    const { outbox, db } = openWithConnection();
    fill(db);
    expect(() => outbox.enqueue(request("d1", big(1)), T0)).toThrow(/full/);
    makeRoom(db);
    expect(outbox.enqueue(request("d1", big(1)), T0)).toEqual({ duplicate: false, enqueued: 1, duplicates: 0 });
  });

  it("is not ready after a failed enqueue, and ready again once one succeeds", async () => {
    const { outbox, db } = openWithConnection();
    expect(outbox.healthy()).toBe(true);
    fill(db);
    await expect(outbox.enqueueSoon(request("d1", big(1)), T0)).rejects.toMatchObject({ code: "SQLITE_FULL" });
    expect(outbox.healthy()).toBe(false);
    makeRoom(db);
    await outbox.enqueueSoon(request("d1", big(1)), T0);
    expect(outbox.healthy()).toBe(true);
  });

  it("says it is ready again once space returns, even before another webhook arrives (its own probe write), and not while still full", async () => {
    const { outbox, db } = openWithConnection();
    fill(db);
    await expect(outbox.enqueueSoon(request("d1", big(1)), T0)).rejects.toMatchObject({ code: "SQLITE_FULL" });
    expect(outbox.healthy()).toBe(false);
    expect(outbox.healthy()).toBe(false);
    makeRoom(db);
    expect(outbox.healthy()).toBe(true);
    expect(outbox.depth()).toEqual({ pending: 0, dead: 0 });
  });

  it("keeps a delivered job's removal when the database refuses it, starts nothing meanwhile, and removes it once writes work", async () => {
    const { outbox, db } = openWithConnection();
    outbox.enqueue(request("d1", { messageId: 1 }, { messageId: 2 }), T0);
    const [head] = outbox.schedule(T0 + WINDOW, WINDOW, NONE, 10).jobs;
    if (head === undefined) throw new Error("expected a head");
    db.pragma("query_only = ON");
    outbox.delivered(head.id);
    await new Promise((resolve) => setImmediate(resolve)); // the batched removal runs, and fails, here
    expect(outbox.schedule(T0 + WINDOW, WINDOW, NONE, 10)).toEqual({ jobs: [], nextDueAt: T0 + WINDOW + WRITE_RETRY_MS });
    expect(outbox.healthy()).toBe(false);
    db.pragma("query_only = OFF");
    expect(messageIds(outbox.schedule(T0 + WINDOW, WINDOW, NONE, 10).jobs)).toEqual([2]);
    expect(rows().map((row) => row.id)).toEqual([head.id + 1]);
    expect(outbox.healthy()).toBe(true);
  });

  it("counts a retry in memory when the database refuses it, and writes it before the next job starts", () => {
    const { outbox, db } = openWithConnection();
    outbox.enqueue(request("d1", { messageId: 1 }, { messageId: 2, conversation: 322 }), T0);
    const [head] = outbox.schedule(T0 + WINDOW, WINDOW, NONE, 1).jobs;
    if (head === undefined) throw new Error("expected a head");
    db.pragma("query_only = ON");
    expect(() => outbox.retryAt(head.id, T0 + 5_000, "503")).not.toThrow();
    db.pragma("query_only = OFF");
    const next = outbox.schedule(T0 + WINDOW, WINDOW, NONE, 10);
    expect(messageIds(next.jobs)).toEqual([2]);
    expect(next.nextDueAt).toBe(T0 + 5_000);
    expect(rows().find((row) => row.id === head.id)).toMatchObject({ state: "pending", attempts: 1 });
  });

  it("dead-letters in memory when the database refuses it, and records it once writes work", () => {
    const { outbox, db } = openWithConnection();
    outbox.enqueue(request("d1", { messageId: 1 }, { messageId: 2 }), T0);
    const [head] = outbox.schedule(T0 + WINDOW, WINDOW, NONE, 10).jobs;
    if (head === undefined) throw new Error("expected a head");
    db.pragma("query_only = ON");
    expect(() => outbox.deadLetter(head.id, "Cognigy answered HTTP 404", T0 + 300)).not.toThrow();
    expect(outbox.schedule(T0 + WINDOW, WINDOW, NONE, 10).jobs).toEqual([]);
    db.pragma("query_only = OFF");
    expect(messageIds(outbox.schedule(T0 + WINDOW, WINDOW, NONE, 10).jobs)).toEqual([2]);
    expect(outbox.depth()).toEqual({ pending: 1, dead: 1 });
    expect(rows().find((row) => row.id === head.id)).toMatchObject({ state: "dead" });
  });

  it("does not throw from schedule when an unreadable row cannot be marked dead, and marks it once writes work", () => {
    const before = open();
    before.enqueue(request("d1", { messageId: 2 }), T0);
    before.close();
    const raw = new Database(join(dataDir, "outbox.sqlite"));
    raw.prepare("INSERT INTO jobs (conversation_key, order_ts, order_seq, payload, state, received_at, next_attempt_at) VALUES ('1:321', ?, 0, '{not json', 'pending', ?, ?)").run(T0 - 1, T0, T0);
    raw.close();
    const { outbox, db } = openWithConnection();
    db.pragma("query_only = ON");
    expect(outbox.schedule(T0 + WINDOW, WINDOW, NONE, 10).jobs).toEqual([]);
    expect(outbox.schedule(T0 + WINDOW, WINDOW, NONE, 10).jobs).toEqual([]);
    db.pragma("query_only = OFF");
    expect(messageIds(outbox.schedule(T0 + WINDOW, WINDOW, NONE, 10).jobs)).toEqual([2]);
    expect(outbox.depth()).toEqual({ pending: 1, dead: 1 });
    expect(rows().filter((row) => row.state === "dead")).toHaveLength(1);
  });
});
