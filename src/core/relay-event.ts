import { isRecord, readArray, readNonEmptyString, readPositiveInteger, readString, type JsonRecord } from "./json-guards";

/**
 * The event model shared by the relay (which produces events from Chatwoot
 * webhooks) and the Session node (which turns them into output or state
 * changes). It travels as `input.data.chatwoot` through Cognigy's inject API.
 */
export const RELAY_EVENT_VERSION = 1;

/**
 * image/video/audio/file: a stored file at `url` (Chatwoot's data_url);
 * location: a map link the relay built from the coordinates; link: an
 * external URL (Chatwoot's fallback and embed attachments), shown, never fetched.
 */
export type AttachmentKind = "image" | "video" | "audio" | "file" | "location" | "link";
export type ConversationStatus = "open" | "resolved" | "pending" | "snoozed";
/** Who wrote an agent_message: an agent (the default when absent), or Chatwoot itself (an automation rule; sender null). */
export type MessageAuthor = "agent" | "automation";

export interface RelayAttachment {
  url: string;
  kind: AttachmentKind;
  name: string;
  /**
   * The file's size in bytes (Chatwoot's file_size), when the relay knows it:
   * Webchat's file tile shows it (issue 11, G6). Optional, so that events of
   * older relays still read, and are shown without the tile.
   */
  size?: number;
}

interface EventBase {
  v: typeof RELAY_EVENT_VERSION;
  /** Unique per event; the Session node ignores an id it has already handled. */
  id: string;
  /** The Cognigy session the relay routed the event to; the event is valid only there. */
  sessionId: string;
  /** Chatwoot conversation display id. */
  conversationId: number;
  /** When the relay signed the event, in milliseconds since the epoch. */
  ts: number;
}

export type RelayEventBody =
  | (EventBase & { type: "agent_message"; messageId: number; text: string; attachments: RelayAttachment[]; agentName: string; from?: MessageAuthor })
  | (EventBase & { type: "template_message"; messageId: number; text: string })
  | (EventBase & { type: "csat"; messageId: number; text: string; link: string })
  /**
   * `labels`: the conversation's labels as Chatwoot sent them with the change
   * (issue 13: the handover's outcome); absent from older relays.
   */
  | (EventBase & { type: "status_changed"; status: ConversationStatus; labels?: string[] })
  | (EventBase & { type: "agent_assigned"; agentName: string })
  /**
   * Issue 13: the user's place among the inbox's open, unassigned conversations
   * still waiting for a first reply (1 = next), and the estimated wait in
   * seconds, or null when the relay has too little history to estimate it.
   */
  | (EventBase & { type: "queue_update"; position: number; waitSeconds: number | null });

export type RelayEventType = RelayEventBody["type"];

const ATTACHMENT_KINDS: readonly AttachmentKind[] = ["image", "video", "audio", "file", "location", "link"];
const AUTHORS: readonly MessageAuthor[] = ["agent", "automation"];
const STATUSES: readonly ConversationStatus[] = ["open", "resolved", "pending", "snoozed"];
const MAX_ATTACHMENTS = 15;
/** The relay sends at most this many labels, each at most MAX_LABEL_LENGTH characters. */
export const MAX_LABELS = 50;
export const MAX_LABEL_LENGTH = 255;

function isLabel(value: unknown): value is string {
  return typeof value === "string" && value !== "" && value.length <= MAX_LABEL_LENGTH;
}

function isOneOf<T extends string>(value: unknown, allowed: readonly T[]): value is T {
  return typeof value === "string" && allowed.some((item) => item === value);
}

function parseAttachment(value: unknown): RelayAttachment | undefined {
  if (!isRecord(value)) return undefined;
  const url = readNonEmptyString(value.url);
  if (url === undefined || !/^https?:\/\//i.test(url) || !isOneOf(value.kind, ATTACHMENT_KINDS)) return undefined;
  const attachment: RelayAttachment = { url, kind: value.kind, name: readString(value.name) ?? "" };
  if (value.size === undefined) return attachment;
  return isByteCount(value.size) ? { ...attachment, size: value.size } : undefined;
}

function isByteCount(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
}

function parseBase(value: JsonRecord): EventBase | undefined {
  const id = readNonEmptyString(value.id);
  const sessionId = readNonEmptyString(value.sessionId);
  const conversationId = readPositiveInteger(value.conversationId);
  const ts = typeof value.ts === "number" && Number.isSafeInteger(value.ts) ? value.ts : undefined;
  if (value.v !== RELAY_EVENT_VERSION || id === undefined || sessionId === undefined) return undefined;
  if (conversationId === undefined || ts === undefined) return undefined;
  return { v: RELAY_EVENT_VERSION, id, sessionId, conversationId, ts };
}

/** Reads an event body with exact types; returns undefined for anything that is not a well-formed event. */
export function parseRelayEventBody(value: unknown): RelayEventBody | undefined {
  if (!isRecord(value)) return undefined;
  const base = parseBase(value);
  if (base === undefined) return undefined;
  const messageId = readPositiveInteger(value.messageId);
  const text = readString(value.text);
  switch (value.type) {
    case "agent_message": {
      const rawAttachments = readArray(value.attachments);
      const attachments = rawAttachments.map(parseAttachment);
      const agentName = readString(value.agentName);
      if (messageId === undefined || text === undefined || agentName === undefined) return undefined;
      if (rawAttachments.length > MAX_ATTACHMENTS || attachments.some((item) => item === undefined)) return undefined;
      // Without `from` an agent wrote it: the relay sets it only for automation messages, so events of older relays read the same.
      if (value.from !== undefined && !isOneOf(value.from, AUTHORS)) return undefined;
      const from = isOneOf(value.from, AUTHORS) ? { from: value.from } : {};
      return { ...base, type: "agent_message", messageId, text, agentName, ...from, attachments: attachments.filter(isDefined) };
    }
    case "template_message":
      return messageId === undefined || text === undefined ? undefined : { ...base, type: "template_message", messageId, text };
    case "csat": {
      const link = readString(value.link);
      if (messageId === undefined || text === undefined || link === undefined || !/^https?:\/\//i.test(link)) return undefined;
      return { ...base, type: "csat", messageId, text, link };
    }
    case "status_changed": {
      if (!isOneOf(value.status, STATUSES)) return undefined;
      if (value.labels === undefined) return { ...base, type: "status_changed", status: value.status };
      const labels = readArray(value.labels);
      if (labels.length > MAX_LABELS || !labels.every(isLabel)) return undefined;
      return { ...base, type: "status_changed", status: value.status, labels };
    }
    case "agent_assigned": {
      const agentName = readString(value.agentName);
      return agentName === undefined ? undefined : { ...base, type: "agent_assigned", agentName };
    }
    case "queue_update": {
      const position = readPositiveInteger(value.position);
      const waitSeconds = value.waitSeconds === null ? null : readWaitSeconds(value.waitSeconds);
      return position === undefined || waitSeconds === undefined ? undefined : { ...base, type: "queue_update", position, waitSeconds };
    }
    default:
      return undefined;
  }
}

/** A whole number of seconds, at most a week: anything else is not an estimate. */
function readWaitSeconds(value: unknown): number | undefined {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0 && value <= 7 * 24 * 3600 ? value : undefined;
}

function isDefined<T>(value: T | undefined): value is T {
  return value !== undefined;
}
