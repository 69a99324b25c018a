import { createHmac, randomUUID } from "crypto";
import { ROUTE_ATTRIBUTE, sealRoute, type SessionRoute } from "../../src/core/route-seal";

/**
 * Webhook bodies exactly as Chatwoot 4.15 posts them to an API inbox's webhook URL
 * (`Message#webhook_data`, `Conversations::EventDataPresenter`, `Attachment#push_event_data`;
 * see ../shared/docs/chatwoot-facts.md §2.4), and a signer that is independent of the relay's own.
 */

export type ConversationStatus = "open" | "resolved" | "pending" | "snoozed";
export type WebhookMessageType = "incoming" | "outgoing" | "template";
export type FileType = "image" | "video" | "audio" | "file";

export const ACCOUNT_NAME = "Acme";
export const INBOX_NAME = "Cognigy handover";

export interface WebhookAgent {
  id: number;
  name: string;
  email?: string;
}

export const DEFAULT_AGENT: WebhookAgent = { id: 7, name: "Anna Agent", email: "anna@example.com" };

/** The state of one Chatwoot conversation, from which every payload about it is rendered. */
export interface WebhookConversation {
  /** The display id. */
  id: number;
  inboxId: number;
  accountId: number;
  /** `contact_inbox.source_id`. */
  sourceId: string;
  status: ConversationStatus;
  customAttributes: Record<string, unknown>;
  contact: { id: number; name: string; identifier: string };
  assignee: WebhookAgent | null;
  team: { id: number; name: string } | null;
  labels: string[];
  /** Unix seconds (integer), as Chatwoot renders `created_at` of conversations. */
  createdAt: number;
  /** Unix seconds with fractions, as Chatwoot renders `updated_at` of conversations. */
  updatedAt: number;
}

/** Who wrote a message. `null` is the sender of template messages (CSAT, out of office, greeting). */
export type SenderSpec =
  | ({ kind: "user" } & WebhookAgent)
  | { kind: "agent_bot"; id: number; name: string }
  | { kind: "captain"; id: number; name: string; description?: string }
  | { kind: "contact" }
  | null;

export interface AccountJson {
  id: number;
  name: string;
}

export interface UserSenderJson {
  id: number;
  name: string;
  email: string;
  type: "user";
}

export interface AgentBotSenderJson {
  id: number;
  name: string;
  type: "agent_bot";
}

export interface CaptainSenderJson {
  id: number;
  name: string;
  avatar_url: string;
  description: string;
  created_at: string;
  type: "captain_assistant";
}

/** `Contact#webhook_data`: note that it has no `type` key. */
export interface ContactSenderJson {
  id: number;
  name: string;
  email: string | null;
  phone_number: string | null;
  identifier: string;
  avatar: string;
  thumbnail: string;
  custom_attributes: Record<string, unknown>;
  additional_attributes: Record<string, unknown>;
  blocked: boolean;
  account: AccountJson;
}

export type SenderJson = UserSenderJson | AgentBotSenderJson | CaptainSenderJson | ContactSenderJson;

export interface AttachmentJson {
  id: number;
  message_id: number;
  account_id: number;
  file_type: FileType;
  extension: string | null;
  data_url: string;
  thumb_url: string;
  file_size: number;
  width: number | null;
  height: number | null;
  /** Audio only. */
  transcribed_text?: string | null;
}

/**
 * `Attachment#push_event_data` for an attachment without a stored file (`app/models/attachment.rb`,
 * `metadata_for_file_type`): `location_metadata` (coordinates, fallback_title, data_url = external_url),
 * `fallback_data` (fallback_title, data_url) and `embed_data` (data_url), each merged into `base_data`.
 */
export type ExternalAttachmentJson =
  | { id: number; message_id: number; account_id: number; file_type: "location"; coordinates_lat: number; coordinates_long: number; fallback_title: string | null; data_url: string | null }
  | { id: number; message_id: number; account_id: number; file_type: "fallback"; fallback_title: string | null; data_url: string | null }
  | { id: number; message_id: number; account_id: number; file_type: "embed"; data_url: string | null };

