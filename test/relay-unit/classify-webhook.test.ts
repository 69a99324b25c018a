import { ROUTE_ATTRIBUTE, sealRoute, type SessionRoute } from "../../src/core/route-seal";
import { classifyWebhook, type Classification, type DropReason, type RelayOptions } from "../../src/relay/classify-webhook";
import type { EventDetails, InjectJob } from "../../src/relay/relay-job";
import {
  agentMessage,
  attachment,
  conversationCreated,
  conversationFor,
  conversationUpdated,
  csatMessage,
  DEFAULT_AGENT,
  messageEvent,
  outOfOfficeMessage,
  statusChanged,
  typingEvent,
  type WebhookConversation,
} from "../support/chatwoot-webhooks";

const RELAY_SECRET = "relay-secret-0123456789-abcdefghijklmnop";
const ROUTE: SessionRoute = { userId: "user-1", sessionId: "session-1", urlToken: "0f1e2d3c4b5a69788796a5b4c3d2e1f0" };
const CREATED = new Date("2026-06-17T10:15:42.123Z");
const UPDATED_SECONDS = CREATED.getTime() / 1000;
const RECEIVED_AT = CREATED.getTime() + 5_000;
const OPTIONS: RelayOptions = { relaySecret: RELAY_SECRET, inboxIds: null, forwardTemplates: true, forwardCsat: true, forwardAssignments: false };
/** The conversation of the fixtures, when a reply in it cannot reach the user. */
const UNREACHABLE = { accountId: 1, inboxId: 12, conversationId: 321 };
const FILES = "https://chat.example.com/rails/active_storage/blobs/redirect/eyJfcmFpbHMiOnsiZGF0YSI6OTF9fQ--0a1b2c";

function conversation(overrides: Partial<WebhookConversation> = {}): WebhookConversation {
  return conversationFor(ROUTE, RELAY_SECRET, { id: 321, inboxId: 12, accountId: 1, sourceId: "source-abc", createdAt: Math.floor(UPDATED_SECONDS) - 300, updatedAt: UPDATED_SECONDS, ...overrides });
}

function sealedOf(conv: WebhookConversation): unknown {
  return conv.customAttributes[ROUTE_ATTRIBUTE];
}

function sealedText(conv: WebhookConversation): string {
  const sealed = sealedOf(conv);
  if (typeof sealed !== "string") throw new Error("the fixture did not seal a route");
  return sealed;
}

function classify(payload: unknown, options: Partial<RelayOptions> = {}): Classification {
  return classifyWebhook(payload, { ...OPTIONS, ...options }, RECEIVED_AT);
}

function onlyJob(result: Classification): InjectJob {
  expect(result.dropped).toEqual([]);
  expect(result.jobs).toHaveLength(1);
  const [job] = result.jobs;
  if (job === undefined) throw new Error("expected one job");
  return job;
}

function onlyEvent(payload: unknown, options: Partial<RelayOptions> = {}): EventDetails {
  return onlyJob(classify(payload, options)).event;
}

/** Replaces one base64url digit in the middle of the sealed ciphertext, as an agent editing the attribute might. */
function editedRoute(sealed: unknown): string {
  const text = typeof sealed === "string" ? sealed : "";
  const index = text.length - 10;
  const replacement = text.charAt(index) === "A" ? "B" : "A";
  return `${text.slice(0, index)}${replacement}${text.slice(index + 1)}`;
}

