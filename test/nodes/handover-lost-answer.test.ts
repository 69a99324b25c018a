import { createChatwootClient } from "../../src/chatwoot/chatwoot-client";
import { createDeadline } from "../../src/chatwoot/deadline";
import { emptyHandoverState } from "../../src/core/handover-state";
import { readRecord } from "../../src/core/json-guards";
import { openRoute } from "../../src/core/route-seal";
import { parseHandoverConfig } from "../../nodes/handover/handover-config";
import { routeDigest } from "../../nodes/handover/lost-conversation";
import { startHandover } from "../../nodes/handover/start-handover";
import { handoverFlow, handoverState, INBOX_ID, RELAY_SECRET, relayEvent, useHarness } from "../support/extension-harness";
import { BOT_TOKEN, startChatwootSimulator, USER_TOKEN } from "../support/chatwoot-simulator/server";
import type { Session } from "../support/cognigy-runtime";

/**
 * Chatwoot carries out "create conversation" but its answer is lost: the
 * connection hangs until the request timeout, or is reset after Chatwoot
 * processed it. The agent already sees the user's message in a conversation
 * whose sealed route leads to this session, so the node looks for it (by that
 * exact route) and continues with it; if it cannot find it, the Error exit, and
 * the user's next request for a human looks again before creating another.
 * An HTTP status is Chatwoot's decision: no lookup.
 */

const ACCOUNT = "/api/v1/accounts/{account_id}";
const CONTACTS = `POST ${ACCOUNT}/contacts`;
const FILTER = `POST ${ACCOUNT}/contacts/filter`;
const CONVERSATIONS = `POST ${ACCOUNT}/conversations`;
const CONTACT_CONVERSATIONS = `GET ${ACCOUNT}/contacts/{id}/conversations`;
const GET_CONVERSATION = `GET ${ACCOUNT}/conversations/{conversation_id}`;
const MESSAGES = `POST ${ACCOUNT}/conversations/{conversation_id}/messages`;
const PUBLIC_CONTACTS = "POST /public/api/v1/inboxes/{inbox_identifier}/contacts";
const PUBLIC_CONVERSATIONS = "GET /public/api/v1/inboxes/{inbox_identifier}/contacts/{contact_identifier}/conversations";
const STARTED = { kind: "child", type: "onChatwootHandoverStarted" };
const ERROR = { kind: "child", type: "onChatwootHandoverError" };

const harness = useHarness();
const state = handoverState;

function newSession(): Session {
  return harness.runtime.createSession({ profile: { firstname: "Jane", lastname: "Doe", email: "jane@example.com" } });
}

async function say(session: Session, text: string, flow = handoverFlow()) {
  const result = await harness.runtime.runFlow(session, flow(text), { text });
  const run = result.runs.at(-1);
  if (run === undefined) throw new Error("no node ran");
  return run;
}

/** What the agent sees in the conversation: [type, private, text]. */
function agentSees(conversationId: number): [string, boolean, string][] {
  return harness.chatwoot.store.messagesOf(conversationId).map((message) => [message.messageType, message.private, message.content]);
}

function onlyConversation() {
  const { conversations } = harness.chatwoot.store;
  expect(conversations).toHaveLength(1);
  const [conversation] = conversations;
  if (conversation === undefined) throw new Error("no conversation");
  return conversation;
}

