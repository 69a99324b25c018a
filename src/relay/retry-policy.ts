/** How a delivery attempt ended, as the worker saw it. */
export type AttemptOutcome = { kind: "status"; status: number; retryAfter: string | null } | { kind: "network"; code: string } | { kind: "timeout" };

export interface RetryPolicy {
  baseDelayMs: number;
  maxDelayMs: number;
  /** A job older than this (since the webhook arrived) is dead-lettered instead of retried. */
  maxAgeMs: number;
  retryStatuses: (status: number) => boolean;
}

/** The relay's policy: network errors, timeouts, 408, 429 and 5xx are retried with backoff; other 4xx are final. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  baseDelayMs: 500,
  maxDelayMs: 5 * 60_000,
  maxAgeMs: 24 * 3_600_000,
  retryStatuses: (status) => status === 408 || status === 429 || status >= 500,
};

export type RetryDecision = { action: "retry"; delayMs: number } | { action: "dead_letter"; reason: string };

/** `Retry-After` as seconds or an HTTP date, in ms from now; null if absent or unreadable. */
export function retryAfterMs(header: string | null, now: number): number | null {
  const value = header?.trim() ?? "";
  // An IMF-fixdate is 29 characters; anything longer is unreadable before any regex sees it (issue 12 §2).
  if (value.length > 40) return null;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  // An HTTP date (IMF-fixdate, RFC 9110 §5.6.7), e.g. "Sun, 06 Nov 1994 08:49:37 GMT"; anything looser is unreadable.
  if (!/^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/.test(value)) return null;
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

function describe(outcome: AttemptOutcome): string {
  if (outcome.kind === "status") return `Cognigy answered HTTP ${outcome.status}`;
  if (outcome.kind === "network") return `Cognigy could not be reached (${outcome.code})`;
  return "Cognigy did not answer in time";
}

/**
 * Decides what happens after a failed attempt: retry after an exponential
 * delay with jitter (half fixed, half random; or what Retry-After asks), or give up. `random` is
 * injectable so the decision is a pure function of its inputs.
 */
export function decideRetry(outcome: AttemptOutcome, attempt: number, ageMs: number, now: number, policy: RetryPolicy = DEFAULT_RETRY_POLICY, random: () => number = Math.random): RetryDecision {
  const reason = describe(outcome);
  if (outcome.kind === "status" && !policy.retryStatuses(outcome.status)) return { action: "dead_letter", reason };
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.min(attempt, 30));
  const backoff = Math.round(ceiling / 2 + (random() * ceiling) / 2);
  const asked = outcome.kind === "status" ? retryAfterMs(outcome.retryAfter, now) : null;
  const delayMs = asked === null ? backoff : Math.max(asked, policy.baseDelayMs);
  if (ageMs + delayMs > policy.maxAgeMs) return { action: "dead_letter", reason: `${reason}; gave up after ${Math.round(ageMs / 60_000)} min` };
  return { action: "retry", delayMs };
}
