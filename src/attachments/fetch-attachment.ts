import type { AxiosResponse, AxiosStatic, LookupAddressEntry } from "axios";
import { promises as dns } from "dns";
import { Agent as HttpAgent } from "http";
import { Agent as HttpsAgent } from "https";
import type { UploadFile } from "../chatwoot/chatwoot-types";
import type { Deadline } from "../chatwoot/deadline";
import { loadAxios } from "../vendor/load-axios";
import { checkAttachmentUrl, type AddressCheck } from "./attachment-policy";
import { isPrivateAddress } from "./private-address";

/** Chatwoot's dashboard refuses files over 40 MB; the extension keeps the same limit. */
export const MAX_ATTACHMENT_BYTES = 40 * 1024 * 1024;
/** Redirects followed, each target checked like the first URL (allow-list, private addresses). */
export const MAX_ATTACHMENT_REDIRECTS = 3;

export interface AttachmentSource {
  url: string;
  name: string;
  contentType: string | null;
}

export interface FetchAttachmentOptions {
  allowedHosts: readonly string[];
  /** What is left of the time for downloads; every hop (redirects included) gets at most that. */
  deadline: Deadline;
  /** Upper bound for one hop. */
  timeoutMs: number;
  maxBytes?: number;
  /** DNS: every address of a name (like `dns.lookup` with `all`). A seam for tests; the default asks the system resolver. */
  resolve?: Resolver;
  /** Which addresses are off limits; defaults to isPrivateAddress. A seam for tests that serve from 127.0.0.1. */
  isPrivate?: AddressCheck;
  /**
   * The designer's "Listed hosts may be private": with a non-empty allow-list,
   * its hosts may be private or internal (an on-premises Cognigy's file store).
   * Ignored without a list, which would open the whole network.
   */
  trustListedHosts?: boolean;
}

export type Resolver = (hostname: string) => Promise<{ address: string; family: number }[]>;

const systemResolver: Resolver = (hostname) => dns.lookup(hostname, { all: true });

const MIN_HOP_MS = 250;

function trusts(options: FetchAttachmentOptions): boolean {
  return options.trustListedHosts === true && options.allowedHosts.length > 0;
}

export class AttachmentError extends Error {
  override readonly name = "AttachmentError";
}

/**
 * Resolves like dns.lookup but refuses the name if any of its addresses is
 * private, so a public name cannot point inside the network. The connection
 * goes to exactly the addresses checked here (no second lookup to rebind).
 */
function publicOnlyLookup(resolve: Resolver, isPrivate: AddressCheck) {
  return async (hostname: string): Promise<[LookupAddressEntry[]]> => {
    const addresses = await resolve(hostname);
    if (addresses.length === 0 || addresses.some((entry) => isPrivate(entry.address))) {
      throw new AttachmentError(`host ${hostname} resolves to a private address`);
    }
    return [addresses.map((entry) => ({ address: entry.address, family: entry.family === 6 ? 6 : 4 }))];
  };
}

function fileName(source: AttachmentSource, url: URL): string {
  let fromUrl = url.pathname.split("/").pop() ?? "";
  try {
    fromUrl = decodeURIComponent(fromUrl);
  } catch {
    // A lone "%" in the path: keep the segment as it is.
  }
  return (source.name || fromUrl || "attachment").replace(/[\r\n"]/g, "_").slice(0, 200);
}

function failure(axios: AxiosStatic, url: URL, error: unknown, maxBytes: number): AttachmentError {
  if (error instanceof AttachmentError) return error;
  if (axios.isAxiosError(error) && error.cause instanceof AttachmentError) return error.cause;
  const code = axios.isAxiosError(error) ? error.code : undefined;
  const status = axios.isAxiosError(error) ? error.response?.status : undefined;
  const tooLarge = code === "ERR_FR_MAX_CONTENT_LENGTH_EXCEEDED" || (error instanceof Error && /maxContentLength/.test(error.message));
  const reason = tooLarge ? `larger than ${maxBytes} bytes` : status !== undefined ? `HTTP ${status}` : (code ?? "download failed");
  return new AttachmentError(`could not download ${url.host}${url.pathname}: ${reason}`);
}

/**
 * One hop: no automatic redirects, since a redirect could lead to an address
 * the policy refuses; the caller checks each Location like the first URL.
 */
async function getOnce(axios: AxiosStatic, url: URL, options: FetchAttachmentOptions, maxBytes: number): Promise<AxiosResponse<ArrayBuffer>> {
  const timeoutMs = options.deadline.timeoutFor(options.timeoutMs);
  if (timeoutMs < MIN_HOP_MS) throw new AttachmentError(`could not download ${url.host}${url.pathname}: no time left`);
  return axios.get<ArrayBuffer>(url.href, {
    responseType: "arraybuffer",
    timeout: timeoutMs,
    signal: AbortSignal.timeout(timeoutMs),
    maxContentLength: maxBytes,
    maxRedirects: 0,
    validateStatus: (status) => status >= 200 && status < 400,
    lookup: publicOnlyLookup(options.resolve ?? systemResolver, trusts(options) ? () => false : (options.isPrivate ?? isPrivateAddress)),
    // Never through HTTP(S)_PROXY: a proxy resolves the name itself, after our check, so it would reach
    // whatever the name points to then (metadata.google.internal, localhost., a rebinding name).
    // Fresh agents, because Node's global agents follow the proxy variables under NODE_USE_ENV_PROXY.
    proxy: false,
    httpAgent: new HttpAgent(),
    httpsAgent: new HttpsAgent(),
  });
}

/** Downloads a file the user sent (Cognigy has it at a URL; Chatwoot wants the bytes). */
export async function fetchAttachment(source: AttachmentSource, options: FetchAttachmentOptions): Promise<UploadFile> {
  const maxBytes = options.maxBytes ?? MAX_ATTACHMENT_BYTES;
  const axios = await loadAxios();
  let target = source.url;
  for (let hop = 0; hop <= MAX_ATTACHMENT_REDIRECTS; hop += 1) {
    const verdict = checkAttachmentUrl(target, options.allowedHosts, options.isPrivate, trusts(options));
    if (!verdict.ok) throw new AttachmentError(verdict.reason);
    let response: AxiosResponse<ArrayBuffer>;
    try {
      response = await getOnce(axios, verdict.url, options, maxBytes);
    } catch (error: unknown) {
      throw failure(axios, verdict.url, error, maxBytes);
    }
    const location = response.headers.location;
    if (response.status >= 300) {
      if (typeof location !== "string") throw new AttachmentError(`could not download ${verdict.url.host}${verdict.url.pathname}: HTTP ${response.status}`);
      target = new URL(location, verdict.url).href;
      continue;
    }
    const header = response.headers["content-type"];
    const contentType = source.contentType ?? (typeof header === "string" ? header.split(";")[0]?.trim() : undefined) ?? "application/octet-stream";
    return { name: fileName(source, verdict.url), contentType, data: Buffer.from(response.data) };
  }
  throw new AttachmentError(`could not download ${source.url.slice(0, 100)}: more than ${MAX_ATTACHMENT_REDIRECTS} redirects`);
}
