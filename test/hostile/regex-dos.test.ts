import { performance } from "perf_hooks";
import { parseChatwootConnection } from "../../connections/parse-chatwoot-connection";
import { parseHandoverConfig } from "../../nodes/handover/handover-config";
import { checkAttachmentUrl } from "../../src/attachments/attachment-policy";
import { normaliseContextKey } from "../../src/cognigy/context-key";
import { renderAgentText } from "../../src/cognigy/render-agent-text";
import { formatHistoryNote, parseTranscript, recordTurn, DEFAULT_HISTORY_LIMITS } from "../../src/core/history";
import { readNumber } from "../../src/core/json-guards";
import { parseRelayEventBody } from "../../src/core/relay-event";
import { classifyMessage } from "../../src/relay/classify-message";
import { parseRelayConfig } from "../../src/relay/relay-config";
import { redactUrl } from "../../src/relay/relay-logger";
import { retryAfterMs } from "../../src/relay/retry-policy";
import { timeOf } from "../../src/relay/webhook-fields";
import { verifyChatwootSignature } from "../../src/relay/webhook-signature";
import { writeHostileReport } from "../support/hostile-report";

/**
 * Issue 12 §2: every regex the nodes and the relay apply to outside data, called
 * through the product function that applies it, with 1 MB adversarial inputs of
 * several shapes. Each call must finish within 50 ms (the fastest of 3 runs, so
 * a busy machine's pause does not fail it while a quadratic step still would:
 * the contact email check took 12 s on 120,000 characters).
 */

const SIZE = 1 << 20;
const LIMIT_MS = 50;
const RUNS = 3;

/** `unit` repeated to exactly 1 MB, ending in `tail` (the character that makes a near-miss fail late). */
function fill(unit: string, tail = ""): string {
  return unit.repeat(Math.ceil(SIZE / unit.length)).slice(0, SIZE - tail.length) + tail;
}

/** Shapes every entry gets: long runs of what patterns repeat, near-misses that fail at the end, nesting, whitespace. */
const COMMON: Record<string, string> = {
  "letters, then !": fill("a", "!"),
  "whitespace run, then x": fill(" \t", "x"),
  "line breaks": fill("\r\n\u2028"),
  '"a@" repeated': fill("a@"),
  '"a." repeated, then space': fill("a.", " "),
  '"a@a." repeated': fill("a@a."),
  "digits, then x": fill("1", "x"),
  '"1." repeated': fill("1."),
  "slashes, then a": fill("/", "a"),
  "nested brackets": `${"[".repeat(SIZE / 2)}${"]".repeat(SIZE / 2)}`,
  "unclosed link": fill("[a](b"),
  "unclosed tags": fill("<a "),
  '"http://" repeated': fill("http://"),
  '"https:/" repeated': fill("https:/"),
  "entities without ;": fill("&#1"),
  "emphasis markers": fill("*_`~"),
  "backslashes": fill("\\"),
  "percent escapes": fill("%2"),
  "quote and heading markers": fill("> #"),
};

const CSAT = { id: 5, message_type: "template", content_type: "input_csat", private: false };
const RELAY_OPTIONS = { relaySecret: "r".repeat(40), inboxIds: null, forwardTemplates: true, forwardCsat: true, forwardAssignments: false };
const ENV = { RELAY_SECRET: "r".repeat(40), CHATWOOT_WEBHOOK_SECRETS: "inbox-secret-abcdefghij", COGNIGY_ENDPOINT_BASE_URL: "https://endpoint-trial.cognigy.ai" };
const CONNECTION = { baseUrl: "https://chat.example.com", accountId: 1, apiKey: "api-key-123", relaySecret: "r".repeat(40) };

interface Entry {
  name: string;
  /** Where the regex is (file: what it checks). */
  regex: string;
  run: (input: string) => unknown;
  /** Turns a shape into what can reach the regex at all (a host name's characters), outside the timing. */
  prepare?: (input: string) => string;
  /** Shapes aimed at this entry's own patterns. */
  extra?: Record<string, string>;
}

