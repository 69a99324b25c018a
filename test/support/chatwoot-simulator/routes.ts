import { agentJson, contactJson, conversationJson, inboxJson, inboxSlim, lastActivityAt, messageJson, publicConversationJson, publicInboxJson } from "./presenters";
import { ChatwootRefusal, type FakeChatwootStore } from "./store";
import type { FakeAttachment, MessageType, Status } from "./model";

export type Actor = { kind: "user"; id: number; role: "administrator" | "agent" } | { kind: "bot"; id: number } | { kind: "public" };

export interface RouteContext {
  store: FakeChatwootStore;
  params: Record<string, string>;
  /** The query string's parameters (spec-checked, plus the code-only ones of code-only-query.ts). */
  query?: Record<string, string>;
  body: Record<string, unknown>;
  files: FakeAttachment[];
  actor: Actor;
}

export interface RouteReply {
  status: number;
  body: unknown;
}

export interface Route {
  /**
   * Rails' `controller#action` for the bot-token allow-list
   * (chatwoot-version.ts); null for the public client API, which takes no token.
   */
  action: string | null;
  handle(context: RouteContext): RouteReply;
}

/**
 * Pundit, as far as the extension meets it: an agent (not an administrator)
 * may act only in inboxes they are a member of (InboxPolicy#show?,
 * ConversationPolicy#show?); a refusal is 401 "You are not authorized to do
 * this action" (request_exception_handler.rb, platform-sources.md C10).
 */
function authorizeInbox(context: RouteContext, inboxId: number): void {
  const { actor } = context;
  if (actor.kind !== "user" || actor.role === "administrator") return;
  if (!context.store.inbox(inboxId).memberIds.includes(actor.id)) throw new ChatwootRefusal(401, { error: "You are not authorized to do this action" });
}

function conversationOf(context: RouteContext) {
  const conversation = context.store.conversation(param(context, "conversation_id"));
  authorizeInbox(context, conversation.inboxId);
  return conversation;
}

const ok = (body: unknown): RouteReply => ({ status: 200, body });
const str = (value: unknown): string | null => (typeof value === "string" && value !== "" ? value : null);
const int = (value: unknown): number | null => (typeof value === "number" ? value : typeof value === "string" && /^\d+$/.test(value) ? Number(value) : null);
const record = (value: unknown): Record<string, unknown> => (typeof value === "object" && value !== null && !Array.isArray(value) ? Object.fromEntries(Object.entries(value)) : {});
const param = (context: RouteContext, name: string): number => Number(context.params[name]);
const STATUSES: readonly Status[] = ["open", "resolved", "pending", "snoozed"];
const status = (value: unknown): Status | null => STATUSES.find((item) => item === value) ?? null;

function contactFields(body: Record<string, unknown>) {
  return { name: str(body.name), identifier: str(body.identifier), email: str(body.email), phoneNumber: str(body.phone_number) };
}

function messageSender(context: RouteContext, body: Record<string, unknown>): { type: "User" | "AgentBot"; id: number } {
  if (context.actor.kind === "bot") return { type: "AgentBot", id: context.actor.id };
  const botId = int(body.sender_id);
  if (body.sender_type === "AgentBot" && botId !== null && context.store.bots.some((bot) => bot.id === botId)) return { type: "AgentBot", id: botId };
  return { type: "User", id: context.actor.kind === "user" ? context.actor.id : 0 };
}

function createMessage(context: RouteContext): RouteReply {
  const { body } = context;
  const conversation = conversationOf(context);
  const messageType: MessageType = body.message_type === "incoming" ? "incoming" : "outgoing";
  const message = context.store.createMessage(conversation.id, {
    content: typeof body.content === "string" ? body.content : "",
    messageType,
    private: body.private === true || body.private === "true",
    sourceId: str(body.source_id),
    sender: messageSender(context, body),
    attachments: context.files,
  });
  return ok(messageJson(message));
}

