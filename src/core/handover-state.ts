import { CHATWOOT_ERROR_KINDS, type ChatwootErrorKind } from "../chatwoot/chatwoot-api-error";
import { jsonBytes } from "./clip-json-bytes";
import { isRecord, readArray, readBoolean, readNonEmptyString, readNumber, readPositiveInteger, readRecord, readString, type JsonRecord } from "./json-guards";

/**
 * Everything the nodes remember about a user's handover, stored in the Cognigy
 * context under one key (default `chatwoot`). Designers read it with
 * CognigyScript, e.g. `{{context.chatwoot.status}}`.
 */
export type HandoverStatus = "idle" | "live" | "ended" | "unavailable" | "error";

export interface HistoryTurn {
  /** "agent": a human agent, as in Cognigy's Get Transcript (G8); only transcripts have it, the recorded history never does. */
  role: "user" | "bot" | "agent";
  text: string;
  at: number;
}

/** Cached so that a later handover skips the contact lookup. */
export interface ContactCache {
  /** `<base URL>#<account id>`: a cache from another Chatwoot account is ignored. */
  account: string;
  identifier: string;
  contactId: number;
  /** Inbox id → the contact's source id in that inbox. */
  sourceIds: Record<string, string>;
}

export interface ConversationState {
  account: string;
  id: number;
  inboxId: number;
  sourceId: string;
  /** The Cognigy session sealed into the conversation's route attribute. */
  sessionId: string;
  agentAnswered: boolean;
  startedAt: number;
  /** The handover's start or the last event from the agent's side; for the inactivity timeout. */
  lastActivityAt: number;
  endedAt: number | null;
  /**
   * Issue 13, absent in states of older versions. The cancel button's payload
   * (its text), null when the accepted message went out without a button.
   */
  cancelPayload?: string | null;
  /** The queue update template when the handover asked for queue updates; null: none. */
  queueMessage?: string | null;
  /** The last queue position shown to the user (null: none yet). */
  queuePosition?: number | null;
  /** The last agent who wrote (not an automation rule) or was assigned; null: none yet. */
  agentName?: string | null;
  /** When the first agent message arrived (ms), for the outcome's waitSeconds; null: none yet. */
  firstAgentMessageAt?: number | null;
  /** The labels the Handover node set, for the outcome when the resolving event carries none. */
  labels?: string[];
}

/** How a handover ended: the agent resolved, the user cancelled, the flow resolved (Resolve node), or inactivity. */
export type EndedBy = "agent" | "user" | "flow" | "timeout";

/** `context.<key>.outcome`: how the last handover ended, for the flow and for analytics. */
export interface HandoverEnd {
  endedBy: EndedBy;
  /** The last agent who wrote or was assigned; null if none. */
  agentName: string | null;
  /** The conversation's labels when the agent resolved it (as Chatwoot sent them), else the labels the handover set; [] if none. */
  labels: string[];
  /** From the handover's start to the first agent message; null if no agent wrote. */
  waitSeconds: number | null;
  /** From the handover's start to its end. */
  durationSeconds: number;
}

export interface UnavailableInfo {
  reason: "no_agent_online" | "outside_business_hours";
  outOfOfficeMessage: string | null;
  at: number;
}

/**
 * A conversation Chatwoot may have created although its answer never came
 * (timeout, connection reset) and that could not be found right away. The next
 * handover of the session looks for it, by the digest of the route sealed into
 * it, before creating another.
 */
export interface UnconfirmedConversation {
  account: string;
  inboxId: number;
  sourceId: string;
  /** null: only the (derived) source id was known. */
  contactId: number | null;
  sessionId: string;
  /** SHA-256 of the exact `cognigy_route` value sent (random per attempt), base64url, 22 characters. */
  routeDigest: string;
  at: number;
}

/** The last failure, for the designer's error branch: which step, the HTTP status, what Chatwoot said. */
export interface StoredError {
  operation: string;
  kind: ChatwootErrorKind | "configuration";
  status: number | null;
  message: string;
  at: number;
}

