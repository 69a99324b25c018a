/**
 * One listing of an inbox's queue (issue 13): `GET /api/v1/accounts/{id}/conversations`
 * with `inbox_id`, `status=open`, `assignee_type=unassigned`, `conversation_type=unattended`,
 * `sort_by=created_at_asc`, page 1 (app/finders/conversation_finder.rb: SORT_OPTIONS,
 * filter_by_conversation_type → Conversation.unattended, page size
 * CONVERSATION_RESULTS_PER_PAGE, 25 by default).
 */
export interface QueueListing {
  /** Display ids of page 1, oldest first. */
  ids: readonly number[];
  /** `data.meta.unassigned_count`: every unassigned conversation the filters match, on any page. */
  total: number;
}

/**
 * Where a conversation stands in a listing:
 * - `{position}`: its rank on page 1 (1 = next);
 * - `"beyond_page"`: not on page 1 but the queue is longer than the page, so it may be further back;
 *   the relay sends no number it cannot know (no extra request: one per inbox per interval);
 * - `"absent"`: the whole queue is on the page and it is not there (answered, assigned, closed).
 */
export function queueRank(listing: QueueListing, conversationId: number): { position: number } | "beyond_page" | "absent" {
  const index = listing.ids.indexOf(conversationId);
  if (index >= 0) return { position: index + 1 };
  return listing.total > listing.ids.length ? "beyond_page" : "absent";
}

/** An update goes out when the position is new to the user: the first one, or a change. */
export function shouldSendUpdate(lastSent: number | null, position: number): boolean {
  return lastSent !== position;
}