function createConversation(context: RouteContext): RouteReply {
  const { body, store } = context;
  const sourceId = str(body.source_id);
  // Without contact_id Chatwoot finds the ContactInbox by source_id alone (ContactInbox.find_by!), else 404.
  const found = int(body.contact_id) === null && sourceId !== null ? store.contactInboxBySource(sourceId) : undefined;
  const inboxId = found?.inboxId ?? int(body.inbox_id);
  const contactId = found?.contactId ?? int(body.contact_id);
  if (inboxId === null || contactId === null || sourceId === null) throw new ChatwootRefusal(404, { error: "Resource could not be found" });
  authorizeInbox(context, inboxId);
  const conversation = store.createConversation({
    inboxId,
    contactId,
    sourceId,
    status: status(body.status),
    customAttributes: record(body.custom_attributes),
    teamId: int(body.team_id),
    assigneeId: int(body.assignee_id),
  });
  const message = record(body.message);
  if (typeof message.content === "string") {
    const messageType: MessageType = message.message_type === "incoming" ? "incoming" : "outgoing";
    store.createMessage(conversation.id, { content: message.content, messageType, private: false, sourceId: null, sender: messageSender(context, {}), attachments: [] });
  }
  return ok(conversationJson(store, conversation));
}

/** CONVERSATION_RESULTS_PER_PAGE's default (app/finders/conversation_finder.rb). */
export const CONVERSATIONS_PER_PAGE = 25;
const ASSIGNEE_TYPES = ["all", "unassigned", "assigned"] as const;
const SORTS = ["created_at_asc", "waiting_since_asc", "last_activity_at_desc"] as const;

/**
 * The conversation list, as ConversationFinder filters it (store.listConversations);
 * `{data: {meta, payload}}` as app/views/api/v1/conversations/index.json.jbuilder renders it.
 * An agent sees only inboxes they are a member of (`current_user.assigned_inboxes`);
 * this simulator answers a foreign inbox_id with 401 like other inbox routes.
 */
function listConversations(context: RouteContext): RouteReply {
  const query = context.query ?? {};
  const inboxId = int(query.inbox_id);
  if (inboxId !== null) authorizeInbox(context, inboxId);
  const statusFilter = query.status === "all" ? "all" : (status(query.status) ?? "open");
  const assigneeType = ASSIGNEE_TYPES.find((item) => item === query.assignee_type) ?? "all";
  const sortBy = SORTS.find((item) => item === query.sort_by) ?? "last_activity_at_desc";
  const page = Math.max(1, int(query.page) ?? 1);
  const { store } = context;
  const result = store.listConversations(
    { inboxId, status: statusFilter, assigneeType, unattended: query.conversation_type === "unattended", sortBy, page, perPage: CONVERSATIONS_PER_PAGE },
    (conversation) => lastActivityAt(store, conversation),
  );
  const userId = context.actor.kind === "user" ? context.actor.id : null;
  const mine = store.conversations.filter((conversation) => userId !== null && conversation.assigneeId === userId).length;
  return ok({
    data: {
      meta: { mine_count: mine, assigned_count: result.allCount - result.unassignedCount, unassigned_count: result.unassignedCount, all_count: result.allCount },
      payload: result.page.map((conversation) => conversationJson(store, conversation)),
    },
  });
}

const ACCOUNT = "/api/v1/accounts/{account_id}";
const CONVERSATION = `${ACCOUNT}/conversations/{conversation_id}`;

