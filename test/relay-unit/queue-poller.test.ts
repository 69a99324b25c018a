import { sealRoute, type SessionRoute } from "../../src/core/route-seal";
import type { EnqueueRequest, EnqueueResult } from "../../src/relay/outbox";
import { createQueuePoller } from "../../src/relay/queue-poller";
import { readQueueSignal } from "../../src/relay/queue-signal";
import { createQueueWatch, type QueueRoute } from "../../src/relay/queue-watch";
import { createRelayMetrics } from "../../src/relay/relay-metrics";
import { conversationCreated, conversationFor } from "../support/chatwoot-webhooks";
import { metricValue } from "../support/prometheus-text";

/**
 * The queue poller with the outbox's asynchronous store interface (SQLite or
 * PostgreSQL): updates leave only once the store resolved them; a store that
 * fails (disk full, database away) is logged and never throws from the timer.
 */

const SECRET = "relay-secret-0123456789-abcdefghijklmnop";
const ROUTE: SessionRoute = { userId: "user-1", sessionId: "session-1", urlToken: "0f1e2d3c4b5a69788796a5b4c3d2e1f0" };
const T0 = 1_781_691_342_000;
const INTERVAL = 60_000;

function watchedOne() {
  const watch = createQueueWatch({ intervalMs: INTERVAL });
  const binding = { inboxId: 12, sourceId: "source-1" };
  const route: QueueRoute = { sealed: sealRoute(ROUTE, binding, SECRET, T0, { queueUpdates: true }), binding, accountId: 1, issuedAt: T0, queueUpdates: true };
  const signal = readQueueSignal(conversationCreated(conversationFor(ROUTE, SECRET, { id: 1, inboxId: 12, accountId: 1, sourceId: "source-1", createdAt: T0 / 1000, updatedAt: T0 / 1000 })));
  if (signal === undefined) throw new Error("fixture is no signal");
  watch.observe(signal, route, T0);
  return watch;
}

function poller(enqueue: (request: EnqueueRequest, now: number) => Promise<EnqueueResult>) {
  const warnings: { object: object; message: string }[] = [];
  const metrics = createRelayMetrics(() => ({ pending: 0, dead: 0 }));
  let wakes = 0;
  const running = createQueuePoller({
    watch: watchedOne(),
    intervalMs: INTERVAL,
    list: async () => ({ ids: [1], total: 1 }),
    // Every turn won: this suite is about the enqueue (the claim has its own tests in outbox-contract.test.ts).
    outbox: { enqueue, claimTurn: async () => true },
    metrics,
    log: { warn: (object, message) => void warnings.push({ object, message }), info: () => undefined },
    wake: () => void (wakes += 1),
    now: () => T0,
  });
  return { running, warnings, metrics, wakes: () => wakes };
}

describe("queue poller on the asynchronous outbox store", () => {
  it("counts and wakes the worker only once the store has committed the update", async () => {
    const requests: EnqueueRequest[] = [];
    let commit: (result: EnqueueResult) => void = () => undefined;
    const { running, metrics, wakes } = poller((request) => {
      requests.push(request);
      return new Promise((resolve) => (commit = resolve));
    });
    running.tick();
    for (let turn = 0; turn < 5 && requests.length === 0; turn += 1) await new Promise((resolve) => setImmediate(resolve));
    expect(requests.map((request) => request.jobs.map((job) => (job.payload.kind === "inject" ? [job.payload.job.event.type, job.conversationKey] : [])))).toEqual([[["queue_update", "12:1"]]]);
    expect(wakes()).toBe(0);
    commit({ duplicate: false, enqueued: 1, duplicates: 0 });
    await running.stop();
    expect(wakes()).toBe(1);
    expect(metricValue(await metrics.registry.metrics(), "relay_queue_updates_total")).toBe(1);
  });

  it("logs a store that fails (database away) and never rejects: stop() resolves, nothing counted, the worker not woken", async () => {
    const { running, warnings, metrics, wakes } = poller(async () => {
      throw new Error("connection to the database lost");
    });
    running.tick();
    await expect(running.stop()).resolves.toBeUndefined();
    expect(warnings).toEqual([{ object: { inbox: 12, error: "connection to the database lost" }, message: "queue updates not queued" }]);
    expect(wakes()).toBe(0);
    expect(metricValue(await metrics.registry.metrics(), "relay_queue_updates_total")).toBe(0);
    expect(metricValue(await metrics.registry.metrics(), "relay_queue_polls_total", '{result="ok"}')).toBe(1);
  });
});
