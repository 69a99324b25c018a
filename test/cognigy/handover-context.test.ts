import { clipToJsonBytes } from "../../src/core/clip-json-bytes";
import { emptyHandoverState, MAX_AGENT_NAME_BYTES, MAX_CANCEL_PAYLOAD_BYTES, MAX_QUEUE_MESSAGE_BYTES, readLabels, type HandoverState, type HistoryTurn } from "../../src/core/handover-state";
import { DEFAULT_CONTEXT_KEY, normaliseContextKey } from "../../src/cognigy/context-key";
import { fitState, MAX_STATE_BYTES, readHandoverState, saveHandoverState } from "../../src/cognigy/handover-context";
import type { LogLevel, NodeApi } from "../../src/cognigy/node-api";

interface RecordedCall {
  method: string;
  args: unknown[];
}

/** A NodeApi that records what the node asked of Cognigy. */
function recordingApi(): { api: NodeApi; calls: RecordedCall[] } {
  const calls: RecordedCall[] = [];
  const api: NodeApi = {
    say: (text: string, data?: object) => calls.push({ method: "say", args: [text, data] }),
    addToContext: (key: string, value: unknown) => calls.push({ method: "addToContext", args: [key, value] }),
    setNextNode: (nodeId: string) => calls.push({ method: "setNextNode", args: [nodeId] }),
    stopExecution: () => calls.push({ method: "stopExecution", args: [] }),
    log: (level: LogLevel, message: string) => calls.push({ method: "log", args: [level, message] }),
  };
  return { api, calls };
}

function bytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value));
}

function stateWithHistory(turns: number, charsPerTurn: number): HandoverState {
  const history: HistoryTurn[] = Array.from({ length: turns }, (_, index) => ({ role: "user", text: `${index}:${"x".repeat(charsPerTurn)}`, at: index }));
  return { ...emptyHandoverState(), history };
}

describe("normaliseContextKey", () => {
  it.each([
    { key: "chatwoot", expected: "chatwoot" },
    { key: "handover.chatwoot", expected: "handover.chatwoot" },
    { key: "  support.chatwoot_state  ", expected: "support.chatwoot_state" },
    { key: "$cw", expected: "$cw" },
    { key: "_private.a1.b2", expected: "_private.a1.b2" },
    { key: "", expected: DEFAULT_CONTEXT_KEY },
    { key: "   ", expected: DEFAULT_CONTEXT_KEY },
    { key: "1chatwoot", expected: DEFAULT_CONTEXT_KEY },
    { key: "handover..chatwoot", expected: DEFAULT_CONTEXT_KEY },
    { key: ".chatwoot", expected: DEFAULT_CONTEXT_KEY },
    { key: "chatwoot.", expected: DEFAULT_CONTEXT_KEY },
    { key: "chat-woot", expected: DEFAULT_CONTEXT_KEY },
    { key: "items[0]", expected: DEFAULT_CONTEXT_KEY },
    { key: "{{context.key}}", expected: DEFAULT_CONTEXT_KEY },
    { key: "a b", expected: DEFAULT_CONTEXT_KEY },
    { key: 5, expected: DEFAULT_CONTEXT_KEY },
    { key: undefined, expected: DEFAULT_CONTEXT_KEY },
  ])("reads $key as $expected", ({ key, expected }) => {
    expect(normaliseContextKey(key)).toBe(expected);
  });

  it("defaults to chatwoot", () => {
    expect(DEFAULT_CONTEXT_KEY).toBe("chatwoot");
  });
});

describe("readHandoverState", () => {
  const live = { ...emptyHandoverState(), status: "live", conversation: { account: "a#1", id: 4, inboxId: 2, sourceId: "s", sessionId: "x", agentAnswered: false, startedAt: 1, endedAt: null } };

  it("reads the state at a top-level key", () => {
    expect(readHandoverState({ chatwoot: live }, "chatwoot").status).toBe("live");
  });

  it("reads the state at a dotted path", () => {
    expect(readHandoverState({ handover: { chatwoot: live } }, "handover.chatwoot").conversation?.id).toBe(4);
  });

  it.each([
    { name: "no context", context: undefined },
    { name: "a context without the key", context: { other: live } },
    { name: "a context whose key holds text", context: { chatwoot: "live" } },
  ])("gives an empty state for $name", ({ context }) => {
    expect(readHandoverState(context, "chatwoot")).toEqual(emptyHandoverState());
  });
});

describe("fitState", () => {
  it("leaves a small state as it is", () => {
    const state = stateWithHistory(20, 500);
    expect(fitState(state)).toBe(state);
  });

  it("drops the oldest history turns until the state fits the payload limit", () => {
    const state = stateWithHistory(200, 500);
    expect(bytes(state)).toBeGreaterThan(MAX_STATE_BYTES);
    const fitted = fitState(state);
    expect(bytes(fitted)).toBeLessThanOrEqual(MAX_STATE_BYTES);
    expect(fitted.history.length).toBeGreaterThan(0);
    expect(fitted.history).toEqual(state.history.slice(state.history.length - fitted.history.length));
    expect({ ...fitted, history: [] }).toEqual({ ...state, history: [] });
  });

  it("counts bytes, not characters, for non-ASCII history", () => {
    const state = stateWithHistory(40, 0);
    const wide: HandoverState = { ...state, history: state.history.map((turn) => ({ ...turn, text: "😀".repeat(150) })) };
    expect(JSON.stringify(wide).length).toBeLessThan(MAX_STATE_BYTES);
    expect(bytes(wide)).toBeGreaterThan(MAX_STATE_BYTES);
    expect(bytes(fitState(wide))).toBeLessThanOrEqual(MAX_STATE_BYTES);
  });

  it("clips long warnings and error texts before it drops history", () => {
    const state: HandoverState = { ...stateWithHistory(3, 10), warnings: ["w".repeat(MAX_STATE_BYTES)] };
    const fitted = fitState(state);
    expect(fitted.history).toEqual(state.history);
    expect(bytes(fitted.warnings[0])).toBeLessThanOrEqual(400);
    expect(bytes(fitted)).toBeLessThanOrEqual(MAX_STATE_BYTES);
  });
});

