import { createHmac } from "crypto";
import { AGENT_TOKEN, BOT_TOKEN, startChatwootSimulator, USER_TOKEN, type ChatwootSimulator } from "../support/chatwoot-simulator/server";
import { CHATWOOT_VERSIONS, botMayCall, type ChatwootVersion } from "../support/chatwoot-simulator/chatwoot-version";
import { payloadsFor } from "../support/chatwoot-simulator/webhook-payloads";
import { readArray, readRecord } from "../../src/core/json-guards";

/**
 * The simulator's rules from Chatwoot's own source (platform-sources.md
 * C1-C10), over HTTP as the extension meets them: a stand-in is only as good
 * as its rules, so they are pinned here independently of the product.
 */

const ACCOUNT = "/api/v1/accounts/1";
let chatwoot: ChatwootSimulator;

beforeEach(async () => {
  chatwoot = await startChatwootSimulator();
  chatwoot.addInbox({ id: 7 });
});

afterEach(async () => {
  expect(chatwoot.violations).toEqual([]);
  await chatwoot.close();
});

async function call(method: string, path: string, options: { token?: string | null; body?: unknown } = {}): Promise<{ status: number; body: unknown }> {
  const token = options.token === undefined ? USER_TOKEN : options.token;
  const response = await fetch(`${chatwoot.baseUrl}${path}`, {
    method,
    headers: { "content-type": "application/json", ...(token === null ? {} : { api_access_token: token }) },
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });
  return { status: response.status, body: await response.json() };
}

describe("C1/C2: source-id clashes and merged contacts", () => {
  it("answers 500 to a contact create whose source id another contact holds, and keeps no half-made contact", async () => {
    const owner = chatwoot.store.createContact({ name: "Owner", identifier: "owner", email: null, phoneNumber: null }, { inboxId: 7, sourceId: "src-1" });
    const answer = await call("POST", `${ACCOUNT}/contacts`, { body: { inbox_id: 7, source_id: "src-1", identifier: "someone-else" } });
    expect(answer.status).toBe(500);
    expect(chatwoot.store.contacts.map((contact) => contact.id)).toEqual([owner.id]);
  });

  it("answers 500 to adding a contact inbox another contact holds, and 422 when a conversation is created with it", async () => {
    chatwoot.store.createContact({ name: "Owner", identifier: "owner", email: null, phoneNumber: null }, { inboxId: 7, sourceId: "src-1" });
    const other = chatwoot.store.createContact({ name: "Other", identifier: "other", email: null, phoneNumber: null });
    expect((await call("POST", `${ACCOUNT}/contacts/${other.id}/contact_inboxes`, { body: { inbox_id: 7, source_id: "src-1" } })).status).toBe(500);
    expect(await call("POST", `${ACCOUNT}/conversations`, { body: { inbox_id: 7, source_id: "src-1", contact_id: other.id } })).toEqual({ status: 422, body: { error: "source_id should be unique" } });
  });

  it("after a merge: 404 for the merged contact id; the source id alone finds the surviving contact", async () => {
    const merged = chatwoot.store.createContact({ name: "Jane", identifier: "jane", email: "jane@example.com", phoneNumber: null }, { inboxId: 7, sourceId: "src-jane" });
    const base = chatwoot.store.createContact({ name: "Jane (CRM)", identifier: "crm-1", email: null, phoneNumber: null });
    chatwoot.agent.mergeContacts(base.id, merged.id);
    expect(chatwoot.store.contact(base.id)).toMatchObject({ identifier: "crm-1", email: "jane@example.com", contactInboxes: [{ inboxId: 7, sourceId: "src-jane" }] });
    expect((await call("POST", `${ACCOUNT}/conversations`, { body: { inbox_id: 7, source_id: "src-jane", contact_id: merged.id } })).status).toBe(404);
    const bySource = await call("POST", `${ACCOUNT}/conversations`, { body: { inbox_id: 7, source_id: "src-jane" } });
    expect(bySource.status).toBe(200);
    expect(chatwoot.store.conversations[0]?.contactId).toBe(base.id);
  });
});

