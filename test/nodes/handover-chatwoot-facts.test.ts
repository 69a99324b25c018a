import { readRecord } from "../../src/core/json-guards";
import { handoverFlow, handoverState, INBOX_ID, RELAY_SECRET, relayEvent, useHarness } from "../support/extension-harness";
import { AGENT_TOKEN, BOT_TOKEN } from "../support/chatwoot-simulator/server";
import type { Session } from "../support/cognigy-runtime";

/**
 * One test (or more) per fact of platform-sources.md C1-C10 that the Handover
 * node meets, against the simulator playing Chatwoot's own rule. Each failed
 * on the product before issue 10.
 */

const CONVERSATIONS = "POST /api/v1/accounts/{account_id}/conversations";
const PUBLIC_CONTACTS = "POST /public/api/v1/inboxes/{inbox_identifier}/contacts";
const BOT_INBOX = { inboxIdentifier: `inbox-identifier-${INBOX_ID}` };

const harness = useHarness();
const state = handoverState;

function newSession(overrides: Partial<Session> = {}): Session {
  return harness.runtime.createSession({ profile: { firstname: "Jane", lastname: "Doe", email: "jane@example.com" }, ...overrides });
}

/** The same user (same Cognigy user id and profile) in a new Cognigy session: no cache in the context. */
function returning(session: Session): Session {
  return harness.runtime.createSession({ userId: session.userId, profile: session.profile });
}

async function say(session: Session, text: string, flow = handoverFlow()) {
  return harness.runtime.runFlow(session, flow(text), { text });
}

async function agentResolves(session: Session): Promise<void> {
  const conversation = harness.chatwoot.store.conversation(Number(readRecord(state(session).conversation).id));
  harness.chatwoot.agent.resolve(conversation.id);
  await harness.runtime.runFlow(session, handoverFlow()(""), { data: { chatwoot: relayEvent(session, { type: "status_changed", status: "resolved" }) } });
}

function useToken(apiKey: string, extra: Record<string, string> = {}): void {
  harness.runtime.setConnection("cw", { baseUrl: harness.chatwoot.baseUrl, accountId: "1", apiKey, relaySecret: RELAY_SECRET, ...extra });
}

function exitOf(result: Awaited<ReturnType<typeof say>>): unknown {
  return result.runs.at(-1)?.next;
}

const STARTED = { kind: "child", type: "onChatwootHandoverStarted" };
const ERROR = { kind: "child", type: "onChatwootHandoverError" };

function contactOfLastConversation(): number | undefined {
  return harness.chatwoot.store.conversations.at(-1)?.contactId;
}

