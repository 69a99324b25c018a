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

export type RouteFailure = { ok: false; reason: "missing" | "malformed" | "unauthentic" };

export type OpenRouteResult = { ok: true; route: SessionRoute } | RouteFailure;

/**
 * An opened route with the time its handover sealed it (ms since the epoch,
 * authenticated with the route), or null for a seal made before seals carried
 * one: then nobody can tell whether it is older than another route.
 */
export type OpenStampedRouteResult = { ok: true; route: SessionRoute; issuedAt: number | null; options: RouteOptions } | RouteFailure;

/**
 * What the handover asked of the relay, sealed with its route so nobody else
 * can ask it (plaintext field `q`, issue 13). Absent in older seals: false.
 */
export interface RouteOptions {
  /** Send the user queue position and wait updates while no agent has answered. */
  queueUpdates: boolean;
}

export const NO_ROUTE_OPTIONS: RouteOptions = { queueUpdates: false };

/** The conversation custom attribute that carries the sealed route. */
export const ROUTE_ATTRIBUTE = "cognigy_route";

/**
 * The envelope's version. Seals that carry their issue time (plaintext field
 * `i`, C15) keep "v1": the field is inside the authenticated plaintext, and a
 * relay that does not know it ignores it, so an extension and a relay can be
 * upgraded in either order.
 */
const VERSION = "v1";
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** Longer user ids, session ids or URL tokens cannot be sealed (Cognigy's own limit is 256). */
export const MAX_ROUTE_FIELD_LENGTH = 512;

function associatedData(binding: RouteBinding): Buffer {
  return Buffer.from(`chatwoot-route:${VERSION}:${binding.inboxId}:${binding.sourceId}`, "utf8");
}

/** Encrypts and authenticates a route, with the time it is issued (ms), with AES-256-GCM under a key derived from the relay secret. */
export function sealRoute(route: SessionRoute, binding: RouteBinding, secret: SecretOrKeys, issuedAt: number = Date.now(), options: RouteOptions = NO_ROUTE_OPTIONS): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", keyFor(secret, "route-seal"), iv);
  cipher.setAAD(associatedData(binding));
  const plaintext = JSON.stringify({ u: route.userId, s: route.sessionId, t: route.urlToken, i: Math.max(0, Math.floor(issuedAt)), ...(options.queueUpdates ? { q: 1 } : {}) });
  const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final(), cipher.getAuthTag()]);
  return `${VERSION}.${iv.toString("base64url")}.${ciphertext.toString("base64url")}`;
}

function readField(value: unknown): string | undefined {
  return typeof value === "string" && value.length > 0 && value.length <= MAX_ROUTE_FIELD_LENGTH ? value : undefined;
}

/** Absent: a seal from before issue times (null); present: a whole number of ms, or the seal is refused. */
function readIssuedAt(value: unknown): number | null | undefined {
  if (value === undefined) return null;
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0 ? value : undefined;
}

function parsePlaintext(plaintext: string): { route: SessionRoute; issuedAt: number | null; options: RouteOptions } | undefined {
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
  const issuedAt = readIssuedAt(parsed.i);
  if (userId === undefined || sessionId === undefined || urlToken === undefined || issuedAt === undefined) return undefined;
  if (parsed.q !== undefined && parsed.q !== 1) return undefined;
  return { route: { userId, sessionId, urlToken }, issuedAt, options: { queueUpdates: parsed.q === 1 } };
}

/** The longest sealed value read; longer ones are malformed (Chatwoot itself keeps at most 1,500 characters, C8). */
export const MAX_SEALED_LENGTH = 4096;

/**
 * The longest contact source id a route is opened for. Chatwoot's are UUIDs,
 * e-mail addresses, phone numbers or channel ids; a longer one comes from a
 * hostile payload and is refused before any work (issue 12 item 1).
 */
export const MAX_SOURCE_ID_LENGTH = 1024;

/** Opens a sealed route with its issue time; anything altered, truncated or bound to another contact is "unauthentic". */
export function openStampedRoute(sealed: unknown, binding: RouteBinding, secret: SecretOrKeys): OpenStampedRouteResult {
  if (sealed === undefined || sealed === null || sealed === "") return { ok: false, reason: "missing" };
  if (typeof sealed !== "string" || sealed.length > MAX_SEALED_LENGTH || binding.sourceId.length > MAX_SOURCE_ID_LENGTH) return { ok: false, reason: "malformed" };
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
    const opened = parsePlaintext(plaintext.toString("utf8"));
    return opened === undefined ? { ok: false, reason: "unauthentic" } : { ok: true, ...opened };
  } catch {
    return { ok: false, reason: "unauthentic" };
  }
}

/** Opens a sealed route; anything altered, truncated or bound to another contact is "unauthentic". */
export function openRoute(sealed: unknown, binding: RouteBinding, secret: SecretOrKeys): OpenRouteResult {
  const opened = openStampedRoute(sealed, binding, secret);
  return opened.ok ? { ok: true, route: opened.route } : opened;
}
