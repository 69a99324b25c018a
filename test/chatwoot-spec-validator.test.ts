import Ajv2020 from "ajv/dist/2020";
import { createSpecValidator, type SpecRequest } from "./support/chatwoot-spec-validator";

const ACCOUNT = "/api/v1/accounts/1";
const CONVERSATION = `${ACCOUNT}/conversations/7`;
const PUBLIC_INBOX = "/public/api/v1/inboxes/abc123XYZ";
const MULTIPART = "multipart/form-data; boundary=----jest-boundary";

function json(method: string, path: string, body?: unknown, extra: Partial<SpecRequest> = {}): SpecRequest {
  return { method, path, query: {}, contentType: body === undefined ? null : "application/json", body, hasToken: true, ...extra };
}

function form(path: string, fields: Record<string, string | string[]>): SpecRequest {
  return { method: "POST", path, query: {}, contentType: MULTIPART, body: fields, hasToken: true };
}

function files(count: number): string[] {
  return Array.from({ length: count }, (_, index) => `<file:photo-${index}.png>`);
}

/** All problems of a rejected request, or a marker that makes the assertion fail readably. */
function problemsOf(validator: ReturnType<typeof createSpecValidator>, request: SpecRequest): string[] {
  const verdict = validator.validate(request);
  return verdict.ok ? ["<accepted>"] : verdict.problems;
}