describe("C3: identifiers", () => {
  it("keeps identifiers unique case-sensitively, emails case-insensitively", async () => {
    chatwoot.store.createContact({ name: "Alice", identifier: "Alice", email: "alice@example.com", phoneNumber: null });
    expect((await call("POST", `${ACCOUNT}/contacts`, { body: { identifier: "alice" } })).status).toBe(200);
    expect((await call("POST", `${ACCOUNT}/contacts`, { body: { identifier: "Alice" } })).status).toBe(422);
    expect((await call("POST", `${ACCOUNT}/contacts`, { body: { identifier: "x", email: "ALICE@example.com" } })).status).toBe(422);
  });

  it("filters case-insensitively, in no fixed order, and only leads with crm_v2", async () => {
    const upper = chatwoot.store.createContact({ name: "A", identifier: "Alice", email: null, phoneNumber: null });
    const lower = chatwoot.store.createContact({ name: "a", identifier: "alice", email: null, phoneNumber: null });
    const orders = new Set<string>();
    for (let round = 0; round < 40; round += 1) {
      const found = await call("POST", `${ACCOUNT}/contacts/filter`, { body: { payload: [{ attribute_key: "identifier", filter_operator: "equal_to", values: ["alice"] }] } });
      const payload = (found.body as { payload: { id: number }[] }).payload;
      orders.add(payload.map((contact) => contact.id).join(","));
    }
    expect(orders).toEqual(new Set([`${upper.id},${lower.id}`, `${lower.id},${upper.id}`]));
    chatwoot.store.settings.crmV2 = true;
    chatwoot.agent.editContact(upper.id, { contactType: "customer" });
    const leads = await call("POST", `${ACCOUNT}/contacts/filter`, { body: { payload: [{ attribute_key: "identifier", filter_operator: "equal_to", values: ["alice"] }] } });
    expect((leads.body as { payload: { id: number }[] }).payload.map((contact) => contact.id)).toEqual([lower.id]);
  });
});

describe("C4: identity validation on the public API", () => {
  const create = (body: Record<string, unknown>) => call("POST", "/public/api/v1/inboxes/inbox-identifier-7/contacts", { token: null, body });

  it("needs identifier_hash = HMAC-SHA256(hmac_token, identifier) in hex when the inbox enforces it, and answers 500 otherwise", async () => {
    chatwoot.store.inbox(7).hmacMandatory = true;
    const hash = createHmac("sha256", "hmac-token-of-inbox-7").update("jane").digest("hex");
    expect((await create({ identifier: "jane", source_id: "s1" })).status).toBe(500);
    expect((await create({ identifier: "jane", source_id: "s1", identifier_hash: hash.toUpperCase() })).status).toBe(500);
    expect((await create({ identifier: "jane", source_id: "s1", identifier_hash: hash })).status).toBe(200);
  });

  it("checks a hash that is sent even when the inbox does not enforce it", async () => {
    expect((await create({ identifier: "jane", source_id: "s1", identifier_hash: "0".repeat(64) })).status).toBe(500);
    expect((await create({ identifier: "jane", source_id: "s1" })).status).toBe(200);
  });
});

