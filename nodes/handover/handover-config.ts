import type { Priority } from "../../src/chatwoot/chatwoot-types";
import { clipToJsonBytes } from "../../src/core/clip-json-bytes";
import { MAX_QUEUE_MESSAGE_BYTES, type HistoryTurn } from "../../src/core/handover-state";
import { DEFAULT_HISTORY_LIMITS, parseTranscript } from "../../src/core/history";
import { isRecord, readBoolean, readNumber, readPositiveInteger, type JsonRecord } from "../../src/core/json-guards";
import { ROUTE_ATTRIBUTE } from "../../src/core/route-seal";
import { configList, configString } from "../../src/cognigy/config-values";
import { normaliseContextKey } from "../../src/cognigy/context-key";
import { DEFAULT_CANCEL_BUTTON_TEXT, DEFAULT_QUEUE_UPDATE_MESSAGE } from "./handover-defaults";

export interface HandoverConfig {
  inboxId: number;
  /** The API inbox's public identifier: lets an agent-bot token hand over (contacts via the public API). */
  inboxIdentifier: string | null;
  acceptedMessage: string;
  contact: { identifier: string; name?: string; email?: string; phoneNumber?: string };
  transcript: HistoryTurn[] | string;
  useCognigyTranscript: boolean;
  teamId?: number;
  agentId?: number;
  labels: string[];
  priority?: Priority;
  customAttributes: JsonRecord;
  agentBotId?: number;
  checkAvailability: boolean;
  respectBusinessHours: boolean;
  reopenWindowMinutes: number;
  contextKey: string;
  /** The node waits for the agent itself (it becomes the entrypoint while the handover is live), so it works in any flow; off: a Session node must see the user's next inputs. */
  waitForAgent: boolean;
  /** Said when, while this node waits for the agent, a message could not be passed to Chatwoot. */
  deliveryFailedMessage: string;
  /** The cancel quick reply sent with the accepted message; "": no button. */
  cancelButtonText: string;
  /** The queue update template when queue updates are on (the relay then sends them); null: off. */
  queueUpdateMessage: string | null;
}

/** On, with a template: the template (bounded as stored); off, or a template gone empty (CognigyScript): null. */
function queueUpdateMessage(config: JsonRecord): string | null {
  if (readBoolean(config.queueUpdates) !== true) return null;
  const template = config.queueUpdateMessage === undefined ? DEFAULT_QUEUE_UPDATE_MESSAGE : configString(config.queueUpdateMessage).trim();
  return template === "" ? null : clipToJsonBytes(template, MAX_QUEUE_MESSAGE_BYTES);
}

export type ParseResult<T> = { ok: true; value: T } | { ok: false; field: string; message: string };

const PRIORITIES: readonly Priority[] = ["low", "medium", "high", "urgent"];
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const E164 = /^\+[1-9]\d{1,14}$/;
/**
 * Lengths checked before any regex sees the text (issue 12 §2: EMAIL took 12 s
 * on 120,000 characters): an address is at most 254 characters (RFC 5321
 * §4.5.3.1.3); E.164 has at most 15 digits, so a phone number written with
 * spaces, dashes and parentheses stays far below 64; a name is kept to 255 anyway.
 */
const MAX_EMAIL = 254;
const MAX_PHONE_WRITTEN = 64;
const MAX_NAME_READ = 1_024;

function fail<T>(field: string, problem: string): ParseResult<T> {
  return { ok: false, field, message: `Chatwoot Handover: field "${field}" ${problem}.` };
}

function text(value: unknown): string {
  return configString(value).trim();
}

/** An optional id field: empty means "not set"; anything else must be a positive whole number. */
function optionalId(config: JsonRecord, field: string): ParseResult<number | undefined> {
  const raw = text(config[field]);
  if (raw === "") return { ok: true, value: undefined };
  const id = readPositiveInteger(raw);
  return id === undefined ? fail(field, `must be a positive whole number, got "${raw.slice(0, 40)}"`) : { ok: true, value: id };
}

