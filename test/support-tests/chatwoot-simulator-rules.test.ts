import { createHmac } from "crypto";
import { AGENT_TOKEN, BOT_TOKEN, startChatwootSimulator, USER_TOKEN, type ChatwootSimulator } from "../support/chatwoot-simulator/server";
import { CHATWOOT_VERSIONS, botMayCall, type ChatwootVersion } from "../support/chatwoot-simulator/chatwoot-version";

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