describe("classifyWebhook: an agent's reply is kept", () => {
  it("turns message_created of an agent's public reply into one job for the conversation", () => {
    const conv = conversation();
    const job = onlyJob(classify(agentMessage(conv, { id: 4711, content: "Hi, I'm Anna from support – how can I help?", createdAt: CREATED })));
    expect(job).toEqual<InjectJob>({
      dedupeKey: "message:1:4711",
      conversationKey: "12:321",
      orderTs: CREATED.getTime(),
      orderSeq: 4711,
      accountId: 1,
      sealedRoute: sealedText(conv),
      binding: { inboxId: 12, sourceId: "source-abc" },
      event: { type: "agent_message", conversationId: 321, messageId: 4711, text: "Hi, I'm Anna from support – how can I help?", attachments: [], agentName: "Anna Agent" },
      // Without a known display name, the sender's full name (User#webhook_data) goes in, and the delivery looks the agent up.
      agentId: 7,
    });
  });

  it.each<[string, Record<string, string>, string, number | undefined]>([
    ["the agent's display name, when the relay knows it for this account", { "1:7": "Anna" }, "Anna", undefined],
    ["the full name, to be looked up at delivery, when it is known only for another account", { "2:7": "Anna" }, "Anna Agent", 7],
    ["the full name, to be looked up at delivery, when another agent is known", { "1:9": "Bob" }, "Anna Agent", 7],
  ])("names the sender with %s", (_, known, agentName, agentId) => {
    const job = onlyJob(classify(agentMessage(conversation(), { id: 8, content: "Hello" }), { agentName: (accountId, userId) => known[`${accountId}:${userId}`] }));
    expect(job.event).toMatchObject({ type: "agent_message", agentName });
    expect(job.agentId).toBe(agentId);
  });

  it("asks no lookup for an automation rule's message, a template or an assignment", () => {
    const conv = conversation({ assignee: DEFAULT_AGENT });
    const payloads = [
      messageEvent(conv, { id: 41, messageType: "outgoing", content: "We got your request.", sender: null }),
      outOfOfficeMessage(conv, { id: 42, content: "We are away" }),
      conversationUpdated(conv, { assignee_id: { previous_value: null, current_value: 7 } }),
    ];
    const jobs = payloads.flatMap((payload) => classify(payload, { forwardAssignments: true }).jobs);
    expect(jobs.map((job) => job.event.type)).toEqual(["agent_message", "template_message", "agent_assigned"]);
    expect(jobs.map((job) => job.agentId)).toEqual([undefined, undefined, undefined]);
  });

  it.each<[string, WebhookConversation["assignee"], { id: number; name: string } | undefined, string]>([
    ["the assignee who wrote it", { id: 9, name: "Bob Builder" }, undefined, "Bob Builder"],
    ["an agent other than the assignee", { id: 9, name: "Bob Builder" }, { id: 10, name: "Carla Colleague" }, "Carla Colleague"],
    ["the default agent of an unassigned conversation", null, undefined, DEFAULT_AGENT.name],
  ])("names %s as the author", (_, assignee, agent, expected) => {
    const payload = agentMessage(conversation({ assignee }), { id: 1, content: "Hello", ...(agent === undefined ? {} : { agent }) });
    expect(onlyEvent(payload)).toMatchObject({ type: "agent_message", agentName: expected });
  });

  it("falls back to 'Agent' when the sender has no name", () => {
    const payload = agentMessage(conversation(), { id: 1, content: "Hello" });
    expect(onlyEvent({ ...payload, sender: { id: 7, name: "  ", email: "anna@example.com", type: "user" } })).toMatchObject({ agentName: "Agent" });
  });

  it("keeps the text exactly, including markdown and line breaks", () => {
    const text = "**Order** 42\n- shipped\n- tracking: https://track.example.com/42";
    expect(onlyEvent(agentMessage(conversation(), { id: 2, content: text }))).toMatchObject({ text });
  });

  it.each<[string, ReturnType<typeof attachment>, { kind: string; name: string }]>([
    ["an image", attachment({ id: 91, messageId: 4711, fileType: "image", url: `${FILES}/shot.png` }), { kind: "image", name: "shot.png" }],
    ["a video", attachment({ id: 92, messageId: 4711, fileType: "video", url: `${FILES}/clip.mp4` }), { kind: "video", name: "clip.mp4" }],
    ["an audio file", attachment({ id: 93, messageId: 4711, fileType: "audio", url: `${FILES}/voice.mp3` }), { kind: "audio", name: "voice.mp3" }],
    ["a document", attachment({ id: 94, messageId: 4711, fileType: "file", url: `${FILES}/invoice.pdf` }), { kind: "file", name: "invoice.pdf" }],
    ["a URL-encoded file name", attachment({ id: 95, messageId: 4711, fileType: "file", url: `${FILES}/Rechnung%20M%C3%A4rz.pdf` }), { kind: "file", name: "Rechnung März.pdf" }],
    ["a file without a name in its URL", attachment({ id: 96, messageId: 4711, fileType: "image", url: `${FILES}/blob`, extension: "jpg" }), { kind: "image", name: "attachment-96.jpg" }],
    ["a file without a name or extension", attachment({ id: 97, messageId: 4711, fileType: "file", url: `${FILES}/blob`, extension: null }), { kind: "file", name: "attachment-97" }],
  ])("maps %s to its kind and a file name", (_, file, expected) => {
    const event = onlyEvent(agentMessage(conversation(), { id: 4711, content: "See attached", attachments: [file] }));
    expect(event).toMatchObject({ type: "agent_message", text: "See attached", attachments: [{ url: file.data_url, ...expected }] });
  });

  it("keeps a message that is only attachments, in their order, with empty text", () => {
    const files = [attachment({ id: 1, messageId: 5, fileType: "image", url: `${FILES}/a.png` }), attachment({ id: 2, messageId: 5, fileType: "audio", url: `${FILES}/b.ogg` })];
    const event = onlyEvent(agentMessage(conversation(), { id: 5, content: null, attachments: files }));
    expect(event).toEqual({
      type: "agent_message",
      conversationId: 321,
      messageId: 5,
      text: "",
      agentName: "Anna Agent",
      attachments: [
        { url: `${FILES}/a.png`, kind: "image", name: "a.png" },
        { url: `${FILES}/b.ogg`, kind: "audio", name: "b.ogg" },
      ],
    });
  });

  it("maps file types it does not know to 'file', fallback to a link, a location to a map link (C12), and skips entries without an http(s) data_url", () => {
    const payload = agentMessage(conversation(), { id: 6, content: "Here" });
    const attachments = [
      { id: 1, file_type: "fallback", data_url: `${FILES}/page.html` },
      { id: 2, file_type: "location", coordinates_lat: 52.5, coordinates_long: 13.4 },
      { id: 3, file_type: "image", data_url: "ftp://files.example.com/x.png" },
      { id: 4, file_type: "image", data_url: "" },
      { id: 5, file_type: "sticker", data_url: `${FILES}/s.webp` },
      "not an attachment",
    ];
    expect(onlyEvent({ ...payload, attachments })).toMatchObject({
      attachments: [
        { url: `${FILES}/page.html`, kind: "link", name: "" },
        { url: "https://www.openstreetmap.org/?mlat=52.5&mlon=13.4#map=16/52.5/13.4", kind: "location", name: "" },
        { url: `${FILES}/s.webp`, kind: "file", name: "s.webp" },
      ],
    });
  });

  it("passes at most 15 attachments", () => {
    const files = Array.from({ length: 16 }, (_, index) => attachment({ id: index + 1, messageId: 7, fileType: "file", url: `${FILES}/f${index + 1}.pdf` }));
    const event = onlyEvent(agentMessage(conversation(), { id: 7, content: "many", attachments: files }));
    expect(event.type === "agent_message" ? event.attachments.map((item) => item.name) : []).toEqual(files.slice(0, 15).map((_, index) => `f${index + 1}.pdf`));
  });

  it("keeps message_updated of an agent message with the same dedupe key as message_created", () => {
    const conv = conversation();
    const created = onlyJob(classify(agentMessage(conv, { id: 4711, content: "Hello", createdAt: CREATED })));
    const updated = onlyJob(classify(agentMessage(conv, { id: 4711, content: "Hello", createdAt: CREATED, event: "message_updated" })));
    expect(updated.dedupeKey).toBe(created.dedupeKey);
    expect(updated).toEqual(created);
  });

  it("gives different messages different dedupe keys", () => {
    const conv = conversation();
    const first = onlyJob(classify(agentMessage(conv, { id: 1, content: "a" })));
    const second = onlyJob(classify(agentMessage(conv, { id: 2, content: "a" })));
    expect(first.dedupeKey).not.toBe(second.dedupeKey);
  });
});

