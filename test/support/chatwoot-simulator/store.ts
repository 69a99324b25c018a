import { createHmac, randomUUID } from "crypto";
import type { FakeAgent, FakeAgentBot, FakeTeam, FakeAttachment, FakeContact, FakeConversation, FakeInbox, FakeMessage, MessageType, Status, StoreEvent } from "./model";

/** A refusal as Chatwoot answers it: status plus JSON body. */
export class ChatwootRefusal extends Error {
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown>,
  ) {
    super(JSON.stringify(body));
  }
}

/** The clash ContactInboxBuilder re-raises; each controller answers it its own way (C1). */
export class SourceIdClash extends ChatwootRefusal {
  constructor() {
    super(500, { status: 500, error: "Internal Server Error" });
  }
}

/**
 * JsonbAttributesLengthValidator on Conversation#custom_attributes
 * (app/validators/jsonb_attributes_length_validator.rb:13-19): a string value
 * over 1,500 characters, or an integer over 9,999,999,999, fails with 422 (C8).
 */
function checkAttributeLimits(attributes: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(attributes)) {
    if (typeof value === "string" && value.length > 1_500) throw new ChatwootRefusal(422, { message: `Custom attributes ${key} is too long (maximum is 1500 characters)`, attributes: ["custom_attributes"] });
    if (typeof value === "number" && Number.isInteger(value) && value > 9_999_999_999) throw new ChatwootRefusal(422, { message: `Custom attributes ${key} must be less than 9999999999`, attributes: ["custom_attributes"] });
  }
}

