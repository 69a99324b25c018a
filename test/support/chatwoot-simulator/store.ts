import { randomUUID } from "crypto";
import type { FakeAgent, FakeAgentBot, FakeAttachment, FakeContact, FakeConversation, FakeInbox, FakeMessage, MessageType, Status, StoreEvent } from "./model";

/** A refusal as Chatwoot answers it: status plus JSON body. */
export class ChatwootRefusal extends Error {
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown>,
  ) {
    super(JSON.stringify(body));
  }
}

const E164 = /^\+[1-9]\d{1,14}$/;
export const MESSAGES_PER_MINUTE = 200;

/** Contact, conversation and message rules of Chatwoot 4.15 that the extension depends on. */
export class FakeChatwootStore {
  readonly inboxes = new Map<number, FakeInbox>();
  readonly agents: FakeAgent[] = [];
  readonly bots: FakeAgentBot[] = [];
  readonly contacts: FakeContact[] = [];
  readonly conversations: FakeConversation[] = [];
  readonly messages: FakeMessage[] = [];
  private nextContactId = 100;
  private nextConversationId = 1;
  private nextMessageId = 1000;
  private readonly listeners: ((event: StoreEvent) => void)[] = [];

  constructor(private readonly now: () => number) {}

  /** Receives every change, as Chatwoot's dispatchers do (webhooks are built from them). */
  subscribe(listener: (event: StoreEvent) => void): void {
    this.listeners.push(listener);
  }

  private emit(event: StoreEvent): void {
    for (const listener of this.listeners) listener(event);
  }

  private touch(conversation: FakeConversation): void {
    conversation.updatedAt = Math.max(this.now() / 1000, conversation.updatedAt + 0.001);
  }

  /** A status change emits conversation_status_changed and conversation_updated (as Chatwoot does), and CSAT after a resolve. */
  setStatus(conversation: FakeConversation, status: Status): void {
    const previous = conversation.status;
    if (previous === status) return;
    conversation.status = status;
    this.touch(conversation);
    this.emit({ kind: "status_changed", conversation, previous });
    this.emit({ kind: "conversation_updated", conversation, changes: { status: { previous_value: previous, current_value: status } } });
    if (status === "resolved" && this.inbox(conversation.inboxId).csatSurveyEnabled) this.sendCsat(conversation);
  }

  private sendCsat(conversation: FakeConversation): void {
    if (this.messages.some((message) => message.conversationId === conversation.id && message.contentType === "input_csat")) return;
    const uuid = `00000000-0000-4000-8000-${String(conversation.id).padStart(12, "0")}`;
    const message = this.storeMessage(conversation, { content: `Please rate this conversation, https://chat.example.com/survey/responses/${uuid}`, messageType: "template", private: false, sourceId: null, senderType: "Template", senderId: 0, attachments: [], contentType: "input_csat" });
    this.emit({ kind: "message_created", message });
  }

  assign(conversation: FakeConversation, agentId: number | null): void {
    const previous = conversation.assigneeId;
    conversation.assigneeId = agentId;
    this.touch(conversation);
    this.emit({ kind: "conversation_updated", conversation, changes: { assignee_id: { previous_value: previous, current_value: agentId } } });
  }

  setCustomAttributes(conversation: FakeConversation, attributes: Record<string, unknown>): void {
    const previous = conversation.customAttributes;
    conversation.customAttributes = attributes;
    this.touch(conversation);
    this.emit({ kind: "conversation_updated", conversation, changes: { custom_attributes: { previous_value: previous, current_value: attributes } } });
  }

  private storeMessage(conversation: FakeConversation, fields: Omit<FakeMessage, "id" | "conversationId" | "createdAt" | "status">): FakeMessage {
    const message: FakeMessage = { id: this.nextMessageId++, conversationId: conversation.id, createdAt: this.now(), status: "sent", ...fields };
    this.messages.push(message);
    return message;
  }

  inbox(id: number): FakeInbox {
    const inbox = this.inboxes.get(id);
    if (inbox === undefined) throw new ChatwootRefusal(404, { error: "Resource could not be found" });
    return inbox;
  }