describe("C5: the agent-bot allow-list per release", () => {
  const actions = [
    ["api/v1/accounts/conversations#create", "4.0"],
    ["api/v1/accounts/conversations#toggle_status", "4.0"],
    ["api/v1/accounts/conversations#update", "4.0"],
    ["api/v1/accounts/conversations/messages#create", "4.0"],
    ["api/v1/accounts/conversations#custom_attributes", "4.2"],
    ["api/v1/accounts/conversations#toggle_typing_status", "4.12"],
    ["api/v1/accounts/conversations#show", "4.14.2"],
    ["api/v1/accounts/conversations/labels#create", "4.14.2"],
    ["api/v1/accounts/contacts#create", null],
    ["api/v1/accounts/inbox_members#show", null],
  ] as const;
  it.each(actions)("%s from %s", (action, since) => {
    const allowed = CHATWOOT_VERSIONS.filter((version: ChatwootVersion) => botMayCall(version, action));
    expect(allowed).toEqual(since === null ? [] : CHATWOOT_VERSIONS.slice(CHATWOOT_VERSIONS.indexOf(since)));
  });

  it("answers 401 with Chatwoot's words for bots, then lets the call through on a release that allows it", async () => {
    const conversation = chatwoot.store.createConversation({ inboxId: 7, contactId: chatwoot.store.createContact({ name: "J", identifier: "j", email: null, phoneNumber: null }).id, sourceId: "s", status: null, customAttributes: {}, teamId: null, assigneeId: null });
    chatwoot.setVersion("4.13");
    expect(await call("GET", `${ACCOUNT}/conversations/${conversation.id}`, { token: BOT_TOKEN })).toEqual({ status: 401, body: { error: "Access to this endpoint is not authorized for bots" } });
    chatwoot.setVersion("4.14.2");
    expect((await call("GET", `${ACCOUNT}/conversations/${conversation.id}`, { token: BOT_TOKEN })).status).toBe(200);
  });
});

describe("C7, C8, C10", () => {
  it("drops an assignee who is not in the team", async () => {
    chatwoot.addTeam({ id: 3, name: "Billing", memberIds: [8] });
    const contact = chatwoot.store.createContact({ name: "J", identifier: "j", email: null, phoneNumber: null }, { inboxId: 7, sourceId: "s" });
    await call("POST", `${ACCOUNT}/conversations`, { body: { inbox_id: 7, source_id: "s", contact_id: contact.id, team_id: 3, assignee_id: 7 } });
    expect(chatwoot.store.conversations[0]).toMatchObject({ teamId: 3, assigneeId: null });
  });

  it("refuses attribute values over Chatwoot's limits with 422", async () => {
    const contact = chatwoot.store.createContact({ name: "J", identifier: "j", email: null, phoneNumber: null }, { inboxId: 7, sourceId: "s" });
    const body = (attributes: Record<string, unknown>) => ({ body: { inbox_id: 7, source_id: "s", contact_id: contact.id, custom_attributes: attributes } });
    expect((await call("POST", `${ACCOUNT}/conversations`, body({ note: "x".repeat(1_501) }))).status).toBe(422);
    expect((await call("POST", `${ACCOUNT}/conversations`, body({ order: 10_000_000_000 }))).status).toBe(422);
    expect((await call("POST", `${ACCOUNT}/conversations`, body({ note: "x".repeat(1_500), order: 9_999_999_999 }))).status).toBe(200);
  });

  it("words a permission refusal as Chatwoot does: 401, never 403", async () => {
    expect(await call("GET", `${ACCOUNT}/inboxes/7`, { token: AGENT_TOKEN })).toEqual({ status: 401, body: { error: "You are not authorized to do this action" } });
    chatwoot.store.inbox(7).memberIds.push(7);
    expect((await call("GET", `${ACCOUNT}/inboxes/7`, { token: AGENT_TOKEN })).status).toBe(200);
    expect(await call("GET", `${ACCOUNT}/inboxes/7`, { token: "nope-nope-nope" })).toEqual({ status: 401, body: { error: "Invalid Access Token" } });
  });
});

