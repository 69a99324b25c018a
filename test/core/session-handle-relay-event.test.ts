import { emptyHandoverState, type HandoverState } from "../../src/core/handover-state";
import type { RelayAttachment, RelayEventBody } from "../../src/core/relay-event";
import { MAX_MESSAGE_OUTPUTS } from "../../src/cognigy/agent-output";
import { handleRelayEvent } from "../../nodes/session/handle-relay-event";
import { parseSessionConfig, type SessionConfig } from "../../nodes/session/session-config";

const NOW = 1_750_000_000_000;
const CONFIG: SessionConfig = parseSessionConfig({
  resolvedMessage: "The agent closed the chat. I'm back!",
  reopenedMessage: "The agent reopened the chat.",
  agentJoinedMessage: "{agent} is here. Hi from {agent}!",
  csatButtonTitle: "Rate",
});
const BASE: Pick<RelayEventBody, "v" | "sessionId" | "conversationId" | "ts"> = { v: 1, sessionId: "session-1", conversationId: 42, ts: NOW };

function state(status: HandoverState["status"], endedAt: number | null = null): HandoverState {
  return {
    ...emptyHandoverState(),
    status,
    conversation: { account: "https://chat.example.com#1", id: 42, inboxId: 7, sourceId: "src", sessionId: "session-1", agentAnswered: false, startedAt: 1, lastActivityAt: 1, endedAt },
    handledEvents: ["evt-old"],
  };
}

function agentMessage(id: string, text: string, attachments: RelayAttachment[] = []): RelayEventBody {
  return { ...BASE, id, type: "agent_message", messageId: 1, text, agentName: "Ada", attachments };
}

function automationMessage(id: string, text: string): RelayEventBody {
  return { ...BASE, id, type: "agent_message", messageId: 2, text, agentName: "", attachments: [], from: "automation" };
}

function statusChanged(id: string, status: "open" | "resolved" | "pending" | "snoozed"): RelayEventBody {
  return { ...BASE, id, type: "status_changed", status };
}

