import { mkdtempSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { readRecord } from "../../src/core/json-guards";
import { parseRelayConfig } from "../../src/relay/relay-config";
import { createRelayService } from "../../src/relay/relay-service";
import { startFakeCognigyEndpoint } from "../support/fake-cognigy-endpoint";
import { QUEUE_UPDATE_MAX_AGE_MS } from "../../src/relay/delivery-worker";
import { ROUTE_ATTRIBUTE, sealRoute, type SessionRoute } from "../../src/core/route-seal";
import { RELAY_SECRET } from "../support/extension-harness";
import { startChatwootSimulator, USER_TOKEN, type ChatwootSimulator } from "../support/chatwoot-simulator/server";
import { metricValue } from "../support/prometheus-text";
import { startTestPostgres, type TestPostgres } from "../support/postgres-server";
import { relayEnv, startRelayHarness, WEBHOOK_SECRET, type RelayHarness } from "../support/relay-harness";

/**
 * Issue 13 with the real relay and the Chatwoot simulator: users whose handover
 * asked for queue updates learn their place in the inbox's queue, through the
 * outbox, from one listing per inbox per interval; the relay's histograms see
 * each handover's first response and duration.
 */

const INBOX = 12;
const INTERVAL_MS = 400;
const LISTING = "GET /api/v1/accounts/{account_id}/conversations";

let chatwoot: ChatwootSimulator;
let harness: RelayHarness | undefined;
let counter = 0;

beforeEach(async () => {
  chatwoot = await startChatwootSimulator();
});

afterEach(async () => {
  await harness?.close();
  harness = undefined;
  expect(chatwoot.violations).toEqual([]);
  await chatwoot.close();
});

async function startRelay(options: { token?: boolean; intervalMs?: number; now?: () => number } = {}): Promise<RelayHarness> {
  const env = options.token === false ? {} : { CHATWOOT_BASE_URL: chatwoot.baseUrl, CHATWOOT_API_TOKEN: USER_TOKEN };
  harness = await startRelayHarness({ ...env, ...(await storeEnv()) }, { config: { queueUpdateIntervalMs: options.intervalMs ?? INTERVAL_MS }, ...(options.now === undefined ? {} : { now: options.now }) });
  chatwoot.addInbox({ id: INBOX, webhookUrl: `${harness.url}/handover/chatwoot`, webhookSecret: WEBHOOK_SECRET });
  return harness;
}

function relay(): RelayHarness {
  if (harness === undefined) throw new Error("no relay started");
  return harness;
}

interface Waiting {
  id: number;
  route: SessionRoute;
}

/** A handover as the Handover node makes it: contact, conversation with the sealed route (asking for queue updates or not). */
function handover(queueUpdates = true): Waiting {
  counter += 1;
  const route: SessionRoute = { userId: `queue-user-${counter}`, sessionId: `queue-session-${counter}`, urlToken: `queue-url-token-${counter}` };
  const sourceId = `src-queue-${counter}`;
  const contact = chatwoot.store.createContact({ name: `User ${counter}`, identifier: route.userId, email: null, phoneNumber: null }, { inboxId: INBOX, sourceId });
  const sealed = sealRoute(route, { inboxId: INBOX, sourceId }, RELAY_SECRET, Date.now(), { queueUpdates });
  const conversation = chatwoot.store.createConversation({ inboxId: INBOX, contactId: contact.id, sourceId, status: null, customAttributes: { [ROUTE_ATTRIBUTE]: sealed }, teamId: null, assigneeId: null });
  return { id: conversation.id, route };
}

/** The events each session received, by type. */
function events(waiting: Waiting, type: string): Record<string, unknown>[] {
  return relay()
    .cognigy.delivered.filter((inject) => inject.sessionId === waiting.route.sessionId)
    .map((inject) => readRecord(inject.data.chatwoot))
    .filter((event) => event.type === type);
}

const positions = (waiting: Waiting): unknown[] => events(waiting, "queue_update").map((event) => event.position);
const listings = (): number => chatwoot.requests.filter((request) => request.operation === LISTING).length;

async function until(condition: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function metrics(): Promise<string> {
  const response = await fetch(`${relay().metricsUrl}/metrics`);
  return response.text();
}

/** Every test runs on both outbox stores: the poller enqueues through the same asynchronous store interface. */
function suite(): void {
  describe("relay: queue position updates", () => {
    it("counts three users down as agents take the first two (assignment, first reply), and stops once each is answered", async () => {
      await startRelay();
      const [first, second, third] = [handover(), handover(), handover()] as [Waiting, Waiting, Waiting];
      const other = handover(false);
      await until(() => positions(third).length === 1, "the first updates");
      expect([positions(first), positions(second), positions(third), positions(other)]).toEqual([[1], [2], [3], []]);
      expect(events(first, "queue_update")[0]).toMatchObject({ type: "queue_update", position: 1, waitSeconds: null, conversationId: first.id });

      chatwoot.agent.assign(first.id, 7);
      await until(() => positions(third).length === 2, "updates after the assignment");
      expect([positions(first), positions(second), positions(third)]).toEqual([[1], [2, 1], [3, 2]]);

      chatwoot.agent.reply(second.id, "Hello, I am Anna");
      await until(() => positions(third).length === 3, "updates after the first reply");
      expect([positions(first), positions(second), positions(third)]).toEqual([[1], [2, 1], [3, 2, 1]]);

      chatwoot.agent.reply(third.id, "Hi there");
      await chatwoot.webhooks.settled();
      const before = listings();
      await sleep(INTERVAL_MS * 3);
      // Nobody waits who asked for updates: no more listings, no more updates.
      expect(listings()).toBe(before);
      expect([positions(first), positions(second), positions(third), positions(other)]).toEqual([[1], [2, 1], [3, 2, 1], []]);
    });

    it("lists each inbox at most once per interval, whatever the number of waiting users; those beyond page 1 get no number", async () => {
      await startRelay();
      const started = Date.now();
      const users = Array.from({ length: 40 }, () => handover());
      await until(() => users.slice(0, 25).every((user) => positions(user).length === 1), "the first page's updates");
      await sleep(INTERVAL_MS * 4);
      const elapsed = Date.now() - started;
      const count = listings();
      expect(count).toBeGreaterThanOrEqual(2);
      expect(count).toBeLessThanOrEqual(Math.floor(elapsed / INTERVAL_MS) + 1);
      expect(users.slice(0, 25).map(positions)).toEqual(users.slice(0, 25).map((_, index) => [index + 1]));
      expect(users.slice(25).map(positions)).toEqual(users.slice(25).map(() => []));
      expect(chatwoot.requests.filter((request) => request.operation === LISTING).every((request) => request.token === "user")).toBe(true);
    });

    it("counts a refused listing, retries it next interval, and then sends the update", async () => {
      await startRelay();
      chatwoot.fault(LISTING, { status: 429, body: { error: "Too many requests" } }, 1);
      const user = handover();
      await until(() => positions(user).length === 1, "the update after the retry");
      const text = await metrics();
      expect(metricValue(text, "relay_queue_polls_total", '{result="429"}')).toBe(1);
      expect(metricValue(text, "relay_queue_polls_total", '{result="ok"}')).toBeGreaterThanOrEqual(1);
    });

    it("logs a refused listing once (status and Chatwoot's words, never the token) however often it is refused, and once when it works again", async () => {
      const cognigy = await startFakeCognigyEndpoint();
      const lines: string[] = [];
      const parsed = parseRelayConfig(relayEnv(cognigy, mkdtempSync(join(tmpdir(), "relay-queue-log-")), { CHATWOOT_BASE_URL: chatwoot.baseUrl, CHATWOOT_API_TOKEN: USER_TOKEN, LOG_LEVEL: "info", ...(await storeEnv()) }));
      if (!parsed.ok) throw new Error(parsed.message);
      const service = createRelayService({ ...parsed.config, queueUpdateIntervalMs: INTERVAL_MS }, { logStream: { write: (line: string) => void lines.push(line) } });
      const url = await service.start();
      try {
        chatwoot.addInbox({ id: INBOX, webhookUrl: `${url}/handover/chatwoot`, webhookSecret: WEBHOOK_SECRET });
        chatwoot.fault(LISTING, { status: 401, body: { error: "Invalid Access Token" } }, 3);
        handover();
        await until(() => lines.some((line) => line.includes("queue listing works again")), "the listing to work again");
        const text = await service.metrics.registry.metrics();
        expect(metricValue(text, "relay_queue_polls_total", '{result="401"}')).toBe(3);
        const refused = lines.filter((line) => line.includes("queue listing failed"));
        expect(refused).toHaveLength(1);
        expect(refused[0]).toContain("401");
        expect(refused[0]).toContain("Invalid Access Token");
        await sleep(INTERVAL_MS * 2);
        expect(lines.filter((line) => line.includes("queue listing works again"))).toHaveLength(1);
        expect(lines.join("")).not.toContain(USER_TOKEN);
      } finally {
        await service.stop();
        await cognigy.close();
      }
    });

    it("drops a queue update Cognigy keeps refusing once it is five minutes old, and delivers the conversation's next events", async () => {
      let skew = 0;
      await startRelay({ now: () => Date.now() + skew });
      relay().cognigy.respondWith((inject) => (readRecord(inject.data.chatwoot).type === "queue_update" ? { status: 503 } : undefined));
      const user = handover();
      await until(() => relay().cognigy.injects.some((inject) => readRecord(inject.data.chatwoot).type === "queue_update"), "a refused update");
      skew = QUEUE_UPDATE_MAX_AGE_MS + 1_000;
      await until(() => relay().relay.outbox.depth().pending === 0, "the update dropped");
      expect(metricValue(await metrics(), "relay_queue_updates_expired_total")).toBe(1);
      expect(metricValue(await metrics(), "relay_jobs_dead_lettered_total")).toBe(0);
      // Back to the real time: signed webhooks are checked against the clock.
      skew = 0;
      chatwoot.agent.reply(user.id, "Hello");
      await until(() => events(user, "agent_message").length === 1, "the agent's reply");
      expect(positions(user)).toEqual([]);
    });

    it.each<[string, { token?: boolean; intervalMs?: number }]>([
      ["QUEUE_UPDATE_INTERVAL_SECONDS=0", { intervalMs: 0 }],
      ["no Chatwoot token", { token: false }],
    ])("never lists with %s", async (_, options) => {
      await startRelay(options);
      handover();
      await chatwoot.webhooks.settled();
      await sleep(1_200);
      expect(listings()).toBe(0);
      expect(relay().cognigy.delivered).toEqual([]);
    });

    it("observes the first response and the handover's duration per inbox, and sends the labels with the resolve", async () => {
      await startRelay();
      const [one, two] = [handover(), handover(false)] as [Waiting, Waiting];
      await chatwoot.webhooks.settled();
      await sleep(50);
      chatwoot.agent.note(one.id, "a private note is no reply");
      chatwoot.agent.reply(one.id, "Hello");
      chatwoot.agent.reply(one.id, "Second message");
      chatwoot.agent.reply(two.id, "Hello two");
      chatwoot.agent.label(one.id, ["billing", "vip"]);
      chatwoot.agent.resolve(one.id);
      await until(() => events(one, "status_changed").length === 1, "the resolve");
      expect(events(one, "status_changed")[0]).toMatchObject({ status: "resolved", labels: ["billing", "vip"] });
      const text = await metrics();
      expect(metricValue(text, "relay_first_response_seconds_count", `{inbox="${INBOX}"}`)).toBe(2);
      expect(metricValue(text, "relay_first_response_seconds_bucket", `{le="5",inbox="${INBOX}"}`)).toBe(2);
      expect(metricValue(text, "relay_handover_duration_seconds_count", `{inbox="${INBOX}"}`)).toBe(1);
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
  return { RELAY_DATABASE_URL: await postgres.freshDatabase() };
}

describe.each(["sqlite", "postgres"] as const)("outbox on %s", (kind) => {
  beforeAll(async () => {
    store = kind;
    if (kind === "postgres") postgres ??= await startTestPostgres();
  }, 90_000);
  suite();
});
