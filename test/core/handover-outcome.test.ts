import { emptyHandoverState, handoverEnd, parseHandoverState, type ConversationState, type EndedBy, type HandoverEnd, type HandoverState } from "../../src/core/handover-state";
import type { RelayEventBody } from "../../src/core/relay-event";
import { handleRelayEvent } from "../../nodes/session/handle-relay-event";
import { parseSessionConfig } from "../../nodes/session/session-config";

const START = 1_750_000_000_000;
const { labels: _labels, agentName: _agentName, firstAgentMessageAt: _first, ...BEFORE_ISSUE_13 } = {
  account: "https://chat.example.com#1",
  id: 42,
  inboxId: 7,
  sourceId: "src",
  sessionId: "session-1",
  agentAnswered: true,
  startedAt: START,
  lastActivityAt: START,
  endedAt: null,
  labels: ["cognigy", "billing"],
  agentName: "Anna",
  firstAgentMessageAt: START + 95_400,
} satisfies ConversationState;
const CONVERSATION: ConversationState = { ...BEFORE_ISSUE_13, labels: ["cognigy", "billing"], agentName: "Anna", firstAgentMessageAt: START + 95_400 };

describe("handoverEnd: the outcome of each way a handover ends", () => {
  it.each<[string, EndedBy, Partial<ConversationState> | "before issue 13", readonly string[] | undefined, HandoverEnd]>([
    ["the agent resolved, with the conversation's labels from the event", "agent", {}, ["vip", "refund"], { endedBy: "agent", agentName: "Anna", labels: ["vip", "refund"], waitSeconds: 95, durationSeconds: 600 }],
    ["the agent resolved, from a relay that sends no labels: the handover's", "agent", {}, undefined, { endedBy: "agent", agentName: "Anna", labels: ["cognigy", "billing"], waitSeconds: 95, durationSeconds: 600 }],
    ["the agent resolved, the event says the labels were all removed", "agent", {}, [], { endedBy: "agent", agentName: "Anna", labels: [], waitSeconds: 95, durationSeconds: 600 }],
    ["the user cancelled before any agent wrote", "user", { agentAnswered: false, agentName: null, firstAgentMessageAt: null }, undefined, { endedBy: "user", agentName: null, labels: ["cognigy", "billing"], waitSeconds: null, durationSeconds: 600 }],
    ["the user cancelled after an agent was assigned, who never wrote", "user", { agentAnswered: false, agentName: "Ben", firstAgentMessageAt: null }, undefined, { endedBy: "user", agentName: "Ben", labels: ["cognigy", "billing"], waitSeconds: null, durationSeconds: 600 }],
    ["the flow resolved it (Resolve node)", "flow", {}, undefined, { endedBy: "flow", agentName: "Anna", labels: ["cognigy", "billing"], waitSeconds: 95, durationSeconds: 600 }],
    ["the agent's side was silent too long", "timeout", {}, undefined, { endedBy: "timeout", agentName: "Anna", labels: ["cognigy", "billing"], waitSeconds: 95, durationSeconds: 600 }],
    ["a state from before issue 13 (no labels, agent or first message)", "agent", "before issue 13", undefined, { endedBy: "agent", agentName: null, labels: [], waitSeconds: null, durationSeconds: 600 }],
  ])("%s", (_, endedBy, changes, eventLabels, expected) => {
    const conversation = changes === "before issue 13" ? BEFORE_ISSUE_13 : { ...CONVERSATION, ...changes };
    expect(handoverEnd(conversation, endedBy, START + 600_000, eventLabels)).toEqual(expected);
  });

  it("rounds to whole seconds and never goes below zero (a clock that went back)", () => {
    expect(handoverEnd({ ...CONVERSATION, firstAgentMessageAt: START + 1_499 }, "agent", START + 2_500)).toMatchObject({ waitSeconds: 1, durationSeconds: 3 });
    expect(handoverEnd(CONVERSATION, "agent", START - 5_000)).toMatchObject({ durationSeconds: 0 });
  });
});