/** `Message#push_event_data`, the format of `conversation.messages[]`: integer `message_type`, unix `created_at`. */
export interface PushMessageJson {
  id: number;
  content: string | null;
  account_id: number;
  inbox_id: number;
  conversation_id: number;
  message_type: 0 | 1 | 3;
  content_type: string;
  content_attributes: Record<string, unknown>;
  created_at: number;
  updated_at: string;
  private: false;
  status: "sent";
  source_id: string | null;
  sender_type: "User" | "AgentBot" | "Captain::Assistant" | "Contact" | null;
  sender_id: number | null;
  additional_attributes: Record<string, unknown>;
  sender?: Record<string, unknown>;
  attachments?: (AttachmentJson | ExternalAttachmentJson)[];
  conversation: { assignee_id: number | null; unread_count: number; last_activity_at: number; contact_inbox: { source_id: string } };
}

export interface ConversationJson {
  id: number;
  inbox_id: number;
  channel: "Channel::Api";
  status: ConversationStatus;
  can_reply: boolean;
  priority: null;
  labels: string[];
  custom_attributes: Record<string, unknown>;
  additional_attributes: Record<string, unknown>;
  snoozed_until: null;
  unread_count: number;
  first_reply_created_at: number | null;
  waiting_since: number | null;
  agent_last_seen_at: number;
  contact_last_seen_at: number;
  last_activity_at: number;
  timestamp: number;
  created_at: number;
  updated_at: number;
  contact_inbox: {
    id: number;
    contact_id: number;
    inbox_id: number;
    source_id: string;
    hmac_verified: boolean;
    pubsub_token: string;
    created_at: string;
    updated_at: string;
  };
  meta: {
    sender: Record<string, unknown>;
    assignee: Record<string, unknown> | null;
    assignee_type: "User" | null;
    team: { id: number; name: string } | null;
    hmac_verified: boolean;
  };
  messages: PushMessageJson[];
  account: AccountJson;
}

export interface MessageWebhook {
  event: "message_created" | "message_updated";
  id: number;
  content: string | null;
  content_type: string;
  content_attributes: Record<string, unknown>;
  message_type: WebhookMessageType;
  private: boolean;
  source_id: string | null;
  created_at: string;
  additional_attributes: Record<string, unknown>;
  sender: SenderJson | null;
  inbox: { id: number; name: string };
  account: AccountJson;
  conversation: ConversationJson;
  /** Present only when the message has attachments. */
  attachments?: (AttachmentJson | ExternalAttachmentJson)[];
}

export type ChangedAttribute = Record<string, { previous_value: unknown; current_value: unknown }>;

export interface ConversationWebhook extends ConversationJson {
  event: "conversation_created" | "conversation_updated" | "conversation_status_changed";
  changed_attributes?: ChangedAttribute[] | null;
}

export interface TypingWebhook {
  event: "conversation_typing_on" | "conversation_typing_off";
  user: UserSenderJson | AgentBotSenderJson;
  conversation: ConversationJson;
  is_private: boolean;
}

export interface MessageSpec {
  event?: "message_created" | "message_updated";
  id: number;
  messageType: WebhookMessageType;
  content: string | null;
  sender: SenderSpec;
  private?: boolean;
  contentType?: string;
  contentAttributes?: Record<string, unknown>;
  attachments?: (AttachmentJson | ExternalAttachmentJson)[];
  sourceId?: string | null;
  createdAt?: Date;
}

const MESSAGE_TYPE_NUMBER = { incoming: 0, outgoing: 1, template: 3 } as const;

let nextConversationId = 321;

function isoSeconds(seconds: number): string {
  return new Date(Math.round(seconds * 1000)).toISOString();
}

