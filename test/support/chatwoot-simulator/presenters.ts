import type { FakeChatwootStore } from "./store";
import type { FakeAgent, FakeContact, FakeConversation, FakeInbox, FakeMessage } from "./model";

/** JSON as Chatwoot's jbuilder views render it (only the fields clients read, plus a few for realism). */

const MESSAGE_TYPE_NUMBER = { incoming: 0, outgoing: 1, activity: 2, template: 3 } as const;

export function inboxSlim(inbox: FakeInbox): Record<string, unknown> {
  return { id: inbox.id, name: inbox.name, channel_type: inbox.channelType, channel_id: inbox.id, avatar_url: "", provider: null };
}

export function contactJson(store: FakeChatwootStore, contact: FakeContact): Record<string, unknown> {
  return {
    id: contact.id,
    name: contact.name,
    identifier: contact.identifier,
    email: contact.email,
    phone_number: contact.phoneNumber,
    blocked: contact.blocked,
    availability_status: "offline",
    additional_attributes: {},
    custom_attributes: {},
    thumbnail: "",
    created_at: 1750155000,
    contact_inboxes: contact.contactInboxes.map((ci) => ({ source_id: ci.sourceId, inbox: inboxSlim(store.inbox(ci.inboxId)) })),
  };
}

/** `last_activity_at` in ms: the conversation's creation or its latest message (activity messages included, as Chatwoot counts them). */
export function lastActivityAt(store: FakeChatwootStore, conversation: FakeConversation): number {
  return Math.max(conversation.createdAt, ...store.messagesOf(conversation.id).map((message) => message.createdAt));
}

/**
 * An agent as app/views/api/v1/models/_agent.json.jbuilder renders it (the agents listing, inbox
 * members, a conversation's meta.assignee): `available_name` is User#available_name, the display
 * name if set, else the name.
 */
export function agentJson(store: FakeChatwootStore, agent: FakeAgent): Record<string, unknown> {
  return {
    id: agent.id,
    account_id: 1,
    availability_status: agent.availability,
    auto_offline: true,
    confirmed: true,
    email: agent.email,
    provider: "email",
    available_name: store.availableName(agent),
    name: agent.name,
    role: "agent",
    thumbnail: "",
  };
}

export function conversationJson(store: FakeChatwootStore, conversation: FakeConversation): Record<string, unknown> {
  const contact = store.contact(conversation.contactId);
  const assignee = store.agents.find((agent) => agent.id === conversation.assigneeId);
  return {
    id: conversation.id,
    uuid: `00000000-0000-4000-8000-${String(conversation.id).padStart(12, "0")}`,
    account_id: 1,
    inbox_id: conversation.inboxId,
    status: conversation.status,
    labels: conversation.labels,
    priority: conversation.priority,
    custom_attributes: conversation.customAttributes,
    additional_attributes: {},
    can_reply: true,
    unread_count: 0,
    created_at: Math.floor(conversation.createdAt / 1000),
    timestamp: Math.floor(conversation.createdAt / 1000),
    last_activity_at: Math.floor(lastActivityAt(store, conversation) / 1000),
    first_reply_created_at: (conversation.firstReplyCreatedAt ?? null) === null ? null : Math.floor((conversation.firstReplyCreatedAt ?? 0) / 1000),
    waiting_since: Math.floor((conversation.waitingSince ?? 0) / 1000),
    meta: {
      sender: { id: contact.id, name: contact.name, identifier: contact.identifier, type: "contact" },
      assignee: assignee === undefined ? null : agentJson(store, assignee),
      team: conversation.teamId === null ? null : { id: conversation.teamId, name: `team-${conversation.teamId}` },
      hmac_verified: false,
    },
    messages: store.messagesOf(conversation.id).slice(-1).map((message) => messageJson(message)),
  };
}

/**
 * A conversation as the public inbox API renders it (public/api/v1/models/_conversation.json.jbuilder):
 * no attributes, labels or meta; the messages the contact can see.
 */
export function publicConversationJson(store: FakeChatwootStore, conversation: FakeConversation): Record<string, unknown> {
  const contact = store.contact(conversation.contactId);
  return {
    id: conversation.id,
    uuid: `00000000-0000-4000-8000-${String(conversation.id).padStart(12, "0")}`,
    inbox_id: conversation.inboxId,
    contact_last_seen_at: 0,
    status: conversation.status,
    agent_last_seen_at: 0,
    messages: store
      .messagesOf(conversation.id)
      .filter((message) => !message.private)
      .map((message) => ({
        id: message.id,
        content: message.content,
        message_type: MESSAGE_TYPE_NUMBER[message.messageType],
        content_type: message.contentType,
        content_attributes: {},
        created_at: Math.floor(message.createdAt / 1000),
        conversation_id: message.conversationId,
        attachments: [],
        // Template messages (CSAT, out of office) have no sender; Chatwoot then leaves the key out.
        ...(message.senderType === "Template" ? {} : { sender: { id: message.senderId, type: message.senderType === "AgentBot" ? "agent_bot" : message.senderType.toLowerCase() } }),
      })),
    contact: { id: contact.id, name: contact.name, email: contact.email, phone_number: contact.phoneNumber, identifier: contact.identifier, blocked: contact.blocked },
  };
}

export function messageJson(message: FakeMessage): Record<string, unknown> {
  return {
    id: message.id,
    content: message.content,
    inbox_id: 0,
    conversation_id: message.conversationId,
    message_type: MESSAGE_TYPE_NUMBER[message.messageType],
    content_type: "text",
    status: "sent",
    content_attributes: {},
    created_at: Math.floor(message.createdAt / 1000),
    private: message.private,
    source_id: message.sourceId,
    sender: { id: message.senderId, type: message.senderType.toLowerCase() },
    attachments: message.attachments.map((attachment, index) => ({
      id: message.id * 100 + index,
      message_id: message.id,
      file_type: attachment.fileType,
      extension: attachment.name.split(".").pop() ?? "",
      data_url: `https://chat.example.com/rails/active_storage/blobs/${message.id}-${index}/${encodeURIComponent(attachment.name)}`,
      file_size: attachment.size,
    })),
  };
}

export function inboxJson(inbox: FakeInbox): Record<string, unknown> {
  return {
    ...inboxSlim(inbox),
    working_hours_enabled: inbox.workingHoursEnabled,
    timezone: inbox.timezone,
    working_hours: inbox.workingHours,
    out_of_office_message: inbox.outOfOfficeMessage,
    lock_to_single_conversation: inbox.lockToSingleConversation,
    enable_auto_assignment: true,
    csat_survey_enabled: false,
    greeting_enabled: false,
  };
}

export function publicInboxJson(inbox: FakeInbox): Record<string, unknown> {
  return {
    identifier: inbox.identifier,
    name: inbox.name,
    timezone: inbox.timezone,
    working_hours: inbox.workingHours,
    working_hours_enabled: inbox.workingHoursEnabled,
    csat_survey_enabled: false,
    greeting_enabled: false,
    identity_validation_enabled: false,
  };
}
