import { decideRetry, DEFAULT_RETRY_POLICY, retryAfterMs, type AttemptOutcome, type RetryDecision, type RetryPolicy } from "../../src/relay/retry-policy";

const NOW = Date.parse("2026-06-17T10:15:42.000Z");
const POLICY: RetryPolicy = { ...DEFAULT_RETRY_POLICY, baseDelayMs: 1_000, maxDelayMs: 60_000, maxAgeMs: 3_600_000 };
const status = (code: number, retryAfter: string | null = null): AttemptOutcome => ({ kind: "status", status: code, retryAfter });
const low = (): number => 0;
const high = (): number => 1;
const middle = (): number => 0.5;

describe("DEFAULT_RETRY_POLICY", () => {
  it("backs off from 500 ms to at most five minutes and gives up after a day", () => {
    expect([DEFAULT_RETRY_POLICY.baseDelayMs, DEFAULT_RETRY_POLICY.maxDelayMs, DEFAULT_RETRY_POLICY.maxAgeMs]).toEqual([500, 300_000, 86_400_000]);
  });

  it.each<[number, boolean]>([
    [400, false],
    [401, false],
    [403, false],
    [404, false],
    [407, false],
    [408, true],
    [409, false],
    [413, false],
    [422, false],
    [429, true],
    [499, false],
    [500, true],
    [502, true],
    [503, true],
    [504, true],
    [599, true],
  ])("retries HTTP %i: %s", (code, retried) => {
    expect(DEFAULT_RETRY_POLICY.retryStatuses(code)).toBe(retried);
  });
});

describe("decideRetry: what is retried", () => {
  it.each<[string, AttemptOutcome]>([
    ["HTTP 408", status(408)],
    ["HTTP 429", status(429)],
    ["HTTP 500", status(500)],
    ["HTTP 502", status(502)],
    ["HTTP 503", status(503)],
    ["HTTP 504", status(504)],
    ["a refused connection", { kind: "network", code: "ECONNREFUSED" }],
    ["a DNS failure", { kind: "network", code: "ENOTFOUND" }],
    ["a reset connection", { kind: "network", code: "ECONNRESET" }],
    ["a timeout", { kind: "timeout" }],
  ])("retries %s", (_, outcome) => {
    expect(decideRetry(outcome, 0, 0, NOW, POLICY, low)).toEqual<RetryDecision>({ action: "retry", delayMs: 500 });
  });

  it.each<[number, string]>([
    [400, "Cognigy answered HTTP 400"],
    [401, "Cognigy answered HTTP 401"],
    [403, "Cognigy answered HTTP 403"],
    [404, "Cognigy answered HTTP 404"],
    [410, "Cognigy answered HTTP 410"],
    [413, "Cognigy answered HTTP 413"],
    [422, "Cognigy answered HTTP 422"],
  ])("dead-letters HTTP %i at once with the reason %j", (code, reason) => {
    expect(decideRetry(status(code), 0, 0, NOW, POLICY, low)).toEqual<RetryDecision>({ action: "dead_letter", reason });
  });

  it("dead-letters a final status even when Retry-After is given", () => {
    expect(decideRetry(status(404, "1"), 0, 0, NOW, POLICY, low)).toEqual<RetryDecision>({ action: "dead_letter", reason: "Cognigy answered HTTP 404" });
  });

  it("follows the policy's own retryStatuses", () => {
    const onlyTeapots: RetryPolicy = { ...POLICY, retryStatuses: (code) => code === 418 };
    expect(decideRetry(status(418), 0, 0, NOW, onlyTeapots, low).action).toBe("retry");
    expect(decideRetry(status(503), 0, 0, NOW, onlyTeapots, low)).toEqual({ action: "dead_letter", reason: "Cognigy answered HTTP 503" });
  });
});

describe("decideRetry: exponential backoff with jitter", () => {
  it.each<[number, number, number]>([
    [0, 500, 1_000],
    [1, 1_000, 2_000],
    [2, 2_000, 4_000],
    [3, 4_000, 8_000],
    [5, 16_000, 32_000],
    [6, 30_000, 60_000],
    [7, 30_000, 60_000],
    [30, 30_000, 60_000],
    [1_000, 30_000, 60_000],
  ])("after attempt %i waits from %i ms (random 0) to %i ms (random 1)", (attempt, lowest, highest) => {
    expect(decideRetry({ kind: "timeout" }, attempt, 0, NOW, POLICY, low)).toEqual({ action: "retry", delayMs: lowest });
    expect(decideRetry({ kind: "timeout" }, attempt, 0, NOW, POLICY, high)).toEqual({ action: "retry", delayMs: highest });
  });

  it("puts random 0.5 halfway between the bounds", () => {
    expect(decideRetry({ kind: "timeout" }, 2, 0, NOW, POLICY, middle)).toEqual({ action: "retry", delayMs: 3_000 });
  });

  it("grows with every attempt until the cap", () => {
    const delays = [0, 1, 2, 3, 4, 5, 6, 7, 8].map((attempt) => {
      const decision = decideRetry(status(503), attempt, 0, NOW, POLICY, middle);
      return decision.action === "retry" ? decision.delayMs : -1;
    });
    for (let index = 1; index < delays.length; index += 1) expect(delays[index]).toBeGreaterThanOrEqual(delays[index - 1] ?? Infinity);
    expect(delays[0]).toBe(750);
    expect(delays[delays.length - 1]).toBe(45_000);
  });

  it("caps the default policy at five minutes", () => {
    expect(decideRetry({ kind: "timeout" }, 40, 0, NOW, DEFAULT_RETRY_POLICY, high)).toEqual({ action: "retry", delayMs: 300_000 });
    expect(decideRetry({ kind: "timeout" }, 40, 0, NOW, DEFAULT_RETRY_POLICY, low)).toEqual({ action: "retry", delayMs: 150_000 });
  });

  it("returns whole milliseconds", () => {
    const decision = decideRetry({ kind: "timeout" }, 0, 0, NOW, { ...POLICY, baseDelayMs: 333 }, () => 0.3333);
    expect(decision.action === "retry" && Number.isInteger(decision.delayMs)).toBe(true);
  });
});

