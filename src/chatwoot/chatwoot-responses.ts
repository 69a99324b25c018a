import { clipText } from "../core/clip-text";
import { isRecord, readArray, readBoolean, readNonEmptyString, readNumber, readPositiveInteger, readRecord, readString } from "../core/json-guards";
import type { ConversationStatus } from "../core/relay-event";
import type { AgentName, Availability, ContactInboxRef, ConversationInfo, FoundContact, InboxMember, InboxSettings, PublicConversationRef, WorkingHour } from "./chatwoot-types";

/** Parsers for the parts of Chatwoot's responses the extension uses; undefined means "not what Chatwoot sends". */

function parseContactInboxes(value: unknown): FoundContact["inboxes"] {
  const result: FoundContact["inboxes"] = [];
  for (const item of readArray(value)) {
    if (!isRecord(item)) continue;
    const sourceId = readNonEmptyString(item.source_id);
    const inboxId = readPositiveInteger(readRecord(item.inbox).id);
    if (sourceId !== undefined && inboxId !== undefined) result.push({ inboxId, sourceId });
  }
  return result;
}

/** `POST /contacts` → `{payload: {contact, contact_inbox}}` (contacts_controller.rb#create). */
export function parseCreatedContact(inboxId: number) {
  return (body: unknown): ContactInboxRef | undefined => {
    const payload = readRecord(readRecord(body).payload);
    const contact = readRecord(payload.contact);
    const contactId = readPositiveInteger(contact.id);
    const sourceId =
      readNonEmptyString(readRecord(payload.contact_inbox).source_id) ??
      parseContactInboxes(contact.contact_inboxes).find((item) => item.inboxId === inboxId)?.sourceId;
    return contactId === undefined || sourceId === undefined ? undefined : { contactId, sourceId };
  };
}

/** `POST /contacts/filter` → `{meta, payload: [contact]}`. */
export function parseContactList(body: unknown): FoundContact[] | undefined {
  if (!isRecord(body) || !Array.isArray(body.payload)) return undefined;
  const contacts: FoundContact[] = [];
  for (const item of body.payload) {
    const record = readRecord(item);
    const id = readPositiveInteger(record.id);
    if (id !== undefined) contacts.push({ id, identifier: readString(record.identifier) ?? null, inboxes: parseContactInboxes(record.contact_inboxes) });
  }
  return contacts;
}

/** `POST /contacts/{id}/contact_inboxes` → `{source_id, inbox}`. */
export function parseContactInbox(body: unknown): string | undefined {
  return readNonEmptyString(readRecord(body).source_id);
}

/** Public API `POST /public/api/v1/inboxes/{identifier}/contacts` → `{id, source_id, ...}`. */
export function parsePublicContact(body: unknown): ContactInboxRef | undefined {
  const record = readRecord(body);
  const contactId = readPositiveInteger(record.id);
  const sourceId = readNonEmptyString(record.source_id);
  return contactId === undefined || sourceId === undefined ? undefined : { contactId, sourceId };
}

const STATUSES: readonly ConversationStatus[] = ["open", "resolved", "pending", "snoozed"];

function readStatus(value: unknown): ConversationStatus | undefined {
  return STATUSES.find((status) => status === value);
}

/** The conversation JSON of create/show/update. */
export function parseConversation(body: unknown): ConversationInfo | undefined {
  const record = readRecord(body);
  const id = readPositiveInteger(record.id);
  const inboxId = readPositiveInteger(record.inbox_id);
  const status = readStatus(record.status);
  if (id === undefined || inboxId === undefined || status === undefined) return undefined;
  const labels = readArray(record.labels).filter((item): item is string => typeof item === "string");
  const meta = readRecord(record.meta);
  const contactId = readPositiveInteger(readRecord(meta.sender).id) ?? null;
  const assignee = readRecord(meta.assignee);
  // An agent bot assignee (type "agent_bot", 4.8+) is not the agent the designer asked for.
  const assigneeId = assignee.type === "agent_bot" ? null : (readPositiveInteger(assignee.id) ?? readPositiveInteger(record.assignee_id) ?? null);
  return { id, inboxId, contactId, assigneeId, status, labels, customAttributes: readRecord(record.custom_attributes) };
}

/** `GET /contacts/{id}/conversations` → `{payload: [conversation]}` (at most 20, newest activity first). */
export function parseConversationList(body: unknown): ConversationInfo[] | undefined {
  const payload = readRecord(body).payload;
  if (!Array.isArray(payload)) return undefined;
  return payload.map(parseConversation).filter((item): item is ConversationInfo => item !== undefined);
}

/** Public API `GET /public/api/v1/inboxes/{identifier}/contacts/{source_id}/conversations` → `[conversation]`. */
export function parsePublicConversationList(body: unknown): PublicConversationRef[] | undefined {
  if (!Array.isArray(body)) return undefined;
  const result: PublicConversationRef[] = [];
  for (const item of body) {
    const record = readRecord(item);
    const id = readPositiveInteger(record.id);
    const inboxId = readPositiveInteger(record.inbox_id);
    const status = readStatus(record.status);
    if (id !== undefined && inboxId !== undefined && status !== undefined) result.push({ id, inboxId, status });
  }
  return result;
}

