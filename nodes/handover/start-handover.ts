import { ChatwootApiError } from "../../src/chatwoot/chatwoot-api-error";
import type { ChatwootClient } from "../../src/chatwoot/chatwoot-client";
import type { ConversationInfo } from "../../src/chatwoot/chatwoot-types";
import { readLabels, type ContactCache, type ConversationState, type HandoverState, type HistoryTurn, type StoredError, type UnconfirmedConversation } from "../../src/core/handover-state";
import { formatHistoryNote } from "../../src/core/history";
import { sealRoute, type RouteOptions, type SessionRoute } from "../../src/core/route-seal";
import type { Output } from "../../src/cognigy/agent-output";
import { renderAcceptedMessage } from "../../src/cognigy/render-accepted-message";
import { messageSourceId } from "../../src/core/source-id";
import { checkAvailability } from "./check-availability";
import { CHATWOOT_MAX_ATTRIBUTE_LENGTH, type HandoverConfig } from "./handover-config";
import { findConversationByRoute, LostConversationError } from "./lost-conversation";
import { adoptConversation, attempt, createConversation, reuseConversation, type OpenedConversation } from "./open-conversation";
import { cacheContact, findExisting, resolveContact, type ContactRef, type ResolvedContact } from "./resolve-contact";

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
  /** `accepted`: the accepted message (with the cancel button) to say; null: nothing. */
  | { kind: "started"; state: HandoverState; conversationId: number; reused: boolean; accepted: Output | null }
  | { kind: "unavailable"; state: HandoverState }
  | { kind: "error"; state: HandoverState; error: StoredError };

/** Queue updates are asked of the relay, sealed with the route, when the node has them on. */
function routeOptions(config: HandoverConfig): RouteOptions {
  return { queueUpdates: config.queueUpdateMessage !== null };
}

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

/**
 * A cached contact id Chatwoot no longer accepts for this source id: 404, the
 * contact was merged into another or deleted (C2: conversations_controller.rb
 * finds `contact_id` first); 422, the source id belongs to another contact now
 * (C1: the controller turns that clash into 422 "source_id should be unique").
 */
function staleContactId(error: unknown): boolean {
  if (!(error instanceof ChatwootApiError) || error.kind !== "http") return false;
  return error.status === 404 || (error.status === 422 && (error.remoteMessage ?? "").includes("source_id"));
}

/**
 * A new conversation. With a cached contact id that Chatwoot refuses, it is
 * created by the source id alone: Chatwoot attaches it to whichever contact
 * holds that source id now (after a merge, the surviving contact). If Chatwoot
 * does not know the source id (404), the contact is looked up and it is tried
 * once more.
 */
