import { ROUTE_ATTRIBUTE, sealRoute, type SessionRoute } from "../../src/core/route-seal";
import { deriveKeys } from "../../src/core/derive-key";
import { classifyWebhook, type RelayOptions } from "../../src/relay/classify-webhook";
import { ROUTE_NOTE, routeNotes, type OutboxJob } from "../../src/relay/route-note";
import {
  agentMessage,
  attachment,
  conversationFor,
  conversationUpdated,
  csatMessage,
  messageEvent,
  outOfOfficeMessage,
  statusChanged,
  typingEvent,
  type WebhookConversation,
} from "../support/chatwoot-webhooks";

const RELAY_SECRET = "relay-secret-0123456789-abcdefghijklmnop";
const OTHER_SECRET = "another-relay-secret-0123456789abcdefgh";
const ROUTE: SessionRoute = { userId: "user-route-note", sessionId: "session-route-note", urlToken: "url-token-route-note-0123456789" };
const OPTIONS: RelayOptions = { relaySecret: RELAY_SECRET, inboxIds: null, forwardTemplates: true, forwardCsat: true, forwardAssignments: true };
const NOW = Date.UTC(2026, 10, 22, 10, 0, 0);

function healthy(overrides: Partial<WebhookConversation> = {}): WebhookConversation {
  return conversationFor(ROUTE, RELAY_SECRET, { id: 321, inboxId: 12, accountId: 1, sourceId: "source-abc", ...overrides });
}

function sealedOf(conversation: WebhookConversation): string {
  const sealed = conversation.customAttributes[ROUTE_ATTRIBUTE];
  if (typeof sealed !== "string") throw new Error("the fixture did not seal a route");
  return sealed;
}

/** One base64url digit of the ciphertext changed, as an agent editing the attribute might. */
function edited(overrides: Partial<WebhookConversation> = {}): WebhookConversation {
  const conversation = healthy(overrides);
  const sealed = sealedOf(conversation);
  const at = sealed.length - 10;
  return { ...conversation, customAttributes: { [ROUTE_ATTRIBUTE]: `${sealed.slice(0, at)}${sealed[at] === "A" ? "B" : "A"}${sealed.slice(at + 1)}` } };
}

/** Erin's route, on Frank's conversation (another contact). */
const copied: WebhookConversation = { ...healthy({ sourceId: "source-of-frank" }), customAttributes: { [ROUTE_ATTRIBUTE]: sealedOf(healthy()) } };
const otherSecret: WebhookConversation = { ...healthy(), customAttributes: { [ROUTE_ATTRIBUTE]: sealRoute(ROUTE, { inboxId: 12, sourceId: "source-abc" }, OTHER_SECRET) } };
const noRoute: WebhookConversation = { ...healthy(), customAttributes: {} };

function notesFor(payload: unknown, options: { notesEnabled?: boolean; relay?: Partial<RelayOptions> } = {}): OutboxJob[] {
  return routeNotes(classifyWebhook(payload, { ...OPTIONS, ...options.relay }, NOW), options.notesEnabled ?? true, NOW);
}

const FILE = attachment({ id: 1, messageId: 5, fileType: "image", url: "https://chat.example.com/rails/active_storage/blobs/redirect/x/photo.png" });
const withoutAccount = (payload: ReturnType<typeof agentMessage>): unknown => {
  const { account: _account, ...rest } = payload;
  return { ...rest, conversation: { ...rest.conversation, account: undefined } };
};

