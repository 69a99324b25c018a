import { createHmac, timingSafeEqual } from "crypto";

export type SignatureFailure = "missing_header" | "malformed" | "stale" | "mismatch";

export interface SignedRequest {
  rawBody: Buffer;
  signature: string | undefined;
  timestamp: string | undefined;
}

/** Chatwoot defines no tolerance; the relay accepts timestamps up to five minutes off, either way. */
export const SIGNATURE_TOLERANCE_SECONDS = 300;

function hmac(secret: string, timestamp: string, rawBody: Buffer): Buffer {
  return createHmac("sha256", secret).update(`${timestamp}.`).update(rawBody).digest();
}

/** The headers Chatwoot 4.13+ sends (lib/webhooks/trigger.rb): `sha256=<hex HMAC-SHA256(secret, "<ts>.<body>")>`. */
export function signChatwootPayload(rawBody: Buffer, secret: string, timestamp: number): { signature: string; timestamp: string } {
  const ts = String(timestamp);
  return { signature: `sha256=${hmac(secret, ts, rawBody).toString("hex")}`, timestamp: ts };
}

/**
 * Verifies a webhook on its raw bytes against every configured secret (more
 * than one while rotating), in constant time after a length check.
 */
export function verifyChatwootSignature(request: SignedRequest, secrets: readonly string[], nowSeconds: number): { ok: true } | { ok: false; failure: SignatureFailure } {
  const { signature, timestamp } = request;
  if (signature === undefined || timestamp === undefined) return { ok: false, failure: "missing_header" };
  const match = /^sha256=([0-9a-f]{64})$/i.exec(signature.trim());
  if (match?.[1] === undefined || !/^\d{1,12}$/.test(timestamp.trim())) return { ok: false, failure: "malformed" };
  if (Math.abs(nowSeconds - Number(timestamp)) > SIGNATURE_TOLERANCE_SECONDS) return { ok: false, failure: "stale" };
  const given = Buffer.from(match[1], "hex");
  const valid = secrets.some((secret) => {
    const expected = hmac(secret, timestamp.trim(), request.rawBody);
    return expected.length === given.length && timingSafeEqual(expected, given);
  });
  return valid ? { ok: true } : { ok: false, failure: "mismatch" };
}

/** Constant-time comparison of the path token used by Chatwoot versions that do not sign. */
export function pathTokenMatches(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
