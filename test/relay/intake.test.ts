import { randomUUID } from "crypto";
import { agentMessage, chatwootSignature, conversationFor, signWebhook, unsignedWebhook, type SignedWebhook } from "../support/chatwoot-webhooks";
import { RELAY_SECRET } from "../support/extension-harness";
import { PATH_TOKEN, startRelayHarness, WEBHOOK_SECRET, type RelayHarness } from "../support/relay-harness";

let harness: RelayHarness;

beforeEach(async () => {
  harness = await startRelayHarness({ CHATWOOT_WEBHOOK_PATH_TOKEN: PATH_TOKEN, ALLOW_UNSIGNED_PATH_TOKEN: "true" });
});

afterEach(async () => {
  await harness.close();
});

const route = { userId: "user-1", sessionId: "session-1", urlToken: "url-token-1" };

function agentReply(id = 4711): unknown {
  return agentMessage(conversationFor(route, RELAY_SECRET), { id, content: "Hello from Anna" });
}

async function inject(webhook: SignedWebhook, url = "/handover/chatwoot") {
  const response = await harness.relay.app.inject({ method: "POST", url, headers: webhook.headers, payload: webhook.body });
  return { status: response.statusCode, body: response.json<Record<string, unknown>>() };
}

function withHeader(webhook: SignedWebhook, name: string, value: string | undefined): SignedWebhook {
  const others = Object.entries(webhook.headers).filter(([key]) => key !== name);
  return { ...webhook, headers: Object.fromEntries(value === undefined ? others : [...others, [name, value]]) };
}

const now = (): number => Math.floor(Date.now() / 1000);

describe("relay intake: who may post", () => {
  it("accepts a webhook signed with the inbox secret and acknowledges it as accepted", async () => {
    const result = await inject(signWebhook(agentReply(), WEBHOOK_SECRET));
    expect(result).toEqual({ status: 200, body: { status: "accepted", jobs: 1, duplicates: 0 } });
  });

  it("accepts the second secret while secrets rotate", async () => {
    await harness.close();
    harness = await startRelayHarness({ CHATWOOT_WEBHOOK_SECRETS: `old-secret-0123456789abcdef,${WEBHOOK_SECRET}` });
    expect((await inject(signWebhook(agentReply(), WEBHOOK_SECRET))).status).toBe(200);
  });

  it.each<[string, (webhook: SignedWebhook) => SignedWebhook]>([
    ["no signature", (webhook) => withHeader(webhook, "X-Chatwoot-Signature", undefined)],
    ["no timestamp", (webhook) => withHeader(webhook, "X-Chatwoot-Timestamp", undefined)],
    ["a malformed signature", (webhook) => withHeader(webhook, "X-Chatwoot-Signature", "sha1=abc")],
    ["a signature by another secret", (webhook) => signWebhook(JSON.parse(webhook.body), "another-secret-0123456789abcdef")],
    ["a timestamp six minutes old", (webhook) => signWebhook(JSON.parse(webhook.body), WEBHOOK_SECRET, { timestamp: now() - 360 })],
    ["a timestamp six minutes ahead", (webhook) => signWebhook(JSON.parse(webhook.body), WEBHOOK_SECRET, { timestamp: now() + 360 })],
    ["a body changed after signing", (webhook) => ({ ...webhook, body: webhook.body.replace("Hello", "Hallo") })],
    ["an unsigned body (Chatwoot before 4.13) on the signed route", (webhook) => unsignedWebhook(JSON.parse(webhook.body))],
  ])("refuses %s with one uniform 401 and injects nothing", async (_, tamper) => {
    const result = await inject(tamper(signWebhook(agentReply(), WEBHOOK_SECRET)));
    expect(result).toEqual({ status: 401, body: { error: "unauthorized" } });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(harness.cognigy.injects).toEqual([]);
  });

  it("accepts unsigned webhooks on the path-token route, and refuses a wrong token", async () => {
    const unsigned = unsignedWebhook(agentReply());
    expect((await inject(unsigned, `/handover/chatwoot/${PATH_TOKEN}`)).status).toBe(200);
    expect(await inject(unsignedWebhook(agentReply(4712)), "/handover/chatwoot/wrong-token-0123456789abcdefghij")).toEqual({ status: 401, body: { error: "unauthorized" } });
  });

  it("refuses the path-token route when webhook secrets are set and ALLOW_UNSIGNED_PATH_TOKEN is not", async () => {
    await harness.close();
    harness = await startRelayHarness({ CHATWOOT_WEBHOOK_PATH_TOKEN: PATH_TOKEN });
    expect(await inject(unsignedWebhook(agentReply()), `/handover/chatwoot/${PATH_TOKEN}`)).toEqual({ status: 401, body: { error: "unauthorized" } });
    expect((await inject(signWebhook(agentReply(4713), WEBHOOK_SECRET))).status).toBe(200);
  });

  it("refuses the path-token route when no token is configured", async () => {
    await harness.close();
    harness = await startRelayHarness();
    expect((await inject(unsignedWebhook(agentReply()), `/handover/chatwoot/${PATH_TOKEN}`)).status).toBe(401);
  });
});

