import { openRoute, openStampedRoute } from "../../src/core/route-seal";
import { readRecord } from "../../src/core/json-guards";
import {handoverFlow, handoverState, INBOX_ID, RELAY_SECRET, relayEvent, storedConversationId, useHarness } from "../support/extension-harness";
import { BOT_TOKEN, USER_TOKEN } from "../support/chatwoot-simulator/server";
import type { Session } from "../support/cognigy-runtime";

const CONTACTS = "POST /api/v1/accounts/{account_id}/contacts";
const CONVERSATIONS = "POST /api/v1/accounts/{account_id}/conversations";
const MESSAGES = "POST /api/v1/accounts/{account_id}/conversations/{conversation_id}/messages";
const INBOX_MEMBERS = "GET /api/v1/accounts/{account_id}/inbox_members/{inbox_id}";
const INBOX = "GET /api/v1/accounts/{account_id}/inboxes/{id}";
const TOGGLE_STATUS = "POST /api/v1/accounts/{account_id}/conversations/{conversation_id}/toggle_status";

const harness = useHarness();
const state = handoverState;

function newSession(): Session {
  return harness.runtime.createSession({ profile: { firstname: "Jane", lastname: "Doe", email: "jane@example.com" } });
}

async function say(session: Session, text: string, flow = handoverFlow()) {
  return harness.runtime.runFlow(session, flow(text), { text });
}

async function agentResolves(session: Session): Promise<void> {
  await harness.runtime.runFlow(session, handoverFlow()(""), { data: { chatwoot: relayEvent(session, { type: "status_changed", status: "resolved" }) } });
}

describe("Chatwoot Handover: a new user", () => {
  it("creates contact, conversation with the user's message and the history in 3 requests, and says the accepted message", async () => {
    const session = newSession();
    await say(session, "My router blinks red");
    harness.chatwoot.clearRequests();
    const result = await say(session, "I want an agent please", handoverFlow({ teamId: "3" }));

    expect(harness.chatwoot.operations()).toEqual([CONTACTS, CONVERSATIONS, MESSAGES]);
    const [contact] = harness.chatwoot.store.contacts;
    expect(contact).toMatchObject({ identifier: session.userId, name: "Jane Doe", email: "jane@example.com" });
    const [conversation] = harness.chatwoot.store.conversations;
    expect(conversation).toMatchObject({ inboxId: INBOX_ID, teamId: 3, status: "open" });
    const messages = harness.chatwoot.store.messagesOf(conversation?.id ?? 0);
    expect(messages.map((message) => [message.messageType, message.private, message.content])).toEqual([
      ["incoming", false, "I want an agent please"],
      ["outgoing", true, "Conversation with the bot before the handover:\n\n**User:**\n> My router blinks red"],
    ]);
    expect(result.outputs.map((output) => output.text)).toEqual(["Please wait a moment, I am connecting you with a colleague."]);
    expect(state(session)).toMatchObject({ status: "live", conversation: { id: conversation?.id, inboxId: INBOX_ID, sessionId: session.sessionId } });
  });

  it("seals the route to this Cognigy session into the conversation, bound to the contact", async () => {
    const session = newSession();
    await say(session, "agent");
    const [conversation] = harness.chatwoot.store.conversations;
    const sealed = conversation?.customAttributes.cognigy_route;
    expect(typeof sealed).toBe("string");
    expect(String(sealed)).not.toContain(session.sessionId);
    const opened = openRoute(sealed, { inboxId: INBOX_ID, sourceId: conversation?.sourceId ?? "" }, RELAY_SECRET);
    expect(opened).toEqual({ ok: true, route: { userId: session.userId, sessionId: session.sessionId, urlToken: session.URLToken } });
    expect(openRoute(sealed, { inboxId: INBOX_ID, sourceId: "another-contact" }, RELAY_SECRET).ok).toBe(false);
  });

  it("keeps the designer's conversation attributes next to the route", async () => {
    const session = newSession();
    await say(session, "agent", handoverFlow({ customAttributes: { order: "{{context.order}}" } }));
    expect(Object.keys(harness.chatwoot.store.conversations[0]?.customAttributes ?? {}).sort()).toEqual(["cognigy_route", "order"]);
  });

  it("posts a Get Transcript transcript when the history field is empty", async () => {
    const session = newSession();
    session.context.transcript = [
      { role: "user", type: "input", payload: { text: "Hello" }, timestamp: 1 },
      { role: "assistant", type: "output", payload: { text: "Hi, how can I help?" }, timestamp: 2 },
    ];
    await say(session, "agent");
    const note = harness.chatwoot.store.messages.find((message) => message.private);
    expect(note?.content).toContain("**User:**\n> Hello\n\n**Bot:**\n> Hi, how can I help?");
  });

  it("posts the history as the configured agent bot, so Chatwoot shows the bot's name", async () => {
    const session = newSession();
    await say(session, "hello");
    await say(session, "agent", handoverFlow({ agentBotId: String(harness.chatwoot.botId) }));
    const note = harness.chatwoot.store.messages.find((message) => message.private);
    expect(note).toMatchObject({ senderType: "AgentBot", senderId: harness.chatwoot.botId });
  });

  it("sets labels and priority with one request each", async () => {
    const session = newSession();
    await say(session, "agent", handoverFlow({ labels: ["vip", "billing"], priority: "high" }));
    expect(harness.chatwoot.operations()).toEqual([
      CONTACTS,
      CONVERSATIONS,
      "POST /api/v1/accounts/{account_id}/conversations/{conversation_id}/labels",
      "PATCH /api/v1/accounts/{account_id}/conversations/{conversation_id}",
    ]);
    expect(harness.chatwoot.store.conversations[0]).toMatchObject({ labels: ["vip", "billing"], priority: "high" });
  });
});

