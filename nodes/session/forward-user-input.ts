import { ChatwootApiError } from "../../src/chatwoot/chatwoot-api-error";
import type { ChatwootClient } from "../../src/chatwoot/chatwoot-client";
import type { UploadFile } from "../../src/chatwoot/chatwoot-types";
import type { AttachmentSource } from "../../src/attachments/fetch-attachment";
import type { ConversationState, HandoverState } from "../../src/core/handover-state";
import { messageSourceId } from "../../src/core/source-id";
import { readInputAttachments } from "../../src/cognigy/input-attachments";
import type { TurnInput } from "../../src/cognigy/turn-input";
import { outcome, type SessionOutcome } from "./session-outcome";
import type { SessionConfig } from "./session-config";

/** Downloads one file of at most `maxBytes`. */
export type Download = (source: AttachmentSource, maxBytes: number) => Promise<UploadFile>;

/** All files of one message together: Chatwoot's 40 MB upload limit, and bounded memory in Cognigy's runtime. */
export const MAX_MESSAGE_ATTACHMENT_BYTES = 40 * 1024 * 1024;

export interface ForwardRequest {
  config: SessionConfig;
  input: TurnInput;
  state: HandoverState;
  conversation: ConversationState;
  now: number;
}

/** The cancel keyword or intent counts only until an agent has answered. */
export function isCancelRequest(input: TurnInput, config: SessionConfig, conversation: ConversationState): boolean {
  if (conversation.agentAnswered) return false;
  const byKeyword = input.text.trim() !== "" && config.cancelKeywords.includes(input.text.trim().toLowerCase());
  const byIntent = config.cancelIntent !== "" && input.intent === config.cancelIntent;
  return byKeyword || byIntent;
}

async function cancel(client: ChatwootClient, request: ForwardRequest): Promise<SessionOutcome> {
  const { state, conversation, config, now } = request;
  const ended: HandoverState = { ...state, status: "ended", conversation: { ...conversation, endedAt: now }, lastForwardedInputId: request.input.inputId };
  const say = config.cancelledMessage.trim() === "" ? [] : [{ text: config.cancelledMessage }];
  try {
    await client.toggleStatus(conversation.id, "resolved");
    return outcome("cancelled", ended, say);
  } catch (error: unknown) {
    if (!(error instanceof ChatwootApiError)) throw error;
    // The user is back with the bot either way; the agent sees an unresolved conversation.
    return outcome("cancelled", { ...ended, warnings: [error.message] }, say, [{ level: "warn", message: error.message }]);
  }
}

/** One file after the other, within the message's byte budget (the download deadline bounds the time). */
async function downloadAll(sources: AttachmentSource[], download: Download): Promise<{ files: UploadFile[]; failures: string[] }> {
  const files: UploadFile[] = [];
  const failures: string[] = [];
  let budget = MAX_MESSAGE_ATTACHMENT_BYTES;
  for (const source of sources) {
    try {
      if (budget <= 0) throw new Error(`the message's files exceed ${MAX_MESSAGE_ATTACHMENT_BYTES / 1024 / 1024} MB`);
      const file = await download(source, budget);
      budget -= file.data.length;
      files.push(file);
    } catch (error: unknown) {
      failures.push(`${source.name || "file"} (${error instanceof Error ? error.message : "download failed"})`);
    }
  }
  return { files, failures };
}

/**
 * While an agent is on: the user's text and files go to the conversation as
 * one incoming message (source_id = the Cognigy input id), or the user cancels.
 */
export async function forwardUserInput(client: ChatwootClient, download: Download, request: ForwardRequest): Promise<SessionOutcome> {
  const { input, state, conversation } = request;
  if (input.inputId !== "" && state.lastForwardedInputId === input.inputId) return outcome("stop", null);
  if (isCancelRequest(input, request.config, conversation)) return cancel(client, request);
  const sources = readInputAttachments(input.data, input.attachments);
  const text = input.text.trim();
  if (text === "" && sources.length === 0) return outcome("stop", null);
  const { files, failures } = await downloadAll(sources, download);
  const notice = failures.length === 0 ? "" : `\n\n(The user sent files that could not be transferred: ${failures.join("; ")})`;
  const logs: SessionOutcome["logs"] = failures.map((failure) => ({ level: "warn", message: `attachment not forwarded: ${failure}` }));
  try {
    await client.postMessage(conversation.id, {
      content: `${text}${notice}`.trim(),
      messageType: "incoming",
      sourceId: messageSourceId("input", input.inputId === "" ? String(request.now) : input.inputId),
      attachments: files,
    });
  } catch (error: unknown) {
    if (!(error instanceof ChatwootApiError)) throw error;
    const stored = { ...error.summary(), at: request.now };
    return outcome("error", { ...state, error: stored }, [], [...logs, { level: "error", message: error.message }]);
  }
  return outcome("stop", { ...state, lastForwardedInputId: input.inputId, error: null }, [], logs);
}