describe("classifyWebhook: templates", () => {
  it("keeps the CSAT survey with its link", () => {
    const link = "https://chat.example.com/survey/responses/3f2a9c7e-2a4b-4c1d-8e9f-0a1b2c3d4e5f";
    const job = onlyJob(classify(csatMessage(conversation(), { id: 800, link, createdAt: CREATED })));
    expect(job.event).toEqual({ type: "csat", conversationId: 321, messageId: 800, text: `Please rate this conversation, ${link}`, link });
    expect(job.dedupeKey).toBe("message:1:800");
    expect(job.orderTs).toBe(CREATED.getTime());
  });

  it("drops the CSAT survey when forwardCsat is false, even with templates on", () => {
    expect(classify(csatMessage(conversation(), { id: 800 }), { forwardCsat: false })).toEqual({ jobs: [], dropped: ["csat_disabled"] });
  });

  it("forwards a CSAT message without a link as a plain template", () => {
    const payload = messageEvent(conversation(), { id: 801, messageType: "template", content: "Please rate this conversation", sender: null, contentType: "input_csat" });
    expect(onlyEvent(payload)).toEqual({ type: "template_message", conversationId: 321, messageId: 801, text: "Please rate this conversation" });
  });

  it("keeps the out-of-office template as a template message", () => {
    const text = "We are away right now. We will get back to you tomorrow at 9:00.";
    expect(onlyEvent(outOfOfficeMessage(conversation(), { id: 802, content: text }))).toEqual({ type: "template_message", conversationId: 321, messageId: 802, text });
  });

  it.each<[string, Partial<RelayOptions>, DropReason]>([
    ["forwardTemplates is false", { forwardTemplates: false }, "template_disabled"],
    ["forwardTemplates and forwardCsat are false", { forwardTemplates: false, forwardCsat: false }, "template_disabled"],
  ])("drops the out-of-office template when %s", (_, options, reason) => {
    expect(classify(outOfOfficeMessage(conversation(), { id: 803, content: "Away" }), options)).toEqual({ jobs: [], dropped: [reason] });
  });

  it("drops an empty template", () => {
    expect(classify(outOfOfficeMessage(conversation(), { id: 804, content: "  " }))).toEqual({ jobs: [], dropped: ["empty_message"] });
  });
});

describe("classifyWebhook: messages that are not an agent's public reply are dropped", () => {
  const conv = conversation();
  const reply = agentMessage(conv, { id: 10, content: "Hello" });
  it.each<[string, unknown, DropReason]>([
    ["the contact's own message", messageEvent(conv, { id: 10, messageType: "incoming", content: "Hi", sender: { kind: "contact" } }), "incoming_message"],
    ["a private note", agentMessage(conv, { id: 10, content: "internal", private: true }), "private_note"],
    ["the extension's copy of user input", agentMessage(conv, { id: 10, content: "Hi", sourceId: "cognigy:input:abc-123" }), "own_message"],
    ["the extension's copy of history", agentMessage(conv, { id: 10, content: "Hi", sourceId: "cognigy:history:abc-123" }), "own_message"],
    ["the relay's own note", agentMessage(conv, { id: 10, content: "⚠️", sourceId: "cognigy:relay-note:7" }), "own_message"],
    ["an own template", messageEvent(conv, { id: 10, messageType: "template", content: "t", sender: null, sourceId: "cognigy:input:1" }), "own_message"],
    ["an agent bot's message", messageEvent(conv, { id: 10, messageType: "outgoing", content: "Bot", sender: { kind: "agent_bot", id: 3, name: "Bot" } }), "bot_message"],
    ["Captain's message", messageEvent(conv, { id: 10, messageType: "outgoing", content: "AI", sender: { kind: "captain", id: 4, name: "Captain" } }), "captain_message"],
    ["an outgoing message with a contact as sender", messageEvent(conv, { id: 10, messageType: "outgoing", content: "Hi", sender: { kind: "contact" } }), "not_from_agent"],
    ["an outgoing message whose sender is missing (not Chatwoot's null)", { ...reply, sender: undefined }, "not_from_agent"],
    ["an outgoing message whose sender is not an object", { ...reply, sender: "user" }, "not_from_agent"],
    ["an activity message", { ...reply, message_type: "activity" }, "activity_message"],
    ["a message with an unknown type", { ...reply, message_type: 1 }, "activity_message"],
    ["an empty reply", agentMessage(conv, { id: 10, content: "" }), "empty_message"],
    ["a reply of only whitespace", agentMessage(conv, { id: 10, content: " \n\t " }), "empty_message"],
    ["a reply without content or attachments", agentMessage(conv, { id: 10, content: null }), "empty_message"],
  ])("drops %s", (_, payload, reason) => {
    expect(classify(payload)).toEqual({ jobs: [], dropped: [reason] });
  });
});