describe("Chatwoot Handover: a known user", () => {
  it("skips the contact lookup, creates no duplicate contact and re-sends no history (at most 2 requests)", async () => {
    const session = newSession();
    await say(session, "first question");
    await say(session, "agent");
    await agentResolves(session);
    await say(session, "second question");
    harness.chatwoot.clearRequests();
    await say(session, "agent again");

    expect(harness.chatwoot.operations()).toEqual([CONVERSATIONS, MESSAGES]);
    expect(harness.chatwoot.store.contacts).toHaveLength(1);
    const second = harness.chatwoot.store.conversations[1];
    const note = harness.chatwoot.store.messagesOf(second?.id ?? 0).find((message) => message.private);
    expect(note?.content).toContain("**User:**\n> second question");
    expect(note?.content).not.toContain("first question");
  });

  it("recognises a returning user in a new Cognigy session without a lookup or a duplicate (3 requests)", async () => {
    const first = newSession();
    await say(first, "agent");
    const again = harness.runtime.createSession({ userId: first.userId, profile: first.profile });
    harness.chatwoot.clearRequests();
    await say(again, "agent");
    expect(harness.chatwoot.operations()).toEqual([CONTACTS, CONVERSATIONS]);
    expect(harness.chatwoot.requests.map((request) => request.status)).toEqual([422, 200]);
    expect(harness.chatwoot.store.contacts).toHaveLength(1);
    expect(harness.chatwoot.store.conversations.map((conversation) => conversation.contactId)).toEqual([harness.chatwoot.store.contacts[0]?.id, harness.chatwoot.store.contacts[0]?.id]);
    expect(state(again)).toMatchObject({ status: "live", contact: { contactId: harness.chatwoot.store.contacts[0]?.id } });
  });

  it("finds a contact someone else created for the same identifier and adds it to the inbox", async () => {
    const existing = harness.chatwoot.store.createContact({ name: "Jane", identifier: "crm-42", email: null, phoneNumber: null });
    const session = newSession();
    await say(session, "agent", handoverFlow({ contactIdentifier: "crm-42" }));
    expect(harness.chatwoot.store.contacts).toHaveLength(1);
    expect(harness.chatwoot.store.conversations[0]?.contactId).toBe(existing.id);
    expect(harness.chatwoot.operations()).toEqual([
      CONTACTS,
      CONVERSATIONS,
      "POST /api/v1/accounts/{account_id}/contacts/filter",
      "POST /api/v1/accounts/{account_id}/contacts/{id}/contact_inboxes",
      CONVERSATIONS,
    ]);
  });

  it("creates the contact without an email that already belongs to someone else", async () => {
    harness.chatwoot.store.createContact({ name: "Other", identifier: "other", email: "jane@example.com", phoneNumber: null });
    const session = newSession();
    await say(session, "agent");
    expect(state(session).status).toBe("live");
    expect(harness.chatwoot.store.contacts.filter((contact) => contact.identifier === session.userId)).toMatchObject([{ email: null }]);
    expect(state(session).warnings).toEqual([expect.stringContaining("belongs to another Chatwoot contact")]);
  });

  it("continues the conversation resolved within the reopen window, with no new history", async () => {
    const session = newSession();
    const flow = handoverFlow({ reopenWindowMinutes: 30 });
    await say(session, "agent", flow);
    await agentResolves(session);
    harness.chatwoot.clearRequests();
    await say(session, "agent, once more", flow);
    expect(harness.chatwoot.store.conversations).toHaveLength(1);
    // Opened first, then the message: alone, it would leave the conversation pending where an agent bot is active (C6).
    expect(harness.chatwoot.operations()).toEqual([TOGGLE_STATUS, MESSAGES]);
    expect(harness.chatwoot.store.conversations[0]?.status).toBe("open");
  });

  it("does not post the same input twice when the handover repeats within one input", async () => {
    const session = newSession();
    const flow = handoverFlow({ reopenWindowMinutes: 30 });
    await say(session, "agent", flow);
    await agentResolves(session);
    await say(session, "agent again", flow);
    const before = harness.chatwoot.store.messages.length;
    const lastInput = String(state(session).lastForwardedInputId);
    await harness.runtime.runNode(session, "chatwootHandover", { connection: "cw", inboxId: "7", reopenWindowMinutes: 30 }, { text: "agent again", inputId: lastInput });
    expect(harness.chatwoot.store.messages.length).toBe(before);
  });

  it("re-seals the route when the inbox returns the contact's old conversation (lock to single conversation)", async () => {
    harness.chatwoot.addInbox({ id: 8, lockToSingleConversation: true });
    const flow = handoverFlow({ inboxId: "8" });
    const first = newSession();
    await say(first, "first question");
    await say(first, "agent", flow);
    await agentResolves(first);
    const later = harness.runtime.createSession({ userId: first.userId, profile: first.profile });
    await say(later, "hello again");
    await say(later, "agent", flow);
    const [conversation] = harness.chatwoot.store.conversations;
    expect(harness.chatwoot.store.conversations).toHaveLength(1);
    const opened = openRoute(conversation?.customAttributes.cognigy_route, { inboxId: 8, sourceId: conversation?.sourceId ?? "" }, RELAY_SECRET);
    expect(opened.ok && opened.route.sessionId).toBe(later.sessionId);
    expect(conversation?.status).toBe("open");
    const notes = harness.chatwoot.store.messagesOf(conversation?.id ?? 0).filter((message) => message.private);
    expect(notes.map((note) => note.content)).toEqual(["Conversation with the bot before the handover:\n\n**User:**\n> first question", "Conversation with the bot before the handover:\n\n**User:**\n> hello again"]);
  });

  it("reopens the contact's resolved conversation that a locked inbox returns, even without a message", async () => {
    harness.chatwoot.addInbox({ id: 8, lockToSingleConversation: true });
    const flow = handoverFlow({ inboxId: "8" });
    const first = newSession();
    await say(first, "agent", flow);
    await agentResolves(first);
    const later = harness.runtime.createSession({ userId: first.userId, profile: first.profile });
    const result = await harness.runtime.runNode(later, "chatwootHandover", { connection: "cw", inboxId: "8" }, { text: "" });
    // Waiting for the agent here (the default), the node is where the next input starts.
    expect(result.next).toMatchObject({ kind: "wait", nodeId: "runNode:chatwootHandover" });
    expect(harness.chatwoot.store.conversations[0]?.status).toBe("open");
  });
});