describe("C1/C2: a contact an agent merged or edited", () => {
  function mergeIntoBase(userId: string): { baseId: number } {
    const user = harness.chatwoot.store.findContactByIdentifier(userId).find((contact) => contact.identifier === userId);
    const base = harness.chatwoot.store.createContact({ name: "Jane (CRM)", identifier: "crm-4711", email: null, phoneNumber: null });
    harness.chatwoot.store.mergeContacts(base.id, user?.id ?? 0);
    return { baseId: base.id };
  }

  it("hands a returning user over in a new Cognigy session after the contact was merged into another (source id clash: 500)", async () => {
    // No email: the contact create is then refused only for the source id (with the email, a 422 for it comes first).
    const first = newSession({ profile: { firstname: "Jane" } });
    await say(first, "agent");
    await agentResolves(first);
    const { baseId } = mergeIntoBase(first.userId);

    const later = returning(first);
    const result = await say(later, "agent again");
    expect(exitOf(result)).toEqual(STARTED);
    expect(contactOfLastConversation()).toBe(baseId);
    expect(harness.chatwoot.store.conversations).toHaveLength(2);
    expect(harness.chatwoot.store.contacts.filter((contact) => contact.identifier === first.userId)).toHaveLength(0);
  });

  it("hands the user over again in the same Cognigy session, whose cached contact id is gone (404)", async () => {
    const session = newSession();
    await say(session, "agent");
    await agentResolves(session);
    const { baseId } = mergeIntoBase(session.userId);

    harness.chatwoot.clearRequests();
    const result = await say(session, "agent again");
    expect(exitOf(result)).toEqual(STARTED);
    expect(contactOfLastConversation()).toBe(baseId);
    expect(harness.chatwoot.requests.filter((request) => request.operation === CONVERSATIONS).map((request) => request.status)).toEqual([404, 200]);
    // The cache now names the surviving contact: the next handover needs no retry.
    expect(readRecord(state(session).contact)).toMatchObject({ contactId: baseId });
  });

  it("hands a returning user over after an agent edited the contact's identifier", async () => {
    const first = newSession({ profile: { firstname: "Jane" } });
    await say(first, "agent");
    await agentResolves(first);
    const contact = harness.chatwoot.store.contacts.find((item) => item.identifier === first.userId);
    harness.chatwoot.store.updateContact(contact?.id ?? 0, { identifier: "crm-0815" });

    const result = await say(returning(first), "agent again");
    expect(exitOf(result)).toEqual(STARTED);
    expect(contactOfLastConversation()).toBe(contact?.id);
    expect(harness.chatwoot.store.contacts).toHaveLength(1);
  });

  it("hands the merged user over with an agent-bot token too (public API finds the moved contact inbox)", async () => {
    useToken(BOT_TOKEN);
    const session = newSession();
    await say(session, "agent", handoverFlow(BOT_INBOX));
    await agentResolves(session);
    const { baseId } = mergeIntoBase(session.userId);
    const result = await say(session, "agent again", handoverFlow(BOT_INBOX));
    expect(exitOf(result)).toEqual(STARTED);
    expect(contactOfLastConversation()).toBe(baseId);
  });
});

describe("C3: identifier lookups are exact", () => {
  it("never attaches the handover to a contact whose identifier differs only in case", async () => {
    const session = newSession();
    // Someone else: same identifier but upper case, and (so the create is refused) the user's email.
    const other = harness.chatwoot.store.createContact({ name: "Other person", identifier: session.userId.toUpperCase(), email: "jane@example.com", phoneNumber: null });
    const result = await say(session, "agent");
    expect(exitOf(result)).toEqual(STARTED);
    expect(contactOfLastConversation()).not.toBe(other.id);
    expect(harness.chatwoot.store.contact(contactOfLastConversation() ?? 0).identifier).toBe(session.userId);
    expect(other.contactInboxes).toEqual([]);
  });

  it("picks the exact contact however Chatwoot orders the filter's results", async () => {
    harness.chatwoot.store.settings.filterOrder = "exact-last";
    const session = newSession();
    const lookalike = harness.chatwoot.store.createContact({ name: "Lookalike", identifier: session.userId.toUpperCase(), email: null, phoneNumber: null });
    const mine = harness.chatwoot.store.createContact({ name: "Jane", identifier: session.userId, email: "jane@example.com", phoneNumber: null });
    const result = await say(session, "agent");
    expect(exitOf(result)).toEqual(STARTED);
    expect(contactOfLastConversation()).toBe(mine.id);
    expect(lookalike.contactInboxes).toEqual([]);
  });

  it("says what to do when the crm_v2 filter hides the user's contact (a customer, not a lead)", async () => {
    harness.chatwoot.store.settings.crmV2 = true;
    const session = newSession();
    const existing = harness.chatwoot.store.createContact({ name: "Jane", identifier: session.userId, email: null, phoneNumber: null });
    harness.chatwoot.store.updateContact(existing.id, { contactType: "customer" });
    const result = await say(session, "agent");
    expect(exitOf(result)).toEqual(ERROR);
    const message = String(readRecord(state(session).error).message);
    expect(message).toContain("crm_v2");
    expect(message).toContain('type back to lead');
    expect(harness.chatwoot.store.contacts).toHaveLength(1);
  });
});