describe("classifyWebhook: status changes and assignments", () => {
  it.each<["open" | "resolved" | "pending" | "snoozed"]>([["resolved"], ["open"], ["pending"], ["snoozed"]])("keeps conversation_status_changed to %s", (status) => {
    const job = onlyJob(classify(statusChanged(conversation(), status)));
    expect(job.event).toEqual({ type: "status_changed", conversationId: 321, status, labels: [] });
    expect(job.dedupeKey).toBe(`status:12:321:${status}:${String(UPDATED_SECONDS)}`);
    expect(job.conversationKey).toBe("12:321");
    expect(job.orderTs).toBe(CREATED.getTime());
    expect(job.orderSeq).toBe(Number.MAX_SAFE_INTEGER);
    expect(job.binding).toEqual({ inboxId: 12, sourceId: "source-abc" });
  });

  it("keeps a status change reported by conversation_updated", () => {
    const payload = conversationUpdated(conversation(), { status: { previous_value: "open", current_value: "resolved" } });
    const job = onlyJob(classify(payload));
    expect(job.event).toEqual({ type: "status_changed", conversationId: 321, status: "resolved", labels: [] });
    expect(job.orderTs).toBe(Math.round(payload.updated_at * 1000));
  });

  it.each<[string, unknown, string[] | undefined]>([
    ["the conversation's labels", ["billing", "vip"], ["billing", "vip"]],
    ["no labels", [], []],
    ["at most 50 labels, the rest left out", Array.from({ length: 60 }, (_, index) => `label-${index}`), Array.from({ length: 50 }, (_, index) => `label-${index}`)],
    ["no label over 255 characters, empty or not text, nor a repeat", ["ok", "x".repeat(256), "", 7, null, { toString: 1 }, "ok", "y".repeat(255)], ["ok", "y".repeat(255)]],
    ["no list when labels is not an array", "billing", undefined],
  ])("puts %s on a resolve", (_, labels, expected) => {
    const payload: Record<string, unknown> = { ...statusChanged(conversation(), "resolved"), labels };
    const job = onlyJob(classify(payload));
    expect(job.event).toEqual({ type: "status_changed", conversationId: 321, status: "resolved", ...(expected === undefined ? {} : { labels: expected }) });
  });

  it("gives both events of one status change the same dedupe key when updated_at is equal", () => {
    const conv = conversation();
    const updated = conversationUpdated(conv, { status: { previous_value: "open", current_value: "resolved" } });
    const changed = statusChanged({ ...conv, updatedAt: updated.updated_at }, "resolved");
    const fromUpdated = onlyJob(classify(updated));
    const fromChanged = onlyJob(classify(changed));
    expect(fromChanged.dedupeKey).toBe(fromUpdated.dedupeKey);
    expect(fromChanged).toEqual(fromUpdated);
  });

  it("gives a later change to the same status a new dedupe key", () => {
    const conv = conversation();
    const first = onlyJob(classify(statusChanged(conv, "resolved")));
    const again = onlyJob(classify(statusChanged({ ...conv, updatedAt: UPDATED_SECONDS + 60 }, "resolved")));
    expect(again.dedupeKey).not.toBe(first.dedupeKey);
  });

  it("uses the conversation's timestamp when updated_at is missing", () => {
    const payload = { ...statusChanged(conversation(), "resolved"), updated_at: undefined, timestamp: 1_781_691_400 };
    const job = onlyJob(classify(payload));
    expect(job.orderTs).toBe(1_781_691_400_000);
    expect(job.dedupeKey).toBe("status:12:321:resolved:1781691400");
  });

  it.each<[string, unknown]>([
    ["an unknown status", { ...statusChanged(conversation(), "open"), status: "archived" }],
    ["a label change", conversationUpdated(conversation(), { label_list: { previous_value: [], current_value: ["vip"] } })],
    ["conversation_updated with no changed_attributes", { ...conversationUpdated(conversation(), {}), changed_attributes: null }],
    ["a status change to an unknown status", conversationUpdated(conversation(), { status: { previous_value: "open", current_value: "archived" } })],
    ["an unassignment", conversationUpdated(conversation(), { assignee_id: { previous_value: 7, current_value: null } })],
  ])("drops %s as irrelevant_update", (_, payload) => {
    expect(classify(payload, { forwardAssignments: true })).toEqual({ jobs: [], dropped: ["irrelevant_update"] });
  });

  it("drops an assignment to an agent bot as irrelevant_update", () => {
    const payload = conversationUpdated(conversation({ assignee: DEFAULT_AGENT }), { assignee_id: { previous_value: null, current_value: 3 } });
    const byBot = { ...payload, meta: { ...payload.meta, assignee: { id: 3, name: "Bot", type: "agent_bot" }, assignee_type: "AgentBot" } };
    expect(classify(byBot, { forwardAssignments: true })).toEqual({ jobs: [], dropped: ["irrelevant_update"] });
  });

  it("keeps an assignment to an agent only when forwardAssignments is on", () => {
    const payload = conversationUpdated(conversation({ assignee: DEFAULT_AGENT }), { assignee_id: { previous_value: null, current_value: 7 } });
    expect(classify(payload)).toEqual({ jobs: [], dropped: ["assignment_disabled"] });
    const job = onlyJob(classify(payload, { forwardAssignments: true }));
    expect(job.event).toEqual({ type: "agent_assigned", conversationId: 321, agentName: "Anna" });
    expect(job.dedupeKey).toBe(`assign:12:321:7:${String(payload.updated_at)}`);
    expect(job.orderSeq).toBe(Number.MAX_SAFE_INTEGER);
  });

  it("ignores the assignee of conversation_status_changed (assignments come from conversation_updated)", () => {
    const payload = { ...statusChanged(conversation({ assignee: DEFAULT_AGENT }), "open"), changed_attributes: [{ assignee_id: { previous_value: null, current_value: 7 } }] };
    const result = classify(payload, { forwardAssignments: true });
    expect(result.jobs.map((job) => job.event.type)).toEqual(["status_changed"]);
  });

  it("reports a status change and an assignment in one conversation_updated as two jobs of one conversation", () => {
    const payload = conversationUpdated(conversation({ assignee: DEFAULT_AGENT }), {
      status: { previous_value: "pending", current_value: "open" },
      assignee_id: { previous_value: null, current_value: 7 },
    });
    const result = classify(payload, { forwardAssignments: true });
    expect(result.dropped).toEqual([]);
    expect(result.jobs.map((job) => job.event)).toEqual([
      { type: "status_changed", conversationId: 321, status: "open", labels: [] },
      { type: "agent_assigned", conversationId: 321, agentName: "Anna" },
    ]);
    expect(new Set(result.jobs.map((job) => job.conversationKey))).toEqual(new Set(["12:321"]));
    expect(new Set(result.jobs.map((job) => job.dedupeKey)).size).toBe(2);
  });

  it("keeps the status change and reports the assignment as dropped when assignments are off", () => {
    const payload = conversationUpdated(conversation({ assignee: DEFAULT_AGENT }), {
      status: { previous_value: "pending", current_value: "open" },
      assignee_id: { previous_value: null, current_value: 7 },
    });
    const result = classify(payload);
    expect(result.jobs.map((job) => job.event.type)).toEqual(["status_changed"]);
    expect(result.dropped).toEqual(["assignment_disabled"]);
  });
});