describe("Issue 13: the queue listing (ConversationFinder), first reply and waiting_since (message.rb, conversation.rb)", () => {
  const QUEUE = `${ACCOUNT}/conversations?inbox_id=7&status=open&assignee_type=unassigned&conversation_type=unattended&sort_by=created_at_asc&page=1`;
  let clock = 1_781_691_342_000;

  function waiting(count: number): number[] {
    return Array.from({ length: count }, (_, index) => {
      const contact = chatwoot.store.createContact({ name: `User ${index}`, identifier: `user-${index}-${clock}`, email: null, phoneNumber: null }, { inboxId: 7, sourceId: `src-${index}-${clock}` });
      return chatwoot.store.createConversation({ inboxId: 7, contactId: contact.id, sourceId: `src-${index}-${clock}`, status: null, customAttributes: {}, teamId: null, assigneeId: null }).id;
    });
  }

  async function queue(path = QUEUE, token: string = USER_TOKEN): Promise<{ status: number; ids: number[]; meta: Record<string, unknown> }> {
    const answer = await call("GET", path, { token });
    const data = readRecord(readRecord(answer.body).data);
    return { status: answer.status, ids: readArray(data.payload).map((item) => Number(readRecord(item).id)), meta: readRecord(data.meta) };
  }

  beforeEach(() => {
    clock += 1;
  });

  it("lists open, unassigned conversations still waiting for a first reply, oldest first, with unassigned_count for the whole queue", async () => {
    const ids = waiting(4);
    const [first = 0, second = 0, third = 0, fourth = 0] = ids;
    chatwoot.agent.assign(first, 7);
    chatwoot.agent.reply(second, "Hello");
    chatwoot.agent.note(third, "private: not a reply");
    expect(await queue()).toEqual({ status: 200, ids: [third, fourth], meta: { mine_count: 0, assigned_count: 1, unassigned_count: 2, all_count: 3 } });
    chatwoot.agent.resolve(fourth);
    expect((await queue()).ids).toEqual([third]);
  });

  it("counts an agent bot's reply as no first reply, but the wait ends; the contact writing again starts a wait (unattended again)", () => {
    const [id = 0] = waiting(1);
    const conversation = chatwoot.store.conversation(id);
    expect(conversation.waitingSince).toBe(conversation.createdAt);
    chatwoot.store.createMessage(id, { content: "bot", messageType: "outgoing", private: false, sourceId: null, sender: { type: "AgentBot", id: 1 }, attachments: [] });
    expect(conversation).toMatchObject({ firstReplyCreatedAt: null, waitingSince: null });
    chatwoot.agent.reply(id, "human");
    expect(conversation.firstReplyCreatedAt).not.toBeNull();
    chatwoot.store.createMessage(id, { content: "me again", messageType: "incoming", private: false, sourceId: null, sender: { type: "User", id: 0 }, attachments: [] });
    expect(conversation.waitingSince).not.toBeNull();
  });

  it("pages 25 at a time; unassigned_count still counts every waiting conversation", async () => {
    const ids = waiting(30);
    const page = await queue();
    expect(page.ids).toEqual(ids.slice(0, 25));
    expect(page.meta.unassigned_count).toBe(30);
    expect((await queue(QUEUE.replace("page=1", "page=2"))).ids).toEqual(ids.slice(25));
  });

  it("refuses agent bots (not on BOT_ACCESSIBLE_ENDPOINTS), agents outside the inbox, and sort or type values Chatwoot does not know", async () => {
    waiting(1);
    expect(await call("GET", QUEUE, { token: BOT_TOKEN })).toEqual({ status: 401, body: { error: "Access to this endpoint is not authorized for bots" } });
    expect((await queue(QUEUE, AGENT_TOKEN)).status).toBe(401);
    const bad = await call("GET", QUEUE.replace("created_at_asc", "oldest"));
    expect(bad.status).toBe(400);
    chatwoot.violations.length = 0;
  });

  it("puts first_reply_created_at and waiting_since in conversation webhooks", () => {
    const [id = 0] = waiting(1);
    chatwoot.agent.reply(id, "Hello");
    const conversation = chatwoot.store.conversation(id);
    const [payload] = payloadsFor(chatwoot.store, { kind: "status_changed", conversation, previous: "open" }, chatwoot.baseUrl);
    expect(payload).toMatchObject({ first_reply_created_at: new Date(conversation.firstReplyCreatedAt ?? 0).toISOString(), waiting_since: 0 });
  });
});