describe("C4: identity validation on the API inbox", () => {
  beforeEach(() => {
    harness.chatwoot.store.inbox(INBOX_ID).hmacMandatory = true;
  });

  it("signs the identifier with the connection's HMAC token, and the handover starts", async () => {
    useToken(BOT_TOKEN, { hmacToken: `hmac-token-of-inbox-${INBOX_ID}` });
    const session = newSession();
    const result = await say(session, "agent", handoverFlow(BOT_INBOX));
    expect(exitOf(result)).toEqual(STARTED);
    const body = harness.chatwoot.requests.find((request) => request.operation === PUBLIC_CONTACTS)?.body;
    expect(body?.identifier_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(session.context)).not.toContain(`hmac-token-of-inbox-${INBOX_ID}`);
  });

  it("without the HMAC token, takes the Error exit saying to set it", async () => {
    useToken(BOT_TOKEN);
    const session = newSession();
    const result = await say(session, "agent", handoverFlow(BOT_INBOX));
    expect(exitOf(result)).toEqual(ERROR);
    const error = readRecord(state(session).error);
    expect(error).toMatchObject({ operation: "create contact (public API)", status: 500 });
    expect(String(error.message)).toContain("HMAC token field");
  });

  it("with a wrong HMAC token, says to check it, and never shows it", async () => {
    useToken(BOT_TOKEN, { hmacToken: "not-the-inbox-token-123" });
    const session = newSession();
    const result = await say(session, "agent", handoverFlow(BOT_INBOX));
    expect(exitOf(result)).toEqual(ERROR);
    const message = String(readRecord(state(session).error).message);
    expect(message).toContain("check that the connection's HMAC token is this inbox's");
    expect(message).not.toContain("not-the-inbox-token-123");
  });
});

describe("C5: agent-bot tokens on older Chatwoot versions", () => {
  beforeEach(() => useToken(BOT_TOKEN));

  it("4.12: starts the handover without labels, with a warning naming the version that allows them", async () => {
    harness.chatwoot.setVersion("4.12");
    const session = newSession();
    const result = await say(session, "agent", handoverFlow({ ...BOT_INBOX, labels: ["vip"] }));
    expect(exitOf(result)).toEqual(STARTED);
    expect(harness.chatwoot.store.conversations[0]?.labels).toEqual([]);
    expect(state(session).warnings).toEqual([expect.stringContaining("only from version 4.14.2 on")]);
  });

  it("4.14.2: sets the labels", async () => {
    harness.chatwoot.setVersion("4.14.2");
    const session = newSession();
    await say(session, "agent", handoverFlow({ ...BOT_INBOX, labels: ["vip"] }));
    expect(harness.chatwoot.store.conversations[0]?.labels).toEqual(["vip"]);
    expect(state(session).warnings).toEqual([]);
  });

  it("any version: goes ahead without the availability check, which bots may never make, with a warning", async () => {
    const session = newSession();
    const result = await say(session, "agent", handoverFlow({ ...BOT_INBOX, checkAvailability: true }));
    expect(exitOf(result)).toEqual(STARTED);
    expect(state(session).warnings).toEqual([expect.stringMatching(/^Agent availability was not checked: .*never lets agent-bot tokens make this call/)]);
  });

  it("before 4.14.2: continues a user's conversation from a new Cognigy session in a new conversation, with a warning", async () => {
    harness.chatwoot.setVersion("4.13");
    const flow = handoverFlow({ ...BOT_INBOX, reopenWindowMinutes: 30 });
    const session = newSession();
    await say(session, "agent", flow);
    await agentResolves(session);
    // The same user in a new Cognigy session, with the handover state carried over (e.g. kept in the profile by the flow).
    const later = harness.runtime.createSession({ userId: session.userId, profile: session.profile, context: JSON.parse(JSON.stringify(session.context)) });
    const result = await say(later, "agent again", flow);
    expect(exitOf(result)).toEqual(STARTED);
    expect(harness.chatwoot.store.conversations).toHaveLength(2);
    expect(state(later).warnings).toEqual([expect.stringContaining("A new conversation was opened instead")]);
  });

  it("4.0, inbox locked to one conversation: an Error exit naming 4.2, since the route cannot be updated", async () => {
    harness.chatwoot.setVersion("4.0");
    harness.chatwoot.store.inbox(INBOX_ID).lockToSingleConversation = true;
    const first = newSession();
    await say(first, "agent", handoverFlow(BOT_INBOX));
    const later = returning(first);
    const result = await say(later, "agent again", handoverFlow(BOT_INBOX));
    expect(exitOf(result)).toEqual(ERROR);
    const error = readRecord(state(later).error);
    expect(error).toMatchObject({ operation: "set conversation attributes", status: 401 });
    expect(String(error.message)).toContain("only from version 4.2 on");
  });
});

