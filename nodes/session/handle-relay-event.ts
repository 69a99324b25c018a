import { clipToJsonBytes } from "../../src/core/clip-json-bytes";
import { handoverEnd, MAX_AGENT_NAME_BYTES, withHandledEvent, type ConversationState, type HandoverState } from "../../src/core/handover-state";
import type { RelayEventBody } from "../../src/core/relay-event";
import { clipOutput, renderAgentMessage, renderLinkButton, type Output } from "../../src/cognigy/agent-output";
import { formatAgentName } from "../../src/cognigy/format-agent-name";
import { renderAgentText } from "../../src/cognigy/render-agent-text";
import { renderQueueUpdate } from "../../src/cognigy/render-queue-update";
import { outcome, type SessionOutcome } from "./session-outcome";
import type { SessionConfig } from "./session-config";

type EventOf<T extends RelayEventBody["type"]> = Extract<RelayEventBody, { type: T }>;

function say(text: string): Output[] {
  return text.trim() === "" ? [] : [{ text }];
}

/** The agent's name as stored (bounded); "" stays unknown. */
function storedName(name: string): string | null {
  const trimmed = name.trim();
  return trimmed === "" ? null : clipToJsonBytes(trimmed, MAX_AGENT_NAME_BYTES);
}

function onStatus(event: EventOf<"status_changed">, state: HandoverState, config: SessionConfig, now: number): SessionOutcome {
  const { conversation } = state;
  if (conversation === null) return outcome("stop", state);
  if (event.status === "resolved" && state.status === "live") {
    const ended = { ...conversation, endedAt: now };
    return outcome("resolved", { ...state, status: "ended", conversation: ended, outcome: handoverEnd(conversation, "agent", now, event.labels) }, say(config.resolvedMessage));
  }
  if (event.status === "open" && state.status === "ended") {
    // A reopened handover is live again: the outcome of its end no longer holds.
    return outcome("stop", { ...state, status: "live", conversation: { ...conversation, endedAt: null }, outcome: null }, say(config.reopenedMessage));
  }
  return outcome("stop", state);
}

/**
 * An agent's message (or an automation rule's, which is no agent's answer:
 * the user may still cancel, as before any agent wrote). Its text carries the
 * agent's name as the designer's format says.
 */
function onAgentMessage(event: EventOf<"agent_message">, state: HandoverState, conversation: ConversationState, config: SessionConfig, now: number): SessionOutcome {
  if (event.from === "automation") return outcome("stop", { ...state, conversation }, renderAgentMessage(event.text, event.attachments, config.agentMessageFormat));
  const agentName = storedName(event.agentName) ?? conversation.agentName ?? null;
  const answered: ConversationState = { ...conversation, agentAnswered: true, agentName, firstAgentMessageAt: conversation.firstAgentMessageAt ?? now };
  const named = renderAgentMessage(event.text, event.attachments, config.agentMessageFormat, (shown) => formatAgentName(config.agentNameFormat, event.agentName, shown));
  return outcome("stop", { ...state, conversation: answered }, named);
}

/**
 * A queue update from the relay, shown with the Handover node's template
 * while the user still waits: not once an agent answered or was assigned, nor
 * when the handover is not live, nor for a position already shown.
 */
function onQueueUpdate(event: EventOf<"queue_update">, state: HandoverState, conversation: ConversationState): SessionOutcome {
  const template = conversation.queueMessage ?? null;
  const waiting = state.status === "live" && !conversation.agentAnswered && (conversation.agentName ?? null) === null;
  if (template === null || !waiting || conversation.queuePosition === event.position) {
    return outcome("stop", state, [], [{ level: "debug", message: `queue update (position ${event.position}) not shown: ${template === null ? "queue updates are off" : waiting ? "position already shown" : "no longer waiting"}` }]);
  }
  return outcome("stop", { ...state, conversation: { ...conversation, queuePosition: event.position } }, say(clipOutput(renderQueueUpdate(template, event.position, event.waitSeconds))));
}

/**
 * What a verified relay event does: agent messages become output, a resolve
 * returns the user to the bot, a reopen makes the handover live again, a
 * queue update tells the waiting user their place. Events for another
 * conversation, or already handled, change nothing.
 */
export function handleRelayEvent(event: RelayEventBody, current: HandoverState, config: SessionConfig, now: number): SessionOutcome {
  if (current.handledEvents.includes(event.id)) return outcome("stop", null, [], [{ level: "debug", message: `event ${event.id} was already handled` }]);
  if (current.conversation === null || current.conversation.id !== event.conversationId) {
    return outcome("stop", null, [], [{ level: "info", message: `ignored ${event.type} for conversation ${event.conversationId}, which is not this session's handover` }]);
  }
  const state = withHandledEvent(current, event.id);
  const conversation = { ...current.conversation, lastActivityAt: now };
  switch (event.type) {
    case "agent_message":
      return onAgentMessage(event, state, conversation, config, now);
    case "template_message":
      return outcome("stop", { ...state, conversation }, say(clipOutput(renderAgentText(event.text, config.agentMessageFormat))));
    case "csat":
      return outcome("stop", state, config.forwardCsat ? [renderLinkButton(clipOutput(renderAgentText(event.text, config.agentMessageFormat)), config.csatButtonTitle, event.link)] : []);
    case "agent_assigned": {
      const agentName = storedName(event.agentName) ?? conversation.agentName ?? null;
      return outcome("stop", { ...state, conversation: { ...conversation, agentName } }, say(config.agentJoinedMessage.split("{agent}").join(event.agentName)));
    }
    case "status_changed":
      return onStatus(event, state, config, now);
    case "queue_update":
      // The relay's poll is no activity of the agent's side: the inactivity timeout keeps counting.
      return onQueueUpdate(event, state, current.conversation);
  }
}
