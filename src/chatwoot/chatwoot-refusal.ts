/**
 * Why Chatwoot answered 401. Chatwoot never answers 403 for a denied permission
 * (platform-sources.md C10): every refusal is a 401 whose `error` text says
 * which one it is.
 * - `invalid_token`: "Invalid Access Token" (access_token_auth_helper.rb#authenticate_access_token!)
 * - `bot_not_allowed`: "Access to this endpoint is not authorized for bots"
 *   (access_token_auth_helper.rb#validate_bot_access_token!, BOT_ACCESSIBLE_ENDPOINTS)
 * - `not_permitted`: "You are not authorized to do this action" (a Pundit
 *   policy; request_exception_handler.rb:15-17)
 * - `no_account_access`: "You are not authorized to access this account"
 *   (ensure_current_account_helper.rb)
 */
export type ChatwootRefusal = "invalid_token" | "bot_not_allowed" | "not_permitted" | "no_account_access";

/**
 * The first Chatwoot version whose agent-bot tokens may make a call, or
 * "never" (contacts, inboxes and agents are never open to bots). From
 * `BOT_ACCESSIBLE_ENDPOINTS` per release (platform-sources.md C5,
 * chatwoot-facts.md "Features that depend on the Chatwoot version").
 */
export type BotAccess = "4.0" | "4.2" | "4.14.2" | "never";

const REFUSAL_TEXTS: readonly [ChatwootRefusal, string][] = [
  ["invalid_token", "invalid access token"],
  ["bot_not_allowed", "not authorized for bots"],
  ["not_permitted", "not authorized to do this action"],
  ["no_account_access", "not authorized to access this account"],
];

/** Reads which refusal a 401 is from Chatwoot's own text (already clipped by the caller). */
export function classifyRefusal(status: number, remoteText: string | null): ChatwootRefusal | null {
  if (status !== 401 || remoteText === null) return null;
  const text = remoteText.slice(0, 300).toLowerCase();
  return REFUSAL_TEXTS.find(([, phrase]) => text.includes(phrase))?.[0] ?? null;
}

/** What the designer can do about a 401, for the call `operation`. */
export function refusalHint(operation: string, refusal: ChatwootRefusal | null, bot: BotAccess | undefined): string {
  switch (refusal) {
    case "invalid_token":
      return " Check the connection's API key: this Chatwoot does not know the token.";
    case "no_account_access":
      return " The token's user or bot has no access to this account: check the connection's account ID.";
    case "not_permitted":
      return ` The token is valid, but its user lacks permission for "${operation}": use an administrator's access token, or make the user a member of the inbox (agents may act only in their own inboxes).`;
    case "bot_not_allowed":
      if (bot === undefined || bot === "never") return ` The connection's API key is an agent-bot token, and Chatwoot never lets agent-bot tokens make this call: use a user's access token, or turn off the option that needs it.`;
      return ` The connection's API key is an agent-bot token, and Chatwoot lets agent-bot tokens make this call only from version ${bot} on: upgrade Chatwoot, or use a user's access token.`;
    default:
      return " Check the connection's API key (agent-bot tokens may call only some endpoints).";
  }
}
