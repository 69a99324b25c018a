import { ChatwootApiError } from "../../src/chatwoot/chatwoot-api-error";
import type { ChatwootClient } from "../../src/chatwoot/chatwoot-client";
import { handoverEnd, type ConversationState, type HandoverState } from "../../src/core/handover-state";
import type { Output } from "../../src/cognigy/agent-output";
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
  const { input, config, now } = request;
  let { state } = request;
  const logs: SessionOutcome["logs"] = [];
  if (input.data.chatwoot !== undefined) {
    const verified = verifyRelayEvent(input.data.chatwoot, request.relaySecret, input.sessionId, now);
    // The relay injects with empty text and no files: an input with either was typed, whatever its data says.
    const typed = hasUserContent(input);
    if (verified.ok && !typed) return handleRelayEvent(verified.event, state, config, now);
    const reason = verified.ok ? "with_user_input" : verified.reason;
    logs.push({ level: "warn", message: `input.data.chatwoot was not accepted as a relay event (${reason}); treated as the user's input` });
    // An event that came too late (or with another secret) has no text: nothing for the agent or the bot.
    if (!typed) return outcome("stop", null, [], logs);
  }
  const { conversation } = state;
  if (state.status === "live" && conversation !== null && passesToFlow(input, config)) {
    return outcome("continue", null, [], [...logs, { level: "debug", message: "input passed to the flow while an agent is on" }]);
  }
  if (state.status === "live" && conversation !== null) {
    if (!timedOut(config, conversation.lastActivityAt, now)) return withLogs(await forwardUserInput(client, download, { config, input, state, conversation, now }), logs);
    const ended = await endInactiveHandover(client, state, conversation, now);
    state = ended.state;
    logs.push(...ended.logs);
    return recordForBot({ input, config, state, now }, logs, config.inactivityMessage.trim() === "" ? [] : [{ text: config.inactivityMessage }], true);
  }
  return recordForBot({ input, config, state, now }, logs, [], false);
}

function hasUserContent(input: TurnInput): boolean {
  return input.text.trim() !== "" || Array.isArray(input.data.attachments);
}

/** Keywords and intents the designer keeps for the flow (e.g. a button that ends the chat). */
function passesToFlow(input: TurnInput, config: SessionConfig): boolean {
  const text = input.text.trim().toLowerCase();
  return (text !== "" && config.passKeywords.includes(text)) || (input.intent !== "" && config.passIntents.includes(input.intent));
}

function timedOut(config: SessionConfig, lastActivityAt: number, now: number): boolean {
  return config.inactivityMinutes > 0 && now - lastActivityAt > config.inactivityMinutes * 60_000;
}

/** The agent's side has been silent too long: resolve the conversation (if Chatwoot answers) and give the user back to the bot. */
async function endInactiveHandover(client: ChatwootClient, state: HandoverState, conversation: ConversationState, now: number): Promise<{ state: HandoverState; logs: SessionOutcome["logs"] }> {
  const logs: SessionOutcome["logs"] = [{ level: "info", message: `handover of conversation ${conversation.id} ended after inactivity` }];
  try {
    await client.toggleStatus(conversation.id, "resolved");
  } catch (error: unknown) {
    if (!(error instanceof ChatwootApiError)) throw error;
    logs.push({ level: "warn", message: error.message });
  }
  return { state: { ...state, status: "ended", conversation: { ...conversation, endedAt: now }, outcome: handoverEnd(conversation, "timeout", now) }, logs };
}

/** The bot is in charge: the user's turn is recorded for a later handover's history and the flow continues. */
function recordForBot(request: Omit<SessionRequest, "relaySecret">, logs: SessionOutcome["logs"], outputs: Output[], stateChanged: boolean): SessionOutcome {
  const { input, config, state, now } = request;
  const text = `${input.text.trim()}${attachmentNote(input)}`.trim();
  if (!config.recordHistory || text === "") return outcome("continue", stateChanged ? state : null, outputs, logs);
  const recorded: HandoverState = { ...state, history: recordTurn(state.history, { role: "user", text, at: now }, config.historyLimits) };
  return outcome("continue", recorded, outputs, logs);
}
