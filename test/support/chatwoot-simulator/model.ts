/** The records the fake Chatwoot keeps, shaped after Chatwoot's models (chatwoot-facts.md). */

export type Status = "open" | "resolved" | "pending" | "snoozed";
export type MessageType = "incoming" | "outgoing" | "activity" | "template";

export interface FakeAgent {
  id: number;
  /** The full name (users.name). */
  name: string;
  email: string;
  availability: "online" | "busy" | "offline";
  /**
   * The display name the agent chose in their profile (users.display_name); absent or null: none.
   * Chatwoot shows customers `available_name` = the display name if present, else the name
   * (User#available_name, app/models/concerns/user_attribute_helpers.rb).
   */
  displayName?: string | null;
}

export interface FakeWorkingHour {
  day_of_week: number;
  closed_all_day: boolean;
  open_all_day: boolean;
  open_hour: number | null;
  open_minutes: number | null;
  close_hour: number | null;
  close_minutes: number | null;
}

export interface FakeInbox {
  id: number;
  name: string;
  /** Public API identifier. */
  identifier: string;
  channelType: "Channel::Api" | "Channel::WebWidget";
  lockToSingleConversation: boolean;
  agentBotActive: boolean;
  workingHoursEnabled: boolean;
  timezone: string;
  workingHours: FakeWorkingHour[];
  outOfOfficeMessage: string | null;
  memberIds: number[];
  /** The API inbox's webhook (null: none). */
  webhookUrl: string | null;
  /** Chatwoot 4.13+ signs with it; null models an older version that signs nothing. */
  webhookSecret: string | null;
  csatSurveyEnabled: boolean;
  /** "Enforce user identity validation" (Channel::Api#hmac_mandatory). */
  hmacMandatory: boolean;
  /** The inbox's HMAC token (Channel::Api#hmac_token), which signs identifiers. */
  hmacToken: string;
}

export interface FakeTeam {
  id: number;
  name: string;
  memberIds: number[];
}

export interface FakeContactInbox {
  inboxId: number;
  sourceId: string;
}

export interface FakeContact {
  id: number;
  name: string;
  identifier: string | null;
  email: string | null;
  phoneNumber: string | null;
  blocked: boolean;
  /** With the crm_v2 feature, the contact filter returns only leads (platform-sources.md C3). */
  contactType: "visitor" | "lead" | "customer";
  contactInboxes: FakeContactInbox[];
}

export interface FakeAttachment {
  name: string;
  contentType: string;
  size: number;
  /** Stored files (image … file), or Chatwoot's attachments without a file, whose data_url is their external_url (C12). */
  fileType: "image" | "video" | "audio" | "file" | "location" | "fallback" | "embed";
  /** Kept so the simulator can serve the file at its data_url. */
  data?: Buffer;
  /** location, fallback and embed: `external_url`, sent as data_url. */
  externalUrl?: string | null;
  /** location: `coordinates_lat`, `coordinates_long` (floats, 0.0 by default). */
  coordinates?: { lat: number; long: number };
  /** location and fallback: `fallback_title`. */
  fallbackTitle?: string | null;
}

export interface FakeMessage {
  id: number;
  conversationId: number;
  content: string;
  messageType: MessageType;
  private: boolean;
  sourceId: string | null;
  /** "Template": no sender (null in webhooks): templates, and automation rules' outgoing messages (C9). */
  senderType: "Contact" | "User" | "AgentBot" | "Template";
  senderId: number;
  attachments: FakeAttachment[];
  createdAt: number;
  contentType: "text" | "input_csat";
  /** `content_attributes` (e.g. `{automation_rule_id}`, `{deleted: true}`); absent: `{}`. */
  contentAttributes?: Record<string, unknown>;
  /** `failed` when its webhook could not be delivered (Chatwoot marks it so; no retry). */
  status: "sent" | "failed";
}

export interface FakeConversation {
  id: number;
  inboxId: number;
  contactId: number;
  sourceId: string;
  status: Status;
  labels: string[];
  customAttributes: Record<string, unknown>;
  teamId: number | null;
  assigneeId: number | null;
  priority: string | null;
  createdAt: number;
  /** Seconds with fractions, as in webhooks. */
  updatedAt: number;
  /**
   * ms of the first human public reply (Message#valid_first_reply?, app/models/message.rb), or null.
   * Absent on records made before the field: null.
   */
  firstReplyCreatedAt?: number | null;
  /**
   * ms since the contact waits for an answer, or null (Conversation#ensure_waiting_since at creation,
   * Message#update_waiting_since: set by an incoming message, cleared by a human or bot reply).
   */
  waitingSince?: number | null;
}

export interface FakeAgentBot {
  id: number;
  name: string;
}

/** What changed in the store, for the webhooks Chatwoot would send. */
export type StoreEvent =
  | { kind: "conversation_created"; conversation: FakeConversation }
  | { kind: "message_created"; message: FakeMessage }
  /** A message changed after it was sent, e.g. deleted (C11). */
  | { kind: "message_updated"; message: FakeMessage }
  | { kind: "status_changed"; conversation: FakeConversation; previous: Status }
  | { kind: "conversation_updated"; conversation: FakeConversation; changes: Record<string, { previous_value: unknown; current_value: unknown }> };