describe("classifyWebhook: other events", () => {
  const conv = conversation();
  it.each<[string, unknown, DropReason]>([
    ["an agent typing", typingEvent(conv, true), "typing"],
    ["an agent stopping typing", typingEvent(conv, false), "typing"],
    ["an agent typing a private note", typingEvent(conv, true, { isPrivate: true }), "typing"],
    ["a bot typing", typingEvent(conv, true, { by: { kind: "agent_bot", id: 3, name: "Bot" } }), "typing"],
    ["conversation_created", conversationCreated(conv), "irrelevant_event"],
    ["conversation_opened", { ...conversationCreated(conv), event: "conversation_opened" }, "irrelevant_event"],
    ["conversation_resolved", { ...conversationCreated(conv), event: "conversation_resolved" }, "irrelevant_event"],
    ["contact_updated", { event: "contact_updated", id: 88, name: "Jane" }, "irrelevant_event"],
    ["webwidget_triggered", { event: "webwidget_triggered" }, "irrelevant_event"],
    ["an unknown event", { ...conversationCreated(conv), event: "conversation_deleted" }, "unknown_event"],
    ["message_deleted", { ...agentMessage(conv, { id: 1, content: "x" }), event: "message_deleted" }, "unknown_event"],
    ["an empty event name", { event: "" }, "unknown_event"],
  ])("drops %s", (_, payload, reason) => {
    expect(classify(payload)).toEqual({ jobs: [], dropped: [reason] });
  });
});

describe("classifyWebhook: inbox allow-list", () => {
  it.each<[string, number[] | null, boolean]>([
    ["no allow-list", null, true],
    ["an allow-list with the inbox", [11, 12], true],
    ["an allow-list without the inbox", [11, 13], false],
    ["an empty allow-list", [], false],
  ])("with %s the agent's reply is kept = %s", (_, inboxIds, kept) => {
    const result = classify(agentMessage(conversation(), { id: 1, content: "Hi" }), { inboxIds });
    expect(result).toEqual(kept ? { jobs: [expect.objectContaining({ conversationKey: "12:321" })], dropped: [] } : { jobs: [], dropped: ["inbox_not_allowed"] });
  });

  it("applies the allow-list to status changes too", () => {
    expect(classify(statusChanged(conversation(), "resolved"), { inboxIds: [99] })).toEqual({ jobs: [], dropped: ["inbox_not_allowed"] });
  });

  it("drops a message of another inbox before looking at its route", () => {
    const payload = agentMessage(conversation({ customAttributes: { [ROUTE_ATTRIBUTE]: "" } }), { id: 1, content: "Hi" });
    expect(classify(payload, { inboxIds: [99] })).toEqual({ jobs: [], dropped: ["inbox_not_allowed"] });
  });
});