/** `POST /conversations/{id}/messages` → the message JSON. */
export function parseMessageId(body: unknown): number | undefined {
  return readPositiveInteger(readRecord(body).id);
}

/** `POST toggle_status` → `{meta, payload: {success, current_status}}`. */
export function parseToggleStatus(body: unknown): ConversationStatus | undefined {
  const payload = readRecord(readRecord(body).payload);
  return readStatus(payload.current_status);
}

/** Any 2xx body is fine (labels, custom attributes). */
export function acceptAny(): true {
  return true;
}

function parseWorkingHour(value: unknown): WorkingHour | undefined {
  const record = readRecord(value);
  const dayOfWeek = readNumber(record.day_of_week);
  if (dayOfWeek === undefined || dayOfWeek < 0 || dayOfWeek > 6) return undefined;
  return {
    dayOfWeek,
    openAllDay: readBoolean(record.open_all_day) ?? false,
    closedAllDay: readBoolean(record.closed_all_day) ?? false,
    openHour: readNumber(record.open_hour) ?? 0,
    openMinutes: readNumber(record.open_minutes) ?? 0,
    closeHour: readNumber(record.close_hour) ?? 0,
    closeMinutes: readNumber(record.close_minutes) ?? 0,
  };
}

/** `GET /inboxes/{id}` (and the public inbox, which has no out-of-office text). */
export function parseInboxSettings(body: unknown): InboxSettings | undefined {
  if (!isRecord(body)) return undefined;
  const workingHours = readArray(body.working_hours).map(parseWorkingHour);
  return {
    workingHoursEnabled: readBoolean(body.working_hours_enabled) ?? false,
    timezone: readNonEmptyString(body.timezone) ?? "UTC",
    workingHours: workingHours.filter((item): item is WorkingHour => item !== undefined),
    outOfOfficeMessage: readString(body.out_of_office_message) ?? null,
  };
}

const AVAILABILITIES: readonly Availability[] = ["online", "busy", "offline"];

/** `GET /inbox_members/{inbox_id}` → `{payload: [agent]}`. */
export function parseInboxMembers(body: unknown): InboxMember[] | undefined {
  const record = readRecord(body);
  if (!Array.isArray(record.payload)) return undefined;
  const members: InboxMember[] = [];
  for (const item of record.payload) {
    const agent = readRecord(item);
    const id = readPositiveInteger(agent.id);
    const availability = AVAILABILITIES.find((value) => value === agent.availability_status) ?? "offline";
    if (id !== undefined) members.push({ id, availability });
  }
  return members;
}

/** Longest page read from a conversation listing (Chatwoot's is 25 unless CONVERSATION_RESULTS_PER_PAGE says otherwise). */
const MAX_LISTING_PAGE = 1_000;

/**
 * `GET /accounts/{id}/conversations` → `{data: {meta: {unassigned_count, …}, payload: [conversation]}}`
 * (app/views/api/v1/conversations/index.json.jbuilder): page 1's display ids in the order
 * Chatwoot sorted them, and how many match in all (`unassigned_count`, counted before the
 * assignee filter, so with `assignee_type=unassigned` it is the whole queue).
 */
export function parseQueueListing(body: unknown): { ids: number[]; total: number } | undefined {
  const data = readRecord(readRecord(body).data);
  const payload = data.payload;
  const total = readRecord(data.meta).unassigned_count;
  if (!Array.isArray(payload) || payload.length > MAX_LISTING_PAGE || typeof total !== "number" || !Number.isSafeInteger(total) || total < 0) return undefined;
  const ids = payload.map((item) => readPositiveInteger(readRecord(item).id));
  if (ids.some((id) => id === undefined)) return undefined;
  return { ids: ids.filter((id): id is number => id !== undefined), total: Math.max(total, ids.length) };
}

/** Most agents read from one listing: far beyond any account, and within the 5 MB answer cap. */
export const MAX_LISTED_AGENTS = 50_000;
/** Longest agent name kept (characters); longer ones are clipped with "…". */
export const MAX_AGENT_NAME_LENGTH = 200;

/**
 * `GET /accounts/{id}/agents` → a bare array of agents
 * (app/views/api/v1/accounts/agents/index.json.jbuilder, partial
 * app/views/api/v1/models/_agent.json.jbuilder): each with `id`, `name` and
 * `available_name` (User#available_name: the display name if set, else the
 * name; app/models/concerns/user_attribute_helpers.rb). Entries without an id
 * or any name are skipped; a body that is no array, or longer than
 * MAX_LISTED_AGENTS, is not Chatwoot's answer.
 */
export function parseAgentList(body: unknown): AgentName[] | undefined {
  if (!Array.isArray(body) || body.length > MAX_LISTED_AGENTS) return undefined;
  const agents: AgentName[] = [];
  for (const item of body) {
    const agent = readRecord(item);
    const id = readPositiveInteger(agent.id);
    const name = readNonEmptyString(agent.available_name) ?? readNonEmptyString(agent.name);
    if (id !== undefined && name !== undefined) agents.push({ id, availableName: clipText(name, MAX_AGENT_NAME_LENGTH) });
  }
  return agents;
}
