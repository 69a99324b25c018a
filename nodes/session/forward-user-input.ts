import { ChatwootApiError } from "../../src/chatwoot/chatwoot-api-error";
import type { ChatwootClient } from "../../src/chatwoot/chatwoot-client";
import type { UploadFile } from "../../src/chatwoot/chatwoot-types";
import type { AttachmentSource } from "../../src/attachments/fetch-attachment";
import { handoverEnd, type ConversationState, type HandoverState } from "../../src/core/handover-state";
import { messageSourceId, SOURCE_ID_PREFIX } from "../../src/core/source-id";
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

/** How the user asked to cancel: the Handover node's cancel button, a cancel keyword, or the cancel intent. */
export type CancelWay = "button" | "keyword" | "intent";

/**
 * The cancel button (its payload, i.e. its text), a cancel keyword or the
 * cancel intent, compared trimmed and case-insensitively; they count only
 * until an agent has answered (afterwards the text goes to the agent).
 */
export function cancelRequest(input: TurnInput, config: SessionConfig, conversation: ConversationState): CancelWay | null {
  if (conversation.agentAnswered) return null;
  const text = input.text.trim().toLowerCase();
  const payload = (conversation.cancelPayload ?? "").trim().toLowerCase();
  if (text !== "" && payload !== "" && text === payload) return "button";
  if (text !== "" && config.cancelKeywords.includes(text)) return "keyword";
  if (config.cancelIntent !== "" && input.intent === config.cancelIntent) return "intent";
  return null;
}

export function isCancelRequest(input: TurnInput, config: SessionConfig, conversation: ConversationState): boolean {
  return cancelRequest(input, config, conversation) !== null;
}

const CANCEL_WAYS: Record<CancelWay, string> = { button: "the cancel button", keyword: "a cancel keyword", intent: "the cancel intent" };

/** The private note that tells the agent why the conversation was resolved. */
export function cancelNote(way: CancelWay): string {
  return `The user cancelled the handover with ${CANCEL_WAYS[way]} before an agent answered, and is back with the assistant.`;
}

/**
 * Two requests: the private note for the agent, then the resolve. Either
 * failing becomes a warning: the user is back with the bot either way.
 */
async function cancel(client: ChatwootClient, request: ForwardRequest, way: CancelWay): Promise<SessionOutcome> {
  const { state, conversation, config, now } = request;
  const ended: HandoverState = { ...state, status: "ended", conversation: { ...conversation, endedAt: now }, lastForwardedInputId: request.input.inputId, outcome: handoverEnd(conversation, "user", now) };
  const say = config.cancelledMessage.trim() === "" ? [] : [{ text: config.cancelledMessage }];
  const warnings: string[] = [];
  const note = { content: cancelNote(way), messageType: "outgoing" as const, private: true, sourceId: `${SOURCE_ID_PREFIX}cancel:${request.input.inputId === "" ? String(now) : request.input.inputId}` };
  for (const step of [() => client.postMessage(conversation.id, note, "post cancel note"), () => client.toggleStatus(conversation.id, "resolved")]) {
    try {
      await step();
    } catch (error: unknown) {
      if (!(error instanceof ChatwootApiError)) throw error;
      // The agent may see an unresolved conversation, or no note.
      warnings.push(error.message);
    }
  }
  if (warnings.length === 0) return outcome("cancelled", ended, say);
  return outcome("cancelled", { ...ended, warnings }, say, warnings.map((message) => ({ level: "warn" as const, message })));
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
  const way = cancelRequest(input, request.config, conversation);
  if (way !== null) return cancel(client, request, way);
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