describe("createSpecValidator (Chatwoot swagger + code-only parameters)", () => {
  const validator = createSpecValidator();

  describe("accepts what Chatwoot accepts", () => {
    it.each<[string, SpecRequest, string]>([
      ["create contact without inbox_id", json("POST", `${ACCOUNT}/contacts`, { identifier: "cognigy-user-1", name: "Ada" }), "contactCreate"],
      ["create contact with inbox_id and source_id", json("POST", `${ACCOUNT}/contacts`, { inbox_id: 3, source_id: "src-1", identifier: "u1" }), "contactCreate"],
      [
        "conversation with an incoming first message",
        json("POST", `${ACCOUNT}/conversations`, { source_id: "src-1", inbox_id: 3, contact_id: 9, custom_attributes: { sessionId: "s-1" }, message: { content: "Hi", message_type: "incoming" } }),
        "newConversation",
      ],
      ["conversation without source_id but with inbox_id and contact_id", json("POST", `${ACCOUNT}/conversations`, { inbox_id: 3, contact_id: 9, status: "snoozed" }), "newConversation"],
      [
        "multipart message with attachments[] and source_id",
        form(`${CONVERSATION}/messages`, { content: "see attached", message_type: "outgoing", private: "false", source_id: "cgy-1", sender_type: "AgentBot", sender_id: "4", "attachments[]": files(2) }),
        "create-a-new-message-in-a-conversation",
      ],
      [
        "JSON message with every code-only field",
        json("POST", `${CONVERSATION}/messages`, { content: "hi", message_type: "outgoing", source_id: "cgy-2", echo_id: "tmp-1", external_created_at: 1750155342, sender_type: "AgentBot", sender_id: 4 }),
        "create-a-new-message-in-a-conversation",
      ],
      ["message content of exactly 150000 characters", json("POST", `${CONVERSATION}/messages`, { content: "x".repeat(150_000) }), "create-a-new-message-in-a-conversation"],
      ["multipart message with 15 attachments", form(`${CONVERSATION}/messages`, { "attachments[]": files(15) }), "create-a-new-message-in-a-conversation"],
      ["multipart content_attributes as a JSON string", form(`${CONVERSATION}/messages`, { content: "x", content_attributes: '{"a":1}' }), "create-a-new-message-in-a-conversation"],
      ["multipart content_attributes as Rails brackets", form(`${CONVERSATION}/messages`, { content: "x", "content_attributes[a]": "1" }), "create-a-new-message-in-a-conversation"],
      ["public contact create without token", json("POST", `${PUBLIC_INBOX}/contacts`, { identifier: "u1", name: "Ada", source_id: "s-1" }, { hasToken: false }), "create-a-contact"],
      ["public inbox details without token", json("GET", PUBLIC_INBOX, undefined, { hasToken: false }), "get-details-of-a-inbox"],
      [
        "filter contacts by identifier (query_operator null)",
        json("POST", `${ACCOUNT}/contacts/filter`, { payload: [{ attribute_key: "identifier", filter_operator: "equal_to", values: ["u1"], query_operator: null }] }),
        "contactFilter",
      ],
      ["filter contacts without query_operator", json("POST", `${ACCOUNT}/contacts/filter`, { payload: [{ attribute_key: "identifier", filter_operator: "equal_to", values: ["u1"] }] }), "contactFilter"],
      ["contact inbox with hmac_verified", json("POST", `${ACCOUNT}/contacts/9/contact_inboxes`, { inbox_id: 3, source_id: "s", hmac_verified: true }), "contactInboxCreation"],
      ["toggle_status to snoozed with snoozed_until", json("POST", `${CONVERSATION}/toggle_status`, { status: "snoozed", snoozed_until: 1757506877 }), "toggle-status-of-a-conversation"],
      ["set labels", json("POST", `${CONVERSATION}/labels`, { labels: ["handover", "vip"] }), "conversation-add-labels"],
      ["PATCH priority", json("PATCH", CONVERSATION, { priority: "urgent" }), "update-conversation"],
      ["assign an agent bot", json("POST", `${CONVERSATION}/assignments`, { assignee_id: 2, assignee_type: "AgentBot" }), "assign-a-conversation"],
      ["unassign with assignee_id null", json("POST", `${CONVERSATION}/assignments`, { assignee_id: null }), "assign-a-conversation"],
      ["assign a team", json("POST", `${CONVERSATION}/assignments`, { team_id: 5 }), "assign-a-conversation"],
      ["GET inbox_members", json("GET", `${ACCOUNT}/inbox_members/3`), "get-inbox-members"],
      ["GET conversations with declared query parameters", { ...json("GET", `${ACCOUNT}/conversations`), query: { status: "open", inbox_id: "3", page: "2" } }, "conversationList"],
      [
        "public typing with typing_status in the body (Rails merges query and body)",
        json("POST", `${PUBLIC_INBOX}/contacts/src-1/conversations/7/toggle_typing`, { typing_status: "on" }, { hasToken: false }),
        "toggle-typing-status",
      ],
    ])("%s", (_name, request, operationId) => {
      const verdict = validator.validate(request);
      expect(verdict).toEqual({ ok: true, match: expect.objectContaining({ operationId }) });
    });
  });

  describe("rejects what Chatwoot would not accept (or would silently ignore)", () => {
    it.each<[string, SpecRequest, string]>([
      ["unknown top-level property", json("POST", `${ACCOUNT}/contacts`, { identifier: "u1", nickname: "Ada" }), 'body must NOT have additional property "nickname"'],
      [
        "unknown property inside message",
        json("POST", `${ACCOUNT}/conversations`, { source_id: "s", message: { content: "hi", private: true } }),
        'POST /api/v1/accounts/{account_id}/conversations: body/message must NOT have additional property "private"',
      ],
      ["wrong enum for toggle_status status", json("POST", `${CONVERSATION}/toggle_status`, { status: "closed" }), 'body/status must be one of "open", "resolved", "pending", "snoozed" (got "closed")'],
      ["non-integer conversation_id in path", json("POST", `${ACCOUNT}/conversations/abc/toggle_status`, { status: "open" }), 'path/conversation_id must be integer (got "abc")'],
      ["missing token", json("POST", `${CONVERSATION}/messages`, { content: "hi" }, { hasToken: false }), "missing api_access_token header"],
      ["unknown path", json("GET", `${ACCOUNT}/conversations/7/summary`), "no such operation in Chatwoot's API"],
      ["wrong method on a known path", json("DELETE", CONVERSATION), "no such operation in Chatwoot's API (this path supports GET, PATCH)"],
      ["missing required body", json("POST", `${CONVERSATION}/toggle_status`), "body: a request body is required"],
      ["16 attachments", form(`${CONVERSATION}/messages`, { content: "x", "attachments[]": files(16) }), "body/attachments[] has 16 files; Chatwoot allows at most 15"],
      ["message content over 150000 characters", json("POST", `${CONVERSATION}/messages`, { content: "x".repeat(150_001) }), "body/content is 150001 characters"],
      ["first message content over 150000 characters", json("POST", `${ACCOUNT}/conversations`, { source_id: "s", message: { content: "x".repeat(150_001) } }), "body/message/content is 150001 characters"],
      ["conversation without source_id nor contact_id", json("POST", `${ACCOUNT}/conversations`, { inbox_id: 3 }), 'body must have required property "source_id"'],
      ["message_type in the wrong place", json("POST", `${ACCOUNT}/conversations`, { source_id: "s", message_type: "incoming" }), 'body must NOT have additional property "message_type"'],
      ["sender_type other than AgentBot", json("POST", `${CONVERSATION}/messages`, { content: "hi", sender_type: "User", sender_id: 1 }), 'body/sender_type must be one of "AgentBot"'],
      ["multipart sender_id that is not a number", form(`${CONVERSATION}/messages`, { content: "x", sender_id: "bot" }), 'body/sender_id must be integer (got "bot")'],
      ["multipart private that is not a boolean", form(`${CONVERSATION}/messages`, { content: "x", private: "yes" }), 'body/private must be boolean (got "yes")'],
      ["a file where text is expected", form(`${CONVERSATION}/messages`, { content: "<file:notes.txt>" }), "body/content must be a text field, not a file upload"],
      ["multipart content_attributes that is not an object", form(`${CONVERSATION}/messages`, { content: "x", content_attributes: "plain" }), 'body/content_attributes must be object (got "plain")'],
      ["unknown Rails-bracket field", form(`${CONVERSATION}/messages`, { content: "x", "meta[a]": "1" }), 'body must NOT have additional property "meta"'],
      ["unknown multipart field", form(`${CONVERSATION}/messages`, { content: "x", "attachments[]": files(1), caption: "y" }), 'body must NOT have additional property "caption"'],
      ["multipart to a JSON-only operation", form(`${ACCOUNT}/contacts`, { name: "Ada" }), "Content-Type multipart/form-data is not accepted here (accepted: application/json)"],
      ["JSON body without Content-Type", { ...json("POST", `${CONVERSATION}/labels`, { labels: [] }), contentType: null }, "sent without a Content-Type header"],
      ["unknown property in a filter item", json("POST", `${ACCOUNT}/contacts/filter`, { payload: [{ attribute_key: "identifier", values: ["u"], negate: true }] }), 'body/payload/0 must NOT have additional property "negate"'],
      ["filter operator not in the spec", json("POST", `${ACCOUNT}/contacts/filter`, { payload: [{ attribute_key: "identifier", filter_operator: "is_present", values: [] }] }), "body/payload/0/filter_operator must be one of"],
      ["labels that are not an array", json("POST", `${CONVERSATION}/labels`, { labels: "vip" }), 'body/labels must be array (got "vip")'],
      ["PATCH of a field other than priority", json("PATCH", CONVERSATION, { priority: "high", status: "open" }), 'body must NOT have additional property "status"'],
      ["body on an operation without one", json("POST", `${PUBLIC_INBOX}/contacts/src-1/conversations/7/toggle_status`, { status: "resolved" }, { hasToken: false }), "this operation takes no request body"],
      ["unknown query parameter", { ...json("GET", `${ACCOUNT}/conversations`), query: { sort_by: "latest" } }, 'query parameter "sort_by" is not declared for this operation'],
      ["query parameter of the wrong type", { ...json("GET", `${ACCOUNT}/conversations`), query: { page: "two" } }, 'query/page must be integer (got "two")'],
      ["missing required query parameter", json("GET", `${ACCOUNT}/custom_attribute_definitions`), 'query parameter "attribute_model" is required'],
    ])("%s", (_name, request, problem) => {
      expect(problemsOf(validator, request)).toEqual(expect.arrayContaining([expect.stringContaining(problem)]));
    });
  });

  describe("matching", () => {
    it("reports template, path parameters and security of the matched operation", () => {
      const verdict = validator.validate(json("POST", `${CONVERSATION}/messages`, { content: "hi" }));
      expect(verdict.match).toEqual({
        operationId: "create-a-new-message-in-a-conversation",
        method: "POST",
        template: "/api/v1/accounts/{account_id}/conversations/{conversation_id}/messages",
        pathParams: { account_id: "1", conversation_id: "7" },
        security: "token",
      });
    });

    it.each<[string, SpecRequest, string]>([
      ["conversations/meta over conversations/{conversation_id}", json("GET", `${ACCOUNT}/conversations/meta`), "/api/v1/accounts/{account_id}/conversations/meta"],
      ["conversations/{conversation_id} for a number", json("GET", CONVERSATION), "/api/v1/accounts/{account_id}/conversations/{conversation_id}"],
      ["a trailing slash, as Rails routing ignores it", json("GET", `${ACCOUNT}/inbox_members/3/`), "/api/v1/accounts/{account_id}/inbox_members/{inbox_id}"],
      ["contacts/filter for POST", json("POST", `${ACCOUNT}/contacts/filter`, { payload: [] }), "/api/v1/accounts/{account_id}/contacts/filter"],
    ])("prefers the most literal template: %s", (_name, request, template) => {
      expect(validator.validate(request).match?.template).toBe(template);
    });

    it("marks the public client API as public and still reports the match when refusing", () => {
      const verdict = validator.validate(json("POST", `${PUBLIC_INBOX}/contacts`, { identifier: "u", nickname: "x" }, { hasToken: false }));
      expect(verdict.ok).toBe(false);
      expect(verdict.match).toMatchObject({ security: "public", pathParams: { inbox_identifier: "abc123XYZ" } });
    });

    it("returns no match for an unknown path", () => {
      expect(validator.validate(json("GET", "/api/v1/accounts/1/nothing-here"))).toEqual({
        ok: false,
        match: null,
        problems: ["GET /api/v1/accounts/1/nothing-here: no such operation in Chatwoot's API"],
      });
    });
  });

  it("prefixes every problem with the operation and lists each problem once", () => {
    const problems = problemsOf(validator, json("POST", `${ACCOUNT}/conversations/x/toggle_status`, { status: "closed", reason: "done" }, { hasToken: false }));
    expect(problems).toEqual([
      "POST /api/v1/accounts/{account_id}/conversations/{conversation_id}/toggle_status: missing api_access_token header",
      'POST /api/v1/accounts/{account_id}/conversations/{conversation_id}/toggle_status: path/conversation_id must be integer (got "x")',
      'POST /api/v1/accounts/{account_id}/conversations/{conversation_id}/toggle_status: body must NOT have additional property "reason"',
      'POST /api/v1/accounts/{account_id}/conversations/{conversation_id}/toggle_status: body/status must be one of "open", "resolved", "pending", "snoozed" (got "closed")',
    ]);
  });

  it("compiles each operation's body schema once", () => {
    const fresh = createSpecValidator();
    const compile = jest.spyOn(Ajv2020.prototype, "compile");
    try {
      const request = json("POST", `${CONVERSATION}/labels`, { labels: ["a"] });
      expect(fresh.validate(request).ok).toBe(true);
      const afterFirst = compile.mock.calls.length;
      expect(afterFirst).toBeGreaterThan(0);
      expect(fresh.validate(request).ok).toBe(true);
      expect(fresh.validate(json("POST", `${CONVERSATION}/labels`, { labels: [1] })).ok).toBe(false);
      expect(compile.mock.calls.length).toBe(afterFirst);
    } finally {
      compile.mockRestore();
    }
  });

  it("fails loudly when the swagger file is missing", () => {
    expect(() => createSpecValidator("/nonexistent/swagger.json")).toThrow(/OpenAPI spec is not at \/nonexistent\/swagger\.json/);
  });
});
