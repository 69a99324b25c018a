import { ChatwootApiError } from "../../src/chatwoot/chatwoot-api-error";
import type { ChatwootClient } from "../../src/chatwoot/chatwoot-client";
import type { ConversationState, HandoverState, HistoryTurn, StoredError } from "../../src/core/handover-state";
import { formatHistoryNote } from "../../src/core/history";
import { sealRoute, type SessionRoute } from "../../src/core/route-seal";
import { messageSourceId } from "../../src/core/source-id";
import { checkAvailability } from "./check-availability";
import type { HandoverConfig } from "./handover-config";
import { attempt, createConversation, reuseConversation } from "./open-conversation";
import { resolveContact } from "./resolve-contact";

export interface HandoverRequest {
  config: HandoverConfig;
  /** `<base URL>#<account id>` of the connection. */
  account: string;
  relaySecret: string;
  route: SessionRoute;
  inputId: string;
  /** The user's message that triggered the handover ("" if none). */
  triggerText: string;
  /** The transcript to post with a new conversation (designer field or Cognigy's Get Transcript). */
  transcript: HistoryTurn[] | string;
  state: HandoverState;
  now: number;
}

export type HandoverOutcome =
  | { kind: "started"; state: HandoverState; conversationId: number; reused: boolean }
  | { kind: "unavailable"; state: HandoverState }
  | { kind: "error"; state: HandoverState; error: StoredError };

/** The previous conversation continues if it is live, or was resolved within the reopen window. */
function reusable(request: HandoverRequest, sourceId: string): ConversationState | null {
  const previous = request.state.conversation;
  if (previous === null || previous.account !== request.account || previous.inboxId !== request.config.inboxId || previous.sourceId !== sourceId) return null;
  if (request.state.status === "live") return previous;
  const windowMs = request.config.reopenWindowMinutes * 60_000;
  return previous.endedAt !== null && windowMs > 0 && request.now - previous.endedAt <= windowMs ? previous : null;
}

/** The recorded turns, minus the trigger itself (posted as the user's message). */
function recordedBeforeTrigger(history: readonly HistoryTurn[], triggerText: string): HistoryTurn[] {
  const last = history[history.length - 1];
  return last !== undefined && last.role === "user" && last.text === triggerText.trim() ? history.slice(0, -1) : [...history];
}

async function handOver(client: ChatwootClient, request: HandoverRequest): Promise<HandoverOutcome> {
  const { config, state, now, route } = request;
  const unavailable = await checkAvailability(client, config, now);
  if (unavailable !== null) return { kind: "unavailable", state: { ...state, status: "unavailable", unavailable, error: null } };
  const contact = await resolveContact(client, config, state.contact, request.account);
  const sealed = sealRoute(route, { inboxId: config.inboxId, sourceId: contact.ref.sourceId }, request.relaySecret);
  const previous = reusable(request, contact.ref.sourceId);
  const opened =
    previous === null
      ? await createConversation(client, config, contact.ref, sealed, request.triggerText)
      : await reuseConversation(client, previous, route.sessionId, sealed, request.triggerText, request.inputId);
  const warnings = [...contact.warnings, ...opened.warnings];
  const note = formatHistoryNote(previous === null ? request.transcript : [], recordedBeforeTrigger(state.history, request.triggerText));
  if (note !== undefined) {
    await attempt(warnings, () =>
      client.postMessage(opened.id, {
        content: note,
        messageType: "outgoing",
        private: true,
        sourceId: messageSourceId("history", request.inputId),
        ...(config.agentBotId === undefined ? {} : { agentBotId: config.agentBotId }),
      }),
    );
  }
  const conversation: ConversationState = {
    account: request.account,
    id: opened.id,
    inboxId: config.inboxId,
    sourceId: contact.ref.sourceId,
    sessionId: route.sessionId,
    agentAnswered: previous?.agentAnswered ?? false,
    startedAt: previous?.startedAt ?? now,
    endedAt: null,
  };
  return {
    kind: "started",
    conversationId: opened.id,
    reused: previous !== null,
    state: { ...state, status: "live", conversation, contact: contact.cache, history: [], lastForwardedInputId: request.inputId, unavailable: null, error: null, warnings },
  };
}

/**
 * Hands the user to Chatwoot: optional availability checks, contact, conversation
 * (new or continued) with the sealed route, the history once per conversation.
 * Chatwoot failures become the error outcome; the state keeps a live handover live.
 */
export async function startHandover(client: ChatwootClient, request: HandoverRequest): Promise<HandoverOutcome> {
  try {
    return await handOver(client, request);
  } catch (error: unknown) {
    if (!(error instanceof ChatwootApiError)) throw error;
    const stored: StoredError = { ...error.summary(), at: request.now };
    const status = request.state.status === "live" ? "live" : "error";
    return { kind: "error", error: stored, state: { ...request.state, status, error: stored } };
  }
}