/**
 * A conversation as the extension creates it: `custom_attributes.cognigy_route` holds the route
 * sealed for the conversation's final `inboxId` and `sourceId`. Attributes in `overrides.customAttributes`
 * win, so a test can replace or remove the sealed route.
 */
export function conversationFor(route: SessionRoute, relaySecret: string, overrides: Partial<WebhookConversation> = {}): WebhookConversation {
  const now = Date.now() / 1000;
  const base: WebhookConversation = {
    id: nextConversationId++,
    inboxId: 12,
    accountId: 1,
    sourceId: randomUUID(),
    status: "open",
    customAttributes: {},
    contact: { id: 88, name: "Jane", identifier: route.userId },
    assignee: null,
    team: null,
    labels: [],
    createdAt: Math.floor(now),
    updatedAt: now,
    ...overrides,
  };
  const sealed = sealRoute(route, { inboxId: base.inboxId, sourceId: base.sourceId }, relaySecret);
  return { ...base, customAttributes: { [ROUTE_ATTRIBUTE]: sealed, ...overrides.customAttributes } };
}

function accountJson(conversation: WebhookConversation): AccountJson {
  return { id: conversation.accountId, name: ACCOUNT_NAME };
}

function contactPushJson(conversation: WebhookConversation): Record<string, unknown> {
  const { id, name, identifier } = conversation.contact;
  return { id, name, identifier, email: null, phone_number: null, custom_attributes: {}, additional_attributes: {}, thumbnail: "", blocked: false, type: "contact" };
}

function userPushJson(agent: WebhookAgent): Record<string, unknown> {
  const availableName = agent.name.split(" ")[0] ?? agent.name;
  return { id: agent.id, name: agent.name, available_name: availableName, avatar_url: "", thumbnail: "", availability_status: "online", type: "user" };
}

function metaJson(conversation: WebhookConversation): ConversationJson["meta"] {
  const { assignee, team } = conversation;
  return {
    sender: contactPushJson(conversation),
    assignee: assignee === null ? null : userPushJson(assignee),
    assignee_type: assignee === null ? null : "User",
    team,
    hmac_verified: false,
  };
}

function contactInboxJson(conversation: WebhookConversation): ConversationJson["contact_inbox"] {
  const created = isoSeconds(conversation.createdAt);
  return {
    id: 55,
    contact_id: conversation.contact.id,
    inbox_id: conversation.inboxId,
    source_id: conversation.sourceId,
    hmac_verified: false,
    pubsub_token: `pubsub-${conversation.sourceId}`,
    created_at: created,
    updated_at: created,
  };
}

/** The conversation object nested in message and typing events (and the top level of conversation events). */
export function conversationJson(conversation: WebhookConversation, lastMessage: PushMessageJson | null = null): ConversationJson {
  const activity = Math.floor(conversation.updatedAt);
  return {
    id: conversation.id,
    inbox_id: conversation.inboxId,
    channel: "Channel::Api",
    status: conversation.status,
    can_reply: true,
    priority: null,
    labels: conversation.labels,
    custom_attributes: conversation.customAttributes,
    additional_attributes: {},
    snoozed_until: null,
    unread_count: 0,
    first_reply_created_at: conversation.assignee === null ? null : conversation.createdAt,
    waiting_since: conversation.assignee === null ? conversation.createdAt : null,
    agent_last_seen_at: 0,
    contact_last_seen_at: 0,
    last_activity_at: activity,
    timestamp: activity,
    created_at: conversation.createdAt,
    updated_at: conversation.updatedAt,
    contact_inbox: contactInboxJson(conversation),
    meta: metaJson(conversation),
    messages: lastMessage === null ? [] : [lastMessage],
    account: accountJson(conversation),
  };
}