describe("relay intake: bad input gets a 4xx, never a 5xx", () => {
  it("answers 413 to a body over 1 MiB", async () => {
    const big = signWebhook({ event: "message_created", content: "x".repeat(1024 * 1024) }, WEBHOOK_SECRET);
    const result = await inject(big);
    expect(result.status).toBe(413);
  });

  it("answers 400 to a signed body that is not JSON", async () => {
    const body = "not json {";
    const timestamp = now();
    const headers = { "Content-Type": "application/json", "X-Chatwoot-Timestamp": String(timestamp), "X-Chatwoot-Signature": chatwootSignature(body, WEBHOOK_SECRET, timestamp) };
    expect(await inject({ body, headers })).toEqual({ status: 400, body: { error: "the body is not JSON" } });
  });

  it.each([
    ["a JSON array", []],
    ["a string", "hello"],
    ["an event without fields", { event: "message_created" }],
    ["deeply nested JSON", JSON.parse(`${"[".repeat(2000)}${"]".repeat(2000)}`)],
  ])("drops %s with a reason, answering 200", async (_, payload) => {
    const result = await inject(signWebhook(payload, WEBHOOK_SECRET));
    expect(result.status).toBe(200);
    expect(result.body.status).toBe("dropped");
  });

  // Fastify answered 415 to a Content-Type that is not a media type, before the signature was checked (found by test/hostile/fuzz-intake.test.ts).
  it.each([["none", undefined], ["text/plain", "text/plain"], ["not a media type", "%%%"], ["a bare word", "x"], ["empty", ""]])(
    "reads the raw bytes whatever the Content-Type (%s): signed is accepted, unsigned is 401",
    async (_, contentType) => {
      const withType = (webhook: SignedWebhook): SignedWebhook => withHeader(webhook, "Content-Type", contentType);
      expect(await inject(withType(signWebhook(agentReply(), WEBHOOK_SECRET)))).toEqual({ status: 200, body: { status: "accepted", jobs: 1, duplicates: 0 } });
      expect(await inject(withType(signWebhook(agentReply(4712), "another-secret-0123456789abcdef")))).toEqual({ status: 401, body: { error: "unauthorized" } });
      const body = "not json {";
      const timestamp = now();
      const headers = { "X-Chatwoot-Timestamp": String(timestamp), "X-Chatwoot-Signature": chatwootSignature(body, WEBHOOK_SECRET, timestamp) };
      expect(await inject(withType({ body, headers }))).toEqual({ status: 400, body: { error: "the body is not JSON" } });
    },
  );

  it("answers 404 on other paths and methods", async () => {
    expect((await harness.relay.app.inject({ method: "GET", url: "/handover/chatwoot" })).statusCode).toBe(404);
    expect((await harness.relay.app.inject({ method: "POST", url: "/elsewhere", payload: "{}" })).statusCode).toBe(404);
  });
});

describe("relay intake: duplicates", () => {
  it("acknowledges a repeated delivery without enqueueing it again", async () => {
    const deliveryId = randomUUID();
    const first = await inject(signWebhook(agentReply(), WEBHOOK_SECRET, { deliveryId }));
    const again = await inject(signWebhook(agentReply(), WEBHOOK_SECRET, { deliveryId }));
    expect([first.body.status, again.body.status]).toEqual(["accepted", "duplicate"]);
  });

  it("enqueues a message once when two webhooks (inbox and account) carry it", async () => {
    const payload = agentReply(99);
    await inject(signWebhook(payload, WEBHOOK_SECRET));
    const second = await inject(signWebhook(payload, WEBHOOK_SECRET));
    expect(second.body).toEqual({ status: "accepted", jobs: 0, duplicates: 1 });
  });
});

describe("relay operations endpoints", () => {
  it("answers /healthz and /readyz", async () => {
    expect((await harness.relay.app.inject({ method: "GET", url: "/healthz" })).json()).toEqual({ status: "ok" });
    expect((await harness.relay.app.inject({ method: "GET", url: "/readyz" })).json()).toEqual({ status: "ready" });
  });

  it("serves no /metrics on the webhook port (refusal counts by reason would undo the uniform 401)", async () => {
    expect((await harness.relay.app.inject({ method: "GET", url: "/metrics" })).statusCode).toBe(404);
    expect((await fetch(`${harness.url}/metrics`)).status).toBe(404);
  });

  it("counts received, rejected and dropped webhooks in /metrics on the metrics listener", async () => {
    await inject(signWebhook(agentReply(), WEBHOOK_SECRET));
    await inject(withHeader(signWebhook(agentReply(), WEBHOOK_SECRET), "X-Chatwoot-Signature", undefined));
    await inject(signWebhook({ event: "conversation_typing_on" }, WEBHOOK_SECRET));
    const metrics = await (await fetch(`${harness.metricsUrl}/metrics`)).text();
    expect(metrics).toContain("relay_webhooks_received_total 3");
    expect(metrics).toContain('relay_webhooks_rejected_total{reason="missing_header"} 1');
    expect(metrics).toContain('relay_events_dropped_total{reason="typing"} 1');
    expect(metrics).toMatch(/relay_outbox_depth\{state="pending"\} \d+/);
    expect(metrics).toContain("relay_delivery_latency_seconds_bucket");
  });
});

describe("relay intake: when the outbox fails", () => {
  it("answers 503 and does not acknowledge what it could not store", async () => {
    harness.relay.outbox.close();
    const result = await inject(signWebhook(agentReply(), WEBHOOK_SECRET));
    expect(result).toEqual({ status: 503, body: { error: "outbox unavailable" } });
    expect((await harness.relay.app.inject({ method: "GET", url: "/readyz" })).statusCode).toBe(503);
  });
});
