/**
 * Every message the extension posts to Chatwoot carries a `source_id` with this
 * prefix. Chatwoot returns it in webhooks, so the relay recognises the
 * extension's own messages and never sends them back to the user.
 */
export const SOURCE_ID_PREFIX = "cognigy:";

export type SourceKind = "input" | "history" | "relay-note";

export function messageSourceId(kind: SourceKind, inputId: string): string {
  return `${SOURCE_ID_PREFIX}${kind}:${inputId}`;
}

export function isOwnSourceId(sourceId: unknown): boolean {
  return typeof sourceId === "string" && sourceId.startsWith(SOURCE_ID_PREFIX);
}
