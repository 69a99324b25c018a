import { ChatwootApiError } from "../../src/chatwoot/chatwoot-api-error";
import type { ChatwootClient } from "../../src/chatwoot/chatwoot-client";
import type { ContactCache, ConversationState, HandoverState, HistoryTurn, StoredError } from "../../src/core/handover-state";
import { formatHistoryNote } from "../../src/core/history";
import { sealRoute, type SessionRoute } from "../../src/core/route-seal";
import { messageSourceId } from "../../src/core/source-id";
import { checkAvailability } from "./check-availability";
import type { HandoverConfig } from "./handover-config";
import { attempt, createConversation, reuseConversation, type OpenedConversation } from "./open-conversation";
import { cacheContact, findExisting, resolveContact, type ContactRef } from "./resolve-contact";

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

/** A new conversation; if Chatwoot does not know the derived source id (404), the contact is looked up and it is tried once more. */
async function openNew(client: ChatwootClient, request: HandoverRequest, contact: ContactRef): Promise<{ opened: OpenedConversation; contact: ContactRef; warnings: string[] }> {
  const seal = (sourceId: string): string => sealRoute(request.route, { inboxId: request.config.inboxId, sourceId }, request.relaySecret);
  try {
    return { opened: await createConversation(client, request.config, contact, seal(contact.sourceId), request.triggerText), contact, warnings: [] };
  } catch (error: unknown) {
    if (contact.contactId !== null || !(error instanceof ChatwootApiError) || error.status !== 404) throw error;
  }
  const resolved = await findExisting(client, request.config, contact.sourceId);
  const opened = await createConversation(client, request.config, resolved.ref, seal(resolved.ref.sourceId), request.triggerText);
  return { opened, contact: resolved.ref, warnings: resolved.warnings };
}

async function postHistory(client: ChatwootClient, request: HandoverRequest, opened: OpenedConversation, warnings: string[]): Promise<void> {
  const note = formatHistoryNote(opened.existed ? [] : request.transcript, recordedBeforeTrigger(request.state.history, request.triggerText));
  if (note === undefined) return;
  const { agentBotId } = request.config;
  await attempt(warnings, () =>
    client.postMessage(
      opened.id,
      { content: note, messageType: "outgoing", private: true, sourceId: messageSourceId("history", request.inputId), ...(agentBotId === undefined ? {} : { agentBotId }) },
      "post history note",
    ),
  );
}

async function handOver(client: ChatwootClient, request: HandoverRequest, progress: { contact: ContactCache | null }): Promise<HandoverOutcome> {
  const { config, state, now, route } = request;
  const unavailable = await checkAvailability(client, config, now);
  if (unavailable !== null) return { kind: "unavailable", state: { ...state, status: "unavailable", unavailable, error: null } };
  const resolved = await resolveContact(client, config, state.contact, request.account);
  const remember = (contactId: number | null, sourceId: string): void => {
    if (contactId !== null) progress.contact = cacheContact(state.contact, request.account, config.contact.identifier, contactId, config.inboxId, sourceId);
  };
  remember(resolved.ref.contactId, resolved.ref.sourceId);
  const previous = reusable(request, resolved.ref.sourceId);
  const sealed = sealRoute(route, { inboxId: config.inboxId, sourceId: resolved.ref.sourceId }, request.relaySecret);
  const trigger = { text: request.triggerText, inputId: request.inputId, alreadyPosted: state.lastForwardedInputId === request.inputId };
  const result = previous === null ? await openNew(client, request, resolved.ref) : { opened: await reuseConversation(client, previous, route.sessionId, sealed, trigger), contact: resolved.ref, warnings: [] };
  remember(result.opened.contactId ?? result.contact.contactId, result.contact.sourceId);
  const warnings = [...resolved.warnings, ...result.warnings, ...result.opened.warnings];
  await postHistory(client, request, result.opened, warnings);
  const conversation: ConversationState = {
    account: request.account,
    id: result.opened.id,
    inboxId: config.inboxId,
    sourceId: result.contact.sourceId,
    sessionId: route.sessionId,
    agentAnswered: previous?.agentAnswered ?? false,
    startedAt: previous?.startedAt ?? now,
    lastActivityAt: now,
    endedAt: null,
  };
  const next: HandoverState = { ...state, status: "live", conversation, contact: progress.contact, history: [], lastForwardedInputId: request.inputId, unavailable: null, error: null, warnings };
  return { kind: "started", conversationId: result.opened.id, reused: previous !== null, state: next };
}

/**
 * Hands the user to Chatwoot: optional availability checks, contact, conversation
 * (new or continued) with the sealed route, the history once per conversation.
 * Chatwoot failures become the error outcome; a live handover stays live and
 * what was learnt about the contact is kept.
 */
export async function startHandover(client: ChatwootClient, request: HandoverRequest): Promise<HandoverOutcome> {
  const progress = { contact: request.state.contact };
  try {
    return await handOver(client, request, progress);
  } catch (error: unknown) {
    if (!(error instanceof ChatwootApiError)) throw error;
    const stored: StoredError = { ...error.summary(), at: request.now };
    const status = request.state.status === "live" ? "live" : "error";
    return { kind: "error", error: stored, state: { ...request.state, status, contact: progress.contact, error: stored } };
  }
}
