import { clipText } from "../core/clip-text";
import { readPositiveInteger, readRecord, type JsonRecord } from "../core/json-guards";
import { isOwnSourceId } from "../core/source-id";
import type { DropReason, RelayOptions } from "./classify-webhook";
import type { EventDetails } from "./relay-job";
import { fitEventSize } from "./fit-event-size";
import { readAttachments } from "./read-attachments";
import { accountIdOf, displayName, text } from "./webhook-fields";

export { readAttachments } from "./read-attachments";

/**
 * The most of a message's text an event carries. Chatwoot allows 150,000
 * characters; the Session node shows at most 10,000 after turning markup into
 * text, and this keeps every inject well under Cognigy's 65 kB input limit and
 * bounds what the markup renderer reads.
 */
export const MAX_EVENT_TEXT = 20_000;

function content(payload: JsonRecord): string {
  return clipText(text(payload.content), MAX_EVENT_TEXT);
}

function template(payload: JsonRecord, conversationId: number, messageId: number, options: RelayOptions): EventDetails | DropReason {
  const full = text(payload.content);
  if (payload.content_type === "input_csat") {
    if (!options.forwardCsat) return "csat_disabled";
    // Searched in the clipped text only (issue 12 §2): the link is one the user can see.
    const link = /https?:\/\/\S+/.exec(content(payload))?.[0];
    if (link !== undefined) return fitEventSize({ type: "csat" as const, conversationId, messageId, text: content(payload), link });
  }
  if (!options.forwardTemplates) return "template_disabled";
  return full.trim() === "" ? "empty_message" : fitEventSize({ type: "template_message" as const, conversationId, messageId, text: content(payload) });
}

/**
 * Chatwoot's destroy replaces the content with "This message was deleted" (in
 * the account's language) and sets `content_attributes.deleted` (C11); the flag
 * is what counts, never the text.
 */
function isDeleted(payload: JsonRecord): boolean {
  const deleted = readRecord(payload.content_attributes).deleted;
  return deleted === true || deleted === "true";
}

function outgoing(payload: JsonRecord, conversationId: number, messageId: number, agentName: string, from: "agent" | "automation"): EventDetails | DropReason {
  const attachments = readAttachments(payload.attachments);
  const body = content(payload);
  if (body.trim() === "" && attachments.length === 0) return "empty_message";
  return fitEventSize({ type: "agent_message" as const, conversationId, messageId, text: body, attachments, agentName, ...(from === "automation" ? { from } : {}) });
}

/**
 * message_created / message_updated: only an agent's public reply, an
 * automation rule's message (outgoing, sender null: C9) and, if configured, a
 * template such as out-of-office or CSAT reach the user. A deleted message
 * never does: it was either delivered before (and the user keeps it, as in
 * Chatwoot's own widget) or is not to be seen at all.
 */
export function classifyMessage(payload: JsonRecord, conversationId: number, options: RelayOptions): EventDetails | DropReason {
  const messageId = readPositiveInteger(payload.id);
  if (messageId === undefined) return "malformed";
  if (payload.message_type === "incoming") return "incoming_message";
  if (payload.private === true) return "private_note";
  // Chatwoot always sends a boolean; anything else might be a private note, so it never reaches the user.
  if (payload.private !== false) return "malformed";
  if (isOwnSourceId(payload.source_id)) return "own_message";
  if (isDeleted(payload)) return "message_deleted";
  if (payload.message_type === "template") return template(payload, conversationId, messageId, options);
  if (payload.message_type !== "outgoing") return "activity_message";
  // Only an explicit null is Chatwoot's "no sender" (automation rules); a missing or unreadable sender stays not_from_agent.
  if (payload.sender === null) return options.forwardAutomationMessages !== false ? outgoing(payload, conversationId, messageId, "", "automation") : "automation_disabled";
  const sender = readRecord(payload.sender);
  if (sender.type === "agent_bot") return "bot_message";
  if (sender.type === "captain_assistant") return "captain_message";
  if (sender.type !== "user") return "not_from_agent";
  return outgoing(payload, conversationId, messageId, senderName(payload, sender, options), "agent");
}

/**
 * The name the agent shows customers when the relay knows it (options.agentName: from verified
 * webhooks' push data), else what the message's sender carries: User#webhook_data has only the
 * full name (app/models/user.rb), and the delivery looks the display name up (see agent-directory.ts).
 */
function senderName(payload: JsonRecord, sender: JsonRecord, options: RelayOptions): string {
  const senderId = readPositiveInteger(sender.id);
  const known = senderId === undefined ? undefined : options.agentName?.(accountIdOf(payload, readRecord(payload.conversation)), senderId);
  return known ?? displayName(sender);
}

/**
 * The agent whose name a job still has to look up at delivery: the sender of an agent's
 * message (not an automation rule's) whose display name the relay did not know at intake.
 */
export function unresolvedAgentId(payload: JsonRecord, accountId: number, options: RelayOptions): number | undefined {
  const sender = readRecord(payload.sender);
  if (sender.type !== "user") return undefined;
  const senderId = readPositiveInteger(sender.id);
  if (senderId === undefined || options.agentName?.(accountId, senderId) !== undefined) return undefined;
  return senderId;
}
