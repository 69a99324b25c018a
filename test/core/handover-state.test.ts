import { emptyHandoverState, MAX_HANDLED_EVENTS, parseHandoverState, withHandledEvent, type HandoverState } from "../../src/core/handover-state";

const ACCOUNT = "https://chat.example.com#3";

function liveState(): HandoverState {
  return {
    ...emptyHandoverState(),
    status: "live",
    conversation: { account: ACCOUNT, id: 42, inboxId: 7, sourceId: "src-1", sessionId: "session-1", agentAnswered: true, startedAt: 1000, lastActivityAt: 1500, endedAt: null },
    contact: { account: ACCOUNT, identifier: "user-1", contactId: 99, sourceIds: { "7": "src-1" } },
    history: [
      { role: "user", text: "I need help", at: 10 },
      { role: "bot", text: "One moment", at: 11 },
    ],
    handledEvents: ["evt-1", "evt-2"],
    lastForwardedInputId: "input-5",
    unavailable: { reason: "outside_business_hours", outOfOfficeMessage: "We open at 9", at: 500 },
    error: { operation: "create conversation", kind: "http", status: 422, message: "Inbox not found", at: 600 },
    warnings: ["labels not set"],
  };
}

function jsonCopy<T>(value: T): unknown {
  return JSON.parse(JSON.stringify(value));
}

describe("emptyHandoverState", () => {
  it("starts idle with nothing remembered", () => {
    expect(emptyHandoverState()).toEqual({
      v: 1,
      status: "idle",
      conversation: null,
      contact: null,
      history: [],
      handledEvents: [],
      lastForwardedInputId: null,
      unavailable: null,
      error: null,
      warnings: [],
    });
  });

  it("returns a new object every time, so one session's state never leaks into another's", () => {
    const first = emptyHandoverState();
    first.history.push({ role: "user", text: "x", at: 1 });
    expect(emptyHandoverState().history).toEqual([]);
  });
});

