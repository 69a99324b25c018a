import { createHmac, timingSafeEqual } from "crypto";
import { canonicalJson } from "./canonical-json";
import { keyFor, type SecretOrKeys } from "./derive-key";
import { isRecord } from "./json-guards";
import { parseRelayEventBody, type RelayEventBody } from "./relay-event";

export type SignedRelayEvent = RelayEventBody & { sig: string };

export type VerifyRelayEventResult =
  | { ok: true; event: RelayEventBody }
  | { ok: false; reason: "absent" | "malformed" | "bad_signature" | "stale" | "wrong_session" };

/** Events older than this are refused, so a captured event cannot be replayed later. */
export const RELAY_EVENT_MAX_AGE_MS = 5 * 60 * 1000;
/** Tolerated clock skew between the relay and Cognigy for events "from the future". */
export const RELAY_EVENT_MAX_SKEW_MS = 60 * 1000;

function mac(body: unknown, secret: SecretOrKeys): Buffer {
  return createHmac("sha256", keyFor(secret, "relay-event")).update(canonicalJson(body)).digest();
}

/** Signs an event for injection; the Session node accepts it only with the same relay secret. */
export function signRelayEvent(body: RelayEventBody, secret: SecretOrKeys): SignedRelayEvent {
  return { ...body, sig: mac(body, secret).toString("base64url") };
}

/**
 * Verifies `input.data.chatwoot`: an HMAC over every field but `sig`, made with
 * the relay secret, at most five minutes old, and addressed to this session.
 */
export function verifyRelayEvent(
  value: unknown,
  secret: SecretOrKeys,
  expectedSessionId: string,
  now: number = Date.now(),
): VerifyRelayEventResult {
  if (value === undefined || value === null) return { ok: false, reason: "absent" };
  if (!isRecord(value) || typeof value.sig !== "string") return { ok: false, reason: "malformed" };
  const { sig, ...unsigned } = value;
  const given = Buffer.from(sig, "base64url");
  let expected: Buffer;
  try {
    expected = mac(unsigned, secret);
  } catch {
    return { ok: false, reason: "malformed" };
  }
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: "bad_signature" };
  const event = parseRelayEventBody(unsigned);
  if (event === undefined) return { ok: false, reason: "malformed" };
  if (now - event.ts > RELAY_EVENT_MAX_AGE_MS || event.ts - now > RELAY_EVENT_MAX_SKEW_MS) return { ok: false, reason: "stale" };
  if (event.sessionId !== expectedSessionId) return { ok: false, reason: "wrong_session" };
  return { ok: true, event };
}
