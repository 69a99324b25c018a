import type { Priority } from "../../src/chatwoot/chatwoot-types";
import type { HistoryTurn } from "../../src/core/handover-state";
import { DEFAULT_HISTORY_LIMITS, parseTranscript } from "../../src/core/history";
import { isRecord, readBoolean, readNumber, readPositiveInteger, type JsonRecord } from "../../src/core/json-guards";
import { ROUTE_ATTRIBUTE } from "../../src/core/route-seal";
import { configList, configString } from "../../src/cognigy/config-values";
import { normaliseContextKey } from "../../src/cognigy/context-key";

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
}

export type ParseResult<T> = { ok: true; value: T } | { ok: false; field: string; message: string };

const PRIORITIES: readonly Priority[] = ["low", "medium", "high", "urgent"];
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const E164 = /^\+[1-9]\d{1,14}$/;

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
  const name = text(config.contactName).replace(/\s+/g, " ");
  const email = text(config.contactEmail);
  const phone = text(config.contactPhone).replace(/[\s()-]/g, "");
  return {
    ok: true,
    value: {
      identifier,
      ...(name === "" ? {} : { name: name.slice(0, 255) }),
      ...(EMAIL.test(email) ? { email } : {}),
      ...(E164.test(phone) ? { phoneNumber: phone } : {}),
    },
  };
}

function parseCustomAttributes(value: unknown): ParseResult<JsonRecord> {
  if (value === undefined || value === null || value === "") return { ok: true, value: {} };
  if (!isRecord(value)) return fail("customAttributes", "must be a JSON object");
  if (ROUTE_ATTRIBUTE in value) return fail("customAttributes", `must not set "${ROUTE_ATTRIBUTE}", which the extension manages`);
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
    },
  };
}
