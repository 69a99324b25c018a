import { emptyHandoverState, type HandoverState } from "../../src/core/handover-state";
import type { RelayAttachment, RelayEventBody } from "../../src/core/relay-event";
import { handleRelayEvent } from "../../nodes/session/handle-relay-event";
import { parseSessionConfig } from "../../nodes/session/session-config";

const NOW = 1_750_000_000_000;
const BASE = { v: 1 as const, sessionId: "session-1", conversationId: 42, ts: NOW };

function live(): HandoverState {
  return {
    ...emptyHandoverState(),
    status: "live",
    conversation: { account: "https://chat.example.com#1", id: 42, inboxId: 7, sourceId: "src", sessionId: "session-1", agentAnswered: false, startedAt: NOW - 90_000, lastActivityAt: NOW - 90_000, endedAt: null },
  };
}

function message(text: string, agentName: string, from?: "agent" | "automation", attachments: RelayAttachment[] = []): RelayEventBody {
  return { ...BASE, id: "m1", type: "agent_message", messageId: 1, text, attachments, agentName, ...(from === undefined ? {} : { from }) };
}

describe("handleRelayEvent: the agent's name in messages", () => {
  it.each<[string, Record<string, unknown>, RelayEventBody, string[]]>([
    ["no format: the text as sent", {}, message("Hello", "Anna"), ["Hello"]],
    ["name and text", { agentNameFormat: "{agent}: {text}" }, message("Hello", "Anna"), ["Anna: Hello"]],
    ["an automation rule's message stays as sent", { agentNameFormat: "{agent}: {text}" }, message("We got your request", "", "automation"), ["We got your request"]],
    ["an agent without a name: the text as sent", { agentNameFormat: "{agent}: {text}" }, message("Hello", ""), ["Hello"]],
    ["with Markdown rendered to plain text first", { agentNameFormat: "{agent}: {text}" }, message("**Done**", "Anna"), ["Anna: Done"]],
    ["only the text, not the attachments' outputs", { agentNameFormat: "{agent}: {text}" }, message("See the map", "Anna", "agent", [{ url: "https://maps.example.com/x", kind: "location", name: "Shop" }]), ["Anna: See the map", "📍 Shop: https://maps.example.com/x"]],
    ["attachments alone are not named", { agentNameFormat: "{agent}: {text}" }, message("", "Anna", "agent", [{ url: "https://maps.example.com/x", kind: "location", name: "Shop" }]), ["📍 Shop: https://maps.example.com/x"]],
    ["a Chatwoot template message has no agent", { agentNameFormat: "{agent}: {text}" }, { ...BASE, id: "t1", type: "template_message", messageId: 2, text: "We are away" }, ["We are away"]],
    ["the joined message uses the same name", { agentNameFormat: "{agent}: {text}", agentJoinedMessage: "{agent} has joined." }, { ...BASE, id: "a1", type: "agent_assigned", agentName: "Anna" }, ["Anna has joined."]],
  ])("%s", (_, fields, event, texts) => {
    expect(handleRelayEvent(event, live(), parseSessionConfig(fields), NOW).outputs.map((output) => output.text)).toEqual(texts);
  });

  it("cuts a named text to Cognigy's 10,000 characters", () => {
    const result = handleRelayEvent(message("x".repeat(12_000), "Anna"), live(), parseSessionConfig({ agentNameFormat: "{agent}: {text}" }), NOW);
    expect(result.outputs[0]?.text).toHaveLength(10_000);
    expect(result.outputs[0]?.text.startsWith("Anna: xxx")).toBe(true);
  });

  it.each<[string, RelayEventBody, string | null]>([
    ["an agent's message", message("Hi", "Anna"), "Anna"],
    ["an assignment", { ...BASE, id: "a1", type: "agent_assigned", agentName: "Ben" }, "Ben"],
    ["an automation message (no agent)", message("Hi", "", "automation"), null],
  ])("remembers the agent of %s for the outcome", (_, event, name) => {
    expect(handleRelayEvent(event, live(), parseSessionConfig({}), NOW).state?.conversation?.agentName ?? null).toBe(name);
  });

  it("keeps the first agent message's time, and the name of the last agent who wrote", () => {
    const first = handleRelayEvent(message("Hi", "Anna"), live(), parseSessionConfig({}), NOW);
    const second = handleRelayEvent({ ...message("Ben here", "Ben"), id: "m2" }, first.state ?? live(), parseSessionConfig({}), NOW + 5_000);
    expect(second.state?.conversation).toMatchObject({ agentName: "Ben", firstAgentMessageAt: NOW, agentAnswered: true });
  });
});
