import { isRecord, readPositiveInteger } from "../src/core/json-guards";
import { normaliseChatwootBaseUrl } from "../src/chatwoot/chatwoot-base-url";

/** A checked connection: base URL normalised to Chatwoot's origin (and path prefix), without `/api/v1`. */
export interface ChatwootConnection {
  baseUrl: string;
  accountId: number;
  apiKey: string;
  relaySecret: string;
  /** The API inbox's HMAC token (identity validation); undefined when not set. */
  identityToken?: string;
}

export type ParseConnectionResult = { ok: true; connection: ChatwootConnection } | { ok: false; field: string; message: string };

export const MIN_RELAY_SECRET_LENGTH = 32;

function fail(field: string, problem: string): ParseConnectionResult {
  return { ok: false, field, message: `Chatwoot connection: field "${field}" ${problem}.` };
}

/** Checks the connection once at the top of a node; the message names the field and never echoes a secret. */
export function parseChatwootConnection(value: unknown): ParseConnectionResult {
  if (!isRecord(value)) return { ok: false, field: "connection", message: "No Chatwoot connection is selected on this node." };
  const { baseUrl, accountId, apiKey, relaySecret } = value;
  if (typeof baseUrl !== "string" || baseUrl.trim() === "") return fail("baseUrl", "is missing");
  const normalised = normaliseChatwootBaseUrl(baseUrl);
  if (normalised === undefined) return fail("baseUrl", "must be an http(s) URL such as https://chat.example.com, without credentials or query");
  if (accountId === undefined || accountId === null || accountId === "") return fail("accountId", "is missing");
  const account = readPositiveInteger(accountId);
  if (account === undefined) return fail("accountId", "must be a positive whole number (the number in /app/accounts/<id>/)");
  if (typeof apiKey !== "string" || apiKey.trim() === "") return fail("apiKey", "is missing");
  if (/\s/.test(apiKey.trim()) || apiKey.trim().length < 8) return fail("apiKey", "is malformed (a Chatwoot access token has no spaces)");
  if (typeof relaySecret !== "string" || relaySecret === "") return fail("relaySecret", "is missing");
  if (relaySecret.length < MIN_RELAY_SECRET_LENGTH) return fail("relaySecret", `must be at least ${MIN_RELAY_SECRET_LENGTH} characters long`);
  const { hmacToken } = value;
  if (hmacToken !== undefined && hmacToken !== null && typeof hmacToken !== "string") return fail("hmacToken", "must be text");
  const identityToken = typeof hmacToken === "string" ? hmacToken.trim() : "";
  if (/\s/.test(identityToken)) return fail("hmacToken", "is malformed (an inbox's HMAC token has no spaces)");
  return { ok: true, connection: { baseUrl: normalised, accountId: account, apiKey: apiKey.trim(), relaySecret, ...(identityToken === "" ? {} : { identityToken }) } };
}

/** Identifies the Chatwoot account in cached state, so a cache from another account is never used. */
export function accountKey(connection: ChatwootConnection): string {
  return `${connection.baseUrl}#${connection.accountId}`;
}