describe("the outcome through the Session core's relay events", () => {
  const config = parseSessionConfig({});
  const base = { v: 1 as const, sessionId: "session-1", conversationId: 42, ts: START };
  const live: HandoverState = { ...emptyHandoverState(), status: "live", conversation: CONVERSATION };

  it("records 'agent' with the event's labels when the agent resolves", () => {
    const event: RelayEventBody = { ...base, id: "s1", type: "status_changed", status: "resolved", labels: ["vip"] };
    expect(handleRelayEvent(event, live, config, START + 60_000).state?.outcome).toEqual({ endedBy: "agent", agentName: "Anna", labels: ["vip"], waitSeconds: 95, durationSeconds: 60 });
  });

  it("clears it when the agent reopens: the handover is live again", () => {
    const ended: HandoverState = { ...live, status: "ended", conversation: { ...CONVERSATION, endedAt: START + 60_000 }, outcome: { endedBy: "agent", agentName: "Anna", labels: [], waitSeconds: 95, durationSeconds: 60 } };
    const result = handleRelayEvent({ ...base, id: "s2", type: "status_changed", status: "open" }, ended, config, START + 120_000);
    expect(result.state?.status).toBe("live");
    expect(result.state?.outcome).toBeNull();
  });

  it("keeps the first outcome when a late 'resolved' arrives for a handover the user already cancelled", () => {
    const cancelled: HandoverState = { ...live, status: "ended", outcome: { endedBy: "user", agentName: null, labels: [], waitSeconds: null, durationSeconds: 30 } };
    const result = handleRelayEvent({ ...base, id: "s3", type: "status_changed", status: "resolved", labels: ["x"] }, cancelled, config, START + 60_000);
    expect(result.state?.outcome).toEqual(cancelled.outcome);
  });
});

describe("parseHandoverState: the outcome and issue 13's conversation fields", () => {
  const outcome: HandoverEnd = { endedBy: "timeout", agentName: "Anna", labels: ["a"], waitSeconds: 12, durationSeconds: 1800 };

  it("reads back what the nodes stored", () => {
    const state: HandoverState = { ...emptyHandoverState(), status: "ended", conversation: { ...CONVERSATION, cancelPayload: "Cancel", queueMessage: "#{position}", queuePosition: 2, endedAt: START + 1 }, outcome };
    expect(parseHandoverState(JSON.parse(JSON.stringify(state)))).toEqual(state);
  });

  it.each<[string, unknown, HandoverEnd | undefined]>([
    ["a valid outcome", outcome, outcome],
    ["no outcome", undefined, undefined],
    ["an unknown way of ending", { ...outcome, endedBy: "bot" }, undefined],
    ["a duration that is no whole number of seconds", { ...outcome, durationSeconds: 1.5 }, undefined],
    ["a negative duration", { ...outcome, durationSeconds: -1 }, undefined],
    ["a wait that is text: read as none", { ...outcome, waitSeconds: "12" }, { ...outcome, waitSeconds: null }],
    ["labels that are not a list: read as none", { ...outcome, labels: "a,b" }, { ...outcome, labels: [] }],
    ["labels with non-text entries: those left out", { ...outcome, labels: ["a", 3, "", null, "b"] }, { ...outcome, labels: ["a", "b"] }],
    ["an agent name of 10,000 characters: read as none", { ...outcome, agentName: "x".repeat(10_000) }, { ...outcome, agentName: null }],
  ])("reads %s", (_, value, expected) => {
    expect(parseHandoverState({ v: 1, status: "ended", outcome: value }).outcome).toEqual(expected);
  });

  it.each<[string, Record<string, unknown>, Partial<ConversationState>]>([
    ["a cancel payload that is not text", { cancelPayload: 5 }, {}],
    ["a queue template over 1,000 bytes", { queueMessage: "x".repeat(1_001) }, {}],
    ["a queue position of 0", { queuePosition: 0 }, {}],
    ["200 labels: the first 20", { labels: Array.from({ length: 200 }, (_, index) => `l${index}`) }, { labels: Array.from({ length: 20 }, (_, index) => `l${index}`) }],
    ["labels of 255 characters: as many as fit 1,500 bytes", { labels: Array.from({ length: 10 }, (_, index) => `${index}${"x".repeat(254)}`) }, { labels: Array.from({ length: 5 }, (_, index) => `${index}${"x".repeat(254)}`) }],
  ])("drops or bounds %s", (_, fields, expected) => {
    const plain = BEFORE_ISSUE_13;
    const parsed = parseHandoverState({ v: 1, status: "live", conversation: { ...plain, ...fields } });
    expect(parsed.conversation).toEqual({ ...plain, ...expected });
  });
});