  conversation(id: number): FakeConversation {
    const conversation = this.conversations.find((item) => item.id === id);
    if (conversation === undefined) throw new ChatwootRefusal(404, { error: "Resource could not be found" });
    return conversation;
  }

  contact(id: number): FakeContact {
    const contact = this.contacts.find((item) => item.id === id);
    if (contact === undefined) throw new ChatwootRefusal(404, { error: "Resource could not be found" });
    return contact;
  }

  private checkUnique(fields: { identifier: string | null; email: string | null; phoneNumber: string | null }): void {
    if (fields.phoneNumber !== null && !E164.test(fields.phoneNumber)) {
      throw new ChatwootRefusal(422, { message: "Phone number should be in e164 format", attributes: ["phone_number"] });
    }
    const taken = (key: "identifier" | "email" | "phoneNumber", value: string | null): boolean =>
      value !== null && this.contacts.some((contact) => (contact[key] ?? "").toLowerCase() === value.toLowerCase());
    if (taken("identifier", fields.identifier)) throw new ChatwootRefusal(422, { message: "Identifier has already been taken", attributes: ["identifier"] });
    if (taken("email", fields.email)) throw new ChatwootRefusal(422, { message: "Email has already been taken", attributes: ["email"] });
    if (taken("phoneNumber", fields.phoneNumber)) throw new ChatwootRefusal(422, { message: "Phone number has already been taken", attributes: ["phone_number"] });
  }

  createContact(fields: { name: string | null; identifier: string | null; email: string | null; phoneNumber: string | null }, inbox?: { inboxId: number; sourceId: string | null }): FakeContact {
    this.checkUnique(fields);
    const contact: FakeContact = { id: this.nextContactId++, name: fields.name ?? "", identifier: fields.identifier, email: fields.email, phoneNumber: fields.phoneNumber, blocked: false, contactInboxes: [] };
    this.contacts.push(contact);
    if (inbox !== undefined) this.addContactInbox(contact, inbox.inboxId, inbox.sourceId);
    return contact;
  }

  addContactInbox(contact: FakeContact, inboxId: number, sourceId: string | null): { inboxId: number; sourceId: string } {
    this.inbox(inboxId);
    const id = sourceId ?? randomUUID();
    const owner = this.contacts.find((item) => item.contactInboxes.some((ci) => ci.inboxId === inboxId && ci.sourceId === id));
    if (owner !== undefined && owner.id !== contact.id) throw new ChatwootRefusal(422, { message: "Source has already been taken", attributes: ["source_id"] });
    const existing = contact.contactInboxes.find((ci) => ci.inboxId === inboxId && ci.sourceId === id);
    if (existing !== undefined) return existing;
    const created = { inboxId, sourceId: id };
    contact.contactInboxes.push(created);
    return created;
  }

  contactInboxBySource(sourceId: string): { contactId: number; inboxId: number } | undefined {
    for (const contact of this.contacts) {
      const found = contact.contactInboxes.find((ci) => ci.sourceId === sourceId);
      if (found !== undefined) return { contactId: contact.id, inboxId: found.inboxId };
    }
    return undefined;
  }

  findContactByIdentifier(identifier: string): FakeContact[] {
    return this.contacts.filter((contact) => contact.identifier !== null && contact.identifier.toLowerCase() === identifier.toLowerCase());
  }

  /** Public API: find by identifier, then email, then phone; otherwise create; always with a contact inbox. */
  publicContact(inboxId: number, fields: { name: string | null; identifier: string | null; email: string | null; phoneNumber: string | null }, sourceId: string | null): { contact: FakeContact; sourceId: string } {
    const match = (key: "identifier" | "email" | "phoneNumber"): FakeContact | undefined => {
      const value = fields[key];
      return value === null ? undefined : this.contacts.find((contact) => (contact[key] ?? "").toLowerCase() === value.toLowerCase());
    };
    const contact = match("identifier") ?? match("email") ?? match("phoneNumber") ?? this.createContact(fields);
    const created = this.addContactInbox(contact, inboxId, sourceId);
    return { contact, sourceId: created.sourceId };
  }

