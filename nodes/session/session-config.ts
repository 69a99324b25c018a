import { DEFAULT_HISTORY_LIMITS, type HistoryLimits } from "../../src/core/history";
import { readBoolean, readNumber, readRecord, type JsonRecord } from "../../src/core/json-guards";
import { configList as list, configString as text } from "../../src/cognigy/config-values";
import { normaliseContextKey } from "../../src/cognigy/context-key";
import { MAX_AGENT_NAME_FORMAT } from "../../src/cognigy/format-agent-name";
import type { AgentTextFormat } from "../../src/cognigy/render-agent-text";

export interface SessionConfig {
  contextKey: string;
  recordHistory: boolean;
  historyLimits: HistoryLimits;
  /** Lower-cased phrases that cancel the handover while no agent has answered. */
  cancelKeywords: string[];
  cancelIntent: string;
  cancelledMessage: string;
  resolvedMessage: string;
  reopenedMessage: string;
  /** "{agent}" is replaced by the agent's name. */
  agentJoinedMessage: string;
  forwardCsat: boolean;
  csatButtonTitle: string;
  /** Hosts user attachments may be downloaded from; empty: any public host. */
  attachmentHosts: string[];
  /** The listed hosts may be private or internal (on-premises); ignored without a list. */
  privateAttachmentHosts: boolean;
  /** Lower-cased phrases that, while an agent is on, go to the flow below instead of the agent. */
  passKeywords: string[];
  /** Intents that go to the flow below instead of the agent. */
  passIntents: string[];
  /** End the handover when the agent's side has been silent this long (0: never). */
  inactivityMinutes: number;
  inactivityMessage: string;
  /** How agent and Chatwoot texts are shown: plain text, or Markdown for a Webchat that renders it. */
  agentMessageFormat: AgentTextFormat;
  /** How an agent's text shows the agent's name: "{agent}" and "{text}" replaced; empty: the text as sent. */
  agentNameFormat: string;
}

/** Reads the Session node's fields; every field has a safe default, so there is nothing to refuse. */
export function parseSessionConfig(raw: object): SessionConfig {
  const config: JsonRecord = readRecord(raw);
  const maxTurns = readNumber(config.historyMaxTurns);
  return {
    contextKey: normaliseContextKey(config.contextKey),
    recordHistory: readBoolean(config.recordHistory) ?? true,
    historyLimits: { ...DEFAULT_HISTORY_LIMITS, maxTurns: maxTurns === undefined ? DEFAULT_HISTORY_LIMITS.maxTurns : Math.max(0, Math.min(50, Math.floor(maxTurns))) },
    cancelKeywords: list(config.cancelKeywords).map((item) => item.toLowerCase()),
    cancelIntent: text(config.cancelIntent).trim(),
    cancelledMessage: text(config.cancelledMessage),
    resolvedMessage: text(config.resolvedMessage),
    reopenedMessage: text(config.reopenedMessage),
    agentJoinedMessage: text(config.agentJoinedMessage),
    forwardCsat: readBoolean(config.forwardCsat) ?? true,
    csatButtonTitle: text(config.csatButtonTitle).trim() || "Rate the conversation",
    attachmentHosts: list(config.attachmentHosts).map((item) => item.toLowerCase()),
    privateAttachmentHosts: readBoolean(config.privateAttachmentHosts) ?? false,
    passKeywords: list(config.passKeywords).map((item) => item.toLowerCase()),
    passIntents: list(config.passIntents),
    inactivityMinutes: Math.max(0, readNumber(config.inactivityMinutes) ?? 0),
    inactivityMessage: text(config.inactivityMessage),
    // Anything but "markdown" (a typo, CognigyScript gone empty) is plain text: markup the channel would show literally is worse than none.
    agentMessageFormat: text(config.agentMessageFormat).trim().toLowerCase() === "markdown" ? "markdown" : "plain",
    // A longer format is no name prefix: ignored rather than cut in the middle of a token.
    agentNameFormat: text(config.agentNameFormat).length <= MAX_AGENT_NAME_FORMAT ? text(config.agentNameFormat) : "",
  };
}
