import type { SecretOrKeys } from "../core/derive-key";
import { isRecord, readPositiveInteger, readRecord, type JsonRecord } from "../core/json-guards";
import { MAX_LABEL_LENGTH, MAX_LABELS, type ConversationStatus } from "../core/relay-event";
import { classifyMessage, unresolvedAgentId } from "./classify-message";
import type { RouteOpener } from "./route-cache";
import type { EventDetails, InjectJob } from "./relay-job";
import { accountIdOf, changeOf, conversationOf, displayName, inboxIdOf, timeOf } from "./webhook-fields";
import { webhookRoute, type WebhookRoute } from "./webhook-route";

export type DropReason =
  | "malformed"
  | "unknown_event"
  | "irrelevant_event"
  | "typing"
  | "inbox_not_allowed"
  | "incoming_message"
  | "private_note"
  | "own_message"
  | "bot_message"
  | "captain_message"
  | "not_from_agent"
  | "automation_disabled"
  | "message_deleted"
  | "activity_message"
  | "empty_message"
  | "template_disabled"
  | "csat_disabled"
  | "irrelevant_update"
  | "assignment_disabled"
  | "no_route"
  | "route_unauthentic";

export interface RelayOptions {
  relaySecret: SecretOrKeys;
  /** Opens sealed routes (default: openRoute with the relay secret; the relay passes a cache). */
  openRoute?: RouteOpener;
  inboxIds: readonly number[] | null;
  forwardTemplates: boolean;
  forwardCsat: boolean;
  forwardAssignments: boolean;
  /** Automation rules' messages (outgoing, sender null: C9); on unless false. */
  forwardAutomationMessages?: boolean;
  /**
   * The name an agent shows customers (`available_name`), by account and user id, when the relay
   * knows it (agent-names.ts); a message's own sender has only the full name (User#webhook_data).
   */
  agentName?: (accountId: number, userId: number) => string | undefined;
}

/** A conversation whose agent wrote to the user in vain: its sealed route is not authentic. */
export interface UnreachableConversation {
  accountId: number;
  inboxId: number;
  /** The display id. */
  conversationId: number;
}

/** A deleted message (C11): its dedupe key, and the conversation queue its original may wait in. */
export interface Retraction {
  dedupeKey: string;
  conversationKey: string;
}

export interface Classification {
  jobs: InjectJob[];
  dropped: DropReason[];
  /**
   * Set for a deleted message: the outbox marks it seen, so an original that
   * Chatwoot delivers after the deletion is never queued, and removes an
   * original still waiting to be delivered.
   */
  retract?: Retraction;
  /**
   * Set when a message for the user (an agent's reply, a template, a survey) is dropped as
   * route_unauthentic: the conversation whose agent should be told (see route-note.ts). Never for
   * status changes, assignments, typing, private notes or the user's own messages, nor for no_route
   * (a conversation that is no handover at all).
   */
  unreachable?: UnreachableConversation;
}

const STATUSES: readonly ConversationStatus[] = ["open", "resolved", "pending", "snoozed"];
const MESSAGE_EVENTS = ["message_created", "message_updated"];
const STATUS_EVENTS = ["conversation_status_changed", "conversation_updated"];
/** The events an agent sees as sent to the user: when one is lost, the agent is told. */
const MESSAGE_TYPES: readonly EventDetails["type"][] = ["agent_message", "template_message", "csat"];
const IRRELEVANT = ["conversation_created", "conversation_opened", "conversation_resolved", "contact_created", "contact_updated", "inbox_created", "inbox_updated", "webwidget_triggered"];

function statusOf(value: unknown): ConversationStatus | undefined {
  return STATUSES.find((status) => status === value);
}

/**
 * The conversation's labels as the status change's payload carries them
 * (`labels: label_list` in Conversations::EventDataPresenter#push_data,
 * app/presenters/conversations/event_data_presenter.rb), for the handover's
 * outcome: non-empty strings up to MAX_LABEL_LENGTH, at most MAX_LABELS, the
 * rest left out; undefined when the payload has no list.
 */
export function labelsOf(payload: JsonRecord): string[] | undefined {
  if (!Array.isArray(payload.labels)) return undefined;
  const labels: string[] = [];
  for (const item of payload.labels) {
    if (labels.length >= MAX_LABELS) break;
    if (typeof item === "string" && item !== "" && item.length <= MAX_LABEL_LENGTH && !labels.includes(item)) labels.push(item);
  }
  return labels;
}

/** A status change reported by conversation_status_changed (payload status) or conversation_updated (changed status). */
function statusEvents(payload: JsonRecord, conversationId: number, options: RelayOptions): (EventDetails | "irrelevant_update" | "assignment_disabled")[] {
  const events: (EventDetails | "irrelevant_update" | "assignment_disabled")[] = [];
  const statusChange = changeOf(payload, "status");
  const status = payload.event === "conversation_status_changed" ? statusOf(payload.status) : statusChange === undefined ? undefined : statusOf(statusChange.current);
  const labels = labelsOf(payload);
  if (status !== undefined) events.push({ type: "status_changed", conversationId, status, ...(labels === undefined ? {} : { labels }) });
  const assigneeChange = payload.event === "conversation_updated" ? changeOf(payload, "assignee_id") : undefined;
  const assignee = readRecord(readRecord(payload.meta).assignee);
  if (assigneeChange !== undefined && assigneeChange.current !== null && assignee.type === "user") {
    events.push(options.forwardAssignments ? { type: "agent_assigned", conversationId, agentName: displayName(assignee) } : "assignment_disabled");
  }
  return events.length > 0 ? events : ["irrelevant_update"];
}

