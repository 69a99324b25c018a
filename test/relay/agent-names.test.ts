import { mkdtempSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { readRecord } from "../../src/core/json-guards";
import { ROUTE_ATTRIBUTE, sealRoute, type SessionRoute } from "../../src/core/route-seal";
import { AGENT_LISTING_INTERVAL_MS } from "../../src/relay/agent-directory";
import { parseRelayConfig } from "../../src/relay/relay-config";
import { createRelayService, type RelayService } from "../../src/relay/relay-service";
import { BOT_TOKEN, startChatwootSimulator, USER_TOKEN, type ChatwootSimulator } from "../support/chatwoot-simulator/server";
import { agentMessage, conversationFor, signWebhook, type WebhookAgent } from "../support/chatwoot-webhooks";
import { RELAY_SECRET } from "../support/extension-harness";
import { startFakeCognigyEndpoint, type FakeCognigyEndpoint } from "../support/fake-cognigy-endpoint";
import { metricValue } from "../support/prometheus-text";
import { startTestPostgres, type TestPostgres } from "../support/postgres-server";
import { relayEnv, startRelayHarness, WEBHOOK_SECRET, type RelayHarness } from "../support/relay-harness";

/**
 * Issue 13, agent names, with the real relay and the Chatwoot simulator: an
 * agent's messages name the agent as Chatwoot shows customers
 * (`available_name`: the display name, else the full name), the same as the
 * assignment does. A message's own sender is User#webhook_data (full name
 * only); the relay learns display names from webhooks' push data and, for an
 * agent still unknown, lists the account's agents at most once per 5 minutes.
 */

const INBOX = 12;
const AGENTS = "GET /api/v1/accounts/{account_id}/agents";

let chatwoot: ChatwootSimulator;
let harness: RelayHarness | undefined;
let counter = 0;

beforeEach(async () => {
  chatwoot = await startChatwootSimulator();
  chatwoot.addAgent({ id: 9, name: "Bob Builder", email: "bob@example.com", availability: "online", displayName: "Bob" });
  chatwoot.addAgent({ id: 10, name: "Carla Colleague", email: "carla@example.com", availability: "online" });
});

afterEach(async () => {
  await harness?.close();
  harness = undefined;
  expect(chatwoot.violations).toEqual([]);
  await chatwoot.close();
});

async function startRelay(options: { token?: string | null; now?: () => number } = {}): Promise<RelayHarness> {
  const token = options.token === undefined ? USER_TOKEN : options.token;
  const env = { FORWARD_ASSIGNMENTS: "true", ...(token === null ? {} : { CHATWOOT_BASE_URL: chatwoot.baseUrl, CHATWOOT_API_TOKEN: token }) };
  harness = await startRelayHarness({ ...env, ...(await storeEnv()) }, options.now === undefined ? {} : { now: options.now });
  chatwoot.addInbox({ id: INBOX, webhookUrl: `${harness.url}/handover/chatwoot`, webhookSecret: WEBHOOK_SECRET });
  return harness;
}

function newRoute(): SessionRoute {
  counter += 1;
  return { userId: `names-user-${counter}`, sessionId: `names-session-${counter}`, urlToken: `names-url-token-${counter}` };
}

/** A handover in the simulator, as the Handover node makes it. */
function handover(): { id: number; route: SessionRoute } {
  const route = newRoute();
  const sourceId = `src-names-${counter}`;
  const contact = chatwoot.store.createContact({ name: `User ${counter}`, identifier: route.userId, email: null, phoneNumber: null }, { inboxId: INBOX, sourceId });
  const sealed = sealRoute(route, { inboxId: INBOX, sourceId }, RELAY_SECRET);
  const conversation = chatwoot.store.createConversation({ inboxId: INBOX, contactId: contact.id, sourceId, status: null, customAttributes: { [ROUTE_ATTRIBUTE]: sealed }, teamId: null, assigneeId: null });
  return { id: conversation.id, route };
}

/** The events a session received (unverified: delivery.test.ts checks the signatures). */
function eventsOf(cognigy: FakeCognigyEndpoint, route: SessionRoute, type: string): Record<string, unknown>[] {
  return cognigy.delivered
    .filter((inject) => inject.sessionId === route.sessionId)
    .map((inject) => readRecord(inject.data.chatwoot))
    .filter((event) => event.type === type);
}

async function until(condition: () => boolean, what: string, timeoutMs = 8_000): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const listings = (): number => chatwoot.requests.filter((request) => request.operation === AGENTS).length;

/**
 * An agent's reply whose webhook names the agent only in its sender (User#webhook_data): the
 * conversation has no assignee and its last message is not this one (Chatwoot builds the payload
 * in a job, after the contact may have written again: event_data_presenter.rb#push_messages).
 */
function replyWithoutPushData(route: SessionRoute, messageId: number, agent: WebhookAgent): Record<string, unknown> {
  const conversation = conversationFor(route, RELAY_SECRET, { id: 500 + counter, inboxId: INBOX, accountId: 1, sourceId: `fixture-${route.userId}`, assignee: null });
  const payload = agentMessage(conversation, { id: messageId, content: `Message ${messageId}`, agent });
  return { ...payload, conversation: { ...payload.conversation, messages: [] } };
}

/** Every test runs on both outbox stores: the name is looked up at delivery, whichever store held the job. */
function suite(): void {
  describe("relay: agent names as customers see them", () => {
    it("shows an agent's display name in the assignment and in their messages alike, from the webhooks alone", async () => {
      const h = await startRelay();
      chatwoot.store.setDisplayName(7, "Anna");
      const user = handover();
      chatwoot.agent.assign(user.id, 7);
      chatwoot.agent.reply(user.id, "Hello, I am Anna.");
      // Another agent (not the assignee) with a display name, and one without.
      chatwoot.agent.reply(user.id, "Bob here, covering for Anna.", { agentId: 9 });
      chatwoot.agent.reply(user.id, "And Carla.", { agentId: 10 });
      // The assignment may be delivered after the messages (Chatwoot's order by its timestamps, in the reorder window).
      await until(() => eventsOf(h.cognigy, user.route, "agent_message").length === 3 && eventsOf(h.cognigy, user.route, "agent_assigned").length === 1, "the assignment and the three messages");
      expect(eventsOf(h.cognigy, user.route, "agent_assigned").map((event) => event.agentName)).toEqual(["Anna"]);
      expect(eventsOf(h.cognigy, user.route, "agent_message").map((event) => [event.agentName, event.text])).toEqual([
        ["Anna", "Hello, I am Anna."],
        ["Bob", "Bob here, covering for Anna."],
        ["Carla Colleague", "And Carla."],
      ]);
      // The simulator records a delivery when the relay's answer reaches it, which may come after the jobs were delivered.
      await chatwoot.webhooks.settled();
      // What the webhooks' sender said: the full names (sorted: deliveries are recorded as the relay answers them, and
      // on PostgreSQL each concurrent webhook is answered after its own commit). The push data named every agent: no listing.
      expect(chatwoot.webhooks.deliveries.filter((delivery) => delivery.event === "message_created").map((delivery) => readRecord(delivery.payload.sender).name).sort()).toEqual(["Anna Agent", "Bob Builder", "Carla Colleague"]);
      expect(listings()).toBe(0);
    });

    it("lists the agents once per account per 5 minutes for senders no webhook named, and keeps the full name of an agent Chatwoot does not list", async () => {
      let skew = 0;
      const h = await startRelay({ now: () => Date.now() + skew });
      const route = newRoute();
      const post = (payload: unknown) => h.post(signWebhook(payload, WEBHOOK_SECRET, { timestamp: Math.floor((Date.now() + skew) / 1000) }));
      expect((await post(replyWithoutPushData(route, 1, { id: 9, name: "Bob Builder" }))).status).toBe(200);
      await until(() => eventsOf(h.cognigy, route, "agent_message").length === 1, "Bob's message");
      // The listing named every agent of the account: Carla needs none.
      await post(replyWithoutPushData(route, 2, { id: 10, name: "Carla Colleague" }));
      // Dan left the account: not listed, and not listed again within 5 minutes.
      await post(replyWithoutPushData(route, 3, { id: 11, name: "Dan Departed" }));
      await post(replyWithoutPushData(route, 4, { id: 11, name: "Dan Departed" }));
      await until(() => eventsOf(h.cognigy, route, "agent_message").length === 4, "four messages");
      expect(listings()).toBe(1);
      skew = AGENT_LISTING_INTERVAL_MS + 1_000;
      await post(replyWithoutPushData(route, 5, { id: 11, name: "Dan Departed" }));
      await until(() => eventsOf(h.cognigy, route, "agent_message").length === 5, "the fifth message");
      expect(listings()).toBe(2);
      expect(eventsOf(h.cognigy, route, "agent_message").map((event) => event.agentName)).toEqual(["Bob", "Carla Colleague", "Dan Departed", "Dan Departed", "Dan Departed"]);
      expect(chatwoot.requests.filter((request) => request.operation === AGENTS).every((request) => request.token === "user" && request.status === 200)).toBe(true);
      const text = await (await fetch(`${h.metricsUrl}/metrics`)).text();
      expect(metricValue(text, "relay_agent_listings_total", '{result="ok"}')).toBe(2);
      // Dan: twice within the interval of Bob's listing, once after the second listing.
      expect(metricValue(text, "relay_agent_name_fallbacks_total", '{reason="listed_recently"}')).toBe(2);
      expect(metricValue(text, "relay_agent_name_fallbacks_total", '{reason="not_listed"}')).toBe(1);
    });

    it("acknowledges the webhook before the listing answers: a listing that hangs delays only that message, which then keeps the full name", async () => {
      const h = await startRelay();
      chatwoot.fault(AGENTS, "hang");
      const route = newRoute();
      const answer = await h.post(signWebhook(replyWithoutPushData(route, 1, { id: 9, name: "Bob Builder" }), WEBHOOK_SECRET));
      expect(answer).toMatchObject({ status: 200, body: { status: "accepted" } });
      // Had the intake waited for the listing, it would have timed out by now.
      const early = await (await fetch(`${h.metricsUrl}/metrics`)).text();
      expect(metricValue(early, "relay_agent_listings_total", '{result="timeout"}')).toBe(0);
      await until(() => eventsOf(h.cognigy, route, "agent_message").length === 1, "the message after the listing's timeout");
      expect(eventsOf(h.cognigy, route, "agent_message")[0]).toMatchObject({ agentName: "Bob Builder", text: "Message 1" });
      const late = await (await fetch(`${h.metricsUrl}/metrics`)).text();
      expect(metricValue(late, "relay_agent_listings_total", '{result="timeout"}')).toBe(1);
    });

    it("keeps the full name without a Chatwoot token, and asks Chatwoot nothing", async () => {
      const h = await startRelay({ token: null });
      const route = newRoute();
      await h.post(signWebhook(replyWithoutPushData(route, 1, { id: 9, name: "Bob Builder" }), WEBHOOK_SECRET));
      await until(() => eventsOf(h.cognigy, route, "agent_message").length === 1, "the message");
      expect(eventsOf(h.cognigy, route, "agent_message")[0]).toMatchObject({ agentName: "Bob Builder" });
      expect(chatwoot.requests).toEqual([]);
    });
  });

  describe("relay: a refused agents listing", () => {
    let service: RelayService | undefined;
    let cognigy: FakeCognigyEndpoint | undefined;

    afterEach(async () => {
      await service?.stop();
      await cognigy?.close();
      service = undefined;
      cognigy = undefined;
    });

    it("falls back to the full name with an agent-bot token (401 for bots), logged once with Chatwoot's words and never the token", async () => {
      cognigy = await startFakeCognigyEndpoint();
      const lines: string[] = [];
      const env = relayEnv(cognigy, mkdtempSync(join(tmpdir(), "relay-agent-names-")), { CHATWOOT_BASE_URL: chatwoot.baseUrl, CHATWOOT_API_TOKEN: BOT_TOKEN, LOG_LEVEL: "info", ...(await storeEnv()) });
      const parsed = parseRelayConfig(env);
      if (!parsed.ok) throw new Error(parsed.message);
      service = createRelayService(parsed.config, { logStream: { write: (line: string) => void lines.push(line) } });
      const url = await service.start();
      const post = (payload: unknown) => {
        const signed = signWebhook(payload, WEBHOOK_SECRET);
        return fetch(`${url}/handover/chatwoot`, { method: "POST", headers: signed.headers, body: signed.body });
      };
      const route = newRoute();
      await post(replyWithoutPushData(route, 1, { id: 9, name: "Bob Builder" }));
      await post(replyWithoutPushData(route, 2, { id: 10, name: "Carla Colleague" }));
      const endpoint = cognigy;
      await until(() => eventsOf(endpoint, route, "agent_message").length === 2, "both messages");
      expect(eventsOf(endpoint, route, "agent_message").map((event) => event.agentName)).toEqual(["Bob Builder", "Carla Colleague"]);
      expect(chatwoot.requests.filter((request) => request.operation === AGENTS).map((request) => [request.token, request.status])).toEqual([["bot", 401]]);
      const refused = lines.filter((line) => line.includes("agents listing failed"));
      expect(refused).toHaveLength(1);
      expect(refused[0]).toContain("401");
      expect(refused[0]).toContain("not authorized for bots");
      expect(lines.join("")).not.toContain(BOT_TOKEN);
    });
  });
}

let postgres: TestPostgres | undefined;
/** Where the next relay keeps its outbox: SQLite in a temporary directory, or a fresh PostgreSQL database. */
let store: "sqlite" | "postgres" = "sqlite";

afterAll(async () => {
  await postgres?.stop();
});

async function storeEnv(): Promise<Record<string, string>> {
  if (store === "sqlite") return {};
  postgres ??= await startTestPostgres();
  // The simulator sends webhooks concurrently, as Chatwoot's jobs do; on PostgreSQL each turn's enqueue commits on
  // its own connection, so two webhooks of one conversation can commit out of arrival order. The reorder window
  // (what it is for) puts them back in Chatwoot's order; the SQLite relay of these tests runs with none.
  return { RELAY_DATABASE_URL: await postgres.freshDatabase(), REORDER_WINDOW_MS: "300" };
}

describe.each(["sqlite", "postgres"] as const)("outbox on %s", (kind) => {
  beforeAll(async () => {
    store = kind;
    if (kind === "postgres") postgres ??= await startTestPostgres();
  }, 90_000);
  suite();
});