describe("Chatwoot Handover: Chatwoot's own rules", () => {
  it("opens a conversation that Chatwoot forced to pending because an agent bot is active", async () => {
    harness.chatwoot.addInbox({ id: 9, agentBotActive: true });
    await say(newSession(), "agent", handoverFlow({ inboxId: "9" }));
    expect(harness.chatwoot.store.conversations[0]?.status).toBe("open");
    expect(harness.chatwoot.operations()).toContain("POST /api/v1/accounts/{account_id}/conversations/{conversation_id}/toggle_status");
  });

  it("hands over with an agent-bot token through the inbox's public API", async () => {
    harness.runtime.setConnection("cw", { baseUrl: harness.chatwoot.baseUrl, accountId: "1", apiKey: BOT_TOKEN, relaySecret: RELAY_SECRET });
    const session = newSession();
    await say(session, "agent", handoverFlow({ inboxIdentifier: `inbox-identifier-${INBOX_ID}` }));
    expect(harness.chatwoot.operations()).toEqual(["POST /public/api/v1/inboxes/{inbox_identifier}/contacts", CONVERSATIONS]);
    expect(state(session).status).toBe("live");
    expect(harness.chatwoot.requests.filter((request) => request.token === "bot")).toHaveLength(1);
  });

  it("never files the user under someone else's contact through the public API's email matching", async () => {
    const victim = harness.chatwoot.store.createContact({ name: "Victim", identifier: "victim", email: "jane@example.com", phoneNumber: null });
    harness.runtime.setConnection("cw", { baseUrl: harness.chatwoot.baseUrl, accountId: "1", apiKey: BOT_TOKEN, relaySecret: RELAY_SECRET });
    await say(newSession(), "agent", handoverFlow({ inboxIdentifier: `inbox-identifier-${INBOX_ID}` }));
    expect(harness.chatwoot.store.conversations[0]?.contactId).not.toBe(victim.id);
    expect(harness.chatwoot.requests[0]?.body).not.toHaveProperty("email");
  });

  it("explains that an agent-bot token cannot create contacts without the inbox identifier", async () => {
    harness.runtime.setConnection("cw", { baseUrl: harness.chatwoot.baseUrl, accountId: "1", apiKey: BOT_TOKEN, relaySecret: RELAY_SECRET });
    const session = newSession();
    const result = await say(session, "agent");
    expect(result.runs.at(-1)?.next).toEqual({ kind: "child", type: "onChatwootHandoverError" });
    expect(readRecord(state(session).error)).toMatchObject({ operation: "create contact", status: 401 });
    expect(String(readRecord(state(session).error).message)).toContain("not authorized for bots");
  });
});

