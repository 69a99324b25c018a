import { parseInjectJob, type EventDetails, type InjectJob } from "../../src/relay/relay-job";

function job(event: EventDetails, overrides: Partial<InjectJob> = {}): InjectJob {
  return {
    dedupeKey: "message:1:4711",
    conversationKey: "1:321",
    orderTs: 1_781_691_342_123,
    orderSeq: 4711,
    accountId: 1,
    sealedRoute: "v1.AAAAAAAAAAAAAAAA.BBBBBBBBBBBBBBBBBBBBBBBB",
    binding: { inboxId: 12, sourceId: "source-abc" },
    event,
    ...overrides,
  };
}

const AGENT_MESSAGE: EventDetails = {
  type: "agent_message",
  conversationId: 321,
  messageId: 4711,
  text: "Grüße – see attached 👋",
  attachments: [
    { url: "https://chat.example.com/files/a.png", kind: "image", name: "a.png" },
    { url: "https://chat.example.com/files/b.pdf", kind: "file", name: "b.pdf" },
  ],
  agentName: "Anna",
};

/** What the outbox does: JSON text in, JSON text out. */
function throughJson(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value));
}

describe("parseInjectJob: round trip through JSON", () => {
  it.each<[string, InjectJob]>([
    ["an agent message with attachments", job(AGENT_MESSAGE)],
    ["an agent message without text", job({ ...AGENT_MESSAGE, text: "", attachments: [] })],
    ["a template message", job({ type: "template_message", conversationId: 321, messageId: 800, text: "We are away." })],
    ["a CSAT survey", job({ type: "csat", conversationId: 321, messageId: 801, text: "Rate us https://x.example.com/s", link: "https://x.example.com/s" })],
    ["a status change", job({ type: "status_changed", conversationId: 321, status: "resolved" }, { dedupeKey: "status:1:321:resolved:1781691342.123", orderSeq: Number.MAX_SAFE_INTEGER })],
    ["an assignment", job({ type: "agent_assigned", conversationId: 321, agentName: "Anna" }, { dedupeKey: "assign:1:321:7:1781691342.123" })],
    ["a job of an old Chatwoot without account (account 0)", job(AGENT_MESSAGE, { accountId: 0, conversationKey: "0:321" })],
    ["an agent message whose agent's display name is looked up at delivery", job(AGENT_MESSAGE, { agentId: 7 })],
  ])("reads back %s unchanged", (_, original) => {
    expect(parseInjectJob(throughJson(original))).toEqual(original);
  });

  it("drops fields that are not part of a job or its event", () => {
    const stored = { ...job(AGENT_MESSAGE), extra: "x", event: { ...AGENT_MESSAGE, v: 1, id: "event-1", sessionId: "session-1", ts: 5, note: "x" }, binding: { inboxId: 12, sourceId: "source-abc", other: 1 } };
    expect(parseInjectJob(throughJson(stored))).toEqual(job(AGENT_MESSAGE));
  });

  it("reads a job stored before jobs carried the sender's id: no lookup at delivery", () => {
    const stored = throughJson(job(AGENT_MESSAGE));
    expect(stored).not.toHaveProperty("agentId");
    expect(parseInjectJob(stored)).toEqual(job(AGENT_MESSAGE));
    expect(parseInjectJob(stored)).not.toHaveProperty("agentId");
  });

  it("reads an inbox id written as a string", () => {
    expect(parseInjectJob({ ...job(AGENT_MESSAGE), binding: { inboxId: "12", sourceId: "source-abc" } })?.binding).toEqual({ inboxId: 12, sourceId: "source-abc" });
  });
});

describe("parseInjectJob: malformed jobs are refused", () => {
  const valid = job(AGENT_MESSAGE);
  it.each<[string, unknown]>([
    ["null", null],
    ["a string", JSON.stringify(valid)],
    ["an array", [valid]],
    ["an empty object", {}],
    ["no dedupe key", { ...valid, dedupeKey: undefined }],
    ["a dedupe key that is a number", { ...valid, dedupeKey: 4711 }],
    ["no conversation key", { ...valid, conversationKey: undefined }],
    ["no sealed route", { ...valid, sealedRoute: undefined }],
    ["a sealed route that is an object", { ...valid, sealedRoute: { v: 1 } }],
    ["an orderTs written as a string", { ...valid, orderTs: "1781691342123" }],
    ["no orderSeq", { ...valid, orderSeq: undefined }],
    ["an account id written as a string", { ...valid, accountId: "1" }],
    ["no binding", { ...valid, binding: undefined }],
    ["a binding with inbox 0", { ...valid, binding: { inboxId: 0, sourceId: "source-abc" } }],
    ["a binding with a fractional inbox id", { ...valid, binding: { inboxId: 1.5, sourceId: "source-abc" } }],
    ["a binding with an empty source id", { ...valid, binding: { inboxId: 12, sourceId: "" } }],
    ["a binding with a blank source id", { ...valid, binding: { inboxId: 12, sourceId: "  " } }],
    ["no event", { ...valid, event: undefined }],
    ["an event that is a string", { ...valid, event: "agent_message" }],
    ["an event of unknown type", { ...valid, event: { ...AGENT_MESSAGE, type: "email" } }],
    ["an agent message without text", { ...valid, event: { ...AGENT_MESSAGE, text: undefined } }],
    ["an agent message without agent name", { ...valid, event: { ...AGENT_MESSAGE, agentName: undefined } }],
    ["an agent message with message id 0", { ...valid, event: { ...AGENT_MESSAGE, messageId: 0 } }],
    ["an event with conversation id 0", { ...valid, event: { ...AGENT_MESSAGE, conversationId: 0 } }],
    ["an attachment with a non-http URL", { ...valid, event: { ...AGENT_MESSAGE, attachments: [{ url: "file:///etc/passwd", kind: "file", name: "passwd" }] } }],
    ["an attachment of unknown kind", { ...valid, event: { ...AGENT_MESSAGE, attachments: [{ url: "https://x.example.com/a", kind: "sticker", name: "a" }] } }],
    ["16 attachments", { ...valid, event: { ...AGENT_MESSAGE, attachments: Array.from({ length: 16 }, () => ({ url: "https://x.example.com/a", kind: "file", name: "a" })) } }],
    ["a CSAT survey with a non-http link", { ...valid, event: { type: "csat", conversationId: 321, messageId: 1, text: "Rate", link: "javascript:alert(1)" } }],
    ["a status change to an unknown status", { ...valid, event: { type: "status_changed", conversationId: 321, status: "archived" } }],
    ["an assignment without agent name", { ...valid, event: { type: "agent_assigned", conversationId: 321 } }],
    ["an agent id 0", { ...valid, agentId: 0 }],
    ["a negative agent id", { ...valid, agentId: -7 }],
    ["a fractional agent id", { ...valid, agentId: 7.5 }],
    ["an agent id that is no number", { ...valid, agentId: "Anna" }],
    ["an agent id that is null", { ...valid, agentId: null }],
  ])("refuses %s", (_, value) => {
    expect(parseInjectJob(value)).toBeUndefined();
  });
});