export interface HandoverState {
  v: 1;
  status: HandoverStatus;
  conversation: ConversationState | null;
  contact: ContactCache | null;
  /** The user's turns while the bot was in charge, posted with the next handover. */
  history: HistoryTurn[];
  /** Ids of relay events already handled, newest last. */
  handledEvents: string[];
  /** The last Cognigy input forwarded to Chatwoot, so one input is never posted twice. */
  lastForwardedInputId: string | null;
  unavailable: UnavailableInfo | null;
  error: StoredError | null;
  /** Non-fatal problems of the last handover (e.g. labels not set). */
  warnings: string[];
  /** Set by a handover whose "create conversation" answer was lost; null or absent otherwise. */
  unconfirmed?: UnconfirmedConversation | null;
  /** The Handover node that waits for the agent (its node id) while the handover is live; null: a Session node does. */
  waitingAt?: string | null;
  /** The last input a Session node saw, and in which flow: the Handover node checks that a Session node will see the next ones. */
  sessionSeen?: SessionSeen | null;
  /** How the last handover ended; null or absent while one is live, before the first, and after a reopen. */
  outcome?: HandoverEnd | null;
}

export interface SessionSeen {
  inputId: string;
  flowName: string;
}

export const MAX_HANDLED_EVENTS = 30;
/**
 * Bounds, in bytes as JSON, that keep issue 13's fields within the state's
 * 16,000-byte fit (handover-context.ts) whatever they hold: together at most
 * about 6.5 kB (labels twice: the handover's and the outcome's).
 */
export const MAX_QUEUE_MESSAGE_BYTES = 1_000;
export const MAX_CANCEL_PAYLOAD_BYTES = 400;
export const MAX_AGENT_NAME_BYTES = 400;
export const MAX_LABELS_BYTES = 1_500;
export const MAX_STORED_LABELS = 20;
export const MAX_STORED_LABEL = 255;
const END_REASONS: readonly EndedBy[] = ["agent", "user", "flow", "timeout"];

export function emptyHandoverState(): HandoverState {
  return {
    v: 1,
    status: "idle",
    conversation: null,
    contact: null,
    history: [],
    handledEvents: [],
    lastForwardedInputId: null,
    unavailable: null,
    error: null,
    warnings: [],
  };
}

const STATUSES: readonly HandoverStatus[] = ["idle", "live", "ended", "unavailable", "error"];

function parseTurn(value: unknown): HistoryTurn | undefined {
  if (!isRecord(value)) return undefined;
  const text = readString(value.text);
  const role = value.role === "bot" ? "bot" : value.role === "user" ? "user" : undefined;
  if (text === undefined || role === undefined) return undefined;
  return { role, text, at: readNumber(value.at) ?? 0 };
}

function parseConversationState(value: unknown): ConversationState | null {
  if (!isRecord(value)) return null;
  const account = readNonEmptyString(value.account);
  const id = readPositiveInteger(value.id);
  const inboxId = readPositiveInteger(value.inboxId);
  const sourceId = readNonEmptyString(value.sourceId);
  const sessionId = readString(value.sessionId);
  if (account === undefined || id === undefined || inboxId === undefined || sourceId === undefined || sessionId === undefined) return null;
  const endedAt = readNumber(value.endedAt);
  return {
    account,
    id,
    inboxId,
    sourceId,
    sessionId,
    agentAnswered: readBoolean(value.agentAnswered) ?? false,
    startedAt: readNumber(value.startedAt) ?? 0,
    lastActivityAt: readNumber(value.lastActivityAt) ?? readNumber(value.startedAt) ?? 0,
    endedAt: endedAt ?? null,
    ...waitingDetails(value),
  };
}

