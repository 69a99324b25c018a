import type { Classification, UnreachableConversation } from "./classify-webhook";
import type { EnqueueRequest } from "./outbox";

export type OutboxJob = EnqueueRequest["jobs"][number];

/**
 * What the agent reads when their reply was dropped as route_unauthentic. The
 * same words for every conversation: no route, secret, signature or message
 * text. Restoring the attribute by hand would need the exact sealed value,
 * which the agent does not have, so the note does not suggest it.
 */
export const ROUTE_NOTE =
  "⚠️ Your replies in this conversation cannot reach the user: its Cognigy routing attribute (cognigy_route) is not valid. " +
  "It was changed or copied from another conversation, or the relay's settings changed. Only the assistant can set a valid one, so editing it will not help. " +
  "The user's messages still arrive here, but nothing you send or do here (replies, resolving) reaches them. " +
  "If you can reach the user another way, ask them to start a new chat with the assistant; otherwise, or if you see this note in many conversations, ask your administrator.";

/** One note per conversation: the outbox remembers the key (as long as it keeps seen keys, a week). */
export function routeNoteKey(target: UnreachableConversation): string {
  return `route-note:${target.accountId}:${target.conversationId}`;
}

/**
 * The private note telling an agent that their messages in this conversation
 * cannot reach the user, as an outbox job (posted and retried like dead-letter
 * notes, in the same lane as that conversation's other notes): only when
 * the webhook lost a message for the user to an unauthentic route (see
 * Classification.unreachable) and notes are enabled (CHATWOOT_BASE_URL and
 * CHATWOOT_API_TOKEN). Pure.
 */
export function routeNotes(classification: Classification, notesEnabled: boolean, now: number): OutboxJob[] {
  const target = classification.unreachable;
  if (!notesEnabled || target === undefined) return [];
  return [
    {
      conversationKey: `note:${target.inboxId}:${target.conversationId}`,
      orderTs: now,
      orderSeq: 0,
      dedupeKey: routeNoteKey(target),
      payload: { kind: "note", accountId: target.accountId, conversationId: target.conversationId, content: ROUTE_NOTE },
    },
  ];
}