describe("Chatwoot Handover: the answer to \"create conversation\" is lost, the conversation exists", () => {
  it("connection hangs after Chatwoot created it: timeout (8 s), one lookup, the handover starts with that conversation", async () => {
    const session = newSession();
    await say(session, "My router blinks red");
    harness.chatwoot.fault(CONVERSATIONS, "hang-after");
    harness.chatwoot.clearRequests();
    const run = await say(session, "I want an agent please");

    expect(run.next).toEqual(STARTED);
    expect(run.durationMs).toBeLessThan(15_000);
    expect(harness.chatwoot.operations()).toEqual([CONTACTS, CONVERSATIONS, CONTACT_CONVERSATIONS, MESSAGES]);
    expect(harness.chatwoot.requests[1]).toMatchObject({ status: 200, answerLost: true });
    const conversation = onlyConversation();
    expect(agentSees(conversation.id)).toEqual([
      ["incoming", false, "I want an agent please"],
      ["outgoing", true, "Conversation with the bot before the handover:\n\n**User:**\n> My router blinks red"],
    ]);
    expect(run.outputs.map((output) => output.text)).toEqual(["Please wait a moment, I am connecting you with a colleague."]);
    expect(state(session)).toMatchObject({ status: "live", error: null, unconfirmed: null, conversation: { id: conversation.id, inboxId: INBOX_ID, sessionId: session.sessionId, sourceId: conversation.sourceId } });
    expect(state(session).warnings).toEqual([
      expect.stringMatching(/^Chatwoot request "create conversation" to 127\.0\.0\.1:\d+ timed out after 8000 ms\. Chatwoot had created the conversation all the same: it was found by its sealed route and the handover continued with it\.$/),
    ]);
    expect(run.logs).toContainEqual({ level: "warn", message: expect.stringContaining("found by its sealed route") });
  });

  it("connection reset after Chatwoot created it: one lookup, the handover starts at once, with labels and priority", async () => {
    const session = newSession();
    harness.chatwoot.fault(CONVERSATIONS, "reset-after");
    const run = await say(session, "agent", handoverFlow({ labels: ["vip"], priority: "high", teamId: "3" }));

    expect(run.next).toEqual(STARTED);
    expect(run.durationMs).toBeLessThan(2_000);
    expect(harness.chatwoot.operations()).toEqual([
      CONTACTS,
      CONVERSATIONS,
      CONTACT_CONVERSATIONS,
      `POST ${ACCOUNT}/conversations/{conversation_id}/labels`,
      `PATCH ${ACCOUNT}/conversations/{conversation_id}`,
    ]);
    const conversation = onlyConversation();
    expect(conversation).toMatchObject({ teamId: 3, labels: ["vip"], priority: "high", status: "open" });
    expect(state(session)).toMatchObject({ status: "live", conversation: { id: conversation.id } });
    expect(state(session).warnings).toEqual([expect.stringContaining("the connection was closed before Chatwoot answered (ECONNRESET)")]);
  });

  it("matches the exact route of this attempt, not another conversation of the same session", async () => {
    const session = newSession();
    await say(session, "agent");
    const first = onlyConversation();
    await harness.runtime.runFlow(session, handoverFlow()(""), { data: { chatwoot: relayEvent(session, { type: "status_changed", status: "resolved" }) } });
    expect(state(session).status).toBe("ended");
    // The earlier conversation, reopened by an agent, carries a route to the same session: it must not be taken.
    harness.chatwoot.store.setStatus(first, "open");
    harness.chatwoot.fault(CONVERSATIONS, "reset-after");
    const run = await say(session, "agent again");
    expect(run.next).toEqual(STARTED);
    const second = harness.chatwoot.store.conversations[1];
    expect(harness.chatwoot.store.conversations).toHaveLength(2);
    expect(state(session)).toMatchObject({ status: "live", conversation: { id: second?.id } });
    // Both routes lead to this session: only the exact value tells them apart.
    for (const conversation of [first, second]) {
      const opened = openRoute(conversation?.customAttributes.cognigy_route, { inboxId: INBOX_ID, sourceId: conversation?.sourceId ?? "" }, RELAY_SECRET);
      expect(opened.ok && opened.route.sessionId).toBe(session.sessionId);
    }
  });

  it("a returning user (contact known only by its derived source id): the contact is found by its identifier, then its conversations", async () => {
    const first = newSession();
    await say(first, "agent");
    const again = harness.runtime.createSession({ userId: first.userId, profile: first.profile });
    harness.chatwoot.fault(CONVERSATIONS, "reset-after");
    harness.chatwoot.clearRequests();
    const run = await say(again, "agent");
    expect(run.next).toEqual(STARTED);
    expect(harness.chatwoot.operations()).toEqual([CONTACTS, CONVERSATIONS, FILTER, CONTACT_CONVERSATIONS]);
    expect(harness.chatwoot.store.contacts).toHaveLength(1);
    expect(harness.chatwoot.store.conversations).toHaveLength(2);
    expect(state(again)).toMatchObject({ status: "live", conversation: { id: harness.chatwoot.store.conversations[1]?.id } });
  });

  it("an agent-bot token: the inbox's public list, then the newest open conversations read one by one", async () => {
    harness.runtime.setConnection("cw", { baseUrl: harness.chatwoot.baseUrl, accountId: "1", apiKey: BOT_TOKEN, relaySecret: RELAY_SECRET });
    const session = newSession();
    harness.chatwoot.fault(CONVERSATIONS, "reset-after");
    const run = await say(session, "agent", handoverFlow({ inboxIdentifier: `inbox-identifier-${INBOX_ID}` }));
    expect(run.next).toEqual(STARTED);
    expect(harness.chatwoot.operations()).toEqual([PUBLIC_CONTACTS, CONVERSATIONS, PUBLIC_CONVERSATIONS, GET_CONVERSATION]);
    expect(harness.chatwoot.requests.map((request) => request.token)).toEqual(["none", "bot", "none", "bot"]);
    expect(state(session)).toMatchObject({ status: "live", conversation: { id: onlyConversation().id } });
  });
});