describe("Chatwoot Handover: availability", () => {
  it("takes the unavailable exit when no agent of the inbox is online, after one request", async () => {
    harness.chatwoot.addAgent({ id: 5, name: "Anna", email: "anna@example.com", availability: "offline" });
    harness.chatwoot.store.inbox(INBOX_ID).memberIds.push(5);
    const session = newSession();
    const result = await say(session, "agent", handoverFlow({ checkAvailability: true }));
    expect(harness.chatwoot.operations()).toEqual([INBOX_MEMBERS]);
    expect(result.runs.at(-1)?.next).toEqual({ kind: "child", type: "onChatwootHandoverUnavailable" });
    expect(state(session)).toMatchObject({ status: "unavailable", unavailable: { reason: "no_agent_online" } });
  });

  it("hands over with one extra request when an agent is online", async () => {
    harness.chatwoot.addAgent({ id: 5, name: "Anna", email: "anna@example.com", availability: "online" });
    harness.chatwoot.store.inbox(INBOX_ID).memberIds.push(5);
    await say(newSession(), "agent", handoverFlow({ checkAvailability: true }));
    expect(harness.chatwoot.operations()).toEqual([INBOX_MEMBERS, CONTACTS, CONVERSATIONS]);
  });

  it("takes the unavailable exit outside business hours and stores the out-of-office text", async () => {
    const closed = [0, 1, 2, 3, 4, 5, 6].map((day) => ({ day_of_week: day, closed_all_day: true, open_all_day: false, open_hour: null, open_minutes: null, close_hour: null, close_minutes: null }));
    harness.chatwoot.addInbox({ id: 10, workingHoursEnabled: true, timezone: "Europe/Berlin", workingHours: closed, outOfOfficeMessage: "We are back Monday 9:00." });
    const session = newSession();
    const result = await say(session, "agent", handoverFlow({ inboxId: "10", respectBusinessHours: true }));
    expect(harness.chatwoot.operations()).toEqual([INBOX]);
    expect(result.runs.at(-1)?.next).toEqual({ kind: "child", type: "onChatwootHandoverUnavailable" });
    expect(state(session)).toMatchObject({ unavailable: { reason: "outside_business_hours", outOfOfficeMessage: "We are back Monday 9:00." } });
  });

  it("hands over inside business hours", async () => {
    const open = [0, 1, 2, 3, 4, 5, 6].map((day) => ({ day_of_week: day, closed_all_day: false, open_all_day: true, open_hour: 0, open_minutes: 0, close_hour: 23, close_minutes: 59 }));
    // "Open all day" is closed in the day's last minute, as in Chatwoot (C13): pick a time zone where the real clock is far from it.
    const utcHour = new Date().getUTCHours();
    const timezone = utcHour >= 12 && utcHour < 18 ? "Europe/London" : "Asia/Tokyo";
    harness.chatwoot.addInbox({ id: 11, workingHoursEnabled: true, timezone, workingHours: open });
    const session = newSession();
    await say(session, "agent", handoverFlow({ inboxId: "11", respectBusinessHours: true }));
    expect(state(session).status).toBe("live");
  });
});

