import { emptyHandoverState, type HandoverState, type HistoryTurn } from "../../src/core/handover-state";
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
    const wide: HandoverState = { ...state, history: state.history.map((turn) => ({ ...turn, text: "😀".repeat(400) })) };
    expect(JSON.stringify(wide).length).toBeLessThan(MAX_STATE_BYTES);
    expect(bytes(wide)).toBeGreaterThan(MAX_STATE_BYTES);
    expect(bytes(fitState(wide))).toBeLessThanOrEqual(MAX_STATE_BYTES);
  });

  it("gives back a state without history when even that is too large", () => {
    const state: HandoverState = { ...stateWithHistory(3, 10), warnings: ["w".repeat(MAX_STATE_BYTES)] };
    const fitted = fitState(state);
    expect(fitted.history).toEqual([]);
    expect(fitted.warnings).toEqual(state.warnings);
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
