import { emptyHandoverState, type ConversationState, type HandoverState } from "../../src/core/handover-state";
import type { RelayEventBody } from "../../src/core/relay-event";
import { handleRelayEvent } from "../../nodes/session/handle-relay-event";
import { parseSessionConfig } from "../../nodes/session/session-config";

const NOW = 1_750_000_000_000;
const CONFIG = parseSessionConfig({});
const TEMPLATE = "You are number {position} in the queue. Estimated wait: {wait}.";

function state(conversation: Partial<ConversationState> = {}, status: HandoverState["status"] = "live"): HandoverState {
  return {
    ...emptyHandoverState(),
    status,
    conversation: { account: "https://chat.example.com#1", id: 42, inboxId: 7, sourceId: "src", sessionId: "session-1", agentAnswered: false, startedAt: NOW - 60_000, lastActivityAt: NOW - 60_000, endedAt: null, queueMessage: TEMPLATE, ...conversation },
  };
}

function beforeQueueUpdates(): HandoverState {
  const current = state();
  if (current.conversation === null) return current;
  const { queueMessage: _queueMessage, ...older } = current.conversation;
  return { ...current, conversation: older };
}

function update(id: string, position: number, waitSeconds: number | null): RelayEventBody {
  return { v: 1, id, sessionId: "session-1", conversationId: 42, ts: NOW, type: "queue_update", position, waitSeconds };
}

describe("handleRelayEvent: queue updates", () => {
  it.each<[string, HandoverState, RelayEventBody, string[]]>([
    ["shows the position and the wait", state(), update("q1", 3, 240), ["You are number 3 in the queue. Estimated wait: about 4 minutes."]],
    ["without an estimate, leaves the wait sentence out", state(), update("q1", 3, null), ["You are number 3 in the queue."]],
    ["shows a new position", state({ queuePosition: 3 }), update("q1", 2, 120), ["You are number 2 in the queue. Estimated wait: about 2 minutes."]],
    ["shows a position that grew (an older conversation came back)", state({ queuePosition: 2 }), update("q1", 3, 120), ["You are number 3 in the queue. Estimated wait: about 2 minutes."]],
    ["ignores a position already shown, even with another wait", state({ queuePosition: 2 }), update("q1", 2, 60), []],
    ["ignores it once an agent answered", state({ agentAnswered: true }), update("q1", 1, 60), []],
    ["ignores it once an agent was assigned", state({ agentName: "Anna" }), update("q1", 1, 60), []],
    ["ignores it when the handover has ended", state({ endedAt: NOW - 1 }, "ended"), update("q1", 1, 60), []],
    ["ignores it when the handover did not ask for queue updates", state({ queueMessage: null }), update("q1", 1, 60), []],
    ["ignores it in a state from before queue updates", beforeQueueUpdates(), update("q1", 1, 60), []],
    ["says nothing for a template only about the wait, without an estimate", state({ queueMessage: "Estimated wait: {wait}" }), update("q1", 4, null), []],
  ])("%s", (_, before, event, texts) => {
    const result = handleRelayEvent(event, before, CONFIG, NOW);
    expect(result.next).toBe("stop");
    expect(result.outputs.map((output) => output.text)).toEqual(texts);
    expect(result.state?.handledEvents).toEqual([event.id]);
  });

  it("remembers the position shown, and does not count the relay's poll as the agent's activity", () => {
    const before = state();
    const result = handleRelayEvent(update("q1", 3, 240), before, CONFIG, NOW);
    expect(result.state?.conversation).toEqual({ ...before.conversation, queuePosition: 3 });
  });

  it("counts down 3, 2, 1 and then stops once an agent answers", () => {
    let current = state();
    const shown: string[] = [];
    const events: RelayEventBody[] = [
      update("q1", 3, 300),
      update("q2", 3, 280),
      update("q3", 2, 200),
      update("q4", 1, 100),
      { v: 1, id: "m1", sessionId: "session-1", conversationId: 42, ts: NOW, type: "agent_message", messageId: 1, text: "Hi, Anna here", attachments: [], agentName: "Anna" },
      update("q5", 1, 50),
    ];
    for (const event of events) {
      const result = handleRelayEvent(event, current, CONFIG, NOW);
      current = result.state ?? current;
      shown.push(...result.outputs.map((output) => output.text));
    }
    expect(shown).toEqual([
      "You are number 3 in the queue. Estimated wait: about 5 minutes.",
      "You are number 2 in the queue. Estimated wait: about 3 minutes.",
      "You are number 1 in the queue. Estimated wait: about 2 minutes.",
      "Hi, Anna here",
    ]);
  });
});
