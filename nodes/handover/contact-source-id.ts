import { createHash } from "crypto";

/**
 * The source id of the user's contact in an inbox, derived from the inbox and
 * the contact identifier: the same user gets the same ContactInbox in every
 * Cognigy session, so a returning user needs no lookup and a conversation
 * Chatwoot returns (lock to single conversation) carries the same binding.
 */
export function contactSourceId(inboxId: number, identifier: string): string {
  return `cognigy-${createHash("sha256").update(`${inboxId}\n${identifier}`).digest("base64url").slice(0, 32)}`;
}
