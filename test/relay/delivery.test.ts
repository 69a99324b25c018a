import { verifyRelayEvent } from "../../src/core/relay-event-signature";
import {
  agentMessage,
  attachment,
  conversationFor,
  conversationUpdated,
  csatMessage,
  outOfOfficeMessage,
  signWebhook,
  statusChanged,
  type WebhookConversation,
} from "../support/chatwoot-webhooks";
import { RELAY_SECRET } from "../support/extension-harness";
import { startChatwootSimulator, USER_TOKEN, type ChatwootSimulator } from "../support/chatwoot-simulator/server";
import type { ReceivedInject } from "../support/fake-cognigy-endpoint";
import { startRelayHarness, WEBHOOK_SECRET, type RelayHarness } from "../support/relay-harness";

let harness: RelayHarness;

afterEach(async () => {
  await harness.close();
});

let counter = 0;
function newRoute() {
  counter += 1;
  return { userId: `user-${counter}`, sessionId: `session-${counter}`, urlToken: `url-token-${counter}` };
}

function post(payload: unknown) {
  return harness.post(signWebhook(payload, WEBHOOK_SECRET));
}

/** The verified event of an inject, as the Session node would see it. */
function eventOf(inject: ReceivedInject, sessionId: string): Record<string, unknown> {
  const verdict = verifyRelayEvent(inject.data.chatwoot, RELAY_SECRET, sessionId);
  if (!verdict.ok) throw new Error(`inject did not verify: ${verdict.reason}`);
  return { ...verdict.event };
}

describe("relay delivery: every kind of event reaches the session", () => {
  beforeEach(async () => {
    harness = await startRelayHarness({ FORWARD_ASSIGNMENTS: "true" });
  });

  it("injects agent messages, templates, CSAT and status changes, signed for the session, in order", async () => {
    const route = newRoute();
    const conversation = conversationFor(route, RELAY_SECRET);
    const t = (seconds: number) => new Date(Date.UTC(2026, 10, 22, 10, 0, seconds));
    const image = attachment({ id: 1, messageId: 11, fileType: "image", url: "https://chat.example.com/rails/active_storage/blobs/x/photo.png" });
    const sequence: unknown[] = [
      conversationUpdated({ ...conversation, assignee: { id: 7, name: "Anna Agent" }, updatedAt: Date.UTC(2026, 10, 22, 10, 0, 0) / 1000 }, { assignee_id: { previous_value: null, current_value: 7 } }),
      agentMessage(conversation, { id: 11, content: "Hi, I'm Anna", attachments: [image], createdAt: t(1) }),
      outOfOfficeMessage(conversation, { id: 12, content: "We are away until 9:00", createdAt: t(2) }),
      statusChanged({ ...conversation, status: "resolved", updatedAt: Date.UTC(2026, 10, 22, 10, 0, 3) / 1000 }, "resolved"),
      csatMessage(conversation, { id: 13, createdAt: t(4) }),
    ];
    for (const payload of sequence) expect((await post(payload)).status).toBe(200);
    const injects = await harness.cognigy.waitFor(5);
    const events = injects.map((inject) => eventOf(inject, route.sessionId));
    expect(events.map((event) => event.type)).toEqual(["agent_assigned", "agent_message", "template_message", "status_changed", "csat"]);
    expect(events[0]).toMatchObject({ agentName: "Anna", conversationId: conversation.id });
    // The message's sender carries only the full name (User#webhook_data); the relay names the agent as the assignment did.
    expect(events[1]).toMatchObject({ text: "Hi, I'm Anna", agentName: "Anna", attachments: [{ kind: "image", url: image.data_url, name: "photo.png" }], messageId: 11 });
    expect(events[3]).toMatchObject({ status: "resolved" });
    expect(events[4]).toMatchObject({ link: expect.stringContaining("/survey/responses/") });
    for (const inject of injects) expect(inject).toMatchObject({ mode: "endpoint", urlToken: route.urlToken, userId: route.userId, sessionId: route.sessionId, text: "" });
  });

  it("delivers a status change once though Chatwoot sends it twice (status_changed and updated)", async () => {
    const route = newRoute();
    const open = conversationFor(route, RELAY_SECRET);
    const updated = conversationUpdated(open, { status: { previous_value: "open", current_value: "resolved" } });
    const resolved: WebhookConversation = { ...open, status: "resolved", updatedAt: updated.updated_at };
    await post(statusChanged(resolved, "resolved"));
    await post(updated);
    await harness.cognigy.waitFor(1);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(harness.cognigy.injects).toHaveLength(1);
  });
});

describe("relay delivery: exactly once, in order", () => {
  it("delivers each message once when webhooks repeat, and in Chatwoot's order when they arrive shuffled", async () => {
    harness = await startRelayHarness({ REORDER_WINDOW_MS: "300" });
    const route = newRoute();
    const conversation = conversationFor(route, RELAY_SECRET);
    const messages = Array.from({ length: 20 }, (_, index) => agentMessage(conversation, { id: 100 + index, content: `message ${index}`, createdAt: new Date(Date.UTC(2026, 10, 22, 10, 0, index)) }));
    const shuffled = [...messages].reverse();
    await Promise.all([...shuffled, ...messages.slice(0, 5)].map((payload) => post(payload)));
    await harness.cognigy.waitFor(20);
    await new Promise((resolve) => setTimeout(resolve, 400));
    const texts = harness.cognigy.delivered.map((inject) => eventOf(inject, route.sessionId).text);
    expect(texts).toEqual(messages.map((_, index) => `message ${index}`));
  });

  it("keeps each conversation's order while delivering conversations in parallel", async () => {
    harness = await startRelayHarness();
    const routes = [newRoute(), newRoute(), newRoute()];
    const conversations = routes.map((route) => conversationFor(route, RELAY_SECRET));
    for (let index = 0; index < 10; index += 1) {
      for (const conversation of conversations) await post(agentMessage(conversation, { id: 1000 * conversation.id + index, content: `m${index}`, createdAt: new Date(Date.UTC(2026, 10, 22, 10, 0, index)) }));
    }
    await harness.cognigy.waitFor(30);
    for (const route of routes) {
      const texts = harness.cognigy.delivered.filter((inject) => inject.sessionId === route.sessionId).map((inject) => eventOf(inject, route.sessionId).text);
      expect(texts).toEqual(Array.from({ length: 10 }, (_, index) => `m${index}`));
    }
  });
});

