import { readRecord } from "../../src/core/json-guards";
import { BOT_TOKEN, startChatwootSimulator, USER_TOKEN, type ChatwootSimulator } from "../support/chatwoot-simulator/server";

/**
 * The simulator's faults that lose Chatwoot's answer after it acted, and the
 * two conversation lists the Handover node reads to find such a conversation.
 */

const CONVERSATIONS = "POST /api/v1/accounts/{account_id}/conversations";
const CONTACT_CONVERSATIONS = "GET /api/v1/accounts/{account_id}/contacts/{id}/conversations";

let chatwoot: ChatwootSimulator;

beforeEach(async () => {
  chatwoot = await startChatwootSimulator();
  chatwoot.addInbox({ id: 7 });
  chatwoot.addInbox({ id: 8 });
});

afterEach(async () => {
  expect(chatwoot.violations).toEqual([]);
  await chatwoot.close();
});

function call(method: string, path: string, options: { token?: string | null; body?: unknown } = {}): Promise<Response> {
  const token = options.token === undefined ? USER_TOKEN : options.token;
  return fetch(`${chatwoot.baseUrl}${path}`, {
    method,
    headers: { "content-type": "application/json", ...(token === null ? {} : { api_access_token: token }) },
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    signal: AbortSignal.timeout(1_000),
  });
}

/** "answered <status>", "timed out" (no answer within the client's 1 s), or "closed" (the socket was destroyed). Errors cross realms here, so no instanceof. */
async function outcome(promise: Promise<Response>): Promise<string> {
  try {
    return `answered ${(await promise).status}`;
  } catch (error: unknown) {
    if (readRecord(error).name === "TimeoutError") return "timed out";
    const cause = readRecord(readRecord(error).cause);
    return cause.code === "UND_ERR_SOCKET" || cause.code === "ECONNRESET" ? "closed" : `failed: ${String(error)} (${String(cause.code)})`;
  }
}

function createConversation(contactId: number, inboxId = 7, route = "route-1") {
  return call("POST", "/api/v1/accounts/1/conversations", { body: { inbox_id: inboxId, contact_id: contactId, source_id: `source-${contactId}-${inboxId}`, custom_attributes: { cognigy_route: route } } });
}

describe("the simulator losing Chatwoot's answer after it acted", () => {
  it.each([
    ["hang-after", "timed out"],
    ["reset-after", "closed"],
  ] as const)("%s: the conversation is created, the client gets no answer", async (fault, seen) => {
    const contact = chatwoot.store.createContact({ name: "Jane", identifier: "jane", email: null, phoneNumber: null });
    chatwoot.fault(CONVERSATIONS, fault);
    expect(await outcome(createConversation(contact.id, 7))).toBe(seen);
    expect(chatwoot.store.conversations).toMatchObject([{ contactId: contact.id, customAttributes: { cognigy_route: "route-1" } }]);
    expect(chatwoot.requests).toMatchObject([{ operation: CONVERSATIONS, status: 200, answerLost: true }]);
    // The fault is used up: the next request is answered.
    expect(await outcome(createConversation(contact.id, 7, "route-2"))).toBe("answered 200");
    expect(chatwoot.requests[1]).toMatchObject({ status: 200, answerLost: false });
  });

  it.each([
    ["hang", "timed out"],
    ["reset", "closed"],
  ] as const)("%s (before acting): nothing is created", async (fault, seen) => {
    const contact = chatwoot.store.createContact({ name: "Jane", identifier: "jane", email: null, phoneNumber: null });
    chatwoot.fault(CONVERSATIONS, fault);
    expect(await outcome(createConversation(contact.id))).toBe(seen);
    expect(chatwoot.store.conversations).toEqual([]);
  });

  it("loses the answer of a refused request too: the status is recorded, nothing is created", async () => {
    chatwoot.fault(CONVERSATIONS, "reset-after");
    expect(await outcome(createConversation(999))).toBe("closed");
    expect(chatwoot.requests).toMatchObject([{ status: 404, answerLost: true }]);
  });
});

describe("the contact's conversations", () => {
  it("GET /contacts/{id}/conversations: {payload: [conversation]} as the conversation partial renders it, all inboxes, newest activity first", async () => {
    const jane = chatwoot.store.createContact({ name: "Jane", identifier: "jane", email: null, phoneNumber: null });
    const other = chatwoot.store.createContact({ name: "Other", identifier: "other", email: null, phoneNumber: null });
    await createConversation(jane.id, 7, "route-a");
    await createConversation(other.id, 7, "route-other");
    await createConversation(jane.id, 8, "route-b");
    const first = chatwoot.store.conversations[0];
    if (first === undefined) throw new Error("no conversation");
    await new Promise((resolve) => setTimeout(resolve, 5));
    chatwoot.agent.reply(first.id, "newest activity");

    const response = await call("GET", `/api/v1/accounts/1/contacts/${jane.id}/conversations`);
    expect(response.status).toBe(200);
    const body: unknown = await response.json();
    expect(body).toMatchObject({
      payload: [
        { id: first.id, inbox_id: 7, status: "open", custom_attributes: { cognigy_route: "route-a" }, meta: { sender: { id: jane.id, type: "contact" } }, last_activity_at: expect.any(Number) },
        { inbox_id: 8, custom_attributes: { cognigy_route: "route-b" } },
      ],
    });
    expect(JSON.stringify(body)).not.toContain("route-other");
  });

  it("answers 404 for an unknown contact and 401 to an agent-bot token (contacts are not bot-callable)", async () => {
    expect((await call("GET", "/api/v1/accounts/1/contacts/999/conversations")).status).toBe(404);
    const jane = chatwoot.store.createContact({ name: "Jane", identifier: "jane", email: null, phoneNumber: null });
    const refused = await call("GET", `/api/v1/accounts/1/contacts/${jane.id}/conversations`, { token: BOT_TOKEN });
    expect([refused.status, await refused.json()]).toEqual([401, { error: "Access to this endpoint is not authorized for bots" }]);
    chatwoot.fault(CONTACT_CONVERSATIONS, { status: 500, body: { error: "Internal Server Error" } });
    expect((await call("GET", `/api/v1/accounts/1/contacts/${jane.id}/conversations`)).status).toBe(500);
  });

  it("public API GET …/contacts/{source_id}/conversations: a bare array, without attributes, only that contact inbox's", async () => {
    const jane = chatwoot.store.createContact({ name: "Jane", identifier: "jane", email: null, phoneNumber: null }, { inboxId: 7, sourceId: "source-jane" });
    await call("POST", "/api/v1/accounts/1/conversations", { body: { inbox_id: 7, contact_id: jane.id, source_id: "source-jane", custom_attributes: { cognigy_route: "r" }, message: { content: "hello", message_type: "incoming" } } });
    await createConversation(jane.id, 8, "elsewhere");
    const response = await call("GET", "/public/api/v1/inboxes/inbox-identifier-7/contacts/source-jane/conversations", { token: null });
    expect(response.status).toBe(200);
    const body: unknown = await response.json();
    expect(body).toEqual([
      expect.objectContaining({ id: 1, inbox_id: 7, status: "open", messages: [expect.objectContaining({ content: "hello", message_type: 0, sender: { id: jane.id, type: "contact" } })], contact: expect.objectContaining({ id: jane.id }) }),
    ]);
    expect(JSON.stringify(body)).not.toContain("cognigy_route");
    expect((await call("GET", "/public/api/v1/inboxes/inbox-identifier-7/contacts/unknown/conversations", { token: null })).status).toBe(404);
  });
});
