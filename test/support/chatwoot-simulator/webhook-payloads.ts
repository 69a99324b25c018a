import { attachment, conversationCreated, conversationJson, messageEvent, statusChanged, type AttachmentJson, type ExternalAttachmentJson, type SenderSpec, type WebhookConversation } from "../chatwoot-webhooks";
import type { FakeAttachment, FakeConversation, FakeMessage, StoreEvent } from "./model";
import type { FakeChatwootStore } from "./store";

/** The stored conversation as the webhook builders describe it. */
export function webhookConversation(store: FakeChatwootStore, conversation: FakeConversation): WebhookConversation {
  const contact = store.contact(conversation.contactId);
  const assignee = store.agents.find((agent) => agent.id === conversation.assigneeId);
  return {
    id: conversation.id,
    inboxId: conversation.inboxId,
    accountId: 1,
    sourceId: conversation.sourceId,
    status: conversation.status,
    customAttributes: conversation.customAttributes,
    contact: { id: contact.id, name: contact.name, identifier: contact.identifier ?? "" },
    assignee: assignee === undefined ? null : { id: assignee.id, name: assignee.name, email: assignee.email },
    team: conversation.teamId === null ? null : { id: conversation.teamId, name: `team-${conversation.teamId}` },
    labels: conversation.labels,
    createdAt: Math.floor(conversation.createdAt / 1000),
    updatedAt: conversation.updatedAt,
  };
}

function sender(store: FakeChatwootStore, message: FakeMessage): SenderSpec {
  if (message.senderType === "Contact") return { kind: "contact" };
  if (message.senderType === "Template") return null;
  if (message.senderType === "AgentBot") return { kind: "agent_bot", id: message.senderId, name: store.bots.find((bot) => bot.id === message.senderId)?.name ?? "Bot" };
  const agent = store.agents.find((item) => item.id === message.senderId);
  return { kind: "user", id: message.senderId, name: agent?.name ?? "Agent", email: agent?.email ?? "agent@example.com" };
}

/** Where the simulator serves a message's file (Chatwoot: an unauthenticated Rails redirect URL). */
export function blobUrl(baseUrl: string, message: FakeMessage, index: number): string {
  return `${baseUrl}/rails/active_storage/blobs/redirect/${message.id}-${index}/${encodeURIComponent(message.attachments[index]?.name ?? "file")}`;
}

/**
 * `Attachment#push_event_data` (app/models/attachment.rb, `metadata_for_file_type`): stored files
 * with their blob URL; location, fallback and embed with their external_url as data_url (C12).
 */
function attachmentJson(message: FakeMessage, file: FakeAttachment, index: number, baseUrl: string): AttachmentJson | ExternalAttachmentJson {
  const base = { id: message.id * 100 + index, message_id: message.id, account_id: 1 };
  const dataUrl = file.externalUrl ?? null;
  switch (file.fileType) {
    case "location":
      return { ...base, file_type: "location", coordinates_lat: file.coordinates?.lat ?? 0, coordinates_long: file.coordinates?.long ?? 0, fallback_title: file.fallbackTitle ?? null, data_url: dataUrl };
    case "fallback":
      return { ...base, file_type: "fallback", fallback_title: file.fallbackTitle ?? null, data_url: dataUrl };
    case "embed":
      return { ...base, file_type: "embed", data_url: dataUrl };
    default:
      return attachment({ id: base.id, messageId: message.id, fileType: file.fileType, url: blobUrl(baseUrl, message, index), fileSize: file.size });
  }
}

/** `Message#webhook_data` (app/models/message.rb): `content_attributes` as stored, `sender` null for templates and automation rules (C9). */
function messagePayload(store: FakeChatwootStore, message: FakeMessage, baseUrl: string, event: "message_created" | "message_updated"): unknown {
  const conversation = webhookConversation(store, store.conversation(message.conversationId));
  const contentAttributes = message.contentAttributes ?? (message.contentType === "input_csat" ? { display_type: "emoji" } : undefined);
  return messageEvent(conversation, {
    event,
    id: message.id,
    messageType: message.messageType === "activity" ? "outgoing" : message.messageType,
    content: message.content,
    sender: sender(store, message),
    private: message.private,
    contentType: message.contentType,
    ...(contentAttributes === undefined ? {} : { contentAttributes }),
    attachments: message.attachments.map((file, index) => attachmentJson(message, file, index, baseUrl)),
    sourceId: message.sourceId,
    createdAt: new Date(message.createdAt),
  });
}