describe("Chatwoot Handover: errors a designer can act on", () => {
  it.each([
    [401, { error: "Invalid Access Token" }, "Invalid Access Token"],
    [404, { error: "Resource could not be found" }, "Resource could not be found"],
    [422, { message: "Inbox must be an API inbox" }, "Inbox must be an API inbox"],
    [429, "Retry later", "Retry later"],
    [500, { error: "Internal Server Error" }, "Internal Server Error"],
  ])("takes the error exit on HTTP %i with the operation, status and Chatwoot's text", async (status, body, text) => {
    harness.chatwoot.fault(CONVERSATIONS, { status, body });
    const session = newSession();
    const result = await say(session, "agent");
    const error = readRecord(state(session).error);
    expect(result.runs.at(-1)?.next).toEqual({ kind: "child", type: "onChatwootHandoverError" });
    expect(error).toMatchObject({ operation: "create conversation", status, kind: "http" });
    expect(String(error.message)).toContain(`HTTP ${status}: ${text}`);
    expect(state(session).status).toBe("error");
    expect(JSON.stringify(session.context)).not.toContain(USER_TOKEN);
    expect(JSON.stringify(session.context)).not.toContain(RELAY_SECRET);
  });

  it("returns well within Cognigy's 20 s when Chatwoot hangs", async () => {
    harness.chatwoot.fault(CONTACTS, "hang");
    const session = newSession();
    const result = await say(session, "agent");
    const run = result.runs.at(-1);
    expect(run?.next).toEqual({ kind: "child", type: "onChatwootHandoverError" });
    expect(run?.durationMs).toBeLessThan(12_000);
    expect(readRecord(state(session).error)).toMatchObject({ operation: "create contact", kind: "timeout", status: null });
  });

  it("hands over when the history note fails after the conversation exists, with a warning that names the note", async () => {
    harness.chatwoot.fault(MESSAGES, { status: 500, body: { status: 500, error: "Internal Server Error" } });
    const session = newSession();
    await say(session, "My router blinks red");
    const result = await say(session, "agent");
    expect(result.runs.at(-1)?.next).toEqual({ kind: "child", type: "onChatwootHandoverStarted" });
    expect(state(session)).toMatchObject({
      status: "live",
      error: null,
      warnings: ['Chatwoot request "post history note" failed with HTTP 500: Internal Server Error. Chatwoot failed on its side; try again later, and check Chatwoot\'s logs if it persists.'],
    });
    expect(result.runs.at(-1)?.logs).toContainEqual({ level: "warn", message: expect.stringContaining('"post history note" failed with HTTP 500') });
  });

  it("says the connection was closed, not that Chatwoot could not be reached, when Chatwoot resets it", async () => {
    harness.chatwoot.fault(CONVERSATIONS, "reset");
    const session = newSession();
    await say(session, "agent");
    expect(readRecord(state(session).error)).toMatchObject({
      operation: "create conversation",
      kind: "network",
      status: null,
      message: expect.stringMatching(/^Chatwoot request "create conversation" to 127\.0\.0\.1:\d+ failed: the connection was closed before Chatwoot answered \(ECONNRESET\)\./),
    });
  });

  it("reports a refused connection without a stack or a token", async () => {
    harness.runtime.setConnection("cw", { baseUrl: "http://127.0.0.1:9", accountId: "1", apiKey: USER_TOKEN, relaySecret: RELAY_SECRET });
    const session = newSession();
    const result = await say(session, "agent");
    expect(readRecord(state(session).error)).toMatchObject({ kind: "network", message: 'Chatwoot request "create contact" could not reach 127.0.0.1:9 (ECONNREFUSED).' });
    expect(JSON.stringify(result.runs)).not.toContain(USER_TOKEN);
  });

  it.each([
    ["baseUrl", { baseUrl: "" }, 'field "baseUrl" is missing'],
    ["baseUrl", { baseUrl: "ftp://chat.example.com" }, 'field "baseUrl" must be an http(s) URL'],
    ["accountId", { accountId: "acme" }, 'field "accountId" must be a positive whole number'],
    ["apiKey", { apiKey: "" }, 'field "apiKey" is missing'],
    ["relaySecret", { relaySecret: "short" }, 'field "relaySecret" must be at least 32 characters long'],
  ])("names the connection field %s and sends no request", async (_, override, text) => {
    harness.runtime.setConnection("cw", { baseUrl: harness.chatwoot.baseUrl, accountId: "1", apiKey: USER_TOKEN, relaySecret: RELAY_SECRET, ...override });
    const session = newSession();
    const result = await harness.runtime.runNode(session, "chatwootHandover", { connection: "cw", inboxId: "7" }, { text: "agent" });
    expect(result.next).toEqual({ kind: "child", type: "onChatwootHandoverError" });
    expect(String(readRecord(state(session).error).message)).toContain(text);
    expect(harness.chatwoot.requests).toEqual([]);
  });

  it.each([
    ["inboxId", { inboxId: "{{context.missing}}" }, 'field "inboxId" is empty'],
    ["inboxId", { inboxId: "seven" }, 'field "inboxId" must be a positive whole number, got "seven"'],
    ["teamId", { teamId: "billing" }, 'field "teamId" must be a positive whole number'],
    ["customAttributes", { customAttributes: { cognigy_route: "x" } }, 'must not set "cognigy_route"'],
  ])("names the node field %s and sends no request", async (_, override, text) => {
    const session = newSession();
    await harness.runtime.runNode(session, "chatwootHandover", { connection: "cw", inboxId: "7", ...override }, { text: "agent" });
    expect(String(readRecord(state(session).error).message)).toContain(text);
    expect(harness.chatwoot.requests).toEqual([]);
  });

  it("refuses to hand over an input without URLToken, which the relay could not route back", async () => {
    const session = harness.runtime.createSession({ URLToken: "" });
    await harness.runtime.runNode(session, "chatwootHandover", { connection: "cw", inboxId: "7" }, { text: "agent" });
    expect(String(readRecord(state(session).error).message)).toContain("input.URLToken is empty");
    expect(harness.chatwoot.requests).toEqual([]);
  });
});