/** Keyed by `METHOD template` as in Chatwoot's OpenAPI spec. */
export const ROUTES: Record<string, Route> = {
  [`POST ${ACCOUNT}/contacts`]: {
    action: "api/v1/accounts/contacts#create",
    handle(context) {
      const inboxId = int(context.body.inbox_id);
      const contact = context.store.createContact(contactFields(context.body), inboxId === null ? undefined : { inboxId, sourceId: str(context.body.source_id) });
      const contactInbox = contact.contactInboxes[0];
      const inbox = contactInbox === undefined ? null : inboxJson(context.store.inbox(contactInbox.inboxId));
      return ok({ payload: { contact: contactJson(context.store, contact), contact_inbox: contactInbox === undefined ? null : { inbox, source_id: contactInbox.sourceId } } });
    },
  },
  [`POST ${ACCOUNT}/contacts/filter`]: {
    action: "api/v1/accounts/contacts#filter",
    handle(context) {
      const [condition] = Array.isArray(context.body.payload) ? context.body.payload.map(record) : [];
      const values = Array.isArray(condition?.values) ? condition.values : [];
      const found = condition?.attribute_key === "identifier" && condition.filter_operator === "equal_to" ? context.store.findContactByIdentifier(String(values[0] ?? "")) : [];
      return ok({ meta: { count: found.length, current_page: 1 }, payload: found.map((contact) => contactJson(context.store, contact)) });
    },
  },
  [`POST ${ACCOUNT}/contacts/{id}/contact_inboxes`]: {
    action: "api/v1/accounts/contacts/contact_inboxes#create",
    handle(context) {
      const contact = context.store.contact(param(context, "id"));
      const inboxId = int(context.body.inbox_id) ?? 0;
      const created = context.store.addContactInbox(contact, inboxId, str(context.body.source_id));
      return ok({ source_id: created.sourceId, inbox: inboxSlim(context.store.inbox(inboxId)) });
    },
  },
  // Contacts::ConversationsController#index: the contact's conversations (all inboxes), newest activity first, at most 20.
  [`GET ${ACCOUNT}/contacts/{id}/conversations`]: {
    action: "api/v1/accounts/contacts/conversations#index",
    handle(context) {
      const { store } = context;
      const contact = store.contact(param(context, "id"));
      const conversations = store.conversations
        .filter((conversation) => conversation.contactId === contact.id)
        .sort((a, b) => lastActivityAt(store, b) - lastActivityAt(store, a) || b.id - a.id)
        .slice(0, 20);
      return ok({ payload: conversations.map((conversation) => conversationJson(store, conversation)) });
    },
  },
  // Public::Api::V1::Inboxes::ConversationsController#index: the conversations of that contact inbox, as a bare array.
  ["GET /public/api/v1/inboxes/{inbox_identifier}/contacts/{contact_identifier}/conversations"]: {
    action: null,
    handle(context) {
      const { store } = context;
      const inbox = [...store.inboxes.values()].find((item) => item.identifier === context.params.inbox_identifier);
      const sourceId = context.params.contact_identifier ?? "";
      const owner = inbox === undefined ? undefined : store.contacts.find((contact) => contact.contactInboxes.some((ci) => ci.inboxId === inbox.id && ci.sourceId === sourceId));
      if (inbox === undefined || owner === undefined) throw new ChatwootRefusal(404, { error: "Resource could not be found" });
      const conversations = store.conversations.filter((conversation) => conversation.inboxId === inbox.id && conversation.contactId === owner.id && conversation.sourceId === sourceId);
      return ok(conversations.map((conversation) => publicConversationJson(store, conversation)));
    },
  },
  ["POST /public/api/v1/inboxes/{inbox_identifier}/contacts"]: {
    action: null,
    handle(context) {
      const inbox = [...context.store.inboxes.values()].find((item) => item.identifier === context.params.inbox_identifier);
      if (inbox === undefined) throw new ChatwootRefusal(404, { error: "Resource could not be found" });
      const { contact, sourceId } = context.store.publicContact(inbox.id, contactFields(context.body), str(context.body.source_id), str(context.body.identifier_hash));
      return ok({ id: contact.id, source_id: sourceId, name: contact.name, email: contact.email, phone_number: contact.phoneNumber, pubsub_token: "pubsub" });
    },
  },
  ["GET /public/api/v1/inboxes/{inbox_identifier}"]: {
    action: null,
    handle(context) {
      const inbox = [...context.store.inboxes.values()].find((item) => item.identifier === context.params.inbox_identifier);
      if (inbox === undefined) throw new ChatwootRefusal(404, { error: "Resource could not be found" });
      return ok(publicInboxJson(inbox));
    },
  },
  [`POST ${ACCOUNT}/conversations`]: { action: "api/v1/accounts/conversations#create", handle: createConversation },
  // ConversationsController#index (not on the agent-bot allow-list: chatwoot-version.ts), see listConversations.
  [`GET ${ACCOUNT}/conversations`]: { action: "api/v1/accounts/conversations#index", handle: listConversations },
  [`GET ${CONVERSATION}`]: {
    action: "api/v1/accounts/conversations#show",
    handle: (context) => ok(conversationJson(context.store, conversationOf(context))),
  },
  [`PATCH ${CONVERSATION}`]: {
    action: "api/v1/accounts/conversations#update",
    handle(context) {
      const conversation = conversationOf(context);
      conversation.priority = str(context.body.priority) === "none" ? null : str(context.body.priority);
      return ok(conversationJson(context.store, conversation));
    },
  },
  [`POST ${CONVERSATION}/messages`]: { action: "api/v1/accounts/conversations/messages#create", handle: createMessage },
  [`POST ${CONVERSATION}/toggle_status`]: {
    action: "api/v1/accounts/conversations#toggle_status",
    handle(context) {
      const conversation = conversationOf(context);
      context.store.setStatus(conversation, status(context.body.status) ?? "open");
      return ok({ meta: {}, payload: { success: true, conversation_id: conversation.id, current_status: conversation.status, snoozed_until: null } });
    },
  },
  [`POST ${CONVERSATION}/labels`]: {
    action: "api/v1/accounts/conversations/labels#create",
    handle(context) {
      const conversation = conversationOf(context);
      conversation.labels = Array.isArray(context.body.labels) ? context.body.labels.map(String) : [];
      return ok({ payload: conversation.labels });
    },
  },
  [`POST ${CONVERSATION}/custom_attributes`]: {
    action: "api/v1/accounts/conversations#custom_attributes",
    handle(context) {
      const conversation = conversationOf(context);
      context.store.setCustomAttributes(conversation, record(context.body.custom_attributes));
      return ok({ custom_attributes: conversation.customAttributes });
    },
  },
  [`GET ${ACCOUNT}/inboxes/{id}`]: {
    action: "api/v1/accounts/inboxes#show",
    handle(context) {
      authorizeInbox(context, param(context, "id"));
      return ok(inboxJson(context.store.inbox(param(context, "id"))));
    },
  },
  [`GET ${ACCOUNT}/inbox_members/{inbox_id}`]: {
    action: "api/v1/accounts/inbox_members#show",
    handle(context) {
      const inbox = context.store.inbox(param(context, "inbox_id"));
      authorizeInbox(context, inbox.id);
      const members = context.store.agents.filter((agent) => inbox.memberIds.includes(agent.id));
      return ok({ payload: members.map((agent) => agentJson(context.store, agent)) });
    },
  },
  /**
   * AgentsController#index (app/controllers/api/v1/accounts/agents_controller.rb): the account's
   * users ordered by name (`order_by_full_name`: lower(name)), as a bare array of _agent.json.jbuilder.
   * Any user of the account may list them (UserPolicy#index? is true); agent bots never may (not
   * on BOT_ACCESSIBLE_ENDPOINTS: chatwoot-version.ts answers 401).
   */
  [`GET ${ACCOUNT}/agents`]: {
    action: "api/v1/accounts/agents#index",
    handle(context) {
      const agents = [...context.store.agents].sort((a, b) => a.name.toLowerCase().localeCompare(b.name.toLowerCase()));
      return ok(agents.map((agent) => agentJson(context.store, agent)));
    },
  },
};