async function openNew(client: ChatwootClient, request: HandoverRequest, resolved: ResolvedContact): Promise<{ opened: OpenedConversation; contact: ContactRef; warnings: string[] }> {
  const seal = (sourceId: string): string => sealRoute(request.route, { inboxId: request.config.inboxId, sourceId }, request.relaySecret, request.now, routeOptions(request.config));
  const create = (ref: ContactRef): Promise<OpenedConversation> => createConversation(client, request.config, ref, seal(ref.sourceId), request.triggerText);
  const contact = resolved.ref;
  let bySource: ContactRef = contact;
  if (contact.contactId !== null) {
    try {
      return { opened: await create(contact), contact, warnings: [] };
    } catch (error: unknown) {
      if (resolved.cached !== true || !staleContactId(error)) throw error;
    }
    bySource = { contactId: null, sourceId: contact.sourceId };
  }
  try {
    return { opened: await create(bySource), contact: bySource, warnings: [] };
  } catch (error: unknown) {
    if (!(error instanceof ChatwootApiError) || error.status !== 404) throw error;
  }
  const existing = await findExisting(client, request.config, contact.sourceId);
  const opened = await create(existing.ref);
  return { opened, contact: existing.ref, warnings: existing.warnings };
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

interface Opened {
  opened: OpenedConversation;
  contact: ContactRef;
  warnings: string[];
  /** The previous conversation, when the handover continues it. */
  continued: ConversationState | null;
}

/**
 * Continues the previous conversation. Where the token may not read it (an
 * agent-bot token before Chatwoot 4.14.2, C5), which re-sealing the route for
 * a new Cognigy session needs, a new conversation is opened instead, with a
 * warning: the handover starts either way.
 */
async function continuePrevious(client: ChatwootClient, request: HandoverRequest, previous: ConversationState, opening: { resolved: ResolvedContact; sealed: string; trigger: { text: string; inputId: string; alreadyPosted: boolean } }): Promise<Opened> {
  try {
    return { opened: await reuseConversation(client, previous, request.route.sessionId, opening.sealed, opening.trigger), contact: opening.resolved.ref, warnings: [], continued: previous };
  } catch (error: unknown) {
    if (!(error instanceof ChatwootApiError) || error.refusal !== "bot_not_allowed") throw error;
    const fresh = await openNew(client, request, opening.resolved);
    return { ...fresh, warnings: [`The previous conversation ${previous.id} was not continued: ${error.message} A new conversation was opened instead.`, ...fresh.warnings], continued: null };
  }
}

interface Progress {
  contact: ContactCache | null;
  unconfirmed: UnconfirmedConversation | null;
}

/** An earlier attempt of this session, for this contact and inbox, whose "create conversation" answer was lost (a live handover goes on as it is). */
function unconfirmedFor(request: HandoverRequest, sourceId: string): UnconfirmedConversation | null {
  const earlier = request.state.unconfirmed ?? null;
  if (earlier === null || request.state.status === "live" || earlier.account !== request.account || earlier.inboxId !== request.config.inboxId) return null;
  return earlier.sourceId === sourceId && earlier.sessionId === request.route.sessionId ? earlier : null;
}

/**
 * Before creating a conversation: the one an earlier attempt may have created
 * although its answer was lost (one lookup, only after such an attempt). Not
 * found, or resolved since: forgotten, a new one is created. The lookup itself
 * failing does not block the handover; it becomes a warning.
 */
async function findEarlier(client: ChatwootClient, request: HandoverRequest, contact: ContactRef, progress: Progress, warnings: string[]): Promise<ConversationInfo | null> {
  const earlier = unconfirmedFor(request, contact.sourceId);
  if (earlier === null) return null;
  let found: ConversationInfo | null;
  try {
    found = await findConversationByRoute(client, request.config, { contactId: contact.contactId ?? earlier.contactId, sourceId: contact.sourceId }, earlier.routeDigest);
  } catch (error: unknown) {
    if (!(error instanceof ChatwootApiError)) throw error;
    warnings.push(`Looking for the conversation of the earlier attempt, whose answer from Chatwoot was lost, failed: ${error.message} If Chatwoot did create it, the agent sees two conversations.`);
    return null;
  }
  if (found !== null && found.status !== "resolved") return found;
  progress.unconfirmed = null;
  return null;
}

async function handOver(client: ChatwootClient, request: HandoverRequest, progress: Progress): Promise<HandoverOutcome> {
  const { config, state, now, route } = request;
  const checkWarnings: string[] = [];
  const unavailable = await checkAvailability(client, config, now, checkWarnings);
  if (unavailable !== null) return { kind: "unavailable", state: { ...state, status: "unavailable", unavailable, error: null, outcome: null } };
  const resolved = await resolveContact(client, config, state.contact, request.account);
  const remember = (contactId: number | null, sourceId: string): void => {
    if (contactId !== null) progress.contact = cacheContact(state.contact, request.account, config.contact.identifier, contactId, config.inboxId, sourceId);
  };
  remember(resolved.ref.contactId, resolved.ref.sourceId);
  const lookupWarnings: string[] = [];
  const earlier = await findEarlier(client, request, resolved.ref, progress, lookupWarnings);
  const previous = earlier === null ? reusable(request, resolved.ref.sourceId) : null;
  const sealed = sealRoute(route, { inboxId: config.inboxId, sourceId: resolved.ref.sourceId }, request.relaySecret, now, routeOptions(config));
  if (sealed.length > CHATWOOT_MAX_ATTRIBUTE_LENGTH) {
    // Chatwoot refuses a conversation attribute over 1,500 characters with 422 (C8); the seal grows with the three ids.
    throw new ChatwootApiError("create conversation", "refused", `The sealed route to this Cognigy session is ${sealed.length} characters long, more than the ${CHATWOOT_MAX_ATTRIBUTE_LENGTH} Chatwoot accepts in a conversation attribute: input.userId, input.sessionId and input.URLToken are unusually long together (${route.userId.length + route.sessionId.length + route.urlToken.length} characters). Use shorter user IDs.`);
  }
  const trigger = { text: request.triggerText, inputId: request.inputId, alreadyPosted: state.lastForwardedInputId === request.inputId };
  const result: Opened =
    earlier !== null
      ? { opened: await adoptConversation(client, config, earlier, trigger, `The answer to the earlier "create conversation" was lost; Chatwoot had created conversation ${earlier.id} all the same, and the handover continued with it.`), contact: resolved.ref, warnings: [], continued: null }
      : previous === null
        ? { ...(await openNew(client, request, resolved)), continued: null }
        : await continuePrevious(client, request, previous, { resolved, sealed, trigger });
  const continued = result.continued;
  remember(result.opened.contactId ?? result.contact.contactId, result.contact.sourceId);
  const warnings = [...checkWarnings, ...resolved.warnings, ...lookupWarnings, ...result.warnings, ...result.opened.warnings];
  await postHistory(client, request, result.opened, warnings);
  const accepted = renderAcceptedMessage(config.acceptedMessage, config.cancelButtonText);
  const conversation: ConversationState = {
    account: request.account,
    id: result.opened.id,
    inboxId: config.inboxId,
    sourceId: result.contact.sourceId,
    sessionId: route.sessionId,
    agentAnswered: continued?.agentAnswered ?? false,
    startedAt: continued?.startedAt ?? now,
    lastActivityAt: now,
    endedAt: null,
    // Issue 13: what the Session core needs to recognise the button, show queue updates and record the outcome.
    cancelPayload: accepted.cancelPayload,
    queueMessage: config.queueUpdateMessage,
    queuePosition: null,
    agentName: continued?.agentName ?? null,
    firstAgentMessageAt: continued?.firstAgentMessageAt ?? null,
    labels: readLabels(config.labels),
  };
  const next: HandoverState = { ...state, status: "live", conversation, contact: progress.contact, history: [], lastForwardedInputId: request.inputId, unavailable: null, error: null, warnings, unconfirmed: null, outcome: null };
  return { kind: "started", conversationId: result.opened.id, reused: continued !== null, state: next, accepted: accepted.output };
}

/**
 * Hands the user to Chatwoot: optional availability checks, contact, conversation
 * (new or continued) with the sealed route, the history once per conversation.
 * Chatwoot failures become the error outcome; a live handover stays live and
 * what was learnt about the contact is kept. A create whose answer was lost is
 * looked for at once and, if not found, once more by the next handover.
 */
export async function startHandover(client: ChatwootClient, request: HandoverRequest): Promise<HandoverOutcome> {
  const progress: Progress = { contact: request.state.contact, unconfirmed: request.state.unconfirmed ?? null };
  try {
    return await handOver(client, request, progress);
  } catch (error: unknown) {
    if (!(error instanceof ChatwootApiError)) throw error;
    const stored: StoredError = { ...error.summary(), at: request.now };
    const status = request.state.status === "live" ? "live" : "error";
    const unconfirmed: UnconfirmedConversation | null =
      error instanceof LostConversationError ? { account: request.account, inboxId: request.config.inboxId, sessionId: request.route.sessionId, ...error.attempt, at: request.now } : progress.unconfirmed;
    // A new attempt (not a live handover's) clears the outcome of the previous handover.
    const outcome = status === "live" ? (request.state.outcome ?? null) : null;
    return { kind: "error", error: stored, state: { ...request.state, status, contact: progress.contact, error: stored, unconfirmed, outcome } };
  }
}