describe("classifyWebhook: the sealed route", () => {
  it.each<[string, Record<string, unknown>]>([
    ["no route attribute", { [ROUTE_ATTRIBUTE]: undefined }],
    ["an empty route attribute", { [ROUTE_ATTRIBUTE]: "" }],
    ["a route attribute that is not a string", { [ROUTE_ATTRIBUTE]: 12345 }],
  ])("drops an agent's reply in a conversation with %s as no_route", (_, customAttributes) => {
    const payload = agentMessage(conversation({ customAttributes }), { id: 1, content: "Hi" });
    expect(classify(payload)).toEqual({ jobs: [], dropped: ["no_route"] });
  });

  it("drops a status change in a conversation without route as no_route", () => {
    expect(classify(statusChanged(conversation({ customAttributes: { [ROUTE_ATTRIBUTE]: undefined } }), "resolved"))).toEqual({ jobs: [], dropped: ["no_route"] });
  });

  it("reads the contact's source id from the last message when contact_inbox is missing", () => {
    const payload = agentMessage(conversation(), { id: 1, content: "Hi" });
    const withoutContactInbox = { ...payload, conversation: { ...payload.conversation, contact_inbox: undefined } };
    expect(onlyJob(classify(withoutContactInbox)).binding).toEqual({ inboxId: 12, sourceId: "source-abc" });
  });

  it("drops a reply as no_route when the contact's source id is nowhere in the payload", () => {
    const payload = agentMessage(conversation(), { id: 1, content: "Hi" });
    const anonymous = { ...payload, conversation: { ...payload.conversation, contact_inbox: undefined, messages: [] } };
    expect(classify(anonymous)).toEqual({ jobs: [], dropped: ["no_route"] });
  });

  it("drops a reply as route_unauthentic when an agent edited the route", () => {
    const conv = conversation();
    const edited = editedRoute(sealedOf(conv));
    expect(edited).not.toBe(sealedOf(conv));
    const payload = agentMessage({ ...conv, customAttributes: { [ROUTE_ATTRIBUTE]: edited } }, { id: 1, content: "Hi" });
    expect(classify(payload)).toEqual({ jobs: [], dropped: ["route_unauthentic"], unreachable: UNREACHABLE });
  });

  it.each<[string, (sealed: unknown) => unknown]>([
    ["text appended", (sealed) => `${String(sealed)}x`],
    ["a part removed", (sealed) => String(sealed).split(".").slice(0, 2).join(".")],
    ["free text", () => "session-1"],
  ])("drops a reply as route_unauthentic when the route has %s", (_, edit) => {
    const conv = conversation();
    const payload = agentMessage({ ...conv, customAttributes: { [ROUTE_ATTRIBUTE]: edit(sealedOf(conv)) } }, { id: 1, content: "Hi" });
    expect(classify(payload)).toEqual({ jobs: [], dropped: ["route_unauthentic"], unreachable: UNREACHABLE });
  });

  it("drops a reply as route_unauthentic when the route was copied to another contact's conversation", () => {
    const original = conversation();
    const other = conversation({ id: 322, sourceId: "source-of-another-contact", customAttributes: { [ROUTE_ATTRIBUTE]: sealedOf(original) } });
    expect(sealedOf(other)).toBe(sealedOf(original));
    expect(classify(agentMessage(other, { id: 1, content: "Hi" }))).toEqual({ jobs: [], dropped: ["route_unauthentic"], unreachable: { ...UNREACHABLE, conversationId: 322 } });
    expect(classify(statusChanged(other, "resolved"))).toStrictEqual({ jobs: [], dropped: ["route_unauthentic"] });
  });

  it("drops a reply as route_unauthentic when the route was copied to a conversation of another inbox", () => {
    const original = conversation();
    const other = conversation({ inboxId: 13, customAttributes: { [ROUTE_ATTRIBUTE]: sealedOf(original) } });
    expect(classify(agentMessage(other, { id: 1, content: "Hi" }))).toEqual({ jobs: [], dropped: ["route_unauthentic"], unreachable: { ...UNREACHABLE, inboxId: 13 } });
  });

  it("drops a reply as route_unauthentic when the route was sealed with another relay secret", () => {
    const sealed = sealRoute(ROUTE, { inboxId: 12, sourceId: "source-abc" }, "another-relay-secret-0123456789abcdef");
    const payload = agentMessage(conversation({ customAttributes: { [ROUTE_ATTRIBUTE]: sealed } }), { id: 1, content: "Hi" });
    expect(classify(payload)).toEqual({ jobs: [], dropped: ["route_unauthentic"], unreachable: UNREACHABLE });
  });

  it("keeps the other custom attributes out of the decision", () => {
    const payload = agentMessage(conversation({ customAttributes: { cognigy_session_id: "x", vip: true } }), { id: 1, content: "Hi" });
    expect(onlyJob(classify(payload)).event.type).toBe("agent_message");
  });
});