describe("parseHandoverState", () => {
  it("reads back a state that went through the context as JSON", () => {
    const state = liveState();
    expect(parseHandoverState(jsonCopy(state))).toEqual(state);
  });

  it.each([
    { name: "nothing", value: undefined },
    { name: "a string", value: "live" },
    { name: "an array", value: [] },
    { name: "a state without version", value: { status: "live" } },
    { name: "a state of another version", value: { ...liveState(), v: 2 } },
  ])("starts from an empty state for $name", ({ value }) => {
    expect(parseHandoverState(value)).toEqual(emptyHandoverState());
  });

  it("keeps the last error, so the designer still reads it after the next input", () => {
    const state: HandoverState = { ...emptyHandoverState(), status: "error", error: { operation: "configuration", kind: "configuration", status: null, message: "field missing", at: 5 } };
    expect(parseHandoverState(jsonCopy(state))).toEqual(state);
  });

  it("drops an error of an unknown kind", () => {
    expect(parseHandoverState({ ...liveState(), error: { operation: "x", kind: "weird", status: 1, message: "m", at: 1 } }).error).toBeNull();
  });

  it("reads an unknown status as idle", () => {
    expect(parseHandoverState({ v: 1, status: "waiting" }).status).toBe("idle");
  });

  it.each<HandoverState["status"]>(["idle", "ended", "unavailable", "error"])("keeps the status %s", (status) => {
    expect(parseHandoverState({ v: 1, status }).status).toBe(status);
  });

  it("does not call a handover live when its conversation is unreadable", () => {
    const state = parseHandoverState({ ...liveState(), conversation: { id: 42 } });
    expect(state.status).toBe("idle");
    expect(state.conversation).toBeNull();
  });

  it.each([
    { field: "account", value: "" },
    { field: "id", value: 0 },
    { field: "inboxId", value: "seven" },
    { field: "sourceId", value: " " },
    { field: "sessionId", value: 5 },
  ])("drops a conversation whose $field is unusable", ({ field, value }) => {
    const raw = { ...liveState(), status: "ended", conversation: { ...liveState().conversation, [field]: value } };
    expect(parseHandoverState(raw).conversation).toBeNull();
  });

  it("fills in the optional conversation fields", () => {
    const state = parseHandoverState({ v: 1, status: "live", conversation: { account: ACCOUNT, id: "42", inboxId: 7, sourceId: "s", sessionId: "" } });
    expect(state.conversation).toEqual({ account: ACCOUNT, id: 42, inboxId: 7, sourceId: "s", sessionId: "", agentAnswered: false, startedAt: 0, lastActivityAt: 0, endedAt: null });
    expect(state.status).toBe("live");
  });

  it("keeps only the contact's usable source ids", () => {
    const state = parseHandoverState({ v: 1, contact: { account: ACCOUNT, identifier: "u", contactId: 5, sourceIds: { "1": "a", "2": "", "3": 4 } } });
    expect(state.contact).toEqual({ account: ACCOUNT, identifier: "u", contactId: 5, sourceIds: { "1": "a" } });
  });

  it("drops a contact cache without contact id", () => {
    expect(parseHandoverState({ v: 1, contact: { account: ACCOUNT, identifier: "u", sourceIds: {} } }).contact).toBeNull();
  });

  it("keeps only well-formed history turns", () => {
    const history = [{ role: "user", text: "a", at: 1 }, { role: "agent", text: "b" }, { role: "bot", text: 5 }, "text", { role: "bot", text: "c" }];
    expect(parseHandoverState({ v: 1, history }).history).toEqual([
      { role: "user", text: "a", at: 1 },
      { role: "bot", text: "c", at: 0 },
    ]);
  });

  it(`keeps the newest ${MAX_HANDLED_EVENTS} handled event ids`, () => {
    const ids = Array.from({ length: MAX_HANDLED_EVENTS + 5 }, (_, index) => `evt-${index}`);
    const state = parseHandoverState({ v: 1, handledEvents: [...ids, 7] });
    expect(state.handledEvents).toEqual(ids.slice(5));
  });

  it("ignores an unavailability with an unknown reason", () => {
    expect(parseHandoverState({ v: 1, unavailable: { reason: "holiday", at: 1 } }).unavailable).toBeNull();
  });

  it("reads an unavailability without out-of-office message", () => {
    expect(parseHandoverState({ v: 1, unavailable: { reason: "no_agent_online" } }).unavailable).toEqual({ reason: "no_agent_online", outOfOfficeMessage: null, at: 0 });
  });

  it("keeps only string warnings and a string last input id", () => {
    const state = parseHandoverState({ v: 1, warnings: ["a", 1, null, "b"], lastForwardedInputId: 12 });
    expect(state.warnings).toEqual(["a", "b"]);
    expect(state.lastForwardedInputId).toBeNull();
  });
});

describe("withHandledEvent", () => {
  it("appends the event id without changing the given state", () => {
    const state = liveState();
    const next = withHandledEvent(state, "evt-3");
    expect(next.handledEvents).toEqual(["evt-1", "evt-2", "evt-3"]);
    expect(state.handledEvents).toEqual(["evt-1", "evt-2"]);
    expect({ ...next, handledEvents: state.handledEvents }).toEqual(state);
  });

  it("moves an id seen again to the newest place instead of listing it twice", () => {
    expect(withHandledEvent(liveState(), "evt-1").handledEvents).toEqual(["evt-2", "evt-1"]);
  });

  it(`forgets the oldest ids beyond ${MAX_HANDLED_EVENTS}`, () => {
    let state = emptyHandoverState();
    for (let index = 0; index < MAX_HANDLED_EVENTS + 3; index += 1) state = withHandledEvent(state, `evt-${index}`);
    expect(state.handledEvents).toHaveLength(MAX_HANDLED_EVENTS);
    expect(state.handledEvents[0]).toBe("evt-3");
    expect(state.handledEvents[MAX_HANDLED_EVENTS - 1]).toBe(`evt-${MAX_HANDLED_EVENTS + 2}`);
  });
});
