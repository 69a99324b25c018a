import { ChatwootApiError } from "../../src/chatwoot/chatwoot-api-error";
import type { ChatwootClient } from "../../src/chatwoot/chatwoot-client";
import { handoverEnd, type HandoverState, type StoredError } from "../../src/core/handover-state";
import type { ConversationStatus } from "../../src/core/relay-event";
import { ROUTE_ATTRIBUTE, sealRoute, type SessionRoute } from "../../src/core/route-seal";

export type StatusAction = "resolve" | "reopen" | "pending";

export const TARGET_STATUS: Record<StatusAction, ConversationStatus> = { resolve: "resolved", reopen: "open", pending: "pending" };

export interface StatusRequest {
  action: StatusAction;
  /** Given on the node; otherwise the conversation of the stored handover. */
  conversationId: number | null;
  state: HandoverState;
  route: SessionRoute;
  relaySecret: string;
  now: number;
}

export type StatusOutcome = { kind: "success"; state: HandoverState; status: ConversationStatus } | { kind: "error"; state: HandoverState; error: StoredError };

function failure(state: HandoverState, error: StoredError): StatusOutcome {
  return { kind: "error", error, state: { ...state, error } };
}

/**
 * Resolves, reopens or sets pending a conversation from the flow. For the
 * stored handover it also updates the state (and, reopening from a new Cognigy
 * session, re-seals the route so replies reach the user here).
 */
export async function changeStatus(client: ChatwootClient, request: StatusRequest): Promise<StatusOutcome> {
  const { state, now } = request;
  const stored = state.conversation;
  const id = request.conversationId ?? stored?.id;
  if (id === undefined) {
    return failure(state, { operation: "configuration", kind: "configuration", status: null, message: "Chatwoot Resolve/Reopen: no conversation ID was given and no handover is stored in the context.", at: now });
  }
  const isStored = stored !== null && stored.id === id;
  try {
    const target = TARGET_STATUS[request.action];
    const reseal = isStored && target !== "resolved" && stored.sessionId !== request.route.sessionId && request.route.urlToken !== "";
    if (reseal) {
      // Queue updates stay as the handover asked for them.
      const sealed = sealRoute(request.route, { inboxId: stored.inboxId, sourceId: stored.sourceId }, request.relaySecret, now, { queueUpdates: (stored.queueMessage ?? null) !== null });
      const current = await client.getConversation(id);
      await client.setCustomAttributes(id, { ...current.customAttributes, [ROUTE_ATTRIBUTE]: sealed });
    }
    const status = await client.toggleStatus(id, target);
    if (!isStored) return { kind: "success", status, state: { ...state, error: null } };
    const conversation = { ...stored, sessionId: reseal ? request.route.sessionId : stored.sessionId, endedAt: target === "resolved" ? now : null, lastActivityAt: now };
    // The flow ends a live handover ("flow"); resolving an ended one keeps how it ended; reopening or setting pending makes it live, without an outcome.
    const ended = target !== "resolved" ? null : state.status === "live" ? handoverEnd(stored, "flow", now) : (state.outcome ?? null);
    return { kind: "success", status, state: { ...state, status: target === "resolved" ? "ended" : "live", conversation, error: null, outcome: ended } };
  } catch (error: unknown) {
    if (!(error instanceof ChatwootApiError)) throw error;
    return failure(state, { ...error.summary(), at: now });
  }
}
