import { mkdtempSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { ROUTE_ATTRIBUTE, type SessionRoute } from "../../src/core/route-seal";
import { ROUTE_NOTE } from "../../src/relay/route-note";
import { agentMessage, conversationFor, csatMessage, signWebhook, statusChanged, typingEvent, type WebhookConversation } from "../support/chatwoot-webhooks";
import { RELAY_SECRET } from "../support/extension-harness";
import { startChatwootSimulator, USER_TOKEN, type ChatwootSimulator } from "../support/chatwoot-simulator/server";
import { metricValue } from "../support/prometheus-text";
import { startRelayHarness, WEBHOOK_SECRET, type RelayHarness } from "../support/relay-harness";

/**
 * An agent replies in a conversation whose cognigy_route was edited, copied
 * or sealed with another secret: nothing is injected, and the agent is told
 * once, in a private note posted through the outbox.
 */

let harness: RelayHarness | undefined;
let chatwoot: ChatwootSimulator;

const DROPPED = { status: 200, body: { status: "dropped", reasons: ["route_unauthentic"] } };

beforeEach(async () => {
  chatwoot = await startChatwootSimulator();
  chatwoot.addInbox({ id: 12 });
});

afterEach(async () => {
  await harness?.close();
  harness = undefined;
  expect(chatwoot.violations).toEqual([]);
  await chatwoot.close();
});

function relay(): RelayHarness {
  if (harness === undefined) throw new Error("no relay started");
  return harness;
}

async function startRelay(options: { token?: boolean; dataDir?: string } = {}): Promise<RelayHarness> {
  const env = options.token === false ? {} : { CHATWOOT_BASE_URL: chatwoot.baseUrl, CHATWOOT_API_TOKEN: USER_TOKEN };
  harness = await startRelayHarness(env, options.dataDir === undefined ? {} : { dataDir: options.dataDir });
  return harness;
}

let counter = 0;
function newRoute(): SessionRoute {
  counter += 1;
  return { userId: `route-note-user-${counter}`, sessionId: `route-note-session-${counter}`, urlToken: `route-note-url-token-${counter}` };
}

/** A conversation stored in the simulator (so a note can be posted to it), as the extension would have created it. */
function handoverConversation(route: SessionRoute): WebhookConversation {
  counter += 1;
  const sourceId = `src-route-note-${counter}`;
  const contact = chatwoot.store.createContact({ name: `Jane ${counter}`, identifier: route.userId, email: null, phoneNumber: null }, { inboxId: 12, sourceId });
  const stored = chatwoot.store.createConversation({ inboxId: 12, contactId: contact.id, sourceId, status: null, customAttributes: {}, teamId: null, assigneeId: null });
  return conversationFor(route, RELAY_SECRET, { id: stored.id, accountId: 1, sourceId });
}

function sealedOf(conversation: WebhookConversation): string {
  return String(conversation.customAttributes[ROUTE_ATTRIBUTE]);
}

/** One character of the sealed route changed by hand. */
function edited(conversation: WebhookConversation): WebhookConversation {
  const sealed = sealedOf(conversation);
  const at = sealed.length - 10;
  return { ...conversation, customAttributes: { [ROUTE_ATTRIBUTE]: `${sealed.slice(0, at)}${sealed[at] === "A" ? "B" : "A"}${sealed.slice(at + 1)}` } };
}

function post(payload: unknown) {
  return relay().post(signWebhook(payload, WEBHOOK_SECRET));
}

async function metric(name: string, labels = ""): Promise<number> {
  return metricValue(await relay().relay.metrics.registry.metrics(), name, labels);
}

/** Until the outbox is drained and no delivery is in flight, several times in a row. */
async function drained(timeoutMs = 5_000): Promise<void> {
  const started = Date.now();
  for (let quiet = 0; quiet < 3; ) {
    if (Date.now() - started > timeoutMs) throw new Error("the relay did not drain in time");
    const busy = relay().relay.outbox.depth().pending > 0 || relay().relay.worker.inFlight() > 0;
    quiet = busy ? 0 : quiet + 1;
    await new Promise((resolve) => setTimeout(resolve, 30));
  }
}

const notesIn = (conversationId: number) => chatwoot.store.messagesOf(conversationId);

describe("relay: an agent's reply in a conversation whose route is not authentic", () => {
  it("posts one private note per conversation, however many replies, and injects nothing", async () => {
    await startRelay();
    const editedConversation = edited(handoverConversation(newRoute()));
    const erin = handoverConversation(newRoute());
    // Erin's route copied onto Frank's conversation (another contact).
    const frank = { ...handoverConversation(newRoute()), customAttributes: { [ROUTE_ATTRIBUTE]: sealedOf(erin) } };
    const replies = (conversation: WebhookConversation, from: number) => Array.from({ length: 4 }, (_, index) => agentMessage(conversation, { id: from + index, content: `reply ${index}` }));
    // Several at once (one commit), then more one by one, and events that are no reply.
    const answers = await Promise.all([...replies(editedConversation, 100), ...replies(frank, 200)].map((payload) => post(payload)));
    answers.push(await post(agentMessage(editedConversation, { id: 110, content: "anyone there?" })));
    answers.push(await post(statusChanged(editedConversation, "resolved")));
    answers.push(await post(csatMessage(editedConversation, { id: 111 })));
    answers.push(await post(agentMessage(frank, { id: 210, content: "hello?", event: "message_updated" })));
    expect(await post(typingEvent(editedConversation, true))).toEqual({ status: 200, body: { status: "dropped", reasons: ["typing"] } });
    expect(answers).toEqual(answers.map(() => DROPPED));
    await drained();
    await new Promise((resolve) => setTimeout(resolve, 100));
    await drained();

    for (const conversation of [editedConversation, frank]) {
      const notes = notesIn(conversation.id);
      expect(notes).toHaveLength(1);
      expect(notes[0]).toMatchObject({ content: ROUTE_NOTE, private: true, messageType: "outgoing" });
      expect(notes[0]?.sourceId?.startsWith("cognigy:")).toBe(true);
    }
    expect(notesIn(erin.id)).toEqual([]);
    expect(relay().cognigy.injects).toEqual([]);
    expect(chatwoot.operations()).toEqual(Array.from({ length: 2 }, () => "POST /api/v1/accounts/{account_id}/conversations/{conversation_id}/messages"));
    expect(await metric("relay_route_notes_total")).toBe(2);
    expect(await metric("relay_agent_notes_total", '{result="posted"}')).toBe(2);
    expect(await metric("relay_events_dropped_total", '{reason="route_unauthentic"}')).toBe(12);
    expect(await metric("relay_events_duplicate_total")).toBe(0);
    expect(relay().relay.outbox.depth()).toEqual({ pending: 0, dead: 0 });
  });

  it("says what happened and what to do, with no secret, route, signature or session in it", async () => {
    await startRelay();
    const route = newRoute();
    const conversation = handoverConversation(route);
    const webhook = signWebhook(agentMessage(edited(conversation), { id: 300, content: "Your refund is approved" }), WEBHOOK_SECRET);
    expect(await relay().post(webhook)).toEqual(DROPPED);
    await drained();
    const [request] = chatwoot.requests;
    const sent = JSON.stringify(request?.body);
    expect(request?.body).toMatchObject({ content: ROUTE_NOTE, private: true, message_type: "outgoing" });
    expect(ROUTE_NOTE).toContain("cannot reach the user");
    expect(ROUTE_NOTE).toContain("cognigy_route");
    const signature = (webhook.headers["X-Chatwoot-Signature"] ?? "").replace(/^sha256=/, "");
    const forbidden = [RELAY_SECRET, WEBHOOK_SECRET, USER_TOKEN, signature, sealedOf(conversation), sealedOf(edited(conversation)), route.userId, route.sessionId, route.urlToken, "Your refund is approved"];
    expect(forbidden.filter((value) => value.length > 0 && sent.includes(value))).toEqual([]);
  });

  it("posts no note in a healthy conversation: the replies are injected", async () => {
    await startRelay();
    const conversation = handoverConversation(newRoute());
    for (let index = 0; index < 3; index += 1) expect((await post(agentMessage(conversation, { id: 400 + index, content: `fine ${index}` }))).body).toMatchObject({ status: "accepted", jobs: 1 });
    await relay().cognigy.waitFor(3);
    await drained();
    expect(notesIn(conversation.id)).toEqual([]);
    expect(chatwoot.requests).toEqual([]);
    expect(await metric("relay_route_notes_total")).toBe(0);
  });

  it("posts no note for a conversation without route (no handover), nor for status changes in an edited one", async () => {
    await startRelay();
    const plain = { ...handoverConversation(newRoute()), customAttributes: {} };
    const broken = edited(handoverConversation(newRoute()));
    expect((await post(agentMessage(plain, { id: 500, content: "hi" }))).body).toEqual({ status: "dropped", reasons: ["no_route"] });
    expect(await post(statusChanged(broken, "resolved"))).toEqual(DROPPED);
    await drained();
    expect(chatwoot.requests).toEqual([]);
    expect(await metric("relay_route_notes_total")).toBe(0);
  });

  it("posts no note without a Chatwoot token", async () => {
    await startRelay({ token: false });
    const conversation = edited(handoverConversation(newRoute()));
    for (let index = 0; index < 3; index += 1) expect(await post(agentMessage(conversation, { id: 600 + index, content: `reply ${index}` }))).toEqual(DROPPED);
    await drained();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(chatwoot.requests).toEqual([]);
    expect(notesIn(conversation.id)).toEqual([]);
    expect(relay().relay.outbox.depth()).toEqual({ pending: 0, dead: 0 });
    expect(await metric("relay_route_notes_total")).toBe(0);
  });

  it("retries the note until Chatwoot accepts it, and remembers it across a restart", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "relay-route-note-"));
    await startRelay({ dataDir });
    chatwoot.fault("POST /api/v1/accounts/{account_id}/conversations/{conversation_id}/messages", { status: 503 }, 2);
    const conversation = edited(handoverConversation(newRoute()));
    expect(await post(agentMessage(conversation, { id: 700, content: "first" }))).toEqual(DROPPED);
    await drained();
    expect(chatwoot.requests.map((request) => request.status)).toEqual([503, 503, 200]);
    expect(notesIn(conversation.id).map((message) => message.content)).toEqual([ROUTE_NOTE]);

    await relay().close();
    harness = undefined;
    await startRelay({ dataDir });
    expect(await post(agentMessage(conversation, { id: 701, content: "after the restart" }))).toEqual(DROPPED);
    await drained();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(notesIn(conversation.id).map((message) => message.content)).toEqual([ROUTE_NOTE]);
    expect(chatwoot.requests).toHaveLength(3);
    expect(await metric("relay_route_notes_total")).toBe(0);
  });

  it("does not acknowledge the reply (503) when the note cannot be stored", async () => {
    await startRelay();
    relay().relay.outbox.close();
    const webhook = signWebhook(agentMessage(edited(handoverConversation(newRoute())), { id: 800, content: "lost" }), WEBHOOK_SECRET);
    const response = await relay().relay.app.inject({ method: "POST", url: "/handover/chatwoot", headers: webhook.headers, payload: webhook.body });
    expect({ status: response.statusCode, body: response.json<unknown>() }).toEqual({ status: 503, body: { error: "outbox unavailable" } });
    expect(chatwoot.requests).toEqual([]);
  });
});
