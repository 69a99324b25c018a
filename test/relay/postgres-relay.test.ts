import { verifyRelayEvent } from "../../src/core/relay-event-signature";
import { agentMessage, conversationFor, signWebhook } from "../support/chatwoot-webhooks";
import { RELAY_SECRET } from "../support/extension-harness";
import { usePostgres } from "../support/postgres-server";
import { metricValue } from "../support/prometheus-text";
import { startRelayHarness, WEBHOOK_SECRET, type RelayHarness } from "../support/relay-harness";

/** The whole relay (HTTP intake, worker, metrics) on the PostgreSQL outbox: RELAY_DATABASE_URL set. */

const server = usePostgres();
let harness: RelayHarness;


afterEach(async () => {
  await harness.close();
});

let counter = 0;
function newConversation() {
  counter += 1;
  const route = { userId: `user-pg-${counter}`, sessionId: `session-pg-${counter}`, urlToken: `url-token-pg-${counter}` };
  return { route, conversation: conversationFor(route, RELAY_SECRET, { id: 9000 + counter }) };
}

function textsOf(harnessed: RelayHarness, sessionId: string): string[] {
  return harnessed.cognigy.delivered
    .filter((inject) => inject.sessionId === sessionId)
    .map((inject) => {
      const verdict = verifyRelayEvent(inject.data.chatwoot, RELAY_SECRET, sessionId);
      return verdict.ok && verdict.event.type === "agent_message" ? verdict.event.text : "unverifiable";
    });
}

async function waitUntil(condition: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  for (const started = Date.now(); Date.now() - started < timeoutMs; ) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`not within ${timeoutMs} ms`);
}

async function metric(name: string, labels = ""): Promise<number> {
  return metricValue(await (await fetch(`${harness.metricsUrl}/metrics`)).text(), name, labels);
}

describe("relay on PostgreSQL", () => {
  it("acknowledges after the commit, delivers in order, answers a repeat as duplicate and counts the outbox in /metrics", async () => {
    harness = await startRelayHarness({ RELAY_DATABASE_URL: await server().freshDatabase() });
    const { route, conversation } = newConversation();
    const webhooks = [1, 2, 3].map((index) => signWebhook(agentMessage(conversation, { id: 100 + index, content: `m${index}`, createdAt: new Date(Date.UTC(2026, 10, 27, 9, 0, index)) }), WEBHOOK_SECRET, { deliveryId: `delivery-${index}` }));
    for (const webhook of webhooks) expect((await harness.post(webhook)).body).toEqual({ status: "accepted", jobs: 1, duplicates: 0 });
    const first = webhooks[0];
    if (first === undefined) throw new Error("no webhook");
    expect((await harness.post(first)).body).toEqual({ status: "duplicate" });
    await waitUntil(() => textsOf(harness, route.sessionId).length === 3);
    expect(textsOf(harness, route.sessionId)).toEqual(["m1", "m2", "m3"]);
    await waitUntil(async () => (await metric("relay_outbox_depth", '{state="pending"}')) === 0);
    expect(await metric("relay_jobs_enqueued_total")).toBe(3);
    expect(await metric("relay_events_duplicate_total")).toBe(1);
    expect((await fetch(`${harness.url}/readyz`)).status).toBe(200);
  });

  it("answers 503 while PostgreSQL is away, loses nothing it acknowledged, and resumes by itself", async () => {
    harness = await startRelayHarness({ RELAY_DATABASE_URL: await server().freshDatabase() });
    const { route, conversation } = newConversation();
    const post = (index: number) => harness.post(signWebhook(agentMessage(conversation, { id: 200 + index, content: `m${index}`, createdAt: new Date(Date.UTC(2026, 10, 27, 9, 0, index)) }), WEBHOOK_SECRET));
    expect((await post(1)).status).toBe(200);
    await waitUntil(() => textsOf(harness, route.sessionId).length === 1);
    await server().pause();
    try {
      expect(await post(2)).toEqual({ status: 503, body: { error: "outbox unavailable" } });
      expect((await fetch(`${harness.url}/readyz`)).status).toBe(503);
    } finally {
      await server().resume();
    }
    await waitUntil(async () => (await fetch(`${harness.url}/readyz`)).status === 200);
    expect((await post(3)).status).toBe(200);
    await waitUntil(() => textsOf(harness, route.sessionId).length === 2);
    expect(textsOf(harness, route.sessionId)).toEqual(["m1", "m3"]);
  }, 30_000);
});
