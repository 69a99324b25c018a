/**
 * A time budget for one node execution. Cognigy stops an extension after 20 s,
 * so every request gets at most what is left of the budget, and none starts
 * when too little is left for it to finish.
 */
export interface Deadline {
  /** Milliseconds left, never negative. */
  remaining(): number;
  /** The timeout for the next request: at most `capMs`, at most what is left. */
  timeoutFor(capMs: number): number;
}

export function createDeadline(budgetMs: number, now: () => number = Date.now): Deadline {
  const endsAt = now() + budgetMs;
  const remaining = (): number => Math.max(0, endsAt - now());
  return {
    remaining,
    timeoutFor: (capMs) => Math.min(capMs, remaining()),
  };
}
