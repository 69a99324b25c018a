/** Where the nodes keep the handover state in the context, unless the designer names another key. */
export const DEFAULT_CONTEXT_KEY = "chatwoot";

/** Context keys are dotted paths ("handover.chatwoot"); anything else falls back to the default. */
export function normaliseContextKey(key: unknown): string {
  return typeof key === "string" && /^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*$/.test(key.trim()) ? key.trim() : DEFAULT_CONTEXT_KEY;
}
