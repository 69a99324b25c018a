import type { AttachmentSource } from "../attachments/fetch-attachment";
import { isRecord, readArray, readNonEmptyString, type JsonRecord } from "../core/json-guards";

/** Chatwoot accepts at most 15 attachments per message. */
export const MAX_INPUT_ATTACHMENTS = 15;

/**
 * The files a user sent, as Cognigy Webchat puts them in `input.data.attachments`
 * (`{fileName, mimeType, size, url}`); `name` and `type` are accepted as well.
 */
export function readInputAttachments(data: JsonRecord): AttachmentSource[] {
  const sources: AttachmentSource[] = [];
  for (const item of readArray(data.attachments)) {
    if (!isRecord(item)) continue;
    const url = readNonEmptyString(item.url);
    if (url === undefined) continue;
    const contentType = readNonEmptyString(item.mimeType) ?? readNonEmptyString(item.type);
    sources.push({ url, name: readNonEmptyString(item.fileName) ?? readNonEmptyString(item.name) ?? "", contentType: contentType !== undefined && contentType.includes("/") ? contentType : null });
  }
  return sources.slice(0, MAX_INPUT_ATTACHMENTS);
}