describe("Chatwoot Handover: the answer to \"create conversation\" is lost, the conversation cannot be found now", () => {
  it("the lookup fails too: the Error exit, a message that names both failures; the user's next request continues with that conversation", async () => {
    const session = newSession();
    await say(session, "My router blinks red");
    harness.chatwoot.fault(CONVERSATIONS, "reset-after");
    harness.chatwoot.fault(CONTACT_CONVERSATIONS, { status: 500, body: { status: 500, error: "Internal Server Error" } });
    const failed = await say(session, "I want an agent please");

    expect(failed.next).toEqual(ERROR);
    const error = readRecord(state(session).error);
    expect(error).toMatchObject({ operation: "create conversation", kind: "network", status: null });
    expect(String(error.message)).toMatch(
      /^Chatwoot request "create conversation" to 127\.0\.0\.1:\d+ failed: the connection was closed before Chatwoot answered \(ECONNRESET\)\. .* Chatwoot may have created the conversation anyway, and looking for it failed too: Chatwoot request "list contact conversations" failed with HTTP 500: Internal Server Error\. .* The next handover looks for it before creating another\.$/,
    );
    expect(failed.logs).toContainEqual({ level: "error", message: `[chatwoot] ${String(error.message)}` });
    const lost = onlyConversation();
    expect(state(session)).toMatchObject({
      status: "error",
      unconfirmed: { inboxId: INBOX_ID, sourceId: lost.sourceId, sessionId: session.sessionId, routeDigest: routeDigest(String(lost.customAttributes.cognigy_route)) },
    });
    // The sealed route is not in the context, only its digest.
    expect(JSON.stringify(session.context)).not.toContain(String(lost.customAttributes.cognigy_route));

    harness.chatwoot.clearRequests();
    const retry = await say(session, "agent, please");
    expect(retry.next).toEqual(STARTED);
    expect(harness.chatwoot.operations()).toEqual([CONTACT_CONVERSATIONS, MESSAGES, MESSAGES]);
    expect(onlyConversation().id).toBe(lost.id);
    expect(agentSees(lost.id)).toEqual([
      ["incoming", false, "I want an agent please"],
      ["incoming", false, "agent, please"],
      ["outgoing", true, "Conversation with the bot before the handover:\n\n**User:**\n> My router blinks red\n\n**User:**\n> I want an agent please"],
    ]);
    expect(state(session)).toMatchObject({ status: "live", error: null, unconfirmed: null, conversation: { id: lost.id, sessionId: session.sessionId } });
    expect(state(session).warnings).toEqual([expect.stringContaining(`Chatwoot had created conversation ${lost.id} all the same`)]);
    const opened = openRoute(lost.customAttributes.cognigy_route, { inboxId: INBOX_ID, sourceId: lost.sourceId }, RELAY_SECRET);
    expect(opened.ok && opened.route.sessionId).toBe(session.sessionId);
  });

  it("nothing was created (reset before Chatwoot acted): the Error exit; the next request looks once, finds nothing, creates one", async () => {
    const session = newSession();
    harness.chatwoot.fault(CONVERSATIONS, "reset");
    const failed = await say(session, "agent");
    expect(failed.next).toEqual(ERROR);
    expect(harness.chatwoot.operations()).toEqual([CONTACTS, CONVERSATIONS, CONTACT_CONVERSATIONS]);
    expect(String(readRecord(state(session).error).message)).toContain("Chatwoot has no conversation from this attempt (it may still be creating it). The next handover looks for it before creating another.");
    expect(harness.chatwoot.store.conversations).toHaveLength(0);

    harness.chatwoot.clearRequests();
    const retry = await say(session, "agent");
    expect(retry.next).toEqual(STARTED);
    // The lookup, the conversation, and the history note with the first request the Session node recorded.
    expect(harness.chatwoot.operations()).toEqual([CONTACT_CONVERSATIONS, CONVERSATIONS, MESSAGES]);
    expect(onlyConversation()).toBeDefined();
    expect(state(session)).toMatchObject({ status: "live", unconfirmed: null, warnings: [] });
  });

  it("the lookup at the next request fails: the handover still starts (a new conversation), with a warning", async () => {
    const session = newSession();
    harness.chatwoot.fault(CONVERSATIONS, "reset");
    await say(session, "agent");
    harness.chatwoot.fault(CONTACT_CONVERSATIONS, { status: 403, body: { error: "Access denied" } }, 2);
    harness.chatwoot.clearRequests();
    const retry = await say(session, "agent");
    expect(retry.next).toEqual(STARTED);
    expect(harness.chatwoot.operations()).toEqual([CONTACT_CONVERSATIONS, CONVERSATIONS, MESSAGES]);
    expect(state(session).warnings).toEqual([expect.stringMatching(/^Looking for the conversation of the earlier attempt, whose answer from Chatwoot was lost, failed: Chatwoot request "list contact conversations" failed with HTTP 403: Access denied\./)]);
  });

  it("a conversation the agent resolved since is not taken over: a new one is created", async () => {
    const session = newSession();
    harness.chatwoot.fault(CONVERSATIONS, "reset-after");
    harness.chatwoot.fault(CONTACT_CONVERSATIONS, "reset");
    await say(session, "agent");
    const lost = onlyConversation();
    harness.chatwoot.store.setStatus(lost, "resolved");
    const retry = await say(session, "agent");
    expect(retry.next).toEqual(STARTED);
    expect(harness.chatwoot.store.conversations).toHaveLength(2);
    expect(state(session)).toMatchObject({ status: "live", conversation: { id: harness.chatwoot.store.conversations[1]?.id } });
  });

  it("a handover made live again meanwhile (Resolve/Reopen node) goes on in its conversation: no lookup, no switch", async () => {
    const session = newSession();
    await say(session, "agent");
    const first = onlyConversation();
    await harness.runtime.runFlow(session, handoverFlow()(""), { data: { chatwoot: relayEvent(session, { type: "status_changed", status: "resolved" }) } });
    harness.chatwoot.fault(CONVERSATIONS, "reset-after");
    harness.chatwoot.fault(CONTACT_CONVERSATIONS, "reset");
    expect((await say(session, "agent")).next).toEqual(ERROR);
    expect(state(session).unconfirmed).toMatchObject({ sessionId: session.sessionId });
    await harness.runtime.runNode(session, "chatwootResolveReopen", { connection: "cw", action: "reopen" });
    expect(state(session)).toMatchObject({ status: "live", conversation: { id: first.id } });
    harness.chatwoot.clearRequests();
    // While live, the Session node forwards what the user types; a flow may still run the Handover node.
    const again = await harness.runtime.runNode(session, "chatwootHandover", { connection: "cw", inboxId: String(INBOX_ID) }, { text: "agent" });
    expect(again.next).toMatchObject({ kind: "wait" });
    expect(harness.chatwoot.operations()).toEqual([MESSAGES]);
    expect(state(session)).toMatchObject({ status: "live", conversation: { id: first.id }, unconfirmed: null });
  });

  it.each([
    [500, { status: 500, error: "Internal Server Error" }],
    [422, { message: "Contact inbox must exist" }],
  ])("HTTP %i on create: Chatwoot decided, so no lookup and nothing to look for later", async (status, body) => {
    const session = newSession();
    harness.chatwoot.fault(CONVERSATIONS, { status, body });
    const failed = await say(session, "agent");
    expect(failed.next).toEqual(ERROR);
    expect(harness.chatwoot.operations()).toEqual([CONTACTS, CONVERSATIONS]);
    expect(readRecord(state(session).error)).toMatchObject({ operation: "create conversation", kind: "http", status });
    expect(state(session).unconfirmed ?? null).toBeNull();
    harness.chatwoot.clearRequests();
    await say(session, "agent");
    expect(harness.chatwoot.operations()).toEqual([CONVERSATIONS, MESSAGES]);
  });

  it("a refused connection: the request never reached Chatwoot, so no lookup", async () => {
    harness.runtime.setConnection("cw", { baseUrl: "http://127.0.0.1:9", accountId: "1", apiKey: USER_TOKEN, relaySecret: RELAY_SECRET });
    const session = newSession();
    const failed = await say(session, "agent");
    expect(failed.next).toEqual(ERROR);
    expect(readRecord(state(session).error)).toMatchObject({ kind: "network", message: 'Chatwoot request "create contact" could not reach 127.0.0.1:9 (ECONNREFUSED).' });
    expect(state(session).unconfirmed ?? null).toBeNull();
  });
});

