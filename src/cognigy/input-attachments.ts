import type { AttachmentSource } from "../attachments/fetch-attachment";
import { isRecord, readArray, readNonEmptyString, type JsonRecord } from "../core/json-guards";

/** Chatwoot accepts at most 15 attachments per message. */
export const MAX_INPUT_ATTACHMENTS = 15;

/** A URL alone, as in `input.attachments`. */
function readUrl(item: unknown): AttachmentSource | undefined {
  const url = typeof item === "string" ? item.trim() : "";
  return url === "" ? undefined : { url, name: "", contentType: null };
}

/** A file entry `{fileName, mimeType, size, url}`; `name` and `type` are accepted as well. */
function readEntry(item: unknown): AttachmentSource | undefined {
  if (!isRecord(item)) return undefined;
  const url = readNonEmptyString(item.url);
  if (url === undefined) return undefined;
  const contentType = readNonEmptyString(item.mimeType) ?? readNonEmptyString(item.type);
  return { url, name: readNonEmptyString(item.fileName) ?? readNonEmptyString(item.name) ?? "", contentType: contentType !== undefined && contentType.includes("/") ? contentType : null };
}

/**
 * The files a user sent: Cognigy Webchat v3 puts them in `input.data.attachments`
 * as `{fileName, mimeType, size, url}`; Cognigy's input also has a top-level
 * `input.attachments`, "an array of URLs pointing to the attachments uploaded
 * to the chat" (G10), which other channels fill. Both are read, the described
 * entries first; a URL in both is taken once.
 */
export function readInputAttachments(data: JsonRecord, inputAttachments?: unknown): AttachmentSource[] {
  const sources: AttachmentSource[] = [];
  const seen = new Set<string>();
  const candidates = [...readArray(data.attachments).map(readEntry), ...readArray(inputAttachments).map((item) => readUrl(item) ?? readEntry(item))];
  for (const source of candidates) {
    if (source === undefined || seen.has(source.url)) continue;
    seen.add(source.url);
    sources.push(source);
    if (sources.length === MAX_INPUT_ATTACHMENTS) break;
  }
  return sources;
}