describe("classifyWebhook: malformed payloads never throw", () => {
  const conv = conversation();
  const reply = agentMessage(conv, { id: 1, content: "Hi" });
  const status = statusChanged(conv, "resolved");
  it.each<[string, unknown, DropReason[]]>([
    ["null", null, ["malformed"]],
    ["undefined", undefined, ["malformed"]],
    ["a number", 42, ["malformed"]],
    ["a string", "message_created", ["malformed"]],
    ["an array", [reply], ["malformed"]],
    ["an object without event", { id: 1 }, ["malformed"]],
    ["an event that is not a string", { ...reply, event: 7 }, ["malformed"]],
    ["a message without id", { ...reply, id: undefined }, ["malformed"]],
    ["a message with id 0", { ...reply, id: 0 }, ["malformed"]],
    ["a message with a fractional id", { ...reply, id: 1.5 }, ["malformed"]],
    ["a message without conversation", { ...reply, conversation: undefined }, ["malformed"]],
    ["a message whose conversation is a string", { ...reply, conversation: "321" }, ["malformed"]],
    ["a message whose conversation has no id", { ...reply, conversation: { ...reply.conversation, id: undefined } }, ["malformed"]],
    ["a message without any inbox id", { ...reply, inbox: undefined, conversation: { ...reply.conversation, inbox_id: undefined } }, ["malformed"]],
    ["a status change without id", { ...status, id: undefined }, ["malformed"]],
    ["a status change with a negative id", { ...status, id: -321 }, ["malformed"]],
    ["a status change without inbox_id", { ...status, inbox_id: undefined }, ["malformed"]],
    ["conversation_updated with changed_attributes of the wrong shape", { ...conversationUpdated(conv, {}), changed_attributes: ["status", { status: "resolved" }] }, ["irrelevant_update"]],
    ["a message with attachments that is not a list", { ...reply, attachments: { 0: "x" } }, []],
    ["a message with a sender that is a string", { ...reply, sender: "user" }, ["not_from_agent"]],
    ["an incoming message without conversation", { ...reply, message_type: "incoming", conversation: null }, ["incoming_message"]],
    // Chatwoot always sends a boolean; anything else might be a private note, so it never reaches the user (found by test/hostile/fuzz-intake.test.ts).
    ["a reply whose private flag is a string", { ...reply, private: "true" }, ["malformed"]],
    ["a reply whose private flag is a number", { ...reply, private: 1 }, ["malformed"]],
    ["a reply whose private flag is null", { ...reply, private: null }, ["malformed"]],
    ["a reply without private flag", { ...reply, private: undefined }, ["malformed"]],
  ])("classifies %s without throwing", (_, payload, dropped) => {
    let result: Classification | undefined;
    expect(() => {
      result = classify(payload);
    }).not.toThrow();
    expect(result?.dropped).toEqual(dropped);
    if (dropped.length > 0) expect(result?.jobs).toEqual([]);
  });

  // An object with a non-callable toString made String() throw, and the relay answer 500 (found by test/hostile/fuzz-intake.test.ts).
  it.each<[string, (payload: ReturnType<typeof conversationUpdated>) => unknown, string]>([
    ["updated_at", (payload) => ({ ...payload, updated_at: { toString: 1 }, timestamp: 1_781_691_400 }), "1781691400"],
    ["timestamp", (payload) => ({ ...payload, updated_at: undefined, timestamp: { toString: "x", valueOf: {} } }), ""],
    ["updated_at and timestamp", (payload) => ({ ...payload, updated_at: [{ toString: null }], timestamp: { toString: [] } }), ""],
  ])("keeps a change whose %s is a hostile object, with a dedupe key that ignores it", (_, spoil, stamp) => {
    const assigned = conversationUpdated(conversation({ assignee: DEFAULT_AGENT }), { status: { previous_value: "open", current_value: "resolved" }, assignee_id: { previous_value: null, current_value: 7 } });
    const result = classify(spoil(assigned), { forwardAssignments: true });
    expect(result.jobs.map((job) => job.dedupeKey)).toEqual([`status:12:321:resolved:${stamp}`, `assign:12:321:7:${stamp}`]);
  });

  it("keeps an assignment whose assignee id is a hostile object, keyed without it", () => {
    const payload = conversationUpdated(conversation({ assignee: DEFAULT_AGENT }), { assignee_id: { previous_value: null, current_value: 7 } });
    const spoiled = { ...payload, meta: { ...payload.meta, assignee: { ...payload.meta.assignee, id: { toString: 1 } } } };
    expect(onlyJob(classify(spoiled, { forwardAssignments: true })).dedupeKey).toBe(`assign:12:321::${String(payload.updated_at)}`);
  });

  it("reads ids written as strings, as Chatwoot sometimes renders them", () => {
    const job = onlyJob(classify({ ...reply, id: "4711", conversation: { ...reply.conversation, id: "321" } }));
    expect(job.event).toMatchObject({ conversationId: 321, messageId: 4711 });
  });
});

