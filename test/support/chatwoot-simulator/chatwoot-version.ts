/**
 * The Chatwoot releases the simulator can play, and what differs between them
 * for the extension (platform-sources.md C5, C16; chatwoot-facts.md "Features
 * that depend on the Chatwoot version").
 */
export const CHATWOOT_VERSIONS = ["4.0", "4.2", "4.12", "4.13", "4.14.2", "4.15.1"] as const;
export type ChatwootVersion = (typeof CHATWOOT_VERSIONS)[number];

export function atLeast(version: ChatwootVersion, minimum: ChatwootVersion): boolean {
  return CHATWOOT_VERSIONS.indexOf(version) >= CHATWOOT_VERSIONS.indexOf(minimum);
}

/**
 * `BOT_ACCESSIBLE_ENDPOINTS` of app/controllers/concerns/access_token_auth_helper.rb
 * per release, keyed like Rails' `params[:controller]` and `params[:action]`:
 * - 4.0.0: conversations toggle_status, toggle_priority, create, update;
 *   messages create; assignments create;
 * - 4.2.0: + conversations custom_attributes;
 * - 4.12.0: + conversations toggle_typing_status (#13705);
 * - 4.14.2: + conversations show, labels index and create (#14655).
 * Every other action answers 401 "Access to this endpoint is not authorized for bots".
 */
export function botAccessibleEndpoints(version: ChatwootVersion): Record<string, readonly string[]> {
  const conversations = ["toggle_status", "toggle_priority", "create", "update"];
  if (atLeast(version, "4.2")) conversations.push("custom_attributes");
  if (atLeast(version, "4.12")) conversations.push("toggle_typing_status");
  if (atLeast(version, "4.14.2")) conversations.push("show");
  return {
    "api/v1/accounts/conversations": conversations,
    "api/v1/accounts/conversations/messages": ["create"],
    "api/v1/accounts/conversations/assignments": ["create"],
    ...(atLeast(version, "4.14.2") ? { "api/v1/accounts/conversations/labels": ["index", "create"] } : {}),
  };
}

/** `controller#action`, as Rails routes the request. */
export function botMayCall(version: ChatwootVersion, action: string): boolean {
  const [controller = "", name = ""] = action.split("#");
  return botAccessibleEndpoints(version)[controller]?.includes(name) ?? false;
}