function parseContact(config: JsonRecord): ParseResult<HandoverConfig["contact"]> {
  const identifier = text(config.contactIdentifier);
  if (identifier === "") return fail("contactIdentifier", "is empty (default: {{input.userId}})");
  if (identifier.length > 255) return fail("contactIdentifier", "is longer than 255 characters");
  const name = text(config.contactName).slice(0, MAX_NAME_READ).replace(/\s+/g, " ").trim();
  const email = text(config.contactEmail);
  const writtenPhone = text(config.contactPhone);
  const phone = writtenPhone.length <= MAX_PHONE_WRITTEN ? writtenPhone.replace(/[\s()-]/g, "") : "";
  return {
    ok: true,
    value: {
      identifier,
      ...(name === "" ? {} : { name: name.slice(0, 255) }),
      ...(email.length <= MAX_EMAIL && EMAIL.test(email) ? { email } : {}),
      ...(E164.test(phone) ? { phoneNumber: phone } : {}),
    },
  };
}

/**
 * Chatwoot's limits on a conversation's custom attributes (issue 10, fact C8):
 * `validates :custom_attributes, jsonb_attributes_length: true` (chatwoot/chatwoot
 * app/models/conversation.rb:71), and JsonbAttributesLengthValidator#validate_keys
 * (C8: app/validators/jsonb_attributes_length_validator.rb:13-19; the same lines
 * in app/models/ at 60a0709) looks at each top-level value by its Ruby class only:
 * a String longer than 1,500 characters (Ruby counts code points) or an Integer
 * greater than 9,999,999,999 fails the conversation with 422. Nothing else is
 * checked: not negative integers, not Floats (1.5, and 1e21 or more, which
 * JSON.stringify writes with an exponent), not booleans, not nested objects or
 * arrays (whatever they hold), not the length of keys.
 */
export const CHATWOOT_MAX_ATTRIBUTE_LENGTH = 1_500;
export const CHATWOOT_MAX_ATTRIBUTE_INTEGER = 9_999_999_999;
/** Ours, not Chatwoot's: hostile input is bounded before any value is looked at (keys), and while walking it (JSON size). */
export const MAX_CUSTOM_ATTRIBUTES = 100;
export const MAX_CUSTOM_ATTRIBUTES_JSON = 65_536;

const count = (value: number): string => value.toLocaleString("en-US");

/** Own keys, counting stops at `limit + 1`. */
function keyCountUpTo(record: JsonRecord, limit: number): number {
  let keys = 0;
  for (const key in record) {
    if (Object.prototype.hasOwnProperty.call(record, key) && ++keys > limit) break;
  }
  return keys;
}

/** Whether the value, as JSON, stays within `budget` characters (about: a bound, not a serializer); the walk stops as soon as it does not, also on a cycle. */
function jsonFits(value: unknown, budget: number): boolean {
  let left = budget;
  const stack: unknown[] = [value];
  while (stack.length > 0 && left >= 0) {
    const item = stack.pop();
    if (typeof item === "string") left -= item.length + 2;
    else if (typeof item === "number") left -= String(item).length;
    else if (Array.isArray(item)) {
      left -= 2;
      for (let index = 0; index < item.length && left >= 0; index += 1) {
        left -= 1;
        stack.push(item[index]);
      }
    } else if (isRecord(item)) {
      left -= 2;
      for (const key in item) {
        left -= key.length + 4;
        stack.push(item[key]);
        if (left < 0) break;
      }
    } else left -= 5;
  }
  return left >= 0;
}

/** Characters as Ruby counts them (code points; a lone surrogate is one). */
function characters(text: string): number {
  return text.length <= CHATWOOT_MAX_ATTRIBUTE_LENGTH ? text.length : Array.from(text).length;
}

function chatwootRefusal(key: string, value: unknown): string | undefined {
  const name = `attribute ${JSON.stringify(key.slice(0, 60))}`;
  const length = typeof value === "string" ? characters(value) : 0;
  if (length > CHATWOOT_MAX_ATTRIBUTE_LENGTH) return `${name} is ${count(length)} characters long; Chatwoot accepts at most ${count(CHATWOOT_MAX_ATTRIBUTE_LENGTH)}`;
  // Only what JSON.stringify writes without an exponent reaches Chatwoot as a Ruby Integer.
  if (typeof value === "number" && Number.isInteger(value) && value < 1e21 && value > CHATWOOT_MAX_ATTRIBUTE_INTEGER) {
    return `${name} is ${count(value)}; Chatwoot accepts whole numbers up to ${count(CHATWOOT_MAX_ATTRIBUTE_INTEGER)}`;
  }
  return undefined;
}

