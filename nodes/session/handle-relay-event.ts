import { withHandledEvent, type HandoverState } from "../../src/core/handover-state";
import type { RelayEventBody } from "../../src/core/relay-event";
import { clipOutput, renderAgentMessage, renderLinkButton, type Output } from "../../src/cognigy/agent-output";
import { renderAgentText } from "../../src/cognigy/render-agent-text";
import { outcome, type SessionOutcome } from "./session-outcome";
import type { SessionConfig } from "./session-config";

function say(text: string): Output[] {
  return text.trim() === "" ? [] : [{ text }];
}

function onStatus(event: Extract<RelayEventBody, { type: "status_changed" }>, state: HandoverState, config: SessionConfig, now: number): SessionOutcome {
  const { conversation } = state;
  if (conversation === null) return outcome("stop", state);
  if (event.status === "resolved" && state.status === "live") {
    return outcome("resolved", { ...state, status: "ended", conversation: { ...conversation, endedAt: now } }, say(config.resolvedMessage));
  }
  if (event.status === "open" && state.status === "ended") {
    return outcome("stop", { ...state, status: "live", conversation: { ...conversation, endedAt: null } }, say(config.reopenedMessage));
  }
  return outcome("stop", state);
}

/**
 * What a verified relay event does: agent messages become output, a resolve
 * returns the user to the bot, a reopen makes the handover live again. Events
 * for another conversation, or already handled, change nothing.
 */
export function handleRelayEvent(event: RelayEventBody, current: HandoverState, config: SessionConfig, now: number): SessionOutcome {
  if (current.handledEvents.includes(event.id)) return outcome("stop", null, [], [{ level: "debug", message: `event ${event.id} was already handled` }]);
  if (current.conversation === null || current.conversation.id !== event.conversationId) {
    return outcome("stop", null, [], [{ level: "info", message: `ignored ${event.type} for conversation ${event.conversationId}, which is not this session's handover` }]);
  }
  const state = withHandledEvent(current, event.id);
  const conversation = { ...current.conversation, lastActivityAt: now };
  switch (event.type) {
    case "agent_message": {
      // An automation rule's message is not an agent's answer: the user may still cancel, as before any agent wrote.
      const agentAnswered = conversation.agentAnswered || event.from !== "automation";
      return outcome("stop", { ...state, conversation: { ...conversation, agentAnswered } }, renderAgentMessage(event.text, event.attachments, config.agentMessageFormat));
    }
    case "template_message":
      return outcome("stop", { ...state, conversation }, say(clipOutput(renderAgentText(event.text, config.agentMessageFormat))));
    case "csat":
      return outcome("stop", state, config.forwardCsat ? [renderLinkButton(clipOutput(renderAgentText(event.text, config.agentMessageFormat)), config.csatButtonTitle, event.link)] : []);
    case "agent_assigned":
      return outcome("stop", { ...state, conversation }, say(config.agentJoinedMessage.split("{agent}").join(event.agentName)));
    case "status_changed":
      return onStatus(event, state, config, now);
  }
}