/**
 * The conversation's first reply and waiting time as Conversations::EventDataPresenter#push_status_data
 * renders them (app/presenters/conversations/event_data_presenter.rb): `first_reply_created_at` a time
 * (ISO) or null, `waiting_since` epoch seconds (`.to_i`, so 0 when not waiting), from the stored record.
 */
function withReplyFields(conversationJson: Record<string, unknown>, conversation: FakeConversation): Record<string, unknown> {
  const firstReply = conversation.firstReplyCreatedAt ?? null;
  return { ...conversationJson, first_reply_created_at: firstReply === null ? null : new Date(firstReply).toISOString(), waiting_since: Math.floor((conversation.waitingSince ?? 0) / 1000) };
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? Object.fromEntries(Object.entries(value)) : {};
}

/** A user's push data (User#push_event_data, app/models/user.rb) with the store's available_name. */
function pushedUser(store: FakeChatwootStore, value: unknown): unknown {
  const user = record(value);
  const agent = user.type === "user" ? store.agents.find((item) => item.id === user.id) : undefined;
  return agent === undefined ? value : { ...user, available_name: store.availableName(agent) };
}

/**
 * The conversation object's push data names agents with `available_name` = display name or name
 * (User#available_name, app/models/concerns/user_attribute_helpers.rb): `meta.assignee` and the
 * last message's `sender` (Conversations::EventDataPresenter#push_meta and #push_messages,
 * app/presenters/conversations/event_data_presenter.rb). The webhook builders are given only names,
 * so the store's rule is applied here. A message's own top-level `sender` stays User#webhook_data
 * (id, name, email, type: no available_name).
 */
function withAvailableNames(store: FakeChatwootStore, conversationJson: Record<string, unknown>): Record<string, unknown> {
  const meta = record(conversationJson.meta);
  const messages = Array.isArray(conversationJson.messages) ? conversationJson.messages.map((message) => ({ ...record(message), sender: pushedUser(store, record(message).sender) })) : conversationJson.messages;
  return { ...conversationJson, meta: { ...meta, assignee: meta.assignee === null ? null : pushedUser(store, meta.assignee) }, messages };
}

/**
 * The webhook bodies Chatwoot 4.15 sends an API inbox for one change (no
 * activity messages). A status change gives conversation_status_changed
 * (changed_attributes null) and conversation_updated, both rendered from the
 * same state.
 */
export function payloadsFor(store: FakeChatwootStore, event: StoreEvent, baseUrl: string): unknown[] {
  switch (event.kind) {
    case "conversation_created":
      return [withAvailableNames(store, withReplyFields({ ...conversationCreated(webhookConversation(store, event.conversation)) }, event.conversation))];
    case "message_created":
    case "message_updated": {
      if (event.message.messageType === "activity") return [];
      const payload = record(messagePayload(store, event.message, baseUrl, event.kind));
      return [{ ...payload, conversation: withAvailableNames(store, withReplyFields(record(payload.conversation), store.conversation(event.message.conversationId))) }];
    }
    case "status_changed":
      return [withAvailableNames(store, withReplyFields({ ...statusChanged(webhookConversation(store, event.conversation), event.conversation.status) }, event.conversation))];
    case "conversation_updated": {
      const conversation = webhookConversation(store, event.conversation);
      const stamp = new Date(Math.round(conversation.updatedAt * 1000)).toISOString();
      const changes = Object.entries({ ...event.changes, updated_at: { previous_value: stamp, current_value: stamp } }).map(([key, change]) => ({ [key]: change }));
      return [withAvailableNames(store, withReplyFields({ event: "conversation_updated", ...conversationJson(conversation), changed_attributes: changes }, event.conversation))];
    }
  }
}