describe("classifyWebhook: order and conversation key", () => {
  it("orders messages by created_at, then by id", () => {
    const conv = conversation();
    const early = onlyJob(classify(agentMessage(conv, { id: 20, content: "first", createdAt: CREATED })));
    const sameTime = onlyJob(classify(agentMessage(conv, { id: 21, content: "second", createdAt: CREATED })));
    const later = onlyJob(classify(agentMessage(conv, { id: 19, content: "third", createdAt: new Date(CREATED.getTime() + 1) })));
    expect([early.orderTs, early.orderSeq]).toEqual([CREATED.getTime(), 20]);
    expect([sameTime.orderTs, sameTime.orderSeq]).toEqual([CREATED.getTime(), 21]);
    expect([later.orderTs, later.orderSeq]).toEqual([CREATED.getTime() + 1, 19]);
  });

  it("orders a status change after the messages of the same millisecond", () => {
    const conv = conversation();
    const message = onlyJob(classify(agentMessage(conv, { id: 2_000_000_000, content: "bye", createdAt: CREATED })));
    const status = onlyJob(classify(statusChanged(conv, "resolved")));
    expect(status.orderTs).toBe(message.orderTs);
    expect(status.orderSeq).toBeGreaterThan(message.orderSeq);
  });

  it("orders a status change by updated_at, with fractions of a second", () => {
    const job = onlyJob(classify(statusChanged(conversation({ updatedAt: 1_750_155_342.412 }), "resolved")));
    expect(job.orderTs).toBe(1_750_155_342_412);
  });

  it.each<[string, unknown]>([
    ["missing", undefined],
    ["not a date", "yesterday"],
  ])("falls back to the time the webhook arrived when created_at is %s", (_, createdAt) => {
    const job = onlyJob(classify({ ...agentMessage(conversation(), { id: 3, content: "x" }), created_at: createdAt }));
    expect(job.orderTs).toBe(RECEIVED_AT);
  });

  it.each<[string, unknown]>([
    ["1e306 seconds", 1e306],
    ["the largest number", Number.MAX_VALUE],
    ["-1e306 seconds", -1e306],
  ])("falls back to the time the webhook arrived when created_at is %s (no Infinity in the outbox)", (_, createdAt) => {
    const job = onlyJob(classify({ ...agentMessage(conversation(), { id: 3, content: "x" }), created_at: createdAt }));
    expect(job.orderTs).toBe(RECEIVED_AT);
    expect(JSON.parse(JSON.stringify(job))).toEqual(job);
  });

  it("falls back to the time the webhook arrived when a conversation event has no time", () => {
    const job = onlyJob(classify({ ...statusChanged(conversation(), "resolved"), updated_at: undefined, timestamp: undefined }));
    expect(job.orderTs).toBe(RECEIVED_AT);
    expect(job.dedupeKey).toBe("status:12:321:resolved:");
  });

  it("keys messages and status changes of one conversation alike (by inbox, which every payload has), and other conversations apart", () => {
    const keyOf = (payload: unknown): string => onlyJob(classify(payload)).conversationKey;
    const conv = conversation();
    expect(keyOf(agentMessage(conv, { id: 1, content: "x" }))).toBe("12:321");
    expect(keyOf(statusChanged(conv, "resolved"))).toBe("12:321");
    expect(keyOf(agentMessage(conversation({ id: 322 }), { id: 1, content: "x" }))).toBe("12:322");
    expect(keyOf(agentMessage(conversation({ inboxId: 13 }), { id: 1, content: "x" }))).toBe("13:321");
    const { account: _omitted, ...withoutAccount } = statusChanged(conv, "resolved");
    expect(keyOf(withoutAccount)).toBe("12:321");
  });

  it("uses the account in dedupe keys so equal message ids of two accounts do not collide", () => {
    const first = onlyJob(classify(agentMessage(conversation({ accountId: 1 }), { id: 5, content: "x" })));
    const second = onlyJob(classify(agentMessage(conversation({ accountId: 2 }), { id: 5, content: "x" })));
    expect([first.dedupeKey, second.dedupeKey]).toEqual(["message:1:5", "message:2:5"]);
    expect([first.accountId, second.accountId]).toEqual([1, 2]);
  });
});

describe("classifyWebhook: automation messages and deletions (issue 10 §5)", () => {
  it("keeps an automation rule's message (outgoing, sender null: C9) for the user, routed like an agent's reply", () => {
    const conv = conversation();
    const job = onlyJob(classify(messageEvent(conv, { id: 40, messageType: "outgoing", content: "We got your request.", sender: null, contentAttributes: { automation_rule_id: 3 } })));
    expect(job.event).toEqual({ type: "agent_message", conversationId: 321, messageId: 40, text: "We got your request.", attachments: [], agentName: "", from: "automation" });
    expect(job.dedupeKey).toBe("message:1:40");
  });

  it("drops it as automation_disabled when FORWARD_AUTOMATION_MESSAGES is off", () => {
    const payload = messageEvent(conversation(), { id: 40, messageType: "outgoing", content: "We got your request.", sender: null });
    expect(classify(payload, { forwardAutomationMessages: false })).toEqual({ jobs: [], dropped: ["automation_disabled"] });
  });

  it("tells the agent when an automation message cannot reach the user because the route was tampered with", () => {
    const conv = conversation();
    const payload = messageEvent({ ...conv, customAttributes: { [ROUTE_ATTRIBUTE]: editedRoute(sealedOf(conv)) } }, { id: 41, messageType: "outgoing", content: "Hi", sender: null });
    expect(classify(payload)).toEqual({ jobs: [], dropped: ["route_unauthentic"], unreachable: UNREACHABLE });
  });

  it("drops a deleted message (C11) and names the original it retracts", () => {
    const payload = agentMessage(conversation(), { id: 42, content: "This message was deleted", event: "message_updated" });
    const deleted = { ...payload, content_attributes: { deleted: true } };
    expect(classify(deleted)).toEqual({ jobs: [], dropped: ["message_deleted"], retract: { dedupeKey: "message:1:42", conversationKey: "12:321" } });
  });

  it("retracts nothing for a deletion in an inbox that is not allowed", () => {
    const payload = { ...agentMessage(conversation(), { id: 42, content: "This message was deleted", event: "message_updated" }), content_attributes: { deleted: true } };
    expect(classify(payload, { inboxIds: [99] })).toEqual({ jobs: [], dropped: ["message_deleted"] });
  });
});