describe("routeNotes: when the agent is told that the conversation cannot reach the user", () => {
  it.each<[string, unknown]>([
    ["an agent's reply, the route edited", agentMessage(edited(), { id: 1, content: "Hi" })],
    ["an agent's reply Chatwoot re-sends (message_updated), the route edited", agentMessage(edited(), { id: 1, content: "Hi", event: "message_updated" })],
    ["an agent's reply of only a file, the route edited", agentMessage(edited(), { id: 1, content: null, attachments: [FILE] })],
    ["an agent's reply, the route copied from another contact's conversation", agentMessage(copied, { id: 1, content: "Hi" })],
    ["an agent's reply, the route sealed with another relay secret", agentMessage(otherSecret, { id: 1, content: "Hi" })],
    ["an agent's reply, the route replaced by free text", agentMessage({ ...healthy(), customAttributes: { [ROUTE_ATTRIBUTE]: "session-route-note" } }, { id: 1, content: "Hi" })],
    ["the out-of-office text, the route edited", outOfOfficeMessage(edited(), { id: 1, content: "We are away" })],
    ["the CSAT survey, the route edited", csatMessage(edited(), { id: 1 })],
  ])("tells the agent once about %s", (_, payload) => {
    expect(notesFor(payload)).toEqual<OutboxJob[]>([
      { conversationKey: "note:12:321", orderTs: NOW, orderSeq: 0, dedupeKey: "route-note:1:321", payload: { kind: "note", accountId: 1, conversationId: 321, content: ROUTE_NOTE } },
    ]);
  });

  it.each<[string, unknown, { notesEnabled?: boolean; relay?: Partial<RelayOptions> }]>([
    ["an agent's reply in a healthy conversation (it is injected)", agentMessage(healthy(), { id: 1, content: "Hi" }), {}],
    ["an agent's reply without a route (no handover conversation)", agentMessage(noRoute, { id: 1, content: "Hi" }), {}],
    ["an agent's reply, the route edited, without a Chatwoot token", agentMessage(edited(), { id: 1, content: "Hi" }), { notesEnabled: false }],
    ["an agent's reply, the route edited, in an inbox not allowed", agentMessage(edited(), { id: 1, content: "Hi" }), { relay: { inboxIds: [13] } }],
    ["an agent's reply, the route edited, without an account", withoutAccount(agentMessage(edited(), { id: 1, content: "Hi" })), {}],
    ["a status change, the route edited", statusChanged(edited(), "resolved"), {}],
    ["conversation_updated with a status, the route edited", conversationUpdated(edited(), { status: { previous_value: "open", current_value: "resolved" } }), {}],
    ["an assignment, the route edited", conversationUpdated({ ...edited(), assignee: { id: 7, name: "Anna Agent" } }, { assignee_id: { previous_value: null, current_value: 7 } }), {}],
    ["the edit itself (custom_attributes changed)", conversationUpdated(edited(), { custom_attributes: { previous_value: {}, current_value: {} } }), {}],
    ["an agent typing, the route edited", typingEvent(edited(), true), {}],
    ["a private note, the route edited", agentMessage(edited(), { id: 1, content: "internal", private: true }), {}],
    ["the user's own message, the route edited", messageEvent(edited(), { id: 1, messageType: "incoming", content: "Hello?", sender: { kind: "contact" } }), {}],
    ["the relay's own note echoed, the route edited", agentMessage(edited(), { id: 1, content: ROUTE_NOTE, private: true, sourceId: "cognigy:relay-note:1" }), {}],
    ["an own public message (cognigy: source id), the route edited", agentMessage(edited(), { id: 1, content: "history", sourceId: "cognigy:history:1" }), {}],
    ["an agent bot's message, the route edited", messageEvent(edited(), { id: 1, messageType: "outgoing", content: "Bot", sender: { kind: "agent_bot", id: 3, name: "Bot" } }), {}],
    ["an empty reply, the route edited", agentMessage(edited(), { id: 1, content: "  " }), {}],
    ["a template while templates are not forwarded, the route edited", outOfOfficeMessage(edited(), { id: 1, content: "We are away" }), { relay: { forwardTemplates: false } }],
    ["a malformed body", { event: "message_created" }, {}],
  ])("tells nobody about %s", (_, payload, options) => {
    expect(notesFor(payload, options)).toEqual([]);
  });

  it("keys the note by account and conversation: every reply in one conversation has the same key, other conversations their own", () => {
    const keys = [
      notesFor(agentMessage(edited(), { id: 1, content: "Hi" })),
      notesFor(agentMessage(edited(), { id: 2, content: "Hello?" })),
      notesFor(csatMessage(edited(), { id: 3 })),
      notesFor(agentMessage(edited({ id: 322 }), { id: 4, content: "Hi" })),
      notesFor(agentMessage(edited({ accountId: 2 }), { id: 5, content: "Hi" })),
    ].map((jobs) => jobs.map((job) => job.dedupeKey));
    expect(keys).toEqual([["route-note:1:321"], ["route-note:1:321"], ["route-note:1:321"], ["route-note:1:322"], ["route-note:2:321"]]);
  });

  it("carries no route, secret, signature, session or message text", () => {
    const conversation = edited();
    const [job] = notesFor(agentMessage(conversation, { id: 1, content: "Your refund is approved" }));
    const text = JSON.stringify(job);
    const forbidden = [sealedOf(conversation), sealedOf(healthy()), RELAY_SECRET, ROUTE.userId, ROUTE.sessionId, ROUTE.urlToken, "source-abc", "Your refund is approved"];
    for (const key of Object.values(deriveKeys(RELAY_SECRET))) forbidden.push(key.toString("hex"), key.toString("base64url"));
    expect(forbidden.filter((value) => text.includes(value))).toEqual([]);
    expect(ROUTE_NOTE).toMatch(/^⚠️ Your replies in this conversation cannot reach the user/);
    expect(ROUTE_NOTE).toContain("cognigy_route");
    expect(ROUTE_NOTE).toContain("start a new chat");
  });
});
