import { createServer, type IncomingHttpHeaders, type Server } from "http";
import type { AddressInfo } from "net";
import { Client } from "pg";
import { readRecord } from "../../src/core/json-guards";
import { ROUTE_ATTRIBUTE, sealRoute, type SessionRoute } from "../../src/core/route-seal";
import { startChatwootSimulator, USER_TOKEN, type ChatwootSimulator } from "../support/chatwoot-simulator/server";
import { agentMessage, conversationFor, signWebhook } from "../support/chatwoot-webhooks";
import { RELAY_SECRET } from "../support/extension-harness";
import { startFakeCognigyEndpoint, type FakeCognigyEndpoint } from "../support/fake-cognigy-endpoint";
import { metricValue } from "../support/prometheus-text";
import { usePostgres } from "../support/postgres-server";
import { startRelayHarness, WEBHOOK_SECRET, type RelayHarness } from "../support/relay-harness";

/**
 * Issue 13's polling with issue 14's replicas: two relays on one PostgreSQL,
 * Chatwoot's webhooks split between them by a round-robin balancer. Between
 * them they list an inbox's queue at most once per interval and an account's
 * agents once per 5 minutes, number every waiting user whichever replica got
 * their webhooks, never send a position twice, estimate the wait from the
 * queue exits both saw, and count each handover once in the histograms.
 */

const INBOX = 12;
const INTERVAL_MS = 400;
const LISTING = "GET /api/v1/accounts/{account_id}/conversations";
const AGENTS = "GET /api/v1/accounts/{account_id}/agents";

const server = usePostgres();
let url: string;
let chatwoot: ChatwootSimulator;
let cognigy: FakeCognigyEndpoint;
let replicas: RelayHarness[] = [];
let balancer: Server | undefined;
let counter = 0;


beforeEach(async () => {
  url = await server().freshDatabase();
  chatwoot = await startChatwootSimulator();
  cognigy = await startFakeCognigyEndpoint();
});

afterEach(async () => {
  for (const replica of replicas) await replica.close();
  replicas = [];
  await new Promise((resolve) => (balancer === undefined ? resolve(undefined) : balancer.close(resolve)));
  balancer = undefined;
  expect(chatwoot.violations).toEqual([]);
  await chatwoot.close();
  await cognigy.close();
});

function forwardable(headers: IncomingHttpHeaders): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) if (typeof value === "string" && !["host", "connection", "content-length", "transfer-encoding"].includes(name)) result[name] = value;
  return result;
}

/** Two relays on one database behind a round-robin balancer that Chatwoot's webhooks go to; returns the balancer's URL. */
async function startReplicas(extraEnv: Record<string, string> = {}): Promise<string> {
  const env = { RELAY_DATABASE_URL: url, CHATWOOT_BASE_URL: chatwoot.baseUrl, CHATWOOT_API_TOKEN: USER_TOKEN, ...extraEnv };
  replicas = [await startRelayHarness(env, { cognigy, config: { queueUpdateIntervalMs: INTERVAL_MS } }), await startRelayHarness(env, { cognigy, config: { queueUpdateIntervalMs: INTERVAL_MS } })];
  let next = 0;
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const target = replicas[next % replicas.length];
      next += 1;
      if (target === undefined) return void response.writeHead(502).end();
      fetch(`${target.url}${request.url ?? "/"}`, { method: request.method ?? "POST", headers: forwardable(request.headers), body: Buffer.concat(chunks) })
        .then(async (answer) => response.writeHead(answer.status, { "content-type": answer.headers.get("content-type") ?? "application/json" }).end(await answer.text()))
        .catch(() => response.writeHead(502).end());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  balancer = server;
  const address = server.address() as AddressInfo;
  const balanced = `http://127.0.0.1:${address.port}`;
  chatwoot.addInbox({ id: INBOX, webhookUrl: `${balanced}/handover/chatwoot`, webhookSecret: WEBHOOK_SECRET });
  return balanced;
}

interface Waiting {
  id: number;
  route: SessionRoute;
}

function handover(): Waiting {
  counter += 1;
  const route: SessionRoute = { userId: `replica-user-${counter}`, sessionId: `replica-session-${counter}`, urlToken: `replica-url-token-${counter}` };
  const sourceId = `src-replica-${counter}`;
  const contact = chatwoot.store.createContact({ name: `User ${counter}`, identifier: route.userId, email: null, phoneNumber: null }, { inboxId: INBOX, sourceId });
  const sealed = sealRoute(route, { inboxId: INBOX, sourceId }, RELAY_SECRET, Date.now(), { queueUpdates: true });
  const conversation = chatwoot.store.createConversation({ inboxId: INBOX, contactId: contact.id, sourceId, status: null, customAttributes: { [ROUTE_ATTRIBUTE]: sealed }, teamId: null, assigneeId: null });
  return { id: conversation.id, route };
}

function updates(waiting: Waiting): Record<string, unknown>[] {
  return cognigy.delivered
    .filter((inject) => inject.sessionId === waiting.route.sessionId)
    .map((inject) => readRecord(inject.data.chatwoot))
    .filter((event) => event.type === "queue_update");
}

const positions = (waiting: Waiting): unknown[] => updates(waiting).map((event) => event.position);
const count = (operation: string): number => chatwoot.requests.filter((request) => request.operation === operation).length;

