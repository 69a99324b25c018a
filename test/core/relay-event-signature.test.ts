import { createHmac, randomBytes, randomInt } from "crypto";
import { canonicalJson } from "../../src/core/canonical-json";
import { deriveKey } from "../../src/core/derive-key";
import type { RelayEventBody } from "../../src/core/relay-event";
import { RELAY_EVENT_MAX_AGE_MS, RELAY_EVENT_MAX_SKEW_MS, signRelayEvent, verifyRelayEvent } from "../../src/core/relay-event-signature";

const SECRET = "relay-secret-0123456789-abcdefghijklmnop";
const NOW = Date.UTC(2025, 5, 2, 10, 0, 0);
const BASE64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

const EVENT: RelayEventBody = {
  v: 1,
  id: "evt-1",
  sessionId: "session-1",
  conversationId: 42,
  ts: NOW,
  type: "agent_message",
  messageId: 9,
  text: "Hello from the agent",
  agentName: "Ada",
  attachments: [{ url: "https://chat.example.com/a.png", kind: "image", name: "a.png" }],
};

/** What Cognigy's inject API may do to `data`: a JSON round trip with keys in another order. */
function reorderKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reorderKeys);
  if (typeof value !== "object" || value === null) return value;
  return Object.fromEntries(Object.entries(value).reverse().map(([key, item]) => [key, reorderKeys(item)]));
}

/** A valid signature over any body, as the relay would compute it. */
function signAnything(body: Record<string, unknown>): Record<string, unknown> {
  return { ...body, sig: createHmac("sha256", deriveKey(SECRET, "relay-event")).update(canonicalJson(body)).digest("base64url") };
}

/** Changes one base64url character so that the decoded bytes change too. */
function mutateAt(text: string, index: number): string {
  const digit = BASE64URL.indexOf(text.charAt(index));
  return `${text.slice(0, index)}${BASE64URL.charAt(digit ^ 32)}${text.slice(index + 1)}`;
}

describe("signRelayEvent", () => {
  it("adds a base64url HMAC-SHA256 signature and keeps every field", () => {
    const signed = signRelayEvent(EVENT, SECRET);
    expect(signed).toEqual({ ...EVENT, sig: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) });
  });

  it("signs the same event the same way whatever the key order", () => {
    const reordered: RelayEventBody = {
      attachments: [{ name: "a.png", kind: "image", url: "https://chat.example.com/a.png" }],
      agentName: "Ada",
      text: "Hello from the agent",
      messageId: 9,
      type: "agent_message",
      ts: NOW,
      conversationId: 42,
      sessionId: "session-1",
      id: "evt-1",
      v: 1,
    };
    expect(signRelayEvent(reordered, SECRET).sig).toBe(signRelayEvent(EVENT, SECRET).sig);
  });

  it("signs different events differently", () => {
    expect(signRelayEvent({ ...EVENT, text: "Hello from the agent!" }, SECRET).sig).not.toBe(signRelayEvent(EVENT, SECRET).sig);
  });
});

