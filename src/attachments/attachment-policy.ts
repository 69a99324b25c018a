import { isIP } from "net";
import { isPrivateAddress } from "./private-address";

export const MAX_ATTACHMENT_URL_LENGTH = 8_192;

export type UrlVerdict = { ok: true; url: URL } | { ok: false; reason: string };

/** Decides whether a resolved address is off limits; tests swap it to treat their loopback server as public. */
export type AddressCheck = (address: string) => boolean;

/** Names that mean "this machine" or "this network" wherever they resolve (RFC 6761, 6762, 8375; `.internal` as cloud providers use it). */
const INTERNAL_SUFFIXES = [".localhost", ".internal", ".local", ".localdomain", ".home.arpa", ".lan", ".intranet", ".corp"];

function hostMatches(host: string, pattern: string): boolean {
  const wanted = pattern.trim().toLowerCase().replace(/\.$/, "");
  if (wanted.startsWith("*.")) return host.endsWith(wanted.slice(1)) && host.length > wanted.length - 1;
  return host === wanted;
}

/** A name that points inside by its spelling: localhost, a single label (resolved through the search domains), an internal suffix. */
function isInternalName(host: string): boolean {
  if (host === "localhost" || !host.includes(".")) return true;
  return INTERNAL_SUFFIXES.some((suffix) => host.endsWith(suffix) || host === suffix.slice(1));
}

/**
 * Which attachment URLs from the user's input the extension may download. With
 * an allow-list, only those hosts (exact, or `*.example.com`); with or without
 * one, never localhost, an internal name, or a private, link-local or reserved
 * address. Names are checked again after DNS (see fetch-attachment.ts).
 */
export function checkAttachmentUrl(raw: string, allowedHosts: readonly string[], isPrivate: AddressCheck = isPrivateAddress, trustListedHosts = false): UrlVerdict {
  // Outside data is bounded before it is parsed: no file store needs longer URLs.
  if (raw.length > MAX_ATTACHMENT_URL_LENGTH) return { ok: false, reason: `URL longer than ${MAX_ATTACHMENT_URL_LENGTH} characters` };
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, reason: "not a URL" };
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return { ok: false, reason: `protocol ${url.protocol} is not allowed` };
  if (url.username !== "" || url.password !== "") return { ok: false, reason: "URLs with credentials are not allowed" };
  const host = url.hostname.toLowerCase().replace(/^\[|\]$/g, "");
  // "localhost." and "metadata.google.internal." name the same hosts as without the dot.
  const name = host.replace(/\.$/, "");
  if (allowedHosts.length > 0 && !allowedHosts.some((pattern) => hostMatches(name, pattern))) {
    return { ok: false, reason: `host ${host} is not in the allowed attachment hosts` };
  }
  // Only hosts the designer listed may be trusted, and only when they said so (on-premises file stores).
  const trusted = trustListedHosts && allowedHosts.length > 0;
  if (!trusted && (isIP(name) !== 0 ? isPrivate(name) : isInternalName(name))) return { ok: false, reason: `host ${host} is private` };
  return { ok: true, url };
}