describe("relay delivery: failures", () => {
  it("retries 503, timeouts and resets until Cognigy accepts, then delivers once", async () => {
    harness = await startRelayHarness();
    harness.cognigy.enqueue({ status: 503 }, "reset", { status: 502 });
    const route = newRoute();
    await post(agentMessage(conversationFor(route, RELAY_SECRET), { id: 5, content: "persistent" }));
    const [delivered] = await harness.cognigy.waitFor(1, 5_000);
    expect(delivered === undefined ? null : eventOf(delivered, route.sessionId).text).toBe("persistent");
    expect(harness.cognigy.injects.map((inject) => inject.reply)).toEqual([503, "reset", 502, 200]);
    const metrics = await harness.relay.metrics.registry.getSingleMetricAsString("relay_injects_retried_total");
    expect(metrics).toContain('reason="503"');
  });

  it("waits as long as Retry-After asks", async () => {
    harness = await startRelayHarness();
    harness.cognigy.enqueue({ status: 429, headers: { "Retry-After": "1" } });
    const route = newRoute();
    await post(agentMessage(conversationFor(route, RELAY_SECRET), { id: 6, content: "later" }));
    await harness.cognigy.waitFor(1, 5_000);
    const [first, second] = harness.cognigy.injects;
    expect((second?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(950);
  });

  describe("with a Chatwoot token configured", () => {
    let chatwoot: ChatwootSimulator;

    beforeEach(async () => {
      chatwoot = await startChatwootSimulator();
      chatwoot.addInbox({ id: 12 });
    });

    afterEach(async () => {
      expect(chatwoot.violations).toEqual([]);
      await chatwoot.close();
    });

    it("dead-letters a message Cognigy refuses (404), tells the agent in a private note, and goes on with other sessions", async () => {
      harness = await startRelayHarness({ CHATWOOT_BASE_URL: chatwoot.baseUrl, CHATWOOT_API_TOKEN: USER_TOKEN });
      const ended = newRoute();
      const alive = newRoute();
      harness.cognigy.respondWith((inject) => (inject.sessionId === ended.sessionId ? { status: 404, body: { error: "session not found" } } : undefined));
      const contact = chatwoot.store.createContact({ name: "Jane", identifier: "jane", email: null, phoneNumber: null }, { inboxId: 12, sourceId: "src-jane" });
      const stored = chatwoot.store.createConversation({ inboxId: 12, contactId: contact.id, sourceId: "src-jane", status: null, customAttributes: {}, teamId: null, assigneeId: null });
      const endedConversation = conversationFor(ended, RELAY_SECRET, { id: stored.id, accountId: 1 });
      await post(agentMessage(endedConversation, { id: 21, content: "Are you still there?" }));
      await post(agentMessage(conversationFor(alive, RELAY_SECRET), { id: 22, content: "Hello" }));
      await harness.cognigy.waitFor(1);
      await waitUntil(() => chatwoot.store.messagesOf(stored.id).length > 0 && harness.relay.outbox.depth().pending === 0);
      const [note] = chatwoot.store.messagesOf(stored.id);
      expect(note).toMatchObject({ private: true, messageType: "outgoing" });
      expect(note?.content).toContain('did not reach the user: "Are you still there?"');
      expect(note?.content).toContain("Cognigy answered HTTP 404");
      expect(note?.sourceId?.startsWith("cognigy:")).toBe(true);
      expect(harness.relay.outbox.depth()).toEqual({ pending: 0, dead: 1 });
      expect(harness.cognigy.injects.filter((inject) => inject.sessionId === ended.sessionId)).toHaveLength(1);
    });
  });
});

describe("relay delivery: where it sends", () => {
  it("injects only to the configured base URL, whatever the route's URL token contains", async () => {
    harness = await startRelayHarness();
    const route = { userId: "u", sessionId: "s", urlToken: "../../new/v2.0/endpoint/inject?x=1" };
    await post(agentMessage(conversationFor(route, RELAY_SECRET), { id: 31, content: "hi" }));
    const [inject] = await harness.cognigy.waitFor(1);
    expect(inject).toMatchObject({ mode: "endpoint", urlToken: route.urlToken });
    expect(harness.cognigy.violations).toEqual([]);
  });

  it("uses the legacy REST inject with the API key in rest mode", async () => {
    harness = await startRelayHarness({ COGNIGY_INJECT_MODE: "rest" });
    const route = newRoute();
    await post(agentMessage(conversationFor(route, RELAY_SECRET), { id: 32, content: "rest" }));
    const [inject] = await harness.cognigy.waitFor(1);
    expect(inject).toMatchObject({ mode: "rest", urlToken: route.urlToken, sessionId: route.sessionId });
    expect(inject === undefined ? null : eventOf(inject, route.sessionId).text).toBe("rest");
    expect(harness.cognigy.violations).toEqual([]);
  });
});

async function waitUntil(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