describe("C6: conversations end up where agents look", () => {
  it("opens the reused resolved conversation in an inbox with an active agent bot, instead of leaving it pending", async () => {
    harness.chatwoot.addInbox({ id: 9, agentBotActive: true });
    const flow = handoverFlow({ inboxId: "9", reopenWindowMinutes: 30 });
    const session = newSession();
    await say(session, "agent", flow);
    await agentResolves(session);
    await say(session, "agent, once more", flow);
    expect(harness.chatwoot.store.conversations).toHaveLength(1);
    expect(harness.chatwoot.store.conversations[0]?.status).toBe("open");
  });
});

describe("C7: agent and team", () => {
  it("starts the handover with a warning when the agent is not a member of the team (Chatwoot drops the agent)", async () => {
    harness.chatwoot.addTeam({ id: 3, name: "Billing", memberIds: [8] });
    const session = newSession();
    const result = await say(session, "agent", handoverFlow({ teamId: "3", agentId: "7" }));
    expect(exitOf(result)).toEqual(STARTED);
    expect(harness.chatwoot.store.conversations[0]).toMatchObject({ teamId: 3, assigneeId: null });
    expect(state(session).warnings).toEqual([expect.stringContaining("Agent 7 was not assigned: the agent is not a member of team 3")]);
  });

  it("has no warning when the agent is a member", async () => {
    harness.chatwoot.addTeam({ id: 3, name: "Billing", memberIds: [7] });
    const session = newSession();
    await say(session, "agent", handoverFlow({ teamId: "3", agentId: "7" }));
    expect(harness.chatwoot.store.conversations[0]).toMatchObject({ teamId: 3, assigneeId: 7 });
    expect(state(session).warnings).toEqual([]);
  });
});

describe("C8: the sealed route fits Chatwoot's attribute limit", () => {
  it("refuses, before any conversation, ids too long for a 1,500-character attribute", async () => {
    const session = newSession({ userId: "u".repeat(250), sessionId: "s".repeat(500), URLToken: "t".repeat(500) });
    const result = await say(session, "agent");
    expect(exitOf(result)).toEqual(ERROR);
    expect(String(readRecord(state(session).error).message)).toContain("more than the 1500 Chatwoot accepts");
    expect(harness.chatwoot.operations()).not.toContain(CONVERSATIONS);
  });
});

describe("C10: a 401 says which refusal it is", () => {
  it("an agent's token outside the agent's inboxes: the token lacks permission for that call, not a wrong key", async () => {
    useToken(AGENT_TOKEN);
    const session = newSession();
    const result = await say(session, "agent");
    expect(exitOf(result)).toEqual(ERROR);
    const message = String(readRecord(state(session).error).message);
    expect(message).toContain('HTTP 401: You are not authorized to do this action');
    expect(message).toContain('lacks permission for "create conversation"');
    expect(message).not.toContain("API key");
  });

  it("the same agent's token in the agent's own inbox hands over", async () => {
    harness.chatwoot.store.inbox(INBOX_ID).memberIds.push(7);
    useToken(AGENT_TOKEN);
    const result = await say(newSession(), "agent");
    expect(exitOf(result)).toEqual(STARTED);
    expect(harness.chatwoot.requests.map((request) => request.status)).not.toContain(401);
  });

  it("an unknown token: says to check the API key", async () => {
    useToken("no-such-token-123456");
    const session = newSession();
    await say(session, "agent");
    expect(String(readRecord(state(session).error).message)).toContain("Check the connection's API key: this Chatwoot does not know the token.");
  });
});
