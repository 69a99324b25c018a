import { MAX_AGENT_NAME_LENGTH } from "../chatwoot/chatwoot-responses";
import { clipText } from "../core/clip-text";
import { isRecord, readNonEmptyString, readNumber, readPositiveInteger, readRecord, readString, type JsonRecord } from "../core/json-guards";

/** Readers for the parts of Chatwoot's webhook payloads the relay uses (chatwoot-facts.md §2.4). */

/** Message events nest the conversation; conversation events are the conversation. */
export function conversationOf(payload: JsonRecord): JsonRecord {
  return typeof payload.event === "string" && payload.event.startsWith("message_") ? readRecord(payload.conversation) : payload;
}

export function inboxIdOf(payload: JsonRecord, conversation: JsonRecord): number | undefined {
  return readPositiveInteger(readRecord(payload.inbox).id) ?? readPositiveInteger(conversation.inbox_id);
}

/** `account` is on message payloads, and on conversation payloads since 4.14.2. */
export function accountIdOf(payload: JsonRecord, conversation: JsonRecord): number {
  return readPositiveInteger(readRecord(payload.account).id) ?? readPositiveInteger(readRecord(conversation.account).id) ?? readPositiveInteger(conversation.account_id) ?? 0;
}

/** The contact's source id, from the conversation's contact_inbox or its last message. */
export function sourceIdOf(conversation: JsonRecord): string | undefined {
  const direct = readNonEmptyString(readRecord(conversation.contact_inbox).source_id);
  if (direct !== undefined) return direct;
  const [last] = Array.isArray(conversation.messages) ? conversation.messages : [];
  return readNonEmptyString(readRecord(readRecord(readRecord(last).conversation).contact_inbox).source_id);
}

/** ISO string (messages) or epoch seconds (conversations) → epoch ms; seconds too large for milliseconds (1e306) are no time. */
export function timeOf(value: unknown): number | undefined {
  // An ISO time is at most 35 characters; a longer string is no time, before any regex or Date.parse reads it (issue 12 §2).
  if (typeof value === "string" && value.length > 64) return undefined;
  if (typeof value === "string" && !/^\d+(\.\d+)?$/.test(value)) {
    const parsed = Date.parse(value);
    return Number.isNaN(parsed) ? undefined : parsed;
  }
  const seconds = readNumber(value);
  const ms = seconds === undefined ? undefined : Math.round(seconds * 1000);
  // Infinity would be stored as null in the outbox's JSON, and the job then read back as unreadable.
  return ms !== undefined && Number.isFinite(ms) ? ms : undefined;
}

/** `changed_attributes` is a list of one-key objects: `[{status: {previous_value, current_value}}]`. */
export function changeOf(payload: JsonRecord, attribute: string): { previous: unknown; current: unknown } | undefined {
  if (!Array.isArray(payload.changed_attributes)) return undefined;
  for (const item of payload.changed_attributes) {
    if (isRecord(item) && isRecord(item[attribute])) {
      const change = readRecord(item[attribute]);
      return { previous: change.previous_value, current: change.current_value };
    }
  }
  return undefined;
}

/**
 * The name a person shows customers: `available_name` (push data: the agent's display name, else
 * the full name; User#available_name) or `name` (webhook data), clipped to MAX_AGENT_NAME_LENGTH
 * as the relay's cache of agent names keeps them (agent-names.ts).
 */
export function displayName(person: JsonRecord): string {
  return clipText(readNonEmptyString(person.available_name) ?? readNonEmptyString(person.name) ?? "Agent", MAX_AGENT_NAME_LENGTH);
}

export function text(value: unknown): string {
  return readString(value) ?? "";
}
