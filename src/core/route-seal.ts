import { createCipheriv, createDecipheriv, randomBytes } from "crypto";
import { keyFor, type SecretOrKeys } from "./derive-key";
import { isRecord } from "./json-guards";

/** Where the relay injects an agent's replies: one Cognigy session. */
export interface SessionRoute {
  userId: string;
  sessionId: string;
  urlToken: string;
}

/**
 * What a sealed route is bound to. The relay reads both from the webhook
 * (`conversation.inbox_id`, `conversation.contact_inbox.source_id`), so a route
 * copied onto another contact's conversation fails authentication.
 */
export interface RouteBinding {
  inboxId: number;
  sourceId: string;
}

export type OpenRouteResult =
  | { ok: true; route: SessionRoute }
  | { ok: false; reason: "missing" | "malformed" | "unauthentic" };

/** The conversation custom attribute that carries the sealed route. */
export const ROUTE_ATTRIBUTE = "cognigy_route";

const VERSION = "v1";
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** Longer user ids, session ids or URL tokens cannot be sealed (Cognigy's own limit is 256). */
export const MAX_ROUTE_FIELD_LENGTH = 512;

function associatedData(binding: RouteBinding): Buffer {
  return Buffer.from(`chatwoot-route:${VERSION}:${binding.inboxId}:${binding.sourceId}`, "utf8");
}

/** Encrypts and authenticates a route with AES-256-GCM under a key derived from the relay secret. */
export function sealRoute(route: SessionRoute, binding: RouteBinding, secret: SecretOrKeys): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", keyFor(secret, "route-seal"), iv);
  cipher.setAAD(associatedData(binding));
  const plaintext = JSON.stringify({ u: route.userId, s: route.sessionId, t: route.urlToken });
  const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final(), cipher.getAuthTag()]);
  return `${VERSION}.${iv.toString("base64url")}.${ciphertext.toString("base64url")}`;
}

function readField(value: unknown): string | undefined {
  return typeof value === "string" && value.length > 0 && value.length <= MAX_ROUTE_FIELD_LENGTH ? value : undefined;
}

function parsePlaintext(plaintext: string): SessionRoute | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(plaintext);
  } catch {
    return undefined;
  }
  if (!isRecord(parsed)) return undefined;
  const userId = readField(parsed.u);
  const sessionId = readField(parsed.s);
  const urlToken = readField(parsed.t);
  if (userId === undefined || sessionId === undefined || urlToken === undefined) return undefined;
  return { userId, sessionId, urlToken };
}

/** Opens a sealed route; anything altered, truncated or bound to another contact is "unauthentic". */
export function openRoute(sealed: unknown, binding: RouteBinding, secret: SecretOrKeys): OpenRouteResult {
  if (sealed === undefined || sealed === null || sealed === "") return { ok: false, reason: "missing" };
  if (typeof sealed !== "string" || sealed.length > 4096) return { ok: false, reason: "malformed" };
  const parts = sealed.split(".");
  if (parts.length !== 3 || parts[0] !== VERSION) return { ok: false, reason: "malformed" };
  const iv = Buffer.from(parts[1] ?? "", "base64url");
  const body = Buffer.from(parts[2] ?? "", "base64url");
  if (iv.length !== IV_BYTES || body.length <= TAG_BYTES) return { ok: false, reason: "malformed" };
  try {
    const decipher = createDecipheriv("aes-256-gcm", keyFor(secret, "route-seal"), iv);
    decipher.setAAD(associatedData(binding));
    decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
    const plaintext = Buffer.concat([decipher.update(body.subarray(0, body.length - TAG_BYTES)), decipher.final()]);
    const route = parsePlaintext(plaintext.toString("utf8"));
    return route === undefined ? { ok: false, reason: "unauthentic" } : { ok: true, route };
  } catch {
    return { ok: false, reason: "unauthentic" };
  }
}
