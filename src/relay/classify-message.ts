import { isRecord, readArray, readNonEmptyString, readPositiveInteger, readRecord, type JsonRecord } from "../core/json-guards";
import type { AttachmentKind, RelayAttachment } from "../core/relay-event";
import { isOwnSourceId } from "../core/source-id";
import type { DropReason, RelayOptions } from "./classify-webhook";
import type { EventDetails } from "./relay-job";
import { displayName, text } from "./webhook-fields";

const KINDS: readonly AttachmentKind[] = ["image", "video", "audio", "file"];

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

/** Chatwoot's attachments that carry a file (image, video, audio, file); locations and contact cards have none. */
export function readAttachments(value: unknown): RelayAttachment[] {
  const result: RelayAttachment[] = [];
  for (const item of readArray(value)) {
    if (!isRecord(item)) continue;
    const raw = readNonEmptyString(item.data_url);
    const url = parseHttpUrl(raw);
    if (raw === undefined || url === undefined) continue;
    const kind = KINDS.find((value) => value === item.file_type) ?? "file";
    result.push({ url: raw, kind, name: attachmentName(url, readPositiveInteger(item.id), readNonEmptyString(item.extension)) });
  }
  return result.slice(0, 15);
}

function template(payload: JsonRecord, conversationId: number, messageId: number, options: RelayOptions): EventDetails | DropReason {
  const content = text(payload.content);
  if (payload.content_type === "input_csat") {
    if (!options.forwardCsat) return "csat_disabled";
    const link = /https?:\/\/\S+/.exec(content)?.[0];
    if (link !== undefined) return { type: "csat", conversationId, messageId, text: content, link };
  }
  if (!options.forwardTemplates) return "template_disabled";
  return content.trim() === "" ? "empty_message" : { type: "template_message", conversationId, messageId, text: content };
}

/**
 * message_created / message_updated: only an agent's public reply (or, if
 * configured, a template such as out-of-office or CSAT) reaches the user.
 */
export function classifyMessage(payload: JsonRecord, conversationId: number, options: RelayOptions): EventDetails | DropReason {
  const messageId = readPositiveInteger(payload.id);
  if (messageId === undefined) return "malformed";
  if (payload.message_type === "incoming") return "incoming_message";
  if (payload.private === true) return "private_note";
  // Chatwoot always sends a boolean; anything else might be a private note, so it never reaches the user.
  if (payload.private !== false) return "malformed";
  if (isOwnSourceId(payload.source_id)) return "own_message";
  if (payload.message_type === "template") return template(payload, conversationId, messageId, options);
  if (payload.message_type !== "outgoing") return "activity_message";
  const sender = readRecord(payload.sender);
  if (sender.type === "agent_bot") return "bot_message";
  if (sender.type === "captain_assistant") return "captain_message";
  if (sender.type !== "user") return "not_from_agent";
  const attachments = readAttachments(payload.attachments);
  const content = text(payload.content);
  if (content.trim() === "" && attachments.length === 0) return "empty_message";
  return { type: "agent_message", conversationId, messageId, text: content, attachments, agentName: displayName(sender) };
}
