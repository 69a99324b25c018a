import { attachment, conversationCreated, conversationJson, messageEvent, statusChanged, type SenderSpec, type WebhookConversation } from "../chatwoot-webhooks";
import type { FakeConversation, FakeMessage, StoreEvent } from "./model";
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

function messagePayload(store: FakeChatwootStore, message: FakeMessage, baseUrl: string): unknown {
  const conversation = webhookConversation(store, store.conversation(message.conversationId));
  return messageEvent(conversation, {
    id: message.id,
    messageType: message.messageType === "activity" ? "outgoing" : message.messageType,
    content: message.content,
    sender: sender(store, message),
    private: message.private,
    contentType: message.contentType,
    ...(message.contentType === "input_csat" ? { contentAttributes: { display_type: "emoji" } } : {}),
    attachments: message.attachments.map((file, index) => attachment({ id: message.id * 100 + index, messageId: message.id, fileType: file.fileType, url: blobUrl(baseUrl, message, index), fileSize: file.size })),
    sourceId: message.sourceId,
    createdAt: new Date(message.createdAt),
  });
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
      return [conversationCreated(webhookConversation(store, event.conversation))];
    case "message_created":
      return event.message.messageType === "activity" ? [] : [messagePayload(store, event.message, baseUrl)];
    case "status_changed":
      return [statusChanged(webhookConversation(store, event.conversation), event.conversation.status)];
    case "conversation_updated": {
      const conversation = webhookConversation(store, event.conversation);
      const stamp = new Date(Math.round(conversation.updatedAt * 1000)).toISOString();
      const changes = Object.entries({ ...event.changes, updated_at: { previous_value: stamp, current_value: stamp } }).map(([key, change]) => ({ [key]: change }));
      return [{ event: "conversation_updated", ...conversationJson(conversation), changed_attributes: changes }];
    }
  }
}
