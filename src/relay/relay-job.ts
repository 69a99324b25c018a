import { isRecord, readNonEmptyString, readPositiveInteger, readRecord } from "../core/json-guards";
import { parseRelayEventBody, RELAY_EVENT_VERSION, type RelayEventBody } from "../core/relay-event";
import type { RouteBinding } from "../core/route-seal";

/** What an event is, before the relay gives it a session, a timestamp and a signature. */
export type EventDetails = RelayEventBody extends infer E ? (E extends RelayEventBody ? Omit<E, "v" | "id" | "sessionId" | "ts"> : never) : never;

/**
 * A webhook the relay keeps, as it goes into the outbox: the event, where it
 * goes (the sealed route, opened again at delivery), and how it is ordered and
 * de-duplicated.
 */
export interface InjectJob {
  /** Same message or change seen twice (two webhooks, a retried delivery) → same key. */
  dedupeKey: string;
  /** Jobs of one conversation are delivered one at a time, in order. */
  conversationKey: string;
  /** Chatwoot's time of the message or change, in ms, and a tie-breaker. */
  orderTs: number;
  orderSeq: number;
  accountId: number;
  sealedRoute: string;
  binding: RouteBinding;
  event: EventDetails;
  /**
   * An agent_message whose sender's display name was unknown at intake: the sender's user id, so
   * that the delivery looks the name up (agent-directory.ts). Jobs stored before it have none.
   */
  agentId?: number;
}

/** Reads a job back from the outbox; anything malformed is refused rather than trusted. */
export function parseInjectJob(value: unknown): InjectJob | undefined {
  if (!isRecord(value)) return undefined;
  const binding = readRecord(value.binding);
  const inboxId = readPositiveInteger(binding.inboxId);
  const sourceId = readNonEmptyString(binding.sourceId);
  const event = isRecord(value.event) ? parseRelayEventBody({ ...value.event, v: RELAY_EVENT_VERSION, id: "stored", sessionId: "stored", ts: 0 }) : undefined;
  const { dedupeKey, conversationKey, orderTs, orderSeq, accountId, sealedRoute } = value;
  if (event === undefined || inboxId === undefined || sourceId === undefined) return undefined;
  if (typeof dedupeKey !== "string" || typeof conversationKey !== "string" || typeof sealedRoute !== "string") return undefined;
  if (typeof orderTs !== "number" || typeof orderSeq !== "number" || typeof accountId !== "number") return undefined;
  const agentId = value.agentId === undefined ? undefined : readPositiveInteger(value.agentId);
  if (value.agentId !== undefined && agentId === undefined) return undefined;
  const { v: _v, id: _id, sessionId: _sessionId, ts: _ts, ...details } = event;
  return { dedupeKey, conversationKey, orderTs, orderSeq, accountId, sealedRoute, binding: { inboxId, sourceId }, event: details, ...(agentId === undefined ? {} : { agentId }) };
}