describe("saveHandoverState", () => {
  it("replaces the value at the key with the fitted state in one api call", () => {
    const { api, calls } = recordingApi();
    const state = stateWithHistory(200, 500);
    saveHandoverState(api, "handover.chatwoot", state);
    expect(calls).toEqual([{ method: "addToContext", args: ["handover.chatwoot", fitState(state)] }]);
  });
});

describe("the handover state's worst case (issue 11: within 16 kB of Cognigy's 65 kB context)", () => {
  /** Every part at its bound, with text that JSON escapes at 6 bytes a character. */
  function worstCase(): HandoverState {
    const escaped = "\u0001".repeat(500);
    const long = "x".repeat(200);
    const hostileLabels = readLabels(Array.from({ length: 50 }, (_, index) => `${index}${"\u0001".repeat(40)}`));
    return {
      ...emptyHandoverState(),
      status: "live",
      history: Array.from({ length: 50 }, (_, index) => ({ role: index % 2 === 0 ? "user" : "bot", text: escaped, at: index })),
      handledEvents: Array.from({ length: 30 }, (_, index) => `${index}-${long}`),
      lastForwardedInputId: long,
      conversation: {
        account: `https://chat.example.com/${long}#1`,
        id: 123456,
        inboxId: 7,
        sourceId: long,
        sessionId: long,
        agentAnswered: true,
        startedAt: 1,
        lastActivityAt: 2,
        endedAt: null,
        // Issue 13's fields at their bounds, as the nodes write them.
        cancelPayload: clipToJsonBytes(escaped, MAX_CANCEL_PAYLOAD_BYTES),
        queueMessage: clipToJsonBytes(escaped.repeat(4), MAX_QUEUE_MESSAGE_BYTES),
        queuePosition: Number.MAX_SAFE_INTEGER,
        agentName: clipToJsonBytes(escaped, MAX_AGENT_NAME_BYTES),
        firstAgentMessageAt: Number.MAX_SAFE_INTEGER,
        labels: hostileLabels,
      },
      outcome: { endedBy: "agent", agentName: clipToJsonBytes(escaped, MAX_AGENT_NAME_BYTES), labels: hostileLabels, waitSeconds: Number.MAX_SAFE_INTEGER, durationSeconds: Number.MAX_SAFE_INTEGER },
      contact: { account: long, identifier: "i".repeat(255), contactId: 99, sourceIds: Object.fromEntries(Array.from({ length: 40 }, (_, index) => [String(index + 1), `${long}-${index}`])) },
      warnings: Array.from({ length: 20 }, () => escaped.repeat(4)),
      error: { operation: "create conversation", kind: "http", status: 500, message: escaped.repeat(10), at: 1 },
      unconfirmed: { account: long, inboxId: 7, sourceId: long, contactId: 99, sessionId: long, routeDigest: "d".repeat(22), at: 1 },
      waitingAt: long,
      sessionSeen: { inputId: long, flowName: long },
    };
  }

  it("fits 16 kB after fitting, keeping the conversation, the contact for its inbox and the newest turns", () => {
    const state = worstCase();
    expect(bytes(state)).toBeGreaterThan(100_000);
    const fitted = fitState(state);
    expect(bytes(fitted)).toBeLessThanOrEqual(16_000);
    expect(fitted.conversation).toEqual(state.conversation);
    expect(fitted.outcome).toEqual(state.outcome);
    expect(fitted.conversation?.labels?.length).toBeGreaterThan(0);
    expect(fitted.waitingAt).toBe(state.waitingAt);
    expect(fitted.contact?.sourceIds["7"]).toBe(state.contact?.sourceIds["7"]);
  });

  it("with the longest history of plain text (50 turns of 500 characters) keeps the newest turns", () => {
    const state: HandoverState = {
      ...emptyHandoverState(),
      status: "live",
      history: Array.from({ length: 50 }, (_, index) => ({ role: "user", text: `${index} ${"x".repeat(495)}`, at: index })),
      handledEvents: Array.from({ length: 30 }, (_, index) => `00000000-0000-4000-8000-${String(index).padStart(12, "0")}`),
      warnings: ["Labels were not set: Chatwoot request \"set labels\" failed with HTTP 401.", "Agent 7 was not assigned."],
    };
    const fitted = fitState(state);
    expect(bytes(fitted)).toBeLessThanOrEqual(16_000);
    expect(fitted.history.length).toBeGreaterThanOrEqual(20);
    expect(fitted.history.at(-1)).toEqual(state.history.at(-1));
    expect(fitted.handledEvents).toEqual(state.handledEvents);
  });

  it("a worst-case state parsed back from the context is the same state", () => {
    const fitted = fitState(worstCase());
    expect(readHandoverState({ chatwoot: JSON.parse(JSON.stringify(fitted)) }, "chatwoot")).toEqual(fitted);
  });
});