describe("handleRelayEvent", () => {
  it("shows an agent's message to the user and notes that the agent answered", () => {
    const result = handleRelayEvent(agentMessage("evt-1", "How can I help?"), state("live"), CONFIG, NOW);
    expect(result.next).toBe("stop");
    expect(result.outputs).toEqual([{ text: "How can I help?" }]);
    expect(result.state?.conversation?.agentAnswered).toBe(true);
    expect(result.state?.handledEvents).toEqual(["evt-old", "evt-1"]);
  });

  it("shows an agent's attachments within the output budget", () => {
    const attachments = Array.from({ length: 10 }, (_, index): RelayAttachment => ({ url: `https://chat.example.com/${index}.png`, kind: "image", name: `${index}.png` }));
    const result = handleRelayEvent(agentMessage("evt-1", "Files:", attachments), state("live"), CONFIG, NOW);
    expect(result.outputs).toHaveLength(MAX_MESSAGE_OUTPUTS);
    expect(result.outputs[0]).toEqual({ text: "Files:" });
  });

  it("shows an automation rule's message without counting it as the agent's answer (the user may still cancel)", () => {
    const result = handleRelayEvent(automationMessage("evt-auto", "Thanks, we got your request."), state("live"), CONFIG, NOW);
    expect(result.outputs).toEqual([{ text: "Thanks, we got your request." }]);
    expect(result.state?.conversation?.agentAnswered).toBe(false);
    expect(result.state?.conversation?.lastActivityAt).toBe(NOW);
  });

  it("keeps the agent's earlier answer when an automation message follows", () => {
    const live = state("live");
    const answered: HandoverState = { ...live, conversation: live.conversation === null ? null : { ...live.conversation, agentAnswered: true } };
    const result = handleRelayEvent(automationMessage("evt-auto", "Reminder"), answered, CONFIG, NOW);
    expect(result.state?.conversation?.agentAnswered).toBe(true);
  });

  it.each<[string, SessionConfig["agentMessageFormat"], string]>([
    ["plain text by default", "plain", "Press reset (how (https://help.example.com/reset)) for 5 seconds"],
    ["Markdown when the designer chose it", "markdown", "Press **reset** ([how](https://help.example.com/reset)) for _5_ seconds"],
  ])("shows an agent's Markdown as %s", (_, format, expected) => {
    const markdown = "Press **reset** ([how](https://help.example.com/reset)) for _5_ seconds";
    const result = handleRelayEvent(agentMessage("evt-md", markdown), state("live"), { ...CONFIG, agentMessageFormat: format }, NOW);
    expect(result.outputs).toEqual([{ text: expected }]);
  });

  it.each<[SessionConfig["agentMessageFormat"], string]>([
    ["plain", "Get notified by email"],
    ["markdown", "Get notified by email"],
  ])("shows Chatwoot's HTML template without tags (%s)", (format, expected) => {
    const template: RelayEventBody = { ...BASE, id: "evt-html", type: "template_message", messageId: 3, text: "<p>Get notified by email</p>\n" };
    expect(handleRelayEvent(template, state("live"), { ...CONFIG, agentMessageFormat: format }, NOW).outputs).toEqual([{ text: expected }]);
  });

  it("shows a location as a map link and a fallback attachment as a link, never as a file", () => {
    const map = "https://www.openstreetmap.org/?mlat=52.5&mlon=13.4#map=16/52.5/13.4";
    const result = handleRelayEvent(agentMessage("evt-loc", "", [{ url: map, kind: "location", name: "Our shop" }, { url: "https://shop.example.com/o/42", kind: "link", name: "" }]), state("live"), CONFIG, NOW);
    expect(result.outputs).toEqual([{ text: `📍 Our shop: ${map}` }, { text: "🔗 https://shop.example.com/o/42" }]);
  });

  it("ignores an event it has already handled and leaves the state alone", () => {
    const result = handleRelayEvent(agentMessage("evt-old", "Duplicate"), state("live"), CONFIG, NOW);
    expect(result).toEqual({ next: "stop", state: null, outputs: [], logs: [{ level: "debug", message: "event evt-old was already handled" }] });
  });

  it("ignores an event for another conversation, saying why in the log", () => {
    const result = handleRelayEvent({ ...agentMessage("evt-1", "Wrong chat"), conversationId: 43 }, state("live"), CONFIG, NOW);
    expect(result.next).toBe("stop");
    expect(result.state).toBeNull();
    expect(result.outputs).toEqual([]);
    expect(result.logs).toEqual([{ level: "info", message: expect.stringContaining("conversation 43") }]);
  });

  it("ignores an event when the session has no handover", () => {
    const result = handleRelayEvent(agentMessage("evt-1", "Hello"), emptyHandoverState(), CONFIG, NOW);
    expect(result.state).toBeNull();
    expect(result.outputs).toEqual([]);
  });

  it("shows a template message such as the out-of-office reply", () => {
    const result = handleRelayEvent({ ...BASE, id: "evt-1", type: "template_message", messageId: 2, text: "We are away" }, state("live"), CONFIG, NOW);
    expect(result.outputs).toEqual([{ text: "We are away" }]);
    expect(result.state?.handledEvents).toContain("evt-1");
  });

  it("shows nothing for a blank template message but still remembers it", () => {
    const result = handleRelayEvent({ ...BASE, id: "evt-1", type: "template_message", messageId: 2, text: "  " }, state("live"), CONFIG, NOW);
    expect(result.outputs).toEqual([]);
    expect(result.state?.handledEvents).toContain("evt-1");
  });

  it("shows the satisfaction survey as a button with the configured title", () => {
    const link = "https://chat.example.com/survey/responses/abc";
    const result = handleRelayEvent({ ...BASE, id: "evt-1", type: "csat", messageId: 3, text: "Please rate", link }, state("ended"), CONFIG, NOW);
    expect(result.outputs).toHaveLength(1);
    expect(result.outputs[0]?.text).toBe(`Please rate ${link}`);
    expect(JSON.stringify(result.outputs[0]?.data)).toContain('"title":"Rate"');
  });

  it("drops the survey when forwarding it is switched off", () => {
    const result = handleRelayEvent({ ...BASE, id: "evt-1", type: "csat", messageId: 3, text: "Rate", link: "https://x.example" }, state("ended"), { ...CONFIG, forwardCsat: false }, NOW);
    expect(result.outputs).toEqual([]);
    expect(result.state?.handledEvents).toContain("evt-1");
  });

  it("announces an assigned agent by name wherever the message says {agent}", () => {
    const result = handleRelayEvent({ ...BASE, id: "evt-1", type: "agent_assigned", agentName: "Ada" }, state("live"), CONFIG, NOW);
    expect(result.outputs).toEqual([{ text: "Ada is here. Hi from Ada!" }]);
  });

  it("announces nothing when no joined message is configured", () => {
    const result = handleRelayEvent({ ...BASE, id: "evt-1", type: "agent_assigned", agentName: "Ada" }, state("live"), { ...CONFIG, agentJoinedMessage: "" }, NOW);
    expect(result.outputs).toEqual([]);
  });

  it("returns the user to the bot when the agent resolves a live conversation", () => {
    const result = handleRelayEvent(statusChanged("evt-1", "resolved"), state("live"), CONFIG, NOW);
    expect(result.next).toBe("resolved");
    expect(result.outputs).toEqual([{ text: CONFIG.resolvedMessage }]);
    expect(result.state?.status).toBe("ended");
    expect(result.state?.conversation?.endedAt).toBe(NOW);
    expect(result.state?.handledEvents).toEqual(["evt-old", "evt-1"]);
  });

  it("makes the handover live again when the agent reopens an ended conversation", () => {
    const result = handleRelayEvent(statusChanged("evt-1", "open"), state("ended", NOW - 1000), CONFIG, NOW);
    expect(result.next).toBe("stop");
    expect(result.outputs).toEqual([{ text: CONFIG.reopenedMessage }]);
    expect(result.state?.status).toBe("live");
    expect(result.state?.conversation?.endedAt).toBeNull();
  });

  it.each<{ name: string; event: RelayEventBody; status: HandoverState["status"] }>([
    { name: "a resolve of an already ended handover", event: statusChanged("evt-1", "resolved"), status: "ended" },
    { name: "an open of a live handover", event: statusChanged("evt-1", "open"), status: "live" },
    { name: "a pending status", event: statusChanged("evt-1", "pending"), status: "live" },
    { name: "a snooze", event: statusChanged("evt-1", "snoozed"), status: "live" },
    { name: "a resolve after the handover failed", event: statusChanged("evt-1", "resolved"), status: "error" },
  ])("only remembers $name, without output or status change", ({ event, status }) => {
    const before = state(status);
    const result = handleRelayEvent(event, before, CONFIG, NOW);
    expect(result.next).toBe("stop");
    expect(result.outputs).toEqual([]);
    expect(result.state).toEqual({ ...before, handledEvents: ["evt-old", "evt-1"] });
  });

  it("says nothing on resolve when no resolved message is configured, but still returns to the bot", () => {
    const result = handleRelayEvent(statusChanged("evt-1", "resolved"), state("live"), { ...CONFIG, resolvedMessage: " " }, NOW);
    expect(result.next).toBe("resolved");
    expect(result.outputs).toEqual([]);
  });

  it("does not change the state it was given", () => {
    const before = state("live");
    const snapshot = JSON.stringify(before);
    handleRelayEvent(statusChanged("evt-1", "resolved"), before, CONFIG, NOW);
    handleRelayEvent(agentMessage("evt-2", "hi"), before, CONFIG, NOW);
    expect(JSON.stringify(before)).toBe(snapshot);
  });
});
