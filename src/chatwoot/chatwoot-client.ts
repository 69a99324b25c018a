import { createHmac } from "crypto";
import type { JsonRecord } from "../core/json-guards";
import type { ConversationStatus } from "../core/relay-event";
import { createChatwootHttp, type ChatwootHttpOptions } from "./chatwoot-http";
import {
  acceptAny,
  parseAgentList,
  parseContactInbox,
  parseContactList,
  parseConversation,
  parseConversationList,
  parseCreatedContact,
  parseInboxMembers,
  parseInboxSettings,
  parseMessageId,
  parsePublicContact,
  parsePublicConversationList,
  parseQueueListing,
  parseToggleStatus,
} from "./chatwoot-responses";
import type { AgentName, ContactInboxRef, ConversationInfo, FoundContact, InboxMember, InboxSettings, Priority, PublicConversationRef, UploadFile } from "./chatwoot-types";

export interface ContactFields {
  identifier: string;
  name?: string;
  email?: string;
  phoneNumber?: string;
}

export interface NewConversation {
  inboxId: number;
  /** Without it, Chatwoot finds the contact by `sourceId` (404 if there is no such contact in any inbox). */
  contactId: number | null;
  sourceId: string;
  customAttributes: JsonRecord;
  teamId?: number;
  assigneeId?: number;
  /** The user's first message, posted as `incoming` in the same request. */
  firstIncomingMessage?: string;
}

export interface NewMessage {
  content: string;
  messageType: "incoming" | "outgoing";
  private?: boolean;
  /** Free-text external id; Chatwoot stores it and sends it back in webhooks. */
  sourceId?: string;
  /** Post an outgoing message as this agent bot (shows the bot's name and avatar). */
  agentBotId?: number;
  attachments?: UploadFile[];
}

export interface ChatwootClientOptions extends Omit<ChatwootHttpOptions, "secrets"> {
  accountId: number;
  secrets?: readonly string[];
  /** The API inbox's HMAC token (identity validation); unset, public-API contacts carry no `identifier_hash`. */
  identityToken?: string;
}

/** Chatwoot's Application API (and the public inbox API), as far as the handover needs it. */
export type ChatwootClient = ReturnType<typeof createChatwootClient>;

const segment = (value: string | number): string => encodeURIComponent(String(value));

