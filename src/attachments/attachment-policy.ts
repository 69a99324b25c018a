import { isIP } from "net";
import { isPrivateAddress } from "./private-address";

export type UrlVerdict = { ok: true; url: URL } | { ok: false; reason: string };

function hostMatches(host: string, pattern: string): boolean {
  const wanted = pattern.trim().toLowerCase();
  if (wanted.startsWith("*.")) return host.endsWith(wanted.slice(1)) && host.length > wanted.length - 1;
  return host === wanted;
}

/**
 * Which attachment URLs from the user's input the extension may download. With
 * an allow-list, only those hosts (exact, or `*.example.com`); without one, any
 * public http(s) host, never localhost or a private or link-local address.
 */
export function checkAttachmentUrl(raw: string, allowedHosts: readonly string[]): UrlVerdict {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, reason: "not a URL" };
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return { ok: false, reason: `protocol ${url.protocol} is not allowed` };
  if (url.username !== "" || url.password !== "") return { ok: false, reason: "URLs with credentials are not allowed" };
  const host = url.hostname.toLowerCase().replace(/^\[|\]$/g, "");
  if (allowedHosts.length > 0) {
    return allowedHosts.some((pattern) => hostMatches(host, pattern)) ? { ok: true, url } : { ok: false, reason: `host ${host} is not in the allowed attachment hosts` };
  }
  if (host === "localhost" || host.endsWith(".localhost") || (isIP(host) !== 0 && isPrivateAddress(host))) {
    return { ok: false, reason: `host ${host} is private` };
  }
  return { ok: true, url };
}