/** Chatwoot promises no order; a fresh permutation each call keeps the extension from relying on one. */
function shuffle<T>(items: T[]): T[] {
  const result = [...items];
  for (let index = result.length - 1; index > 0; index -= 1) {
    const other = Math.floor(Math.random() * (index + 1));
    [result[index], result[other]] = [result[other] as T, result[index] as T];
  }
  return result;
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
  readonly teams: FakeTeam[] = [];
  /** Account-level switches a test may set. */
  readonly settings: { crmV2: boolean; filterOrder: "shuffled" | "exact-last" } = { crmV2: false, filterOrder: "shuffled" };
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

  /**
   * An agent sets (or clears, null) the display name in their profile (users.display_name). No webhook
   * follows: Chatwoot sends none for user changes; later push data shows the new available_name.
   */
  setDisplayName(agentId: number, displayName: string | null): void {
    const agent = this.agents.find((item) => item.id === agentId);
    if (agent === undefined) throw new Error(`no agent ${agentId}`);
    agent.displayName = displayName;
  }

  /** `User#available_name` (app/models/concerns/user_attribute_helpers.rb): `display_name.presence || name`. */
  availableName(agent: FakeAgent): string {
    return agent.displayName !== undefined && agent.displayName !== null && agent.displayName.trim() !== "" ? agent.displayName : agent.name;
  }

  assign(conversation: FakeConversation, agentId: number | null): void {
    const previous = conversation.assigneeId;
    conversation.assigneeId = agentId;
    this.touch(conversation);
    this.emit({ kind: "conversation_updated", conversation, changes: { assignee_id: { previous_value: previous, current_value: agentId } } });
  }

  /** An agent labels the conversation: conversation_updated with `label_list` (conversation.rb list of watched attributes). */
  setLabels(conversation: FakeConversation, labels: string[]): void {
    const previous = conversation.labels;
    conversation.labels = [...labels];
    this.touch(conversation);
    this.emit({ kind: "conversation_updated", conversation, changes: { label_list: { previous_value: previous, current_value: conversation.labels } } });
  }

  setCustomAttributes(conversation: FakeConversation, attributes: Record<string, unknown>): void {
    checkAttributeLimits(attributes);
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

  /**
   * With a team, an assignee who is not a member of it is dropped
   * (assignment_handler.rb#ensure_assignee_is_from_team, C7); the team's
   * auto-assignment is not modelled, so the conversation stays unassigned.
   */
  private assigneeFromTeam(teamId: number | null, assigneeId: number | null): number | null {
    if (teamId === null || assigneeId === null) return assigneeId;
    const team = this.teams.find((item) => item.id === teamId);
    // `team&.members&.exclude?(assignee)`: a team the simulator was not told about keeps the assignee.
    return team === undefined || team.memberIds.includes(assigneeId) ? assigneeId : null;
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

  /**
   * Contact uniqueness as contact.rb validates it: the identifier
   * case-sensitively (`uniqueness: { scope: [:account_id] }`), the email
   * case-insensitively (it is stored downcased), the phone number as written
   * (platform-sources.md C3).
   */
  private checkUnique(fields: { identifier: string | null; email: string | null; phoneNumber: string | null }, except?: number): void {
    if (fields.phoneNumber !== null && !E164.test(fields.phoneNumber)) {
      throw new ChatwootRefusal(422, { message: "Phone number should be in e164 format", attributes: ["phone_number"] });
    }
    const others = this.contacts.filter((contact) => contact.id !== except);
    const taken = (key: "identifier" | "email" | "phoneNumber", value: string | null): boolean =>
      value !== null && others.some((contact) => (key === "email" ? (contact.email ?? "").toLowerCase() === value.toLowerCase() : contact[key] === value));
    if (taken("identifier", fields.identifier)) throw new ChatwootRefusal(422, { message: "Identifier has already been taken", attributes: ["identifier"] });
    if (taken("email", fields.email)) throw new ChatwootRefusal(422, { message: "Email has already been taken", attributes: ["email"] });
    if (taken("phoneNumber", fields.phoneNumber)) throw new ChatwootRefusal(422, { message: "Phone number has already been taken", attributes: ["phone_number"] });
  }

  /**
   * Contacts#create runs in one transaction (contacts_controller.rb#create):
   * when the contact inbox cannot be made, the contact is rolled back too.
   */
  createContact(fields: { name: string | null; identifier: string | null; email: string | null; phoneNumber: string | null }, inbox?: { inboxId: number; sourceId: string | null }): FakeContact {
    this.checkUnique(fields);
    const identified = fields.identifier !== null || fields.email !== null || fields.phoneNumber !== null;
    const contact: FakeContact = { id: this.nextContactId, name: fields.name ?? "", identifier: fields.identifier, email: fields.email, phoneNumber: fields.phoneNumber, blocked: false, contactType: identified ? "lead" : "visitor", contactInboxes: [] };
    if (inbox !== undefined) this.addContactInbox(contact, inbox.inboxId, inbox.sourceId);
    this.nextContactId += 1;
    this.contacts.push(contact);
    return contact;
  }

  /**
   * ContactInboxBuilder: an existing (contact, inbox, source id) is returned;
   * a source id another contact holds in that inbox raises
   * RecordNotUnique, which API inboxes re-raise (contact_inbox_builder.rb
   * #update_old_contact_inbox) and the contacts and contact_inboxes
   * controllers answer with HTTP 500 (platform-sources.md C1).
   */
  addContactInbox(contact: FakeContact, inboxId: number, sourceId: string | null): { inboxId: number; sourceId: string } {
    this.inbox(inboxId);
    const id = sourceId ?? randomUUID();
    const owner = this.contacts.find((item) => item.contactInboxes.some((ci) => ci.inboxId === inboxId && ci.sourceId === id));
    if (owner !== undefined && owner.id !== contact.id) throw new SourceIdClash();
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

  /**
   * `POST /contacts/filter` on identifier `equal_to`: compared with LOWER() on
   * both sides (filter_helper.rb, filter_service.rb lower-cases the value), so
   * `Alice` finds `alice` too; results come in no guaranteed order. With the
   * crm_v2 feature only `lead` contacts come back (contact.rb
   * resolved_contacts). platform-sources.md C3.
   */
  findContactByIdentifier(identifier: string): FakeContact[] {
    const found = this.contacts.filter((contact) => contact.identifier !== null && contact.identifier.toLowerCase() === identifier.toLowerCase() && (!this.settings.crmV2 || contact.contactType === "lead"));
    if (this.settings.filterOrder === "exact-last") return [...found.filter((contact) => contact.identifier !== identifier), ...found.filter((contact) => contact.identifier === identifier)];
    return shuffle(found);
  }

  /**
   * Public API contact create (public/api/v1/inboxes/contacts_controller.rb,
   * ContactInboxWithContactBuilder): identity validation first (C4: with
   * `hmac_mandatory`, or whenever an `identifier_hash` is sent, it must be
   * HMAC-SHA256(hmac_token, identifier) in hex, else the controller raises and
   * Chatwoot answers 500); then the contact inbox with that source id, if the
   * inbox has one; else the contact by identifier (exactly), email, phone, or
   * a new one.
   */
  publicContact(inboxId: number, fields: { name: string | null; identifier: string | null; email: string | null; phoneNumber: string | null }, sourceId: string | null, identifierHash: string | null): { contact: FakeContact; sourceId: string } {
    const inbox = this.inbox(inboxId);
    if (identifierHash !== null || inbox.hmacMandatory) {
      const expected = createHmac("sha256", inbox.hmacToken).update(fields.identifier ?? "").digest("hex");
      if (identifierHash !== expected) throw new ChatwootRefusal(500, { status: 500, error: "Internal Server Error" });
    }
    const existing = sourceId === null ? undefined : this.contacts.find((contact) => contact.contactInboxes.some((ci) => ci.inboxId === inboxId && ci.sourceId === sourceId));
    if (existing !== undefined && sourceId !== null) return { contact: existing, sourceId };
    const match = (key: "identifier" | "email" | "phoneNumber"): FakeContact | undefined => {
      const value = fields[key];
      return value === null ? undefined : this.contacts.find((contact) => (key === "email" ? (contact.email ?? "").toLowerCase() === value.toLowerCase() : contact[key] === value));
    };
    const contact = match("identifier") ?? match("email") ?? match("phoneNumber") ?? this.createContact(fields);
    const created = this.addContactInbox(contact, inboxId, sourceId);
    return { contact, sourceId: created.sourceId };
  }

  /**
   * What an agent's "Merge contacts" does (contact_merge_action.rb): the
   * mergee's conversations, messages and contact inboxes move to the base
   * contact, the mergee is deleted, and the base keeps its own identifier,
   * name, email and phone, taking the mergee's only where its own are blank.
   */
  mergeContacts(baseId: number, mergeeId: number): void {
    const base = this.contact(baseId);
    const mergee = this.contact(mergeeId);
    if (base.id === mergee.id) throw new ChatwootRefusal(422, { message: "contact does merge with same contact" });
    for (const conversation of this.conversations) if (conversation.contactId === mergee.id) conversation.contactId = base.id;
    for (const message of this.messages) if (message.senderType === "Contact" && message.senderId === mergee.id) message.senderId = base.id;
    base.contactInboxes.push(...mergee.contactInboxes);
    this.contacts.splice(this.contacts.indexOf(mergee), 1);
    base.identifier = base.identifier ?? mergee.identifier;
    base.name = base.name === "" ? mergee.name : base.name;
    base.email = base.email ?? mergee.email;
    base.phoneNumber = base.phoneNumber ?? mergee.phoneNumber;
  }

  /** An agent edits a contact in the dashboard (contacts_controller.rb#update, same uniqueness rules). */
  updateContact(contactId: number, fields: Partial<Pick<FakeContact, "identifier" | "name" | "email" | "phoneNumber" | "contactType" | "blocked">>): FakeContact {
    const contact = this.contact(contactId);
    const next = { ...contact, ...fields };
    this.checkUnique({ identifier: next.identifier, email: next.email, phoneNumber: next.phoneNumber }, contact.id);
    Object.assign(contact, fields);
    return contact;
  }

  createConversation(input: { inboxId: number; contactId: number; sourceId: string; status: Status | null; customAttributes: Record<string, unknown>; teamId: number | null; assigneeId: number | null }): FakeConversation {
    const inbox = this.inbox(input.inboxId);
    const contact = this.contact(input.contactId);
    checkAttributeLimits(input.customAttributes);
    try {
      this.addContactInbox(contact, inbox.id, input.sourceId);
    } catch (error: unknown) {
      // conversations_controller.rb#contact_inbox rescues the clash as 422 (C1).
      if (error instanceof SourceIdClash) throw new ChatwootRefusal(422, { error: "source_id should be unique" });
      throw error;
    }
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
      assigneeId: this.assigneeFromTeam(input.teamId, input.assigneeId),
      priority: null,
      createdAt: this.now(),
      updatedAt: this.now() / 1000,
      firstReplyCreatedAt: null,
      // app/models/conversation.rb: a new conversation waits from its creation (before_create ensure_waiting_since).
      waitingSince: this.now(),
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
    this.trackReply(conversation, message);
    this.emit({ kind: "message_created", message });
    if (incoming && conversation.status === "resolved") this.setStatus(conversation, inbox.agentBotActive ? "pending" : "open");
    if (incoming && conversation.status === "snoozed") this.setStatus(conversation, "open");
    return message;
  }

  /**
   * First reply and waiting time, as app/models/message.rb keeps them: a public outgoing
   * message of a human (sender User, not an automation rule) is a first reply when none
   * was recorded (`valid_first_reply?`, `human_response?`: first_reply_created_at set)
   * and ends the wait; a bot's reply also ends the wait (`bot_response?`); an incoming
   * message starts one when none runs (`update_waiting_since`). Private notes change nothing.
   */
  private trackReply(conversation: FakeConversation, message: FakeMessage): void {
    if (message.private) return;
    if (message.messageType === "incoming") {
      conversation.waitingSince ??= message.createdAt;
      return;
    }
    if (message.messageType !== "outgoing") return;
    const human = message.senderType === "User" && message.contentAttributes?.automation_rule_id === undefined;
    if (human && (conversation.firstReplyCreatedAt ?? null) === null) conversation.firstReplyCreatedAt = message.createdAt;
    if (human || message.senderType === "AgentBot") conversation.waitingSince = null;
  }

  /**
   * `GET /conversations` as ConversationFinder (app/finders/conversation_finder.rb) answers it,
   * for the filters the relay sends: inbox, status (default open), assignee_type
   * (unassigned: no assignee), conversation_type=unattended (Conversation.unattended in
   * app/models/conversation.rb: first_reply_created_at null OR waiting_since set), sorted
   * (SORT_OPTIONS: created_at_asc, waiting_since_asc, default last_activity_at_desc), one page
   * of `perPage` (CONVERSATION_RESULTS_PER_PAGE, 25). `unassignedCount` is counted before the
   * assignee filter, as the finder's meta is.
   */
  listConversations(filters: { inboxId: number | null; status: Status | "all"; assigneeType: "all" | "unassigned" | "assigned"; unattended: boolean; sortBy: "created_at_asc" | "waiting_since_asc" | "last_activity_at_desc"; page: number; perPage: number }, lastActivity: (conversation: FakeConversation) => number): { page: FakeConversation[]; unassignedCount: number; allCount: number } {
    const scoped = this.conversations.filter(
      (conversation) =>
        (filters.inboxId === null || conversation.inboxId === filters.inboxId) &&
        (filters.status === "all" || conversation.status === filters.status) &&
        (!filters.unattended || (conversation.firstReplyCreatedAt ?? null) === null || (conversation.waitingSince ?? null) !== null),
    );
    const unassignedCount = scoped.filter((conversation) => conversation.assigneeId === null).length;
    const matching = scoped.filter((conversation) => (filters.assigneeType === "unassigned" ? conversation.assigneeId === null : filters.assigneeType === "assigned" ? conversation.assigneeId !== null : true));
    const sorted = [...matching].sort((a, b) => {
      if (filters.sortBy === "created_at_asc") return a.createdAt - b.createdAt || a.id - b.id;
      // sort_on_waiting_since: ascending, conversations without one last.
      if (filters.sortBy === "waiting_since_asc") return (a.waitingSince ?? Infinity) - (b.waitingSince ?? Infinity) || a.id - b.id;
      return lastActivity(b) - lastActivity(a) || b.id - a.id;
    });
    const start = (filters.page - 1) * filters.perPage;
    return { page: sorted.slice(start, start + filters.perPage), unassignedCount, allCount: scoped.length };
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
