import type { JsonRecord } from "../core/json-guards";
import type { ConversationStatus } from "../core/relay-event";

/** A contact's membership in one inbox; `sourceId` identifies it in webhooks. */
export interface ContactInboxRef {
  contactId: number;
  sourceId: string;
}

export interface FoundContact {
  id: number;
  /** Exactly as Chatwoot stores it (null: none); the filter that found it ignores case (C3). */
  identifier: string | null;
  inboxes: { inboxId: number; sourceId: string }[];
}

export interface ConversationInfo {
  id: number;
  inboxId: number;
  /** `meta.sender.id`: the contact. */
  contactId: number | null;
  /** `meta.assignee.id` when the assignee is an agent (null: nobody, or an agent bot). */
  assigneeId: number | null;
  status: ConversationStatus;
  labels: string[];
  customAttributes: JsonRecord;
}

/** A conversation as the public inbox API lists it (no custom attributes there). */
export interface PublicConversationRef {
  id: number;
  inboxId: number;
  status: ConversationStatus;
}

export interface WorkingHour {
  dayOfWeek: number;
  openAllDay: boolean;
  closedAllDay: boolean;
  openHour: number;
  openMinutes: number;
  closeHour: number;
  closeMinutes: number;
}

export interface InboxSettings {
  workingHoursEnabled: boolean;
  timezone: string;
  workingHours: WorkingHour[];
  outOfOfficeMessage: string | null;
}

export type Availability = "online" | "busy" | "offline";

export interface InboxMember {
  id: number;
  availability: Availability;
}

/** An account's agent as `GET /agents` lists it: the name Chatwoot shows customers (`available_name`). */
export interface AgentName {
  id: number;
  /** `available_name`: the agent's display name, else their full name (User#available_name). */
  availableName: string;
}

export type Priority = "urgent" | "high" | "medium" | "low";

/** A file to upload with a message (Chatwoot has no attach-by-URL). */
export interface UploadFile {
  name: string;
  contentType: string;
  data: Buffer;
}