/** The node's time budget, at a small scale: the product's own code with a short deadline and request timeout. */
describe("startHandover: the lookup only within the node's time budget", () => {
  async function handoverWithBudget(budgetMs: number, requestTimeoutMs: number) {
    const chatwoot = await startChatwootSimulator();
    try {
      chatwoot.addInbox({ id: INBOX_ID });
      chatwoot.fault(CONVERSATIONS, "hang-after");
      const config = parseHandoverConfig({ inboxId: String(INBOX_ID), contactIdentifier: "user-budget", contactName: "Jane Doe" });
      if (!config.ok) throw new Error(config.message);
      const client = createChatwootClient({ baseUrl: chatwoot.baseUrl, apiKey: USER_TOKEN, accountId: 1, deadline: createDeadline(budgetMs), requestTimeoutMs });
      const started = Date.now();
      const outcome = await startHandover(client, {
        config: config.value,
        account: `${chatwoot.baseUrl}#1`,
        relaySecret: RELAY_SECRET,
        route: { userId: "user-budget", sessionId: "session-budget", urlToken: "url-token" },
        inputId: "input-1",
        triggerText: "agent",
        transcript: [],
        state: emptyHandoverState(),
        now: Date.now(),
      });
      return { outcome, elapsedMs: Date.now() - started, operations: chatwoot.operations(), conversations: chatwoot.store.conversations.length, violations: chatwoot.violations };
    } finally {
      await chatwoot.close();
    }
  }

  it("with too little time left after the timeout: no lookup, the Error exit, and the next handover will look", async () => {
    const { outcome, elapsedMs, operations, conversations, violations } = await handoverWithBudget(1_300, 1_000);
    expect(operations).toEqual([CONTACTS, CONVERSATIONS]);
    expect(conversations).toBe(1);
    expect(outcome.kind).toBe("error");
    expect(outcome.kind === "error" && outcome.error).toMatchObject({ operation: "create conversation", kind: "timeout" });
    expect(outcome.kind === "error" && outcome.error.message).toMatch(/timed out after 1000 ms\. Chatwoot may have created the conversation anyway; the node's time budget left no time to look for it\. The next handover looks for it before creating another\.$/);
    expect(outcome.state.unconfirmed).toMatchObject({ sessionId: "session-budget", contactId: expect.any(Number) });
    expect(elapsedMs).toBeLessThan(1_300 + 300);
    expect(violations).toEqual([]);
  });

  it("with time left: the lookup finds it and the handover starts, within the budget", async () => {
    const { outcome, elapsedMs, operations, violations } = await handoverWithBudget(3_000, 1_000);
    expect(operations).toEqual([CONTACTS, CONVERSATIONS, CONTACT_CONVERSATIONS]);
    expect(outcome.kind).toBe("started");
    expect(elapsedMs).toBeLessThan(3_000);
    expect(violations).toEqual([]);
  });
});