function senderJson(conversation: WebhookConversation, sender: SenderSpec): SenderJson | null {
  if (sender === null) return null;
  switch (sender.kind) {
    case "user":
      return { id: sender.id, name: sender.name, email: sender.email ?? `agent${sender.id}@example.com`, type: "user" };
    case "agent_bot":
      return { id: sender.id, name: sender.name, type: "agent_bot" };
    case "captain":
      return { id: sender.id, name: sender.name, avatar_url: "", description: sender.description ?? "", created_at: isoSeconds(conversation.createdAt), type: "captain_assistant" };
    case "contact": {
      const { id, name, identifier } = conversation.contact;
      const account = accountJson(conversation);
      return { id, name, email: null, phone_number: null, identifier, avatar: "", thumbnail: "", custom_attributes: {}, additional_attributes: {}, blocked: false, account };
    }
  }
}

/** `sender_type`, `sender_id` and the push-format `sender` of `conversation.messages[]` (absent for template messages). */
function pushSender(conversation: WebhookConversation, sender: SenderSpec): Pick<PushMessageJson, "sender_type" | "sender_id" | "sender"> {
  if (sender === null) return { sender_type: null, sender_id: null };
  switch (sender.kind) {
    case "user":
      return { sender_type: "User", sender_id: sender.id, sender: userPushJson(sender) };
    case "agent_bot":
      return { sender_type: "AgentBot", sender_id: sender.id, sender: { id: sender.id, name: sender.name, avatar_url: "", type: "agent_bot" } };
    case "captain": {
      const captain = { id: sender.id, name: sender.name, avatar_url: "", description: sender.description ?? "", type: "captain_assistant" };
      return { sender_type: "Captain::Assistant", sender_id: sender.id, sender: captain };
    }
    case "contact":
      return { sender_type: "Contact", sender_id: conversation.contact.id, sender: contactPushJson(conversation) };
  }
}

function pushMessage(conversation: WebhookConversation, spec: MessageSpec, createdAt: Date): PushMessageJson {
  const activity = Math.floor(createdAt.getTime() / 1000);
  return {
    id: spec.id,
    content: spec.content,
    account_id: conversation.accountId,
    inbox_id: conversation.inboxId,
    conversation_id: conversation.id,
    message_type: MESSAGE_TYPE_NUMBER[spec.messageType],
    content_type: spec.contentType ?? "text",
    content_attributes: spec.contentAttributes ?? {},
    created_at: activity,
    updated_at: createdAt.toISOString(),
    private: false,
    status: "sent",
    source_id: spec.sourceId ?? null,
    additional_attributes: {},
    ...pushSender(conversation, spec.sender),
    ...(spec.attachments !== undefined && spec.attachments.length > 0 ? { attachments: spec.attachments } : {}),
    conversation: { assignee_id: conversation.assignee?.id ?? null, unread_count: 0, last_activity_at: activity, contact_inbox: { source_id: conversation.sourceId } },
  };
}

/** `message_created` / `message_updated`: string `message_type`, ISO `created_at`, the message repeated in push format in `conversation.messages[]` unless private. */
export function messageEvent(conversation: WebhookConversation, spec: MessageSpec): MessageWebhook {
  const createdAt = spec.createdAt ?? new Date();
  const isPrivate = spec.private ?? false;
  const payload: MessageWebhook = {
    event: spec.event ?? "message_created",
    id: spec.id,
    content: spec.content,
    content_type: spec.contentType ?? "text",
    content_attributes: spec.contentAttributes ?? {},
    message_type: spec.messageType,
    private: isPrivate,
    source_id: spec.sourceId ?? null,
    created_at: createdAt.toISOString(),
    additional_attributes: {},
    sender: senderJson(conversation, spec.sender),
    inbox: { id: conversation.inboxId, name: INBOX_NAME },
    account: accountJson(conversation),
    conversation: conversationJson(conversation, isPrivate ? null : pushMessage(conversation, spec, createdAt)),
  };
  if (spec.attachments !== undefined && spec.attachments.length > 0) payload.attachments = spec.attachments;
  return payload;
}

