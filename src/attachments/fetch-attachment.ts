import axios, { type LookupAddressEntry } from "axios";
import { promises as dns } from "dns";
import type { UploadFile } from "../chatwoot/chatwoot-types";
import { checkAttachmentUrl } from "./attachment-policy";
import { isPrivateAddress } from "./private-address";

/** Chatwoot's dashboard refuses files over 40 MB; the extension keeps the same limit. */
export const MAX_ATTACHMENT_BYTES = 40 * 1024 * 1024;

export interface AttachmentSource {
  url: string;
  name: string;
  contentType: string | null;
}

export interface FetchAttachmentOptions {
  allowedHosts: readonly string[];
  timeoutMs: number;
  maxBytes?: number;
}

export class AttachmentError extends Error {
  override readonly name = "AttachmentError";
}

/** Resolves like dns.lookup but refuses private addresses, so a public name cannot point inside the network. */
async function publicOnlyLookup(hostname: string): Promise<[LookupAddressEntry[]]> {
  const addresses = await dns.lookup(hostname, { all: true });
  if (addresses.length === 0 || addresses.some((entry) => isPrivateAddress(entry.address))) {
    throw new AttachmentError(`host ${hostname} resolves to a private address`);
  }
  return [addresses.map((entry) => ({ address: entry.address, family: entry.family === 6 ? 6 : 4 }))];
}

function fileName(source: AttachmentSource, url: URL): string {
  const fromUrl = decodeURIComponent(url.pathname.split("/").pop() ?? "");
  const name = (source.name || fromUrl || "attachment").replace(/[\r\n"]/g, "_");
  return name.slice(0, 200);
}

/** Downloads a file the user sent (Cognigy has it at a URL; Chatwoot wants the bytes). */
export async function fetchAttachment(source: AttachmentSource, options: FetchAttachmentOptions): Promise<UploadFile> {
  const verdict = checkAttachmentUrl(source.url, options.allowedHosts);
  if (!verdict.ok) throw new AttachmentError(verdict.reason);
  const maxBytes = options.maxBytes ?? MAX_ATTACHMENT_BYTES;
  try {
    const response = await axios.get<ArrayBuffer>(verdict.url.href, {
      responseType: "arraybuffer",
      timeout: options.timeoutMs,
      signal: AbortSignal.timeout(options.timeoutMs),
      maxContentLength: maxBytes,
      maxRedirects: options.allowedHosts.length > 0 ? 0 : 3,
      validateStatus: (status) => status >= 200 && status < 300,
      ...(options.allowedHosts.length > 0 ? {} : { lookup: publicOnlyLookup }),
    });
    const header = response.headers["content-type"];
    const contentType = source.contentType ?? (typeof header === "string" ? header.split(";")[0]?.trim() : undefined) ?? "application/octet-stream";
    return { name: fileName(source, verdict.url), contentType, data: Buffer.from(response.data) };
  } catch (error: unknown) {
    if (error instanceof AttachmentError) throw error;
    if (axios.isAxiosError(error) && error.cause instanceof AttachmentError) throw error.cause;
    const status = axios.isAxiosError(error) ? error.response?.status : undefined;
    const code = axios.isAxiosError(error) ? error.code : undefined;
    const reason = status !== undefined ? `HTTP ${status}` : code === "ERR_FR_MAX_CONTENT_LENGTH_EXCEEDED" ? `larger than ${maxBytes} bytes` : (code ?? "download failed");
    throw new AttachmentError(`could not download ${verdict.url.host}${verdict.url.pathname}: ${reason}`);
  }
}