async function until(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 8_000): Promise<void> {
  const started = Date.now();
  while (!(await condition())) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function rows(sql: string): Promise<unknown[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

async function metricTotal(name: string, labels?: string): Promise<number> {
  let total = 0;
  for (const replica of replicas) total += metricValue(await (await fetch(`${replica.metricsUrl}/metrics`)).text(), name, labels) ?? 0;
  return total;
}

describe("two relays on one PostgreSQL: queue updates, agents listings and histograms shared", () => {
  it("lists the inbox at most once per interval between them, numbers every waiting user, and never sends a position twice", async () => {
    await startReplicas();
    const started = Date.now();
    const users = Array.from({ length: 6 }, () => handover());
    await until(() => users.every((user) => positions(user).length >= 1), "every waiting user numbered");
    expect(users.map((user) => positions(user)[0])).toEqual([1, 2, 3, 4, 5, 6]);
    const [first, second, third] = users as [Waiting, Waiting, Waiting];
    chatwoot.agent.assign(first.id, 7);
    chatwoot.agent.reply(second.id, "Hello, I am Anna");
    await until(() => positions(users[5] as Waiting).includes(4), "the queue moving on");
    chatwoot.agent.reply(third.id, "Hi");
    await until(() => positions(users[5] as Waiting).includes(3), "the queue moving on again");
    await sleep(INTERVAL_MS * 3);
    const elapsed = Date.now() - started;
    // One listing per interval in total (not per replica), plus the first.
    expect(count(LISTING)).toBeGreaterThanOrEqual(2);
    expect(count(LISTING)).toBeLessThanOrEqual(Math.floor(elapsed / INTERVAL_MS) + 1);
    for (const user of users) expect(new Set(positions(user)).size).toBe(positions(user).length);
    // The last user counts down (one listing may fall between the assignment and the reply: 6, 5, 4, 3).
    const last = positions(users[5] as Waiting);
    expect([last[0], last.at(-1)]).toEqual([6, 3]);
    expect([...last].sort((a, b) => Number(b) - Number(a))).toEqual(last);
    expect(positions(first)).toEqual([1]);
    // Both replicas acknowledged webhooks (the balancer split them) and the answered users are no longer watched.
    expect(await metricTotal("relay_webhooks_received_total")).toBeGreaterThan(0);
    const watched = (await rows("SELECT conversation_id FROM relay_queue_watch ORDER BY conversation_id")).map((row) => readRecord(row).conversation_id);
    expect(watched).toEqual(users.slice(3).map((user) => user.id));
  });

  it("estimates the wait from the queue exits both replicas saw, each recorded once", async () => {
    await startReplicas();
    const users = Array.from({ length: 6 }, () => handover());
    await until(() => users.every((user) => positions(user).length >= 1), "every waiting user numbered");
    for (const user of users.slice(0, 4)) {
      chatwoot.agent.assign(user.id, 7);
      await sleep(150);
    }
    // Each assignment comes as two webhooks (assignee changed, conversation updated), split between the replicas.
    await chatwoot.webhooks.settled();
    await until(async () => (await rows("SELECT 1 FROM relay_queue_exits")).length === 4, "four exits recorded");
    chatwoot.agent.assign((users[4] as Waiting).id, 7);
    const last = users[5] as Waiting;
    await until(() => positions(last).includes(1), "the last user first in the queue");
    // Neither replica saw four exits on its own (each got about half the webhooks): the estimate needs the shared ones.
    expect(updates(last).at(-1)).toMatchObject({ position: 1, waitSeconds: expect.any(Number) });
    expect((await rows("SELECT 1 FROM relay_queue_exits")).length).toBe(5);
  });

  it("counts each handover's first response and duration once in the histograms, whichever replica got the webhooks", async () => {
    await startReplicas();
    const users = [handover(), handover(), handover()];
    await until(() => users.every((user) => positions(user).length >= 1), "every waiting user numbered");
    for (const user of users) chatwoot.agent.reply(user.id, "Hello");
    await chatwoot.webhooks.settled();
    for (const user of users) chatwoot.agent.resolve(user.id);
    await chatwoot.webhooks.settled();
    await until(async () => (await metricTotal("relay_handover_duration_seconds_count", `{inbox="${INBOX}"}`)) >= 3, "three durations");
    await sleep(300);
    expect(await metricTotal("relay_first_response_seconds_count", `{inbox="${INBOX}"}`)).toBe(3);
    expect(await metricTotal("relay_handover_duration_seconds_count", `{inbox="${INBOX}"}`)).toBe(3);
  });

  it("lists an account's agents once per 5 minutes between them", async () => {
    const balanced = await startReplicas({ FORWARD_ASSIGNMENTS: "true" });
    chatwoot.addAgent({ id: 9, name: "Bob Builder", email: "bob@example.com", availability: "online", displayName: "Bob" });
    const route: SessionRoute = { userId: "names-user", sessionId: "names-session", urlToken: "names-url-token" };
    const conversation = conversationFor(route, RELAY_SECRET, { id: 900, inboxId: INBOX, accountId: 1, sourceId: "fixture-names", assignee: null });
    // Messages whose webhooks name the sender only by full name, from an agent the account does not list: each replica would list.
    for (let id = 1; id <= 6; id += 1) {
      const payload = agentMessage(conversation, { id, content: `Message ${id}`, agent: { id: 11, name: "Dan Departed" } });
      const signed = signWebhook({ ...payload, conversation: { ...payload.conversation, messages: [] } }, WEBHOOK_SECRET);
      const answer = await fetch(`${balanced}/handover/chatwoot`, { method: "POST", headers: signed.headers, body: signed.body });
      expect(answer.status).toBe(200);
    }
    await until(() => cognigy.delivered.filter((inject) => inject.sessionId === route.sessionId).length === 6, "six messages");
    expect(count(AGENTS)).toBe(1);
  });
});