describe("Chatwoot Handover: platform limits", () => {
  it("stays within 10 api calls and never stores a token or secret in any scenario above", async () => {
    const session = newSession();
    for (const text of ["hi", "agent", "more"]) await say(session, text);
    await agentResolves(session);
    const run = await harness.runtime.runNode(session, "chatwootHandover", { connection: "cw", inboxId: "7", labels: ["a"], priority: "low" }, { text: "agent" });
    expect(run.calls.length).toBeLessThanOrEqual(10);
    expect(run.calls).toEqual(["addToContext", "say", "setNextNode", "stopExecution"]);
    const everything = JSON.stringify([session.context, run.logs, run.outputs]);
    for (const secret of [USER_TOKEN, RELAY_SECRET]) expect(everything).not.toContain(secret);
  });

  it("keeps no state between sessions in the loaded module", async () => {
    const alice = newSession();
    const bob = newSession();
    await say(alice, "agent");
    await say(bob, "agent");
    expect(storedConversationId(alice)).not.toBe(storedConversationId(bob));
    expect(harness.chatwoot.store.contacts.map((contact) => contact.identifier)).toEqual([alice.userId, bob.userId]);
  });
});

describe("Chatwoot Handover: the cancel button (issue 13)", () => {
  const ACCEPTED = "Please wait a moment, I am connecting you with a colleague.";

  it("sends the accepted message with a 'Cancel' quick reply (Cognigy's and Webchat's formats) and remembers its payload, in one api call", async () => {
    const session = newSession();
    const result = await say(session, "agent");
    expect(result.outputs).toEqual([
      {
        text: ACCEPTED,
        data: {
          type: "quickReplies",
          _cognigy: {
            _default: { _quickReplies: { type: "quick_replies", text: ACCEPTED, quickReplies: [{ id: 1, contentType: "postback", title: "Cancel", payload: "Cancel" }] } },
            _webchat: { message: { text: ACCEPTED, quick_replies: [{ content_type: "text", title: "Cancel", payload: "Cancel" }] } },
          },
        },
      },
    ]);
    expect(readRecord(state(session).conversation).cancelPayload).toBe("Cancel");
    expect(result.runs.at(-1)?.calls.filter((call) => call === "say")).toHaveLength(1);
  });

  it.each<[string, Record<string, unknown>, { text: string; data?: unknown }[], unknown]>([
    ["the designer's button text", { cancelButtonText: "Never mind" }, [expect.objectContaining({ text: ACCEPTED, data: expect.objectContaining({ type: "quickReplies" }) })], "Never mind"],
    ["no button text: the message alone", { cancelButtonText: "" }, [{ text: ACCEPTED, data: null }], null],
    ["no accepted message: nothing said, no button", { acceptedMessage: "" }, [], null],
  ])("%s", async (_, config, outputs, payload) => {
    const session = newSession();
    const result = await say(session, "agent", handoverFlow(config));
    expect(result.outputs).toEqual(outputs);
    expect(readRecord(state(session).conversation).cancelPayload).toBe(payload);
  });

  it("while the node waits for the agent itself: the button cancels into its 'Cancelled by user' branch; an old button after the agent answered goes to the agent", async () => {
    const project = harness.runtime.createProject({
      main: "main",
      flows: { main: [{ id: "handover", node: "chatwootHandover", config: { connection: "cw", inboxId: String(INBOX_ID), agentNameFormat: "{agent}: {text}" }, children: { onChatwootHandoverCancelled: [{ say: "Cancelled, back with the bot." }] } }] },
    });
    const first = newSession();
    await project.input(first, { text: "agent please" });
    harness.chatwoot.clearRequests();
    const cancelled = await project.input(first, { text: "Cancel" });
    expect(harness.chatwoot.operations()).toEqual([MESSAGES, TOGGLE_STATUS]);
    expect(cancelled.outputs.map((output) => output.text)).toEqual(["Cancelled, back with the bot."]);
    expect(state(first)).toMatchObject({ status: "ended", outcome: { endedBy: "user" } });

    const second = newSession();
    await project.input(second, { text: "agent please" });
    const named = await project.input(second, { text: "", data: { chatwoot: relayEvent(second, { type: "agent_message", messageId: 1, text: "Anna here", attachments: [], agentName: "Anna" }) } });
    expect(named.outputs.map((output) => output.text)).toEqual(["Anna: Anna here"]);
    harness.chatwoot.clearRequests();
    await project.input(second, { text: "Cancel" });
    expect(harness.chatwoot.operations()).toEqual([MESSAGES]);
    expect(harness.chatwoot.store.messagesOf(storedConversationId(second)).at(-1)).toMatchObject({ messageType: "incoming", content: "Cancel" });
    expect(state(second).status).toBe("live");
  });
});

