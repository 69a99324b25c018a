/** Where the nodes keep the handover state in the context, unless the designer names another key. */
export const DEFAULT_CONTEXT_KEY = "chatwoot";

/** Longer than any sensible path; checked before the pattern (issue 12 §2). */
const MAX_CONTEXT_KEY = 200;

/** Context keys are dotted paths ("handover.chatwoot"); anything else falls back to the default. */
export function normaliseContextKey(key: unknown): string {
  const trimmed = typeof key === "string" ? key.trim() : "";
  return trimmed.length <= MAX_CONTEXT_KEY && /^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*$/.test(trimmed) ? trimmed : DEFAULT_CONTEXT_KEY;
}