/** The optional fields of issue 13 (cancel button, queue, agent, labels), each only when present and within its bound. */
function waitingDetails(value: JsonRecord): Partial<ConversationState> {
  const fields: Partial<ConversationState> = {};
  const cancelPayload = boundedText(value.cancelPayload, MAX_CANCEL_PAYLOAD_BYTES);
  if (cancelPayload !== null) fields.cancelPayload = cancelPayload;
  const queueMessage = boundedText(value.queueMessage, MAX_QUEUE_MESSAGE_BYTES);
  if (queueMessage !== null) fields.queueMessage = queueMessage;
  const queuePosition = readPositiveInteger(value.queuePosition);
  if (queuePosition !== undefined) fields.queuePosition = queuePosition;
  const agentName = boundedText(value.agentName, MAX_AGENT_NAME_BYTES);
  if (agentName !== null) fields.agentName = agentName;
  const firstAgentMessageAt = readNumber(value.firstAgentMessageAt);
  if (firstAgentMessageAt !== undefined) fields.firstAgentMessageAt = firstAgentMessageAt;
  if (Array.isArray(value.labels)) fields.labels = readLabels(value.labels);
  return fields;
}

/** A non-empty text that takes at most `maxBytes` as JSON, else null (a longer one was not written by this extension). */
function boundedText(value: unknown, maxBytes: number): string | null {
  const text = readNonEmptyString(value);
  return text === undefined || text.length > maxBytes || jsonBytes(text) > maxBytes ? null : text;
}

/**
 * Labels as stored: non-empty strings of at most MAX_STORED_LABEL characters,
 * in order while they fit MAX_STORED_LABELS and MAX_LABELS_BYTES as JSON.
 */
export function readLabels(value: unknown): string[] {
  const labels: string[] = [];
  let bytes = 2;
  for (const label of readArray(value).slice(0, 200)) {
    if (labels.length >= MAX_STORED_LABELS) break;
    if (typeof label !== "string" || label === "" || label.length > MAX_STORED_LABEL) continue;
    const cost = jsonBytes(label) + 1;
    if (bytes + cost > MAX_LABELS_BYTES) break;
    bytes += cost;
    labels.push(label);
  }
  return labels;
}

function readSeconds(value: unknown): number | undefined {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0 ? value : undefined;
}

function parseOutcome(value: unknown): HandoverEnd | null {
  if (!isRecord(value)) return null;
  const endedBy = END_REASONS.find((reason) => reason === value.endedBy);
  const durationSeconds = readSeconds(value.durationSeconds);
  if (endedBy === undefined || durationSeconds === undefined) return null;
  return { endedBy, agentName: boundedText(value.agentName, MAX_AGENT_NAME_BYTES), labels: readLabels(value.labels), waitSeconds: readSeconds(value.waitSeconds) ?? null, durationSeconds };
}

function parseContactCache(value: unknown): ContactCache | null {
  if (!isRecord(value)) return null;
  const account = readNonEmptyString(value.account);
  const identifier = readString(value.identifier);
  const contactId = readPositiveInteger(value.contactId);
  if (account === undefined || identifier === undefined || contactId === undefined) return null;
  const sourceIds: Record<string, string> = {};
  for (const [inboxId, sourceId] of Object.entries(readRecord(value.sourceIds))) {
    if (typeof sourceId === "string" && sourceId.length > 0) sourceIds[inboxId] = sourceId;
  }
  return { account, identifier, contactId, sourceIds };
}

function parseUnconfirmed(value: unknown): UnconfirmedConversation | null {
  if (!isRecord(value)) return null;
  const account = readNonEmptyString(value.account);
  const inboxId = readPositiveInteger(value.inboxId);
  const sourceId = readNonEmptyString(value.sourceId);
  const sessionId = readString(value.sessionId);
  const routeDigest = readNonEmptyString(value.routeDigest);
  if (account === undefined || inboxId === undefined || sourceId === undefined || sessionId === undefined || routeDigest === undefined) return null;
  return { account, inboxId, sourceId, contactId: readPositiveInteger(value.contactId) ?? null, sessionId, routeDigest, at: readNumber(value.at) ?? 0 };
}