  createConversation(input: { inboxId: number; contactId: number; sourceId: string; status: Status | null; customAttributes: Record<string, unknown>; teamId: number | null; assigneeId: number | null }): FakeConversation {
    const inbox = this.inbox(input.inboxId);
    const contact = this.contact(input.contactId);
    this.addContactInbox(contact, inbox.id, input.sourceId);
    if (inbox.lockToSingleConversation) {
      const last = [...this.conversations].reverse().find((item) => item.inboxId === inbox.id && item.contactId === contact.id);
      if (last !== undefined) return last;
    }
    const status: Status = contact.blocked ? "resolved" : inbox.agentBotActive ? "pending" : (input.status ?? "open");
    const conversation: FakeConversation = {
      id: this.nextConversationId++,
      inboxId: inbox.id,
      contactId: contact.id,
      sourceId: input.sourceId,
      status,
      labels: [],
      customAttributes: input.customAttributes,
      teamId: input.teamId,
      assigneeId: input.assigneeId,
      priority: null,
      createdAt: this.now(),
      updatedAt: this.now() / 1000,
    };
    this.conversations.push(conversation);
    this.emit({ kind: "conversation_created", conversation });
    return conversation;
  }

  createMessage(conversationId: number, input: { content: string; messageType: MessageType; private: boolean; sourceId: string | null; sender: { type: "User" | "AgentBot"; id: number }; attachments: FakeAttachment[] }): FakeMessage {
    const conversation = this.conversation(conversationId);
    const inbox = this.inbox(conversation.inboxId);
    if (input.messageType === "incoming" && inbox.channelType !== "Channel::Api") throw new ChatwootRefusal(422, { error: "Incoming messages are only allowed in Api inboxes" });
    const recent = this.messages.filter((message) => message.conversationId === conversationId && message.createdAt > this.now() - 60_000);
    if (recent.length >= MESSAGES_PER_MINUTE) throw new ChatwootRefusal(422, { message: "Too many messages" });
    const incoming = input.messageType === "incoming";
    const message = this.storeMessage(conversation, {
      content: input.content,
      messageType: input.messageType,
      private: input.private,
      sourceId: input.sourceId,
      senderType: incoming ? "Contact" : input.sender.type,
      senderId: incoming ? conversation.contactId : input.sender.id,
      attachments: input.attachments,
      contentType: "text",
    });
    this.emit({ kind: "message_created", message });
    if (incoming && conversation.status === "resolved") this.setStatus(conversation, inbox.agentBotActive ? "pending" : "open");
    if (incoming && conversation.status === "snoozed") this.setStatus(conversation, "open");
    return message;
  }

  messagesOf(conversationId: number): FakeMessage[] {
    return this.messages.filter((message) => message.conversationId === conversationId);
  }

  /**
   * An automation rule's "Send a message" / "Send an attachment"
   * (app/services/automation_rules/action_service.rb#send_message,
   * #send_attachment): `Messages::MessageBuilder.new(nil, conversation, …)`, so
   * outgoing, public, without sender (C9); a text carries
   * `content_attributes.automation_rule_id`, an attachment none.
   */
  automationMessage(conversationId: number, content: string | null, options: { ruleId?: number; attachments?: FakeAttachment[] } = {}): FakeMessage {
    const conversation = this.conversation(conversationId);
    const contentAttributes = content === null ? {} : { automation_rule_id: options.ruleId ?? 1 };
    const message = this.storeMessage(conversation, { content: content ?? "", messageType: "outgoing", private: false, sourceId: null, senderType: "Template", senderId: 0, attachments: options.attachments ?? [], contentType: "text", contentAttributes });
    this.emit({ kind: "message_created", message });
    return message;
  }

  /**
   * MessagesController#destroy (app/controllers/api/v1/accounts/conversations/messages_controller.rb):
   * `message.update!(content: I18n.t('conversations.messages.deleted'), content_type: :text,
   * content_attributes: { deleted: true })` and `message.attachments.destroy_all`, which Chatwoot
   * reports as message_updated (C11).
   */
  deleteMessage(messageId: number): FakeMessage {
    const message = this.messages.find((item) => item.id === messageId);
    if (message === undefined) throw new ChatwootRefusal(404, { error: "Resource could not be found" });
    message.content = "This message was deleted";
    message.contentType = "text";
    message.contentAttributes = { deleted: true };
    message.attachments = [];
    this.emit({ kind: "message_updated", message });
    return message;
  }
}
