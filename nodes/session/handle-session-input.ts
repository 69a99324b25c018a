import type { ChatwootClient } from "../../src/chatwoot/chatwoot-client";
import type { HandoverState } from "../../src/core/handover-state";
import { recordTurn } from "../../src/core/history";
import { verifyRelayEvent } from "../../src/core/relay-event-signature";
import type { TurnInput } from "../../src/cognigy/turn-input";
import { forwardUserInput, type Download } from "./forward-user-input";
import { handleRelayEvent } from "./handle-relay-event";
import { outcome, type SessionOutcome } from "./session-outcome";
import type { SessionConfig } from "./session-config";

export interface SessionRequest {
  config: SessionConfig;
  relaySecret: string;
  input: TurnInput;
  state: HandoverState;
  now: number;
}

function withLogs(result: SessionOutcome, logs: SessionOutcome["logs"]): SessionOutcome {
  return logs.length === 0 ? result : { ...result, logs: [...logs, ...result.logs] };
}

function attachmentNote(input: TurnInput): string {
  const files = Array.isArray(input.data.attachments) ? input.data.attachments.length : 0;
  return files === 0 ? "" : ` [${files} file(s)]`;
}

/**
 * Every input passes the Session node. A relay event counts only if it verifies
 * (signature, age, session); anything else is the user's: forwarded while an
 * agent is on, recorded for the history while the bot is in charge.
 */
export async function handleSessionInput(client: ChatwootClient, download: Download, request: SessionRequest): Promise<SessionOutcome> {
  const { input, state, config, now } = request;
  const logs: SessionOutcome["logs"] = [];
  if (input.data.chatwoot !== undefined) {
    const verified = verifyRelayEvent(input.data.chatwoot, request.relaySecret, input.sessionId, now);
    if (verified.ok) return handleRelayEvent(verified.event, state, config, now);
    logs.push({ level: "warn", message: `input.data.chatwoot was not accepted as a relay event (${verified.reason}); treated as the user's input` });
  }
  const { conversation } = state;
  if (state.status === "live" && conversation !== null) {
    return withLogs(await forwardUserInput(client, download, { config, input, state, conversation, now }), logs);
  }
  const text = `${input.text.trim()}${attachmentNote(input)}`.trim();
  if (!config.recordHistory || text === "") return outcome("continue", null, [], logs);
  const recorded: HandoverState = { ...state, history: recordTurn(state.history, { role: "user", text, at: now }, config.historyLimits) };
  return outcome("continue", recorded, [], logs);
}
