import { createHash } from "crypto";
import { ChatwootApiError } from "../../src/chatwoot/chatwoot-api-error";
import type { ChatwootClient, NewConversation } from "../../src/chatwoot/chatwoot-client";
import type { ConversationInfo } from "../../src/chatwoot/chatwoot-types";
import { ROUTE_ATTRIBUTE } from "../../src/core/route-seal";
import type { HandoverConfig } from "./handover-config";
import type { ContactRef } from "./resolve-contact";

/**
 * When the answer to "create conversation" is lost (a timeout, a connection
 * closed after the request was sent), Chatwoot may have created the
 * conversation anyway: the agent would see the user's message and answer into
 * a conversation nobody on the Cognigy side knows. So the node looks for it,
 * among the contact's conversations, by the route sealed into it: the sealed
 * value is random per attempt, so it names exactly this attempt's conversation.
 * An HTTP status is Chatwoot's decision and needs no lookup.
 */

/** Below this much of the node's time budget, no lookup is started. */
export const LOOKUP_MIN_MS = 1_000;
/** Agent-bot tokens see no attributes in the public list: the newest open ones are read one by one, at most this many. */
const PUBLIC_CANDIDATES = 3;

/** What identifies one attempt's conversation without storing the sealed route itself. */
export function routeDigest(sealedRoute: string): string {
  return createHash("sha256").update(sealedRoute, "utf8").digest("base64url").slice(0, 22);
}

/** The attempt whose answer was lost: enough to look for its conversation later. */
export interface LostAttempt {
  contactId: number | null;
  sourceId: string;
  routeDigest: string;
}

/** The create's own error (operation, kind, status unchanged), explained, with what the next handover needs to look again. */
export class LostConversationError extends ChatwootApiError {
  constructor(
    cause: ChatwootApiError,
    explanation: string,
    readonly attempt: LostAttempt,
  ) {
    super(cause.operation, cause.kind, `${cause.message} ${explanation}`, cause.status, cause.remoteMessage, cause.answerLost);
  }
}

function carriesRoute(conversation: ConversationInfo, inboxId: number, digest: string): boolean {
  const route = conversation.customAttributes[ROUTE_ATTRIBUTE];
  return conversation.inboxId === inboxId && typeof route === "string" && routeDigest(route) === digest;
}

/**
 * The contact's conversation in the inbox whose route has this digest, or null.
 * User tokens: one request (two when only the source id is known: the contact
 * is found by its identifier first). Agent-bot tokens: the public list, then
 * the newest unresolved conversations one by one (Chatwoot 4.14.2+ lets bots read them).
 */
export async function findConversationByRoute(client: ChatwootClient, config: HandoverConfig, contact: ContactRef, digest: string): Promise<ConversationInfo | null> {
  if (config.inboxIdentifier !== null) {
    const listed = await client.listPublicConversations(config.inboxIdentifier, contact.sourceId);
    const candidates = listed.filter((item) => item.inboxId === config.inboxId && item.status !== "resolved").sort((a, b) => b.id - a.id);
    for (const candidate of candidates.slice(0, PUBLIC_CANDIDATES)) {
      const conversation = await client.getConversation(candidate.id);
      if (carriesRoute(conversation, config.inboxId, digest)) return conversation;
    }
    return null;
  }
  const contactId = contact.contactId ?? (await client.findContactsByIdentifier(config.contact.identifier)).find((found) => found.inboxes.some((item) => item.inboxId === config.inboxId && item.sourceId === contact.sourceId))?.id;
  if (contactId === undefined) return null;
  const conversations = await client.listContactConversations(contactId);
  return conversations.find((conversation) => carriesRoute(conversation, config.inboxId, digest)) ?? null;
}

export interface CreatedOrFound {
  conversation: ConversationInfo;
  /** Set when the answer was lost and the conversation was found: says so for the designer. */
  warning: string | null;
}

/**
 * Creates the conversation; if the answer is lost, looks for it (within the
 * time budget) and continues with it as if it had been created. If it cannot
 * be found, the create's error, explained, with what the next handover needs
 * to look once more before creating another.
 */
export async function createOrFindConversation(client: ChatwootClient, config: HandoverConfig, contact: ContactRef, request: NewConversation, sealedRoute: string): Promise<CreatedOrFound> {
  try {
    return { conversation: await client.createConversation(request), warning: null };
  } catch (error: unknown) {
    if (!(error instanceof ChatwootApiError) || !error.answerLost) throw error;
    const attempt: LostAttempt = { contactId: contact.contactId, sourceId: contact.sourceId, routeDigest: routeDigest(sealedRoute) };
    const later = "The next handover looks for it before creating another.";
    if (client.remainingMs() < LOOKUP_MIN_MS) {
      throw new LostConversationError(error, `Chatwoot may have created the conversation anyway; the node's time budget left no time to look for it. ${later}`, attempt);
    }
    let found: ConversationInfo | null;
    try {
      found = await findConversationByRoute(client, config, contact, attempt.routeDigest);
    } catch (lookupError: unknown) {
      if (!(lookupError instanceof ChatwootApiError)) throw lookupError;
      throw new LostConversationError(error, `Chatwoot may have created the conversation anyway, and looking for it failed too: ${lookupError.message} ${later}`, attempt);
    }
    if (found === null) {
      throw new LostConversationError(error, `Chatwoot has no conversation from this attempt (it may still be creating it). ${later}`, attempt);
    }
    return { conversation: found, warning: `${error.message} Chatwoot had created the conversation all the same: it was found by its sealed route and the handover continued with it.` };
  }
}