const ERROR_KINDS: readonly StoredError["kind"][] = [...CHATWOOT_ERROR_KINDS, "configuration"];

function parseStoredError(value: unknown): StoredError | null {
  if (!isRecord(value)) return null;
  const operation = readString(value.operation);
  const message = readString(value.message);
  const kind = ERROR_KINDS.find((item) => item === value.kind);
  if (operation === undefined || message === undefined || kind === undefined) return null;
  return { operation, kind, status: readNumber(value.status) ?? null, message, at: readNumber(value.at) ?? 0 };
}

/**
 * Reads the state from the context. Whatever a flow or an older version left
 * there, the result is a complete, well-typed state (unknown parts reset).
 */
export function parseHandoverState(value: unknown): HandoverState {
  if (!isRecord(value) || value.v !== 1) return emptyHandoverState();
  const state = emptyHandoverState();
  state.status = STATUSES.find((status) => status === value.status) ?? "idle";
  state.conversation = parseConversationState(value.conversation);
  state.contact = parseContactCache(value.contact);
  state.history = readArray(value.history).map(parseTurn).filter((turn): turn is HistoryTurn => turn !== undefined);
  state.handledEvents = readArray(value.handledEvents).filter((id): id is string => typeof id === "string").slice(-MAX_HANDLED_EVENTS);
  state.lastForwardedInputId = readString(value.lastForwardedInputId) ?? null;
  state.warnings = readArray(value.warnings).filter((item): item is string => typeof item === "string");
  state.error = parseStoredError(value.error);
  const unavailable = readRecord(value.unavailable);
  if (unavailable.reason === "no_agent_online" || unavailable.reason === "outside_business_hours") {
    state.unavailable = { reason: unavailable.reason, outOfOfficeMessage: readString(unavailable.outOfOfficeMessage) ?? null, at: readNumber(unavailable.at) ?? 0 };
  }
  const unconfirmed = parseUnconfirmed(value.unconfirmed);
  if (unconfirmed !== null) state.unconfirmed = unconfirmed;
  const waitingAt = readNonEmptyString(value.waitingAt);
  if (waitingAt !== undefined && waitingAt.length <= 200) state.waitingAt = waitingAt;
  const seen = readRecord(value.sessionSeen);
  const seenInput = readString(seen.inputId);
  if (seenInput !== undefined) state.sessionSeen = { inputId: seenInput.slice(0, 200), flowName: (readString(seen.flowName) ?? "").slice(0, 200) };
  const outcome = parseOutcome(value.outcome);
  if (outcome !== null) state.outcome = outcome;
  if (state.status === "live" && state.conversation === null) state.status = "idle";
  return state;
}

/**
 * How the handover of `conversation` ended at `now`: who ended it, the agent,
 * the labels (the resolving event's when it carried them), the wait for the
 * first agent message and the duration, in whole seconds.
 */
export function handoverEnd(conversation: ConversationState, endedBy: EndedBy, now: number, eventLabels?: readonly string[]): HandoverEnd {
  const seconds = (from: number, to: number): number => Math.max(0, Math.round((to - from) / 1000));
  const first = conversation.firstAgentMessageAt ?? null;
  return {
    endedBy,
    agentName: conversation.agentName ?? null,
    labels: readLabels(eventLabels ?? conversation.labels ?? []),
    waitSeconds: first === null ? null : seconds(conversation.startedAt, first),
    durationSeconds: seconds(conversation.startedAt, now),
  };
}

/** Remembers a handled relay event id, keeping the list bounded. */
export function withHandledEvent(state: HandoverState, eventId: string): HandoverState {
  return { ...state, handledEvents: [...state.handledEvents.filter((id) => id !== eventId), eventId].slice(-MAX_HANDLED_EVENTS) };
}