export interface AgentMessageSpec {
  id: number;
  content: string | null;
  /** Defaults to the conversation's assignee, else DEFAULT_AGENT. */
  agent?: WebhookAgent;
  attachments?: AttachmentJson[];
  private?: boolean;
  event?: "message_created" | "message_updated";
  createdAt?: Date;
  sourceId?: string | null;
}

/** An agent's reply: `message_created`, outgoing, sender type "user". */
export function agentMessage(conversation: WebhookConversation, spec: AgentMessageSpec): MessageWebhook {
  const { agent, ...rest } = spec;
  const author = agent ?? conversation.assignee ?? DEFAULT_AGENT;
  return messageEvent(conversation, { ...rest, messageType: "outgoing", sender: { kind: "user", ...author } });
}

/** The CSAT survey Chatwoot posts after a conversation is resolved (template, `input_csat`, sender null). */
export function csatMessage(conversation: WebhookConversation, spec: { id: number; link?: string; displayType?: "emoji" | "star"; message?: string; createdAt?: Date }): MessageWebhook {
  const link = spec.link ?? `https://chat.example.com/survey/responses/00000000-0000-4000-8000-${String(conversation.id).padStart(12, "0")}`;
  const content = spec.message === undefined ? `Please rate this conversation, ${link}` : `${spec.message} ${link}`;
  return messageEvent(conversation, {
    id: spec.id,
    messageType: "template",
    content,
    sender: null,
    contentType: "input_csat",
    contentAttributes: { display_type: spec.displayType ?? "emoji" },
    ...(spec.createdAt === undefined ? {} : { createdAt: spec.createdAt }),
  });
}

/** The inbox's out-of-office template message (sender null). */
export function outOfOfficeMessage(conversation: WebhookConversation, spec: { id: number; content: string; createdAt?: Date }): MessageWebhook {
  return messageEvent(conversation, { ...spec, messageType: "template", sender: null });
}

/** `conversation_status_changed` for a change to `status`; Chatwoot sends `changed_attributes: null` here. */
export function statusChanged(conversation: WebhookConversation, status: ConversationStatus): ConversationWebhook {
  return { event: "conversation_status_changed", ...conversationJson({ ...conversation, status }), changed_attributes: null };
}

function isStatus(value: unknown): value is ConversationStatus {
  return value === "open" || value === "resolved" || value === "pending" || value === "snoozed";
}

/**
 * `conversation_updated` with `changed_attributes` as a list of single-key objects. Like Chatwoot, it adds an
 * `updated_at` change (ISO strings) unless given, and renders the conversation after the change: a `status`
 * change sets the payload's status, and `updated_at` moves to now.
 */
export function conversationUpdated(conversation: WebhookConversation, changes: ChangedAttribute): ConversationWebhook {
  const updatedAt = Math.max(Date.now() / 1000, conversation.updatedAt + 0.001);
  const next = changes.status?.current_value;
  const after: WebhookConversation = { ...conversation, updatedAt, status: isStatus(next) ? next : conversation.status };
  const withUpdatedAt: ChangedAttribute = { ...changes };
  withUpdatedAt.updated_at ??= { previous_value: isoSeconds(conversation.updatedAt), current_value: isoSeconds(updatedAt) };
  const changedAttributes = Object.entries(withUpdatedAt).map(([key, change]) => ({ [key]: change }));
  return { event: "conversation_updated", ...conversationJson(after), changed_attributes: changedAttributes };
}

/** `conversation_created` (no `changed_attributes`). */
export function conversationCreated(conversation: WebhookConversation): ConversationWebhook {
  return { event: "conversation_created", ...conversationJson(conversation) };
}

