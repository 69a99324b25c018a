import type { RouteRecord } from "./outbox";
import type { OutboxJob } from "./route-note";
import type { SeenRoute } from "./webhook-route";

/** What the agent reads when a stale browser put back an earlier route (C15). No route, secret or text in it. */
export const STALE_ROUTE_NOTE =
  "⚠️ A stale copy of this conversation in an agent's browser put back an earlier route; replies still go to the user's current chat. Reload the page before editing attributes.";

/**
 * One note per stale restore: keyed on the conversation and both issue times,
 * so the webhooks that keep carrying the restored route (every reply after it)
 * add none; the outbox remembers the key as long as its other seen keys (a week).
 */
export function staleRouteNoteKey(seen: SeenRoute, newest: RouteRecord): string {
  return `stale-route-note:${seen.binding.inboxId}:${seen.conversationId}:${String(seen.issuedAt)}:${newest.issuedAt}`;
}

/**
 * The private note telling agents that a stale browser put back an earlier
 * route, as an outbox job (posted and retried like the other notes, in the
 * conversation's note lane); none without notes (CHATWOOT_BASE_URL and
 * CHATWOOT_API_TOKEN) or without the account id (conversation payloads before
 * Chatwoot 4.14.2: the next webhook with one, e.g. the agent's reply, brings
 * the note). Pure.
 */
export function staleRouteNotes(seen: SeenRoute, newest: RouteRecord, notesEnabled: boolean, now: number): OutboxJob[] {
  if (!notesEnabled || seen.accountId <= 0) return [];
  return [
    {
      conversationKey: `note:${seen.binding.inboxId}:${seen.conversationId}`,
      orderTs: now,
      orderSeq: 0,
      dedupeKey: staleRouteNoteKey(seen, newest),
      payload: { kind: "note", accountId: seen.accountId, conversationId: seen.conversationId, content: STALE_ROUTE_NOTE },
    },
  ];
}