describe("Chatwoot Handover: queue updates (issue 13)", () => {
  function sealedOptions(session: Session): unknown {
    const conversation = harness.chatwoot.store.conversation(storedConversationId(session));
    const opened = openStampedRoute(conversation.customAttributes.cognigy_route, { inboxId: INBOX_ID, sourceId: conversation.sourceId }, RELAY_SECRET);
    return opened.ok ? opened.options : opened.reason;
  }

  it.each<[string, Record<string, unknown>, boolean, unknown]>([
    ["off by default", {}, false, null],
    ["on: asked of the relay in the sealed route, the template kept", { queueUpdates: true }, true, "You are number {position} in the queue. Estimated wait: {wait}."],
    ["on with the designer's template", { queueUpdates: true, queueUpdateMessage: "Nummer {position}" }, true, "Nummer {position}"],
    ["on with a template gone empty: off", { queueUpdates: true, queueUpdateMessage: " " }, false, null],
  ])("%s", async (_, config, sealed, template) => {
    const session = newSession();
    await say(session, "agent", handoverFlow(config));
    expect(sealedOptions(session)).toEqual({ queueUpdates: sealed });
    expect(readRecord(state(session).conversation).queueMessage).toBe(template);
  });

  it("while the node waits for the agent itself: shows a queue update and waits on", async () => {
    const project = harness.runtime.createProject({ main: "main", flows: { main: [{ id: "handover", node: "chatwootHandover", config: { connection: "cw", inboxId: String(INBOX_ID), queueUpdates: true } }] } });
    const session = newSession();
    await project.input(session, { text: "agent please" });
    const update = await project.input(session, { text: "", data: { chatwoot: relayEvent(session, { type: "queue_update", position: 2, waitSeconds: 4_200 }) } });
    expect(update.outputs.map((output) => output.text)).toEqual(["You are number 2 in the queue. Estimated wait: about 1 hour 10 minutes."]);
    expect(update.runs.at(-1)?.calls.length).toBeLessThanOrEqual(4);
    expect(state(session)).toMatchObject({ status: "live", waitingAt: "handover", conversation: { queuePosition: 2 } });
  });

  it("keeps asking for queue updates when the Resolve/Reopen node re-seals the route for a new Cognigy session", async () => {
    const session = newSession();
    await say(session, "agent", handoverFlow({ queueUpdates: true }));
    await harness.runtime.runNode(session, "chatwootResolveReopen", { connection: "cw", action: "resolve" });
    const later = harness.runtime.createSession({ userId: session.userId });
    later.context.chatwoot = session.context.chatwoot;
    await harness.runtime.runNode(later, "chatwootResolveReopen", { connection: "cw", action: "reopen" });
    const conversation = harness.chatwoot.store.conversation(storedConversationId(later));
    const opened = openStampedRoute(conversation.customAttributes.cognigy_route, { inboxId: INBOX_ID, sourceId: conversation.sourceId }, RELAY_SECRET);
    expect(opened).toMatchObject({ ok: true, route: { sessionId: later.sessionId }, options: { queueUpdates: true } });
  });
});