/** `conversation_typing_on/off` by an agent (default: the assignee, else DEFAULT_AGENT) or an agent bot. */
export function typingEvent(
  conversation: WebhookConversation,
  on: boolean,
  options: { isPrivate?: boolean; by?: { kind: "user"; id: number; name: string; email?: string } | { kind: "agent_bot"; id: number; name: string } } = {},
): TypingWebhook {
  const by = options.by ?? { kind: "user", ...(conversation.assignee ?? DEFAULT_AGENT) };
  const user: UserSenderJson | AgentBotSenderJson =
    by.kind === "agent_bot" ? { id: by.id, name: by.name, type: "agent_bot" } : { id: by.id, name: by.name, email: by.email ?? `agent${by.id}@example.com`, type: "user" };
  return { event: on ? "conversation_typing_on" : "conversation_typing_off", user, conversation: conversationJson(conversation), is_private: options.isPrivate ?? false };
}

const DEFAULT_EXTENSION: Record<FileType, string> = { image: "png", video: "mp4", audio: "mp3", file: "pdf" };

export interface AttachmentSpec {
  id: number;
  messageId: number;
  fileType: FileType;
  url: string;
  /** Defaults to the URL's file extension, else a typical one for the file type. */
  extension?: string | null;
  accountId?: number;
  fileSize?: number;
  width?: number;
  height?: number;
}

/** `Attachment#push_event_data` for a stored file; images get a thumbnail URL and dimensions, audio `transcribed_text`. */
export function attachment(spec: AttachmentSpec): AttachmentJson {
  const fromUrl = /\.([A-Za-z0-9]{1,8})$/.exec(new URL(spec.url).pathname)?.[1];
  const isImage = spec.fileType === "image";
  const json: AttachmentJson = {
    id: spec.id,
    message_id: spec.messageId,
    account_id: spec.accountId ?? 1,
    file_type: spec.fileType,
    extension: spec.extension === undefined ? fromUrl ?? DEFAULT_EXTENSION[spec.fileType] : spec.extension,
    data_url: spec.url,
    thumb_url: isImage ? `${spec.url}?thumbnail=250x250` : "",
    file_size: spec.fileSize ?? 48213,
    width: spec.width ?? (isImage ? 800 : null),
    height: spec.height ?? (isImage ? 600 : null),
  };
  if (spec.fileType === "audio") json.transcribed_text = null;
  return json;
}

export interface SignedWebhook {
  /** The raw body; post exactly these bytes. */
  body: string;
  headers: Record<string, string>;
}

/** `"sha256=" + hex(HMAC-SHA256(secret, "<timestamp>.<body>"))`, as `lib/webhooks/trigger.rb` computes it. */
export function chatwootSignature(body: string, secret: string, timestamp: number): string {
  return `sha256=${createHmac("sha256", secret).update(`${timestamp}.${body}`, "utf8").digest("hex")}`;
}

/** A delivery from Chatwoot ≥ 4.13 (API inbox): body `JSON.stringify(payload)` signed with the inbox secret. */
export function signWebhook(payload: unknown, secret: string, options: { timestamp?: number; deliveryId?: string } = {}): SignedWebhook {
  const body = JSON.stringify(payload);
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  return {
    body,
    headers: {
      "Content-Type": "application/json",
      Accept: "application/json",
      "X-Chatwoot-Delivery": options.deliveryId ?? randomUUID(),
      "X-Chatwoot-Timestamp": String(timestamp),
      "X-Chatwoot-Signature": chatwootSignature(body, secret, timestamp),
    },
  };
}

/**
 * A delivery from Chatwoot < 4.13, which signs nothing. 4.12 already sends `X-Chatwoot-Delivery`;
 * pass `deliveryId: null` for releases before 4.12, which do not.
 */
export function unsignedWebhook(payload: unknown, options: { deliveryId?: string | null } = {}): SignedWebhook {
  const headers: Record<string, string> = { "Content-Type": "application/json", Accept: "application/json" };
  const deliveryId = options.deliveryId === undefined ? randomUUID() : options.deliveryId;
  if (deliveryId !== null) headers["X-Chatwoot-Delivery"] = deliveryId;
  return { body: JSON.stringify(payload), headers };
}