describe("Issue 13: agents' names — available_name is the display name, else the name (User#available_name)", () => {
  function handover(): number {
    const contact = chatwoot.store.createContact({ name: "Jane", identifier: `jane-${chatwoot.store.contacts.length}`, email: null, phoneNumber: null }, { inboxId: 7, sourceId: `src-jane-${chatwoot.store.contacts.length}` });
    return chatwoot.store.createConversation({ inboxId: 7, contactId: contact.id, sourceId: contact.contactInboxes[0]?.sourceId ?? "", status: null, customAttributes: {}, teamId: null, assigneeId: null }).id;
  }

  beforeEach(() => {
    chatwoot.addAgent({ id: 9, name: "bob Builder", email: "bob@example.com", availability: "busy" });
    chatwoot.store.setDisplayName(7, "Anna");
  });

  it("lists the account's agents ordered by name (lower(name)), each with available_name, as agents/index.json.jbuilder does", async () => {
    const answer = await call("GET", `${ACCOUNT}/agents`);
    expect(answer.status).toBe(200);
    expect(readArray(answer.body).map((item) => [readRecord(item).id, readRecord(item).name, readRecord(item).available_name])).toEqual([
      [7, "Anna Agent", "Anna"],
      [9, "bob Builder", "bob Builder"],
    ]);
    chatwoot.store.setDisplayName(7, null);
    expect(readArray((await call("GET", `${ACCOUNT}/agents`)).body).map((item) => readRecord(item).available_name)).toEqual(["Anna Agent", "bob Builder"]);
  });

  it("lets any user token of the account list agents (UserPolicy#index?), never an agent bot's (401, not on BOT_ACCESSIBLE_ENDPOINTS)", async () => {
    expect((await call("GET", `${ACCOUNT}/agents`, { token: AGENT_TOKEN })).status).toBe(200);
    expect(await call("GET", `${ACCOUNT}/agents`, { token: BOT_TOKEN })).toEqual({ status: 401, body: { error: "Access to this endpoint is not authorized for bots" } });
    for (const version of CHATWOOT_VERSIONS) expect(botMayCall(version, "api/v1/accounts/agents#index")).toBe(false);
  });

  it("names agents with available_name in webhooks' push data (meta.assignee, the last message's sender), with the full name only in a message's own sender (webhook_data)", () => {
    const conversation = chatwoot.store.conversation(handover());
    chatwoot.agent.assign(conversation.id, 7);
    const message = chatwoot.agent.reply(conversation.id, "Hello", { agentId: 9 });
    const [assigned] = payloadsFor(chatwoot.store, { kind: "conversation_updated", conversation, changes: { assignee_id: { previous_value: null, current_value: 7 } } }, chatwoot.baseUrl);
    const [replied] = payloadsFor(chatwoot.store, { kind: "message_created", message }, chatwoot.baseUrl);
    expect(readRecord(readRecord(readRecord(assigned).meta).assignee)).toMatchObject({ id: 7, name: "Anna Agent", available_name: "Anna", type: "user" });
    const nested = readRecord(readRecord(replied).conversation);
    expect(readRecord(readRecord(nested.meta).assignee)).toMatchObject({ id: 7, available_name: "Anna" });
    expect(readRecord(readRecord(readArray(nested.messages)[0]).sender)).toMatchObject({ id: 9, name: "bob Builder", available_name: "bob Builder", type: "user" });
    expect(readRecord(replied).sender).toEqual({ id: 9, name: "bob Builder", email: "bob@example.com", type: "user" });
  });

  it("shows the assignee with available_name in the conversation's own JSON (conversations/partials/_conversation.json.jbuilder)", async () => {
    const id = handover();
    chatwoot.agent.assign(id, 7);
    const answer = await call("GET", `${ACCOUNT}/conversations/${id}`);
    expect(readRecord(readRecord(readRecord(answer.body).meta).assignee)).toMatchObject({ id: 7, name: "Anna Agent", available_name: "Anna" });
  });
});