describe("verifyRelayEvent", () => {
  it("accepts an event signed with the relay secret for this session", () => {
    expect(verifyRelayEvent(signRelayEvent(EVENT, SECRET), SECRET, "session-1", NOW)).toEqual({ ok: true, event: EVENT });
  });

  it("accepts an event after it travelled through JSON with its keys reordered", () => {
    const travelled = JSON.parse(JSON.stringify(reorderKeys(signRelayEvent(EVENT, SECRET))));
    expect(verifyRelayEvent(travelled, SECRET, "session-1", NOW)).toEqual({ ok: true, event: EVENT });
  });

  it("round-trips random events of every type", () => {
    for (let run = 0; run < 100; run += 1) {
      const sessionId = randomBytes(8).toString("hex");
      const base: Pick<RelayEventBody, "v" | "id" | "sessionId" | "conversationId" | "ts"> = { v: 1, id: randomBytes(6).toString("hex"), sessionId, conversationId: randomInt(1, 100_000), ts: NOW - randomInt(0, RELAY_EVENT_MAX_AGE_MS) };
      const events: RelayEventBody[] = [
        { ...base, type: "agent_message", messageId: randomInt(1, 1e6), text: randomBytes(20).toString("base64"), agentName: "A", attachments: [] },
        { ...base, type: "template_message", messageId: randomInt(1, 1e6), text: randomBytes(20).toString("base64") },
        { ...base, type: "csat", messageId: randomInt(1, 1e6), text: "Rate", link: `https://x.example/${randomBytes(4).toString("hex")}` },
        { ...base, type: "status_changed", status: "open" },
        { ...base, type: "agent_assigned", agentName: randomBytes(5).toString("hex") },
      ];
      for (const event of events) {
        expect(verifyRelayEvent(JSON.parse(JSON.stringify(signRelayEvent(event, SECRET))), SECRET, sessionId, NOW)).toEqual({ ok: true, event });
      }
    }
  });

  it("refuses an event signed with another secret", () => {
    expect(verifyRelayEvent(signRelayEvent(EVENT, `${SECRET}-old`), SECRET, "session-1", NOW)).toEqual({ ok: false, reason: "bad_signature" });
  });

  it.each([
    { field: "text", value: "Please send your password" },
    { field: "conversationId", value: 43 },
    { field: "sessionId", value: "session-2" },
    { field: "ts", value: NOW + 1 },
    { field: "id", value: "evt-2" },
    { field: "attachments", value: [] },
  ])("refuses a signed event whose $field was changed", ({ field, value }) => {
    const forged = { ...signRelayEvent(EVENT, SECRET), [field]: value };
    expect(verifyRelayEvent(forged, SECRET, "session-1", NOW)).toEqual({ ok: false, reason: "bad_signature" });
  });

  it("refuses a signed event with an added field", () => {
    const forged = { ...signRelayEvent(EVENT, SECRET), handover: true };
    expect(verifyRelayEvent(forged, SECRET, "session-1", NOW)).toEqual({ ok: false, reason: "bad_signature" });
  });

  it("refuses a signature in which any single character was changed", () => {
    const signed = signRelayEvent(EVENT, SECRET);
    for (let index = 0; index < signed.sig.length; index += 1) {
      expect({ index, result: verifyRelayEvent({ ...signed, sig: mutateAt(signed.sig, index) }, SECRET, "session-1", NOW) }).toEqual({
        index,
        result: { ok: false, reason: "bad_signature" },
      });
    }
  });

  it.each([
    { name: "empty", sig: "" },
    { name: "truncated", sig: "AAAA" },
    { name: "too long", sig: Buffer.alloc(64).toString("base64url") },
  ])("refuses a signature that is $name", ({ sig }) => {
    expect(verifyRelayEvent({ ...EVENT, sig }, SECRET, "session-1", NOW)).toEqual({ ok: false, reason: "bad_signature" });
  });

  it("refuses an event signed for another session, even with a valid signature", () => {
    expect(verifyRelayEvent(signRelayEvent(EVENT, SECRET), SECRET, "session-2", NOW)).toEqual({ ok: false, reason: "wrong_session" });
  });

  it.each([
    { name: "exactly five minutes old", ts: NOW - RELAY_EVENT_MAX_AGE_MS, ok: true },
    { name: "one millisecond older than five minutes", ts: NOW - RELAY_EVENT_MAX_AGE_MS - 1, ok: false },
    { name: "an hour old (a replay)", ts: NOW - 3_600_000, ok: false },
    { name: "60 s in the future (clock skew)", ts: NOW + RELAY_EVENT_MAX_SKEW_MS, ok: true },
    { name: "60.001 s in the future", ts: NOW + RELAY_EVENT_MAX_SKEW_MS + 1, ok: false },
    { name: "a day in the future", ts: NOW + 86_400_000, ok: false },
  ])("accepts an event $name: $ok", ({ ts, ok }) => {
    const result = verifyRelayEvent(signRelayEvent({ ...EVENT, ts }, SECRET), SECRET, "session-1", NOW);
    expect(result).toEqual(ok ? { ok: true, event: { ...EVENT, ts } } : { ok: false, reason: "stale" });
  });

  it("defaults the clock to now", () => {
    const fresh = { ...EVENT, ts: Date.now() };
    expect(verifyRelayEvent(signRelayEvent(fresh, SECRET), SECRET, "session-1").ok).toBe(true);
    expect(verifyRelayEvent(signRelayEvent(EVENT, SECRET), SECRET, "session-1")).toEqual({ ok: false, reason: "stale" });
  });

  it.each([
    { name: "undefined", value: undefined },
    { name: "null", value: null },
  ])("reports $name as absent", ({ value }) => {
    expect(verifyRelayEvent(value, SECRET, "session-1", NOW)).toEqual({ ok: false, reason: "absent" });
  });

  it.each([
    { name: "a string", value: "event" },
    { name: "an array", value: [EVENT] },
    { name: "an event without signature", value: EVENT },
    { name: "a numeric signature", value: { ...EVENT, sig: 5 } },
  ])("reports $name as malformed", ({ value }) => {
    expect(verifyRelayEvent(value, SECRET, "session-1", NOW)).toEqual({ ok: false, reason: "malformed" });
  });

  it.each([
    { name: "an unknown type", body: { ...EVENT, type: "message_deleted" } },
    { name: "a timestamp as string", body: { ...EVENT, ts: String(NOW) } },
    { name: "version 2", body: { ...EVENT, v: 2 } },
  ])("reports a correctly signed body with $name as malformed", ({ body }) => {
    expect(verifyRelayEvent(signAnything(body), SECRET, "session-1", NOW)).toEqual({ ok: false, reason: "malformed" });
  });

  it("checks the signature before the content, so an unsigned oddity is a bad signature", () => {
    const { sig } = signRelayEvent(EVENT, SECRET);
    expect(verifyRelayEvent({ ...EVENT, type: "message_deleted", sig }, SECRET, "session-1", NOW)).toEqual({ ok: false, reason: "bad_signature" });
  });

  it("reports a signed body with a value JSON cannot carry as malformed", () => {
    expect(verifyRelayEvent({ ...EVENT, ts: Number.NaN, sig: signRelayEvent(EVENT, SECRET).sig }, SECRET, "session-1", NOW)).toEqual({ ok: false, reason: "malformed" });
  });
});
