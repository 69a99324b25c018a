import type { ConversationState } from "../../src/core/handover-state";
import type { TurnInput } from "../../src/cognigy/turn-input";
import { cancelNote, cancelRequest, type CancelWay } from "../../nodes/session/forward-user-input";
import { parseSessionConfig } from "../../nodes/session/session-config";

const BEFORE_BUTTONS: ConversationState = { account: "a#1", id: 42, inboxId: 7, sourceId: "s", sessionId: "x", agentAnswered: false, startedAt: 0, lastActivityAt: 0, endedAt: null };
const CONVERSATION: ConversationState = { ...BEFORE_BUTTONS, cancelPayload: "Cancel" };
const CONFIG = parseSessionConfig({ cancelKeywords: ["stop waiting"], cancelIntent: "cancelHandover" });

function input(text: string, intent = ""): TurnInput {
  return { text, intent, data: {}, attachments: [], inputId: "i1", sessionId: "x", userId: "u", urlToken: "t", flowName: "", activeOptionalQuestion: null, execution: null };
}

describe("cancelRequest: the cancel button, keywords and intent", () => {
  it.each<[string, TurnInput, Partial<ConversationState> | "before buttons", CancelWay | null]>([
    ["the button pressed (its payload) before an agent answered", input("Cancel"), {}, "button"],
    ["the button's text typed in another case, with blanks", input("  cANCEL "), {}, "button"],
    ["the button pressed after an agent answered: ordinary text", input("Cancel"), { agentAnswered: true }, null],
    ["the button pressed while only an agent was assigned (no answer yet)", input("Cancel"), { agentName: "Anna" }, "button"],
    ["the button's text inside a longer message", input("Cancel my order"), {}, null],
    ["a handover without a button", input("Cancel"), { cancelPayload: null }, null],
    ["a state from before the button", input("Cancel"), "before buttons", null],
    ["an empty input with no button", input(""), { cancelPayload: null }, null],
    ["a cancel keyword", input("Stop waiting"), {}, "keyword"],
    ["a cancel keyword after an agent answered", input("stop waiting"), { agentAnswered: true }, null],
    ["the cancel intent", input("forget it", "cancelHandover"), {}, "intent"],
    ["another intent", input("forget it", "smalltalk"), {}, null],
  ])("%s", (_, turn, changes, expected) => {
    expect(cancelRequest(turn, CONFIG, changes === "before buttons" ? BEFORE_BUTTONS : { ...CONVERSATION, ...changes })).toBe(expected);
  });

  it.each<[CancelWay, string]>([
    ["button", "the cancel button"],
    ["keyword", "a cancel keyword"],
    ["intent", "the cancel intent"],
  ])("tells the agent in a private note how the user cancelled (%s)", (way, words) => {
    expect(cancelNote(way)).toBe(`The user cancelled the handover with ${words} before an agent answered, and is back with the assistant.`);
  });
});
