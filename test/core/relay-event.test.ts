import { parseRelayEventBody, RELAY_EVENT_VERSION, type RelayEventBody } from "../../src/core/relay-event";

const BASE: Pick<RelayEventBody, "v" | "id" | "sessionId" | "conversationId" | "ts"> = { v: RELAY_EVENT_VERSION, id: "evt-1", sessionId: "session-1", conversationId: 42, ts: 1_700_000_000_000 };

const VALID: RelayEventBody[] = [
  {
    ...BASE,
    type: "agent_message",
    messageId: 9,
    text: "Hello",
    agentName: "Ada",
    attachments: [
      { url: "https://chat.example.com/rails/active_storage/a.png", kind: "image", name: "a.png" },
      { url: "http://files.example.com/b.pdf", kind: "file", name: "" },
    ],
  },
  { ...BASE, type: "template_message", messageId: 10, text: "We are away" },
  { ...BASE, type: "csat", messageId: 11, text: "Rate us", link: "https://chat.example.com/survey/responses/abc" },
  { ...BASE, type: "status_changed", status: "resolved" },
  { ...BASE, type: "agent_assigned", agentName: "Ada" },
];

function agentMessage(overrides: Record<string, unknown>): Record<string, unknown> {
  return { ...BASE, type: "agent_message", messageId: 9, text: "Hi", agentName: "Ada", attachments: [], ...overrides };
}