/** A value as text for a dedupe key: only strings and numbers count, so a hostile object (e.g. `{"toString": 1}`) cannot throw. */
function keyPart(value: unknown): string | undefined {
  return typeof value === "string" || (typeof value === "number" && Number.isFinite(value)) ? String(value) : undefined;
}

/**
 * Messages by account and id (message payloads always carry the account);
 * conversation changes by inbox and display id, since conversation payloads
 * before Chatwoot 4.14.2 have no account but always an inbox.
 */
function dedupeKey(event: EventDetails, accountId: number, inboxId: number, payload: JsonRecord): string {
  const stamp = keyPart(payload.updated_at) ?? keyPart(payload.timestamp) ?? "";
  switch (event.type) {
    case "agent_message":
    case "template_message":
    case "csat":
      return `message:${accountId}:${event.messageId}`;
    case "status_changed":
      return `status:${inboxId}:${event.conversationId}:${event.status}:${stamp}`;
    case "agent_assigned":
      return `assign:${inboxId}:${event.conversationId}:${keyPart(readRecord(readRecord(payload.meta).assignee).id) ?? ""}:${stamp}`;
    case "queue_update":
      // Not from a webhook: the queue poller makes these (issue 13).
      return `queue:${inboxId}:${event.conversationId}:${event.position}:${stamp}`;
  }
}

function toJob(event: EventDetails, payload: JsonRecord, route: WebhookRoute, receivedAt: number, options: RelayOptions): InjectJob {
  const isMessage = "messageId" in event;
  const orderTs = (isMessage ? timeOf(payload.created_at) : timeOf(payload.updated_at ?? payload.timestamp)) ?? receivedAt;
  const agentId = event.type === "agent_message" && event.from !== "automation" ? unresolvedAgentId(payload, route.accountId, options) : undefined;
  return {
    dedupeKey: dedupeKey(event, route.accountId, route.binding.inboxId, payload),
    conversationKey: `${route.binding.inboxId}:${event.conversationId}`,
    orderTs,
    orderSeq: isMessage ? event.messageId : Number.MAX_SAFE_INTEGER,
    accountId: route.accountId,
    sealedRoute: route.sealed,
    binding: route.binding,
    event,
    ...(agentId === undefined ? {} : { agentId }),
  };
}

/** The message a deletion is about, keyed as its original's job (dedupeKey, toJob). */
function retraction(payload: JsonRecord, conversation: JsonRecord, conversationId: number | undefined, dropped: DropReason[]): { retract?: Retraction } {
  const messageId = readPositiveInteger(payload.id);
  const inboxId = readPositiveInteger(conversation.inbox_id) ?? inboxIdOf(payload, conversation);
  const accountId = accountIdOf(payload, conversation);
  if (!dropped.includes("message_deleted") || messageId === undefined || conversationId === undefined || inboxId === undefined || accountId === 0) return {};
  return { retract: { dedupeKey: `message:${accountId}:${messageId}`, conversationKey: `${inboxId}:${conversationId}` } };
}

function candidates(payload: JsonRecord, conversationId: number, options: RelayOptions): (EventDetails | DropReason)[] {
  const event = String(payload.event);
  if (MESSAGE_EVENTS.includes(event)) return [classifyMessage(payload, conversationId, options)];
  if (STATUS_EVENTS.includes(event)) return statusEvents(payload, conversationId, options);
  if (event.startsWith("conversation_typing_")) return ["typing"];
  return [IRRELEVANT.includes(event) ? "irrelevant_event" : "unknown_event"];
}

/**
 * Decides what a verified webhook means for the user: the jobs to inject, or
 * why it is dropped. Pure: no I/O; `receivedAt` orders events without a time of their own.
 */
export function classifyWebhook(payload: unknown, options: RelayOptions, receivedAt: number): Classification {
  if (!isRecord(payload) || typeof payload.event !== "string") return { jobs: [], dropped: ["malformed"] };
  const conversation = conversationOf(payload);
  const conversationId = readPositiveInteger(conversation.id);
  const inboxId = inboxIdOf(payload, conversation);
  const kinds = candidates(payload, conversationId ?? 0, options);
  const events = kinds.filter((item): item is EventDetails => typeof item !== "string");
  const dropped = kinds.filter((item): item is DropReason => typeof item === "string");
  const allowed = inboxId !== undefined && (options.inboxIds === null || options.inboxIds.includes(inboxId));
  if (events.length === 0) return { jobs: [], dropped, ...(allowed ? retraction(payload, conversation, conversationId, dropped) : {}) };
  if (conversationId === undefined || inboxId === undefined) return { jobs: [], dropped: [...dropped, "malformed"] };
  if (!allowed) return { jobs: [], dropped: [...dropped, "inbox_not_allowed"] };
  const route = webhookRoute(payload, conversation, options);
  if (route === "route_unauthentic") {
    const accountId = accountIdOf(payload, conversation);
    const lost = events.some((event) => MESSAGE_TYPES.includes(event.type));
    return { jobs: [], dropped: [...dropped, route], ...(lost && accountId > 0 ? { unreachable: { accountId, inboxId, conversationId } } : {}) };
  }
  if (typeof route === "string") return { jobs: [], dropped: [...dropped, route] };
  return { jobs: events.map((event) => toJob(event, payload, route, receivedAt, options)), dropped };
}