export function createChatwootClient(options: ChatwootClientOptions) {
  const send = createChatwootHttp({ ...options, secrets: [...(options.secrets ?? [options.apiKey]), ...(options.identityToken === undefined ? [] : [options.identityToken])] });
  const account = `/api/v1/accounts/${segment(options.accountId)}`;
  const conversation = (id: number): string => `${account}/conversations/${segment(id)}`;

  return {
    /** Public-API contacts carry a signed identifier (the connection has the inbox's HMAC token). */
    signsIdentifiers: options.identityToken !== undefined,

    /** What is left of the node's time budget, in milliseconds. */
    remainingMs(): number {
      return options.deadline.remaining();
    },

    createContact(inboxId: number, sourceId: string, fields: ContactFields): Promise<ContactInboxRef> {
      const body = { inbox_id: inboxId, source_id: sourceId, ...contactBody(fields) };
      return send("create contact", { method: "POST", path: `${account}/contacts`, body, bot: "never" }, parseCreatedContact(inboxId));
    },

    findContactsByIdentifier(identifier: string): Promise<FoundContact[]> {
      const body = { payload: [{ attribute_key: "identifier", filter_operator: "equal_to", values: [identifier] }] };
      return send("find contact", { method: "POST", path: `${account}/contacts/filter`, body, bot: "never" }, parseContactList);
    },

    createContactInbox(contactId: number, inboxId: number, sourceId: string): Promise<string> {
      const path = `${account}/contacts/${segment(contactId)}/contact_inboxes`;
      return send("add contact to inbox", { method: "POST", path, body: { inbox_id: inboxId, source_id: sourceId }, bot: "never" }, parseContactInbox);
    },

    /**
     * Finds or creates the contact through the inbox's public API; works with
     * agent-bot tokens. That API also matches by email and phone, so only the
     * identifier and name are sent: never another person's contact. With the
     * inbox's HMAC token, the identifier is signed as `identifier_hash`, which
     * an inbox enforcing identity validation requires (C4).
     */
    createPublicContact(inboxIdentifier: string, sourceId: string, fields: Pick<ContactFields, "identifier" | "name">): Promise<ContactInboxRef> {
      const path = `/public/api/v1/inboxes/${segment(inboxIdentifier)}/contacts`;
      const { identityToken } = options;
      const body = {
        identifier: fields.identifier,
        source_id: sourceId,
        ...(fields.name === undefined ? {} : { name: fields.name }),
        ...(identityToken === undefined ? {} : { identifier_hash: identifierHash(identityToken, fields.identifier) }),
      };
      return send("create contact (public API)", { method: "POST", path, body, authenticated: false }, parsePublicContact);
    },

    createConversation(input: NewConversation): Promise<ConversationInfo> {
      const body: JsonRecord = {
        source_id: input.sourceId,
        inbox_id: input.inboxId,
        ...(input.contactId === null ? {} : { contact_id: input.contactId }),
        custom_attributes: input.customAttributes,
        ...(input.teamId === undefined ? {} : { team_id: input.teamId }),
        ...(input.assigneeId === undefined ? {} : { assignee_id: input.assigneeId }),
        ...(input.firstIncomingMessage === undefined ? {} : { message: { content: input.firstIncomingMessage, message_type: "incoming" } }),
      };
      return send("create conversation", { method: "POST", path: `${account}/conversations`, body, bot: "4.0" }, parseConversation);
    },

    /** The contact's conversations in all inboxes, with their attributes (at most 20, newest activity first; user tokens only). */
    listContactConversations(contactId: number): Promise<ConversationInfo[]> {
      return send("list contact conversations", { method: "GET", path: `${account}/contacts/${segment(contactId)}/conversations`, bot: "never" }, parseConversationList);
    },

    /** The contact's conversations in the inbox, through its public API (no attributes there; works with agent-bot tokens). */
    listPublicConversations(inboxIdentifier: string, sourceId: string): Promise<PublicConversationRef[]> {
      const path = `/public/api/v1/inboxes/${segment(inboxIdentifier)}/contacts/${segment(sourceId)}/conversations`;
      return send("list contact conversations (public API)", { method: "GET", path, authenticated: false }, parsePublicConversationList);
    },

    getConversation(conversationId: number): Promise<ConversationInfo> {
      return send("get conversation", { method: "GET", path: conversation(conversationId), bot: "4.14.2" }, parseConversation);
    },

    /** `operation` names the request in error messages (e.g. "post history note"). */
    postMessage(conversationId: number, message: NewMessage, operation = "post message"): Promise<number> {
      return send(operation, { method: "POST", path: `${conversation(conversationId)}/messages`, body: messageBody(message), bot: "4.0" }, parseMessageId);
    },

    toggleStatus(conversationId: number, status: ConversationStatus): Promise<ConversationStatus> {
      return send("change conversation status", { method: "POST", path: `${conversation(conversationId)}/toggle_status`, body: { status }, bot: "4.0" }, parseToggleStatus);
    },

    setLabels(conversationId: number, labels: readonly string[]): Promise<true> {
      return send("set labels", { method: "POST", path: `${conversation(conversationId)}/labels`, body: { labels }, bot: "4.14.2" }, acceptAny);
    },

    setPriority(conversationId: number, priority: Priority): Promise<true> {
      return send("set priority", { method: "PATCH", path: conversation(conversationId), body: { priority }, bot: "4.0" }, acceptAny);
    },

    setCustomAttributes(conversationId: number, attributes: JsonRecord): Promise<true> {
      return send("set conversation attributes", { method: "POST", path: `${conversation(conversationId)}/custom_attributes`, body: { custom_attributes: attributes }, bot: "4.2" }, acceptAny);
    },

    getInbox(inboxId: number): Promise<InboxSettings> {
      return send("get inbox", { method: "GET", path: `${account}/inboxes/${segment(inboxId)}`, bot: "never" }, parseInboxSettings);
    },

    getPublicInbox(inboxIdentifier: string): Promise<InboxSettings> {
      return send("get inbox (public API)", { method: "GET", path: `/public/api/v1/inboxes/${segment(inboxIdentifier)}`, authenticated: false }, parseInboxSettings);
    },

    /**
     * The inbox's queue, page 1 (issue 13): open, unassigned conversations still waiting for a
     * first reply (`conversation_type=unattended`: first_reply_created_at null or waiting_since
     * set, Conversation.unattended in app/models/conversation.rb), oldest first
     * (`sort_by=created_at_asc`, ConversationFinder::SORT_OPTIONS in app/finders/conversation_finder.rb).
     * A user token (administrator, or an agent in the inbox); not for agent bots.
     */
    listQueue(inboxId: number): Promise<{ ids: number[]; total: number }> {
      const query = new URLSearchParams({ inbox_id: String(inboxId), status: "open", assignee_type: "unassigned", conversation_type: "unattended", sort_by: "created_at_asc", page: "1" });
      return send("list waiting conversations", { method: "GET", path: `${account}/conversations?${query.toString()}`, bot: "never" }, parseQueueListing);
    },

    /**
     * The account's agents with the name Chatwoot shows customers (`available_name`), for agent
     * messages whose webhook carries only the full name (User#webhook_data). Any user token of the
     * account may list them (UserPolicy#index? is true); agent-bot tokens never may (not in
     * BOT_ACCESSIBLE_ENDPOINTS of access_token_auth_helper.rb): 401.
     */
    listAgents(): Promise<AgentName[]> {
      return send("list agents", { method: "GET", path: `${account}/agents`, bot: "never" }, parseAgentList);
    },

    listInboxMembers(inboxId: number): Promise<InboxMember[]> {
      return send("list inbox agents", { method: "GET", path: `${account}/inbox_members/${segment(inboxId)}`, bot: "never" }, parseInboxMembers);
    },
  };
}