describe("parseRelayEventBody", () => {
  it.each(["javascript:alert(1)", "ftp://chat.example.com/survey", ""])("refuses a survey link %j that is not http(s)", (link) => {
    expect(parseRelayEventBody({ ...BASE, type: "csat", messageId: 11, text: "Rate us", link })).toBeUndefined();
  });

  it.each(VALID.map((event) => ({ type: event.type, event })))("reads a well-formed $type event unchanged", ({ event }) => {
    expect(parseRelayEventBody(JSON.parse(JSON.stringify(event)))).toEqual(event);
  });

  it.each(["open", "resolved", "pending", "snoozed"])("accepts the conversation status %s", (status) => {
    expect(parseRelayEventBody({ ...BASE, type: "status_changed", status })).toEqual({ ...BASE, type: "status_changed", status });
  });

  it("drops fields an event type does not have", () => {
    expect(parseRelayEventBody({ ...BASE, type: "agent_assigned", agentName: "Ada", extra: "x", text: "ignored" })).toEqual({ ...BASE, type: "agent_assigned", agentName: "Ada" });
  });

  it("reads ids that arrive as digit strings as numbers", () => {
    expect(parseRelayEventBody({ ...BASE, conversationId: "42", type: "template_message", messageId: "10", text: "t" })).toEqual({ ...BASE, type: "template_message", messageId: 10, text: "t" });
  });

  it("gives an attachment without a name an empty name", () => {
    const parsed = parseRelayEventBody(agentMessage({ attachments: [{ url: "https://x.example/a.mp4", kind: "video" }] }));
    expect(parsed).toMatchObject({ attachments: [{ url: "https://x.example/a.mp4", kind: "video", name: "" }] });
  });

  it("reads a file's size, and an attachment without one (older relays) without a size (issue 11, G6)", () => {
    const parsed = parseRelayEventBody(agentMessage({ attachments: [{ url: "https://x.example/a.pdf", kind: "file", name: "a.pdf", size: 48213 }, { url: "https://x.example/b.pdf", kind: "file", name: "b.pdf" }] }));
    expect(parsed).toMatchObject({ attachments: [{ url: "https://x.example/a.pdf", size: 48213 }, { url: "https://x.example/b.pdf" }] });
    expect(parsed?.type === "agent_message" ? parsed.attachments[1] : undefined).not.toHaveProperty("size");
  });

  it("reads an empty file's size of 0", () => {
    expect(parseRelayEventBody(agentMessage({ attachments: [{ url: "https://x.example/a.txt", kind: "file", name: "a.txt", size: 0 }] }))).toMatchObject({ attachments: [{ size: 0 }] });
  });

  it("reads an automation message's author, and an agent message without one as written by an agent (older relays)", () => {
    expect(parseRelayEventBody(agentMessage({ from: "automation" }))).toMatchObject({ type: "agent_message", from: "automation" });
    expect(parseRelayEventBody(agentMessage({ from: "agent" }))).toMatchObject({ type: "agent_message", from: "agent" });
    expect(parseRelayEventBody(agentMessage({}))).not.toHaveProperty("from");
  });

  it.each(["location", "link"])("reads a %s attachment (C12)", (kind) => {
    const attachments = [{ url: "https://www.openstreetmap.org/?mlat=1&mlon=2#map=16/1/2", kind, name: "Office" }];
    expect(parseRelayEventBody(agentMessage({ attachments }))).toMatchObject({ attachments });
  });

  it("accepts up to 15 attachments", () => {
    const attachments = Array.from({ length: 15 }, (_, index) => ({ url: `https://x.example/${index}.png`, kind: "image", name: "" }));
    expect(parseRelayEventBody(agentMessage({ attachments }))).toMatchObject({ attachments });
  });

  it.each([
    { name: "not an object", value: "event" },
    { name: "an array", value: [BASE] },
    { name: "another version", value: { ...agentMessage({}), v: 2 } },
    { name: "no id", value: agentMessage({ id: undefined }) },
    { name: "a blank id", value: agentMessage({ id: "  " }) },
    { name: "no session id", value: agentMessage({ sessionId: "" }) },
    { name: "conversation id 0", value: agentMessage({ conversationId: 0 }) },
    { name: "a fractional conversation id", value: agentMessage({ conversationId: 1.5 }) },
    { name: "a timestamp as string", value: agentMessage({ ts: "1700000000000" }) },
    { name: "a fractional timestamp", value: agentMessage({ ts: 1.5 }) },
    { name: "an unknown type", value: { ...BASE, type: "message_deleted" } },
    { name: "an agent message without message id", value: agentMessage({ messageId: undefined }) },
    { name: "an agent message by an unknown author", value: agentMessage({ from: "system" }) },
    { name: "an agent message without text", value: agentMessage({ text: undefined }) },
    { name: "an agent message without agent name", value: agentMessage({ agentName: 5 }) },
    { name: "16 attachments", value: agentMessage({ attachments: Array.from({ length: 16 }, () => ({ url: "https://x.example/a.png", kind: "image" })) }) },
    { name: "an attachment with a javascript: URL", value: agentMessage({ attachments: [{ url: "javascript:alert(1)", kind: "file" }] }) },
    { name: "an attachment with a relative URL", value: agentMessage({ attachments: [{ url: "/a.png", kind: "image" }] }) },
    { name: "an attachment of unknown kind", value: agentMessage({ attachments: [{ url: "https://x.example/a", kind: "sticker" }] }) },
    { name: "an attachment that is not an object", value: agentMessage({ attachments: ["https://x.example/a.png"] }) },
    { name: "an attachment with a negative size", value: agentMessage({ attachments: [{ url: "https://x.example/a.pdf", kind: "file", size: -1 }] }) },
    { name: "an attachment with a fractional size", value: agentMessage({ attachments: [{ url: "https://x.example/a.pdf", kind: "file", size: 1.5 }] }) },
    { name: "an attachment with a size as text", value: agentMessage({ attachments: [{ url: "https://x.example/a.pdf", kind: "file", size: "12" }] }) },
    { name: "a template message without text", value: { ...BASE, type: "template_message", messageId: 1 } },
    { name: "a survey without link", value: { ...BASE, type: "csat", messageId: 1, text: "Rate" } },
    { name: "an unknown status", value: { ...BASE, type: "status_changed", status: "closed" } },
    { name: "an assignment without agent name", value: { ...BASE, type: "agent_assigned" } },
  ])("refuses $name", ({ value }) => {
    expect(parseRelayEventBody(value)).toBeUndefined();
  });
});
