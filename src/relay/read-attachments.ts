import { clipText } from "../core/clip-text";
import { isRecord, readArray, readNonEmptyString, readPositiveInteger, type JsonRecord } from "../core/json-guards";
import type { AttachmentKind, RelayAttachment } from "../core/relay-event";
import { mapLink } from "./map-link";

/** Chatwoot's attachments that are stored files (`Attachment#with_attached_file?`). */
const FILE_KINDS: readonly AttachmentKind[] = ["image", "video", "audio", "file"];
/** Chatwoot's attachments whose data_url is only their external_url: a link to show, never a file. */
const LINK_TYPES = ["fallback", "embed"];
const MAX_ATTACHMENTS = 15;
const MAX_TITLE = 200;

function attachmentName(url: URL, id: number | undefined, extension: string | undefined): string {
  const segment = url.pathname.split("/").pop() ?? "";
  try {
    const decoded = decodeURIComponent(segment);
    if (decoded !== "" && decoded.includes(".")) return decoded;
  } catch {
    // an undecodable segment: fall through to a generated name
  }
  return `attachment-${id ?? "file"}${extension === undefined ? "" : `.${extension}`}`;
}

function parseHttpUrl(raw: string | undefined): URL | undefined {
  if (raw === undefined) return undefined;
  try {
    const url = new URL(raw);
    return url.protocol === "https:" || url.protocol === "http:" ? url : undefined;
  } catch {
    return undefined;
  }
}

function title(item: JsonRecord): string {
  return clipText(readNonEmptyString(item.fallback_title)?.trim() ?? "", MAX_TITLE);
}

/**
 * One of Chatwoot's attachments (`Attachment#push_event_data`, C12): a
 * location becomes a map link built from its coordinates (or its data_url, the
 * external_url, when they are missing); fallback and embed attachments become
 * links; contact cards, which have no URL, are left out; anything else with a
 * data_url is a file.
 */
function readAttachment(item: JsonRecord): RelayAttachment | undefined {
  const raw = readNonEmptyString(item.data_url);
  const url = parseHttpUrl(raw);
  if (item.file_type === "location") {
    const map = mapLink(item.coordinates_lat, item.coordinates_long) ?? (url === undefined ? undefined : raw);
    return map === undefined ? undefined : { url: map, kind: "location", name: title(item) };
  }
  if (raw === undefined || url === undefined) return undefined;
  if (LINK_TYPES.some((type) => type === item.file_type)) return { url: raw, kind: "link", name: title(item) };
  const kind = FILE_KINDS.find((value) => value === item.file_type) ?? "file";
  const name = attachmentName(url, readPositiveInteger(item.id), readNonEmptyString(item.extension));
  // A file's size in bytes, for Webchat's file tile (issue 11, G6); an optional event field, so older extensions read the event as before.
  const fileSize = item.file_size;
  const size = kind === "file" && typeof fileSize === "number" && Number.isSafeInteger(fileSize) && fileSize >= 0 ? { size: fileSize } : {};
  return { url: raw, kind, name, ...size };
}

/** The attachments of a message the user should see, at most 15 (Chatwoot's limit per message). */
export function readAttachments(value: unknown): RelayAttachment[] {
  const result: RelayAttachment[] = [];
  for (const item of readArray(value)) {
    const read = isRecord(item) ? readAttachment(item) : undefined;
    if (read !== undefined) result.push(read);
  }
  return result.slice(0, MAX_ATTACHMENTS);
}