describe("decideRetry: Retry-After", () => {
  it.each<[string, string, number]>([
    ["seconds", "120", 120_000],
    ["seconds with whitespace", " 7 ", 7_000],
    ["seconds beyond the backoff cap", "600", 600_000],
    ["an HTTP date", new Date(NOW + 30_000).toUTCString(), 30_000],
    ["zero seconds, raised to the base delay", "0", 1_000],
    ["a date in the past, raised to the base delay", new Date(NOW - 60_000).toUTCString(), 1_000],
  ])("honours Retry-After as %s", (_, header, delayMs) => {
    expect(decideRetry(status(429, header), 0, 0, NOW, POLICY, high)).toEqual({ action: "retry", delayMs });
    expect(decideRetry(status(503, header), 9, 0, NOW, POLICY, low)).toEqual({ action: "retry", delayMs });
  });

  it.each<[string, string | null]>([
    ["absent", null],
    ["empty", ""],
    ["unreadable", "soon"],
  ])("falls back to the backoff when Retry-After is %s", (_, header) => {
    expect(decideRetry(status(503, header), 1, 0, NOW, POLICY, high)).toEqual({ action: "retry", delayMs: 2_000 });
  });
});

describe("decideRetry: giving up", () => {
  it.each<[string, AttemptOutcome, number, number, RetryDecision]>([
    ["a retry that ends exactly at the maximum age", { kind: "timeout" }, 0, 3_600_000 - 500, { action: "retry", delayMs: 500 }],
    ["a retry that would end 1 ms after the maximum age", { kind: "timeout" }, 0, 3_600_000 - 499, { action: "dead_letter", reason: "Cognigy did not answer in time; gave up after 60 min" }],
    ["a network failure of a job 90 minutes old", { kind: "network", code: "ECONNREFUSED" }, 3, 5_400_000, { action: "dead_letter", reason: "Cognigy could not be reached (ECONNREFUSED); gave up after 90 min" }],
    ["a 503 with a Retry-After beyond the maximum age", status(503, "3600"), 0, 1, { action: "dead_letter", reason: "Cognigy answered HTTP 503; gave up after 0 min" }],
    ["a 429 with a Retry-After just inside the maximum age", status(429, "3599"), 0, 1_000, { action: "retry", delayMs: 3_599_000 }],
  ])("decides %s", (_, outcome, attempt, ageMs, expected) => {
    expect(decideRetry(outcome, attempt, ageMs, NOW, POLICY, low)).toEqual(expected);
  });

  it("uses Math.random when no random source is given, within the jitter bounds", () => {
    for (let run = 0; run < 50; run += 1) {
      const decision = decideRetry({ kind: "timeout" }, 3, 0, NOW, POLICY);
      expect(decision.action).toBe("retry");
      const delay = decision.action === "retry" ? decision.delayMs : -1;
      expect(delay).toBeGreaterThanOrEqual(4_000);
      expect(delay).toBeLessThanOrEqual(8_000);
    }
  });
});

describe("retryAfterMs", () => {
  it.each<[string, string | null, number | null]>([
    ["null when absent", null, null],
    ["null when empty", "", null],
    ["null when blank", "   ", null],
    ["seconds", "5", 5_000],
    ["zero seconds", "0", 0],
    ["seconds with whitespace", " 42 ", 42_000],
    ["an IMF-fixdate in the future", new Date(NOW + 90_000).toUTCString(), 90_000],
    ["an IMF-fixdate in the past as 0", new Date(NOW - 90_000).toUTCString(), 0],
    ["the date right now as 0", new Date(NOW).toUTCString(), 0],
    ["null for text", "later", null],
    ["null for a number with a unit", "5 seconds", null],
    ["null for a fraction, which a loose date parser would read as a year", "1.5", null],
    ["null for a negative number", "-1", null],
    ["null for an ISO date, which is not an HTTP date", new Date(NOW + 90_000).toISOString(), null],
  ])("reads %s", (_, header, expected) => {
    expect(retryAfterMs(header, NOW)).toBe(expected);
  });
});