const ENTRIES: Entry[] = [
  { name: "Handover contactEmail", regex: "handover-config.ts: EMAIL", run: (s) => parseHandoverConfig({ inboxId: "7", contactIdentifier: "u", contactEmail: s }), extra: { "a@a.a.a… then space": `a@${fill("a.", " ")}`, "@ run": fill("@") } },
  { name: "Handover contactPhone", regex: "handover-config.ts: [\\s()-] and E164", run: (s) => parseHandoverConfig({ inboxId: "7", contactIdentifier: "u", contactPhone: s }), extra: { "+1 digits": `+${fill("1")}`, "( ) - run": fill("( )-") } },
  { name: "Handover contactName", regex: "handover-config.ts: \\s+", run: (s) => parseHandoverConfig({ inboxId: "7", contactIdentifier: "u", contactName: s }) },
  { name: "Handover ids (inbox, team, agent)", regex: "json-guards.ts readNumber: -?\\d+(\\.\\d+)?", run: (s) => parseHandoverConfig({ inboxId: s, contactIdentifier: "u", teamId: s }), extra: { "-1.1 then x": `-1.${fill("1", "x")}` } },
  { name: "Handover contextKey", regex: "context-key.ts: dotted path", run: (s) => parseHandoverConfig({ inboxId: "7", contactIdentifier: "u", contextKey: s }), extra: { "a.a.a… then !": fill("a.a", "!"), "$_ run then .": fill("$_", ".") } },
  { name: "Handover History (free text) in the note", regex: "quote-turn.ts: line breaks, inline and line-start markup", run: (s) => formatHistoryNote(parseTranscript(s, DEFAULT_HISTORY_LIMITS), []) },
  { name: "Handover History (turns) in the note", regex: "quote-turn.ts: line breaks, inline and line-start markup", run: (s) => formatHistoryNote(parseTranscript([{ role: "user", text: s }, { role: "bot", payload: { text: s } }], DEFAULT_HISTORY_LIMITS), []) },
  { name: "recorded user turn in the note", regex: "quote-turn.ts: line breaks, inline and line-start markup", run: (s) => formatHistoryNote([], recordTurn([], { role: "user", text: s, at: 0 }, DEFAULT_HISTORY_LIMITS)) },
  { name: "context key", regex: "context-key.ts: dotted path", run: (s) => normaliseContextKey(s) },
  { name: "agent text as Markdown", regex: "render-agent-text.ts, markdown-to-plain.ts, markdown-inline.ts, decode-entities.ts", run: (s) => renderAgentText(s, "markdown") },
  { name: "agent text as plain", regex: "render-agent-text.ts, html-to-markdown.ts, decode-entities.ts", run: (s) => renderAgentText(s, "plain"), extra: { "href run": fill('<a href="'), "alt run": fill("<img alt='") } },
  { name: "CSAT link in a template message", regex: "classify-message.ts: https?://\\S+", run: (s) => classifyMessage({ ...CSAT, content: s }, 1, RELAY_OPTIONS) },
  { name: "agent message content", regex: "classify-message.ts (clip), read-attachments.ts", run: (s) => classifyMessage({ id: 5, message_type: "outgoing", private: false, sender: { type: "user", name: s }, content: s }, 1, RELAY_OPTIONS) },
  { name: "webhook created_at", regex: "webhook-fields.ts timeOf: \\d+(\\.\\d+)?", run: (s) => timeOf(s), extra: { "1.1 then x": `1.${fill("1", "x")}` } },
  { name: "webhook signature headers", regex: "webhook-signature.ts: sha256=hex, \\d{1,12}", run: (s) => verifyChatwootSignature({ signature: s, timestamp: s, rawBody: Buffer.from("{}") }, ["secret"], 0), extra: { "sha256= then hex": `sha256=${fill("a")}` } },
  { name: "Retry-After", regex: "retry-policy.ts: \\d+ and IMF-fixdate", run: (s) => retryAfterMs(s, 0), extra: { "date-like": fill("Sun, 06 Nov 1994 08:49:37 GM") } },
  { name: "relay event links and attachment URLs", regex: "relay-event.ts: ^https?://", run: (s) => parseRelayEventBody({ type: "csat", conversationId: 1, messageId: 1, text: s, link: s }) },
  { name: "attachment URL host", regex: "attachment-policy.ts: trailing dot, [ ]", run: (s) => checkAttachmentUrl(`https://${s}/x`, ["*.example.com"]), prepare: (s) => s.replace(/[^a-z0-9.-]/g, "a"), extra: { dots: fill("."), "a. run": fill("a.") } },
  { name: "number fields", regex: "json-guards.ts readNumber", run: (s) => readNumber(s) },
  { name: "connection base URL", regex: "normalise-base-url.ts: /+$; chatwoot-base-url.ts: /api/v1$", run: (s) => parseChatwootConnection({ ...CONNECTION, baseUrl: `https://chat.example.com/${s}` }), extra: { "slashes then x": fill("/", "x"), "/api/v1 repeated": fill("/api/v1") } },
  { name: "connection API key and HMAC token", regex: "parse-chatwoot-connection.ts: \\s", run: (s) => parseChatwootConnection({ ...CONNECTION, apiKey: s, hmacToken: s }) },
  { name: "request URL in logs", regex: "relay-logger.ts: %xx, handover/+chatwoot", run: (s) => redactUrl(`/handover/chatwoot/${s}`), extra: { "handover/ run": fill("handover/"), "%25 run": fill("%25") } },
  { name: "relay environment", regex: "relay-config.ts: whole numbers, path token, inbox ids", run: (s) => parseRelayConfig({ ...ENV, CHATWOOT_INBOX_IDS: s, CHATWOOT_WEBHOOK_PATH_TOKEN: s, HTTP_REQUEST_TIMEOUT_MS: s }), extra: { "1, run": fill("1,") } },
];

interface Slow {
  entry: string;
  shape: string;
  fastestMs: number;
}

function fastestMs(run: () => unknown): number {
  let fastest = Infinity;
  for (let attempt = 0; attempt < RUNS && fastest > LIMIT_MS; attempt += 1) {
    const start = performance.now();
    run();
    fastest = Math.min(fastest, performance.now() - start);
  }
  return fastest;
}

describe("regex DoS: every regex on outside data, 1 MB adversarial inputs, each within 50 ms (issue 12 §2)", () => {
  it("counts the calls slower than 50 ms: none", () => {
    const slow: Slow[] = [];
    let calls = 0;
    const timings: Slow[] = [];
    for (const entry of ENTRIES) {
      for (const [shape, input] of Object.entries({ ...COMMON, ...entry.extra })) {
        const prepared = entry.prepare?.(input) ?? input;
        const ms = fastestMs(() => entry.run(prepared));
        calls += 1;
        const timing = { entry: entry.name, shape, fastestMs: Math.round(ms * 10) / 10 };
        timings.push(timing);
        if (ms > LIMIT_MS) slow.push(timing);
      }
    }
    writeHostileReport("regex-dos", { entries: ENTRIES.length, calls, inputBytes: SIZE, limitMs: LIMIT_MS, slower: slow.length, slow, slowest: timings.sort((a, b) => b.fastestMs - a.fastestMs).slice(0, 5) });
    expect(slow).toEqual([]);
  });
});