/** The evaluated field (an object, after CognigyScript): refused here with the attribute's name rather than by Chatwoot (422) at handover. */
function parseCustomAttributes(value: unknown): ParseResult<JsonRecord> {
  if (value === undefined || value === null || value === "") return { ok: true, value: {} };
  if (!isRecord(value)) return fail("customAttributes", "must be a JSON object");
  if (keyCountUpTo(value, MAX_CUSTOM_ATTRIBUTES) > MAX_CUSTOM_ATTRIBUTES) return fail("customAttributes", `has more than ${MAX_CUSTOM_ATTRIBUTES} attributes`);
  if (ROUTE_ATTRIBUTE in value) return fail("customAttributes", `must not set "${ROUTE_ATTRIBUTE}", which the extension manages`);
  if (!jsonFits(value, MAX_CUSTOM_ATTRIBUTES_JSON)) return fail("customAttributes", `is longer than ${count(MAX_CUSTOM_ATTRIBUTES_JSON)} characters as JSON`);
  for (const key of Object.keys(value)) {
    const refusal = chatwootRefusal(key, value[key]);
    if (refusal !== undefined) return fail("customAttributes", refusal);
  }
  return { ok: true, value };
}

/** Checks the Handover node's fields once; the first problem is reported with its field name. */
export function parseHandoverConfig(raw: object): ParseResult<HandoverConfig> {
  const config: JsonRecord = isRecord(raw) ? raw : {};
  const inboxText = text(config.inboxId);
  const inboxId = readPositiveInteger(inboxText);
  if (inboxId === undefined) return fail("inboxId", inboxText === "" ? "is empty" : `must be a positive whole number, got "${inboxText.slice(0, 40)}"`);
  const contact = parseContact(config);
  if (!contact.ok) return contact;
  const teamId = optionalId(config, "teamId");
  if (!teamId.ok) return teamId;
  const agentId = optionalId(config, "agentId");
  if (!agentId.ok) return agentId;
  const agentBotId = optionalId(config, "agentBotId");
  if (!agentBotId.ok) return agentBotId;
  const customAttributes = parseCustomAttributes(config.customAttributes);
  if (!customAttributes.ok) return customAttributes;
  const reopenWindowMinutes = readNumber(config.reopenWindowMinutes) ?? 0;
  if (reopenWindowMinutes < 0) return fail("reopenWindowMinutes", "must not be negative");
  const priority = PRIORITIES.find((item) => item === config.priority);
  const inboxIdentifier = text(config.inboxIdentifier);
  return {
    ok: true,
    value: {
      inboxId,
      inboxIdentifier: inboxIdentifier === "" ? null : inboxIdentifier,
      acceptedMessage: configString(config.acceptedMessage),
      contact: contact.value,
      transcript: parseTranscript(config.history, DEFAULT_HISTORY_LIMITS),
      useCognigyTranscript: readBoolean(config.useCognigyTranscript) ?? true,
      ...(teamId.value === undefined ? {} : { teamId: teamId.value }),
      ...(agentId.value === undefined ? {} : { agentId: agentId.value }),
      ...(agentBotId.value === undefined ? {} : { agentBotId: agentBotId.value }),
      ...(priority === undefined ? {} : { priority }),
      labels: configList(config.labels),
      customAttributes: customAttributes.value,
      checkAvailability: readBoolean(config.checkAvailability) ?? false,
      respectBusinessHours: readBoolean(config.respectBusinessHours) ?? false,
      reopenWindowMinutes,
      contextKey: normaliseContextKey(config.contextKey),
      waitForAgent: readBoolean(config.waitForAgent) ?? true,
      deliveryFailedMessage: configString(config.deliveryFailedMessage),
      cancelButtonText: config.cancelButtonText === undefined ? DEFAULT_CANCEL_BUTTON_TEXT : text(config.cancelButtonText),
      queueUpdateMessage: queueUpdateMessage(config),
    },
  };
}
