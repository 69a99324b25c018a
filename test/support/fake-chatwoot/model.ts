/** The records the fake Chatwoot keeps, shaped after Chatwoot's models (chatwoot-facts.md). */

export type Status = "open" | "resolved" | "pending" | "snoozed";
export type MessageType = "incoming" | "outgoing" | "activity" | "template";

export interface FakeAgent {
  id: number;
  name: string;
  email: string;
  availability: "online" | "busy" | "offline";
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
  contactInboxes: FakeContactInbox[];
}

export interface FakeAttachment {
  name: string;
  contentType: string;
  size: number;
  fileType: "image" | "video" | "audio" | "file";
}

export interface FakeMessage {
  id: number;
  conversationId: number;
  content: string;
  messageType: MessageType;
  private: boolean;
  sourceId: string | null;
  senderType: "Contact" | "User" | "AgentBot";
  senderId: number;
  attachments: FakeAttachment[];
  createdAt: number;
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
}

export interface FakeAgentBot {
  id: number;
  name: string;
}