/** `OpenSSL::HMAC.hexdigest('sha256', hmac_token, identifier)`: public/api/v1/inboxes/contacts_controller.rb (C4). */
export function identifierHash(identityToken: string, identifier: string): string {
  return createHmac("sha256", identityToken).update(identifier, "utf8").digest("hex");
}

function contactBody(fields: ContactFields): JsonRecord {
  return {
    identifier: fields.identifier,
    ...(fields.name === undefined ? {} : { name: fields.name }),
    ...(fields.email === undefined ? {} : { email: fields.email }),
    ...(fields.phoneNumber === undefined ? {} : { phone_number: fields.phoneNumber }),
  };
}

function messageBody(message: NewMessage): JsonRecord | FormData {
  const fields: [string, string][] = [
    ["content", message.content],
    ["message_type", message.messageType],
  ];
  if (message.private === true) fields.push(["private", "true"]);
  if (message.sourceId !== undefined) fields.push(["source_id", message.sourceId]);
  if (message.agentBotId !== undefined) fields.push(["sender_type", "AgentBot"], ["sender_id", String(message.agentBotId)]);
  const attachments = message.attachments ?? [];
  if (attachments.length === 0) {
    const json: JsonRecord = Object.fromEntries(fields);
    if (message.private === true) json.private = true;
    if (message.agentBotId !== undefined) json.sender_id = message.agentBotId;
    return json;
  }
  const form = new FormData();
  for (const [key, value] of fields) form.append(key, value);
  for (const file of attachments) {
    form.append("attachments[]", new Blob([file.data], { type: file.contentType }), file.name);
  }
  return form;
}
