import { mkdtempSync, rmSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { openOutbox, type EnqueueRequest, type StoredJob } from "../../src/relay/outbox";
import type { InjectJob } from "../../src/relay/relay-job";
import { createRecentPayloads } from "../../src/relay/recent-payloads";

const T0 = 1_781_691_342_000;

describe("recent payloads", () => {
  it("keeps at most its count and bytes (two a character), the oldest out first", () => {
    const recent = createRecentPayloads(3, 100);
    recent.remember(1, "a".repeat(20));
    recent.remember(2, "b".repeat(20));
    expect(recent.size()).toEqual({ count: 2, bytes: 80 });
    recent.remember(3, "c".repeat(20));
    expect([recent.get(1), recent.get(2)]).toEqual([undefined, "b".repeat(20)]);
    recent.remember(4, "d");
    recent.remember(5, "e");
    expect(recent.size()).toEqual({ count: 3, bytes: 44 });
    expect(recent.get(2)).toBeUndefined();
  });

  it("never keeps one payload over its whole capacity, and forgets what it is told to", () => {
    const recent = createRecentPayloads(10, 100);
    recent.remember(1, "x".repeat(51));
    expect(recent.size()).toEqual({ count: 0, bytes: 0 });
    recent.remember(2, "y");
    recent.remember(2, "yy");
    recent.forget(2);
    recent.forget(3);
    expect(recent.size()).toEqual({ count: 0, bytes: 0 });
  });
});

describe("outbox: payloads beyond the memory cap", () => {
  let dataDir: string;
  beforeEach(() => (dataDir = mkdtempSync(join(tmpdir(), "relay-recent-"))));
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  function request(messageId: number): EnqueueRequest {
    const job: InjectJob = {
      dedupeKey: `message:1:${messageId}`,
      conversationKey: "1:321",
      orderTs: T0,
      orderSeq: messageId,
      accountId: 1,
      sealedRoute: "v1.sealed-route-placeholder.abc",
      binding: { inboxId: 12, sourceId: "source-321" },
      event: { type: "agent_message", conversationId: 321, messageId, text: `${messageId} ${"é".repeat(10_000)}`, attachments: [], agentName: "Anna" },
    };
    return { deliveryId: `d${messageId}`, jobs: [{ conversationKey: job.conversationKey, orderTs: T0, orderSeq: messageId, dedupeKey: job.dedupeKey, payload: { kind: "inject", job } }] };
  }

  it("delivers every payload, those evicted from memory read back from the database, and retracts evicted ones", () => {
    // Room for two payloads of ~20 kB: 28 of the 30 are read back.
    const outbox = openOutbox(dataDir, { recentPayloadBytes: 50_000 });
    const sent = Array.from({ length: 30 }, (_, index) => request(index + 1));
    for (const item of sent) outbox.enqueue(item, T0);
    expect(outbox.retract("message:1:2", "1:321", T0)).toBe(1);
    const delivered: StoredJob[] = [];
    for (let round = 0; round < 40; round += 1) {
      const { jobs } = outbox.schedule(T0 + 1_000, 0, new Set(), 10);
      if (jobs.length === 0) break;
      for (const job of jobs) {
        delivered.push(job);
        outbox.delivered(job.id);
      }
    }
    outbox.close();
    expect(delivered.map((job) => job.payload)).toEqual(sent.filter((_, index) => index !== 1).map((item) => item.jobs[0]?.payload));
  });
});
