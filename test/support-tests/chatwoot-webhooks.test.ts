import { createHmac } from "crypto";
import { openRoute, ROUTE_ATTRIBUTE, type SessionRoute } from "../../src/core/route-seal";
import {
  agentMessage,
  attachment,
  conversationFor,
  conversationUpdated,
  csatMessage,
  DEFAULT_AGENT,
  messageEvent,
  outOfOfficeMessage,
  signWebhook,
  statusChanged,
  typingEvent,
  unsignedWebhook,
  type WebhookConversation,
} from "../support/chatwoot-webhooks";

const RELAY_SECRET = "relay-secret-0123456789-abcdefghijklmnop";
const INBOX_SECRET = "inbox-secret-abcdefghijklmnopqrstuvwxyz";
const ROUTE: SessionRoute = { userId: "user-1", sessionId: "session-1", urlToken: "0f1e2d3c4b5a69788796a5b4c3d2e1f0" };
const CREATED = new Date("2026-06-17T10:15:42.123Z");
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

function conversation(overrides: Partial<WebhookConversation> = {}): WebhookConversation {
  return conversationFor(ROUTE, RELAY_SECRET, { id: 321, inboxId: 12, sourceId: "source-abc", ...overrides });
}

/** What the relay does: HMAC over "<timestamp>." followed by the raw bytes. */
function independentSignature(secret: string, timestamp: string, rawBody: Buffer): string {
  return `sha256=${createHmac("sha256", secret).update(Buffer.concat([Buffer.from(`${timestamp}.`, "utf8"), rawBody])).digest("hex")}`;
}

describe("conversationFor", () => {
  it("seals the route for the conversation's inbox and source id, as the extension does", () => {
    const payload = statusChanged(conversation(), "open");
    const binding = { inboxId: payload.inbox_id, sourceId: payload.contact_inbox.source_id };
    expect(openRoute(payload.custom_attributes[ROUTE_ATTRIBUTE], binding, RELAY_SECRET)).toEqual({ ok: true, route: ROUTE });
    expect(openRoute(payload.custom_attributes[ROUTE_ATTRIBUTE], { ...binding, inboxId: 13 }, RELAY_SECRET)).toEqual({ ok: false, reason: "unauthentic" });
  });

  it("binds the seal to overridden inbox and source ids, and lets given custom attributes win", () => {
    const moved = conversation({ inboxId: 99, sourceId: "other" });
    expect(openRoute(moved.customAttributes[ROUTE_ATTRIBUTE], { inboxId: 99, sourceId: "other" }, RELAY_SECRET)).toEqual({ ok: true, route: ROUTE });
    const tampered = conversation({ customAttributes: { [ROUTE_ATTRIBUTE]: "v1.garbage", extra: 1 } });
    expect(tampered.customAttributes).toEqual({ [ROUTE_ATTRIBUTE]: "v1.garbage", extra: 1 });
  });

  it("gives each conversation its own display id and source id by default", () => {
    const first = conversationFor(ROUTE, RELAY_SECRET);
    const second = conversationFor(ROUTE, RELAY_SECRET);
    expect(first.id).not.toBe(second.id);
    expect(first.sourceId).not.toBe(second.sourceId);
  });
});

describe("message events", () => {
  it("renders an agent reply with string message_type, ISO created_at and a user sender", () => {
    const payload = agentMessage(conversation(), { id: 4711, content: "Hi, I'm Anna", createdAt: CREATED });
    expect(payload).toMatchObject({ event: "message_created", id: 4711, content: "Hi, I'm Anna", content_type: "text", content_attributes: {} });
    expect(payload).toMatchObject({ message_type: "outgoing", private: false, source_id: null, created_at: "2026-06-17T10:15:42.123Z" });
    expect(payload.sender).toStrictEqual({ id: DEFAULT_AGENT.id, name: DEFAULT_AGENT.name, email: "anna@example.com", type: "user" });
    expect(payload.inbox).toEqual({ id: 12, name: "Cognigy handover" });
    expect(payload.account).toEqual({ id: 1, name: "Acme" });
    expect(payload).not.toHaveProperty("attachments");
    expect(payload).not.toHaveProperty("status");
    expect(payload).not.toHaveProperty("echo_id");
  });

  it("repeats the message in conversation.messages[] in push format with an integer message_type", () => {
    const payload = agentMessage(conversation(), { id: 4711, content: "Hello", createdAt: CREATED });
    expect(payload.conversation.messages).toHaveLength(1);
    expect(payload.conversation.messages[0]).toMatchObject({
      id: 4711,
      message_type: 1,
      conversation_id: 321,
      created_at: Math.floor(CREATED.getTime() / 1000),
      sender_type: "User",
      conversation: { contact_inbox: { source_id: "source-abc" } },
    });
  });

  it("renders the nested conversation object with display id, inbox_id, contact_inbox, meta and account", () => {
    const conv = conversation({ assignee: { id: 9, name: "Bob Agent" }, team: { id: 3, name: "billing" } });
    const nested = agentMessage(conv, { id: 1, content: "x" }).conversation;
    expect(nested).toMatchObject({ id: 321, inbox_id: 12, channel: "Channel::Api", status: "open", account: { id: 1, name: "Acme" } });
    expect(nested.contact_inbox).toMatchObject({ source_id: "source-abc", inbox_id: 12, contact_id: 88 });
    expect(nested.meta).toMatchObject({ assignee: { id: 9, name: "Bob Agent", type: "user" }, assignee_type: "User", team: { id: 3, name: "billing" } });
    expect(nested.meta.sender).toMatchObject({ id: 88, identifier: "user-1", type: "contact" });
    expect(nested).not.toHaveProperty("inbox");
    expect(typeof nested.updated_at).toBe("number");
    expect(Number.isInteger(nested.created_at)).toBe(true);
  });

  it("uses the assignee as the default author of agent replies", () => {
    const payload = agentMessage(conversation({ assignee: { id: 9, name: "Bob Agent" } }), { id: 1, content: "x" });
    expect(payload.sender).toEqual({ id: 9, name: "Bob Agent", email: "agent9@example.com", type: "user" });
  });

  it("renders a contact sender without a type key, and incoming as 0 in messages[]", () => {
    const payload = messageEvent(conversation(), { id: 5, messageType: "incoming", content: "hi", sender: { kind: "contact" }, sourceId: "cognigy:input:1" });
    expect(payload.message_type).toBe("incoming");
    expect(payload.source_id).toBe("cognigy:input:1");
    expect(payload.sender).not.toHaveProperty("type");
    expect(payload.sender).toMatchObject({ id: 88, name: "Jane", identifier: "user-1", blocked: false, account: { id: 1, name: "Acme" } });
    expect(payload.conversation.messages[0]).toMatchObject({ message_type: 0, sender_type: "Contact", source_id: "cognigy:input:1" });
  });

  it("renders agent bot and captain senders with their types", () => {
    const bot = messageEvent(conversation(), { id: 6, messageType: "outgoing", content: "bot", sender: { kind: "agent_bot", id: 2, name: "Cognigy" } });
    expect(bot.sender).toStrictEqual({ id: 2, name: "Cognigy", type: "agent_bot" });
    const captain = messageEvent(conversation(), { id: 7, messageType: "outgoing", content: "ai", sender: { kind: "captain", id: 4, name: "Captain" } });
    expect(captain.sender).toMatchObject({ id: 4, name: "Captain", type: "captain_assistant" });
    expect(Object.keys(captain.sender ?? {}).sort()).toEqual(["avatar_url", "created_at", "description", "id", "name", "type"]);
  });

  it("marks private notes and leaves them out of conversation.messages[]", () => {
    const payload = agentMessage(conversation(), { id: 8, content: "internal", private: true });
    expect(payload.private).toBe(true);
    expect(payload.conversation.messages).toEqual([]);
  });

  it("renders message_updated with the given content attributes", () => {
    const payload = messageEvent(conversation(), { event: "message_updated", id: 9, messageType: "outgoing", content: "x", sender: null, contentAttributes: { a: 1 } });
    expect(payload).toMatchObject({ event: "message_updated", content_attributes: { a: 1 } });
  });

  it("includes attachments at top level and in messages[] only when given", () => {
    const file = attachment({ id: 91, messageId: 4711, fileType: "image", url: "https://chat.example.com/rails/active_storage/blobs/redirect/x/shot.png" });
    const payload = agentMessage(conversation(), { id: 4711, content: null, attachments: [file] });
    expect(payload.attachments).toEqual([file]);
    expect(payload.conversation.messages[0]?.attachments).toEqual([file]);
  });

  it("survives a JSON round trip unchanged (no undefined values or Date objects)", () => {
    const payload = agentMessage(conversation(), { id: 1, content: "x", createdAt: CREATED });
    expect(JSON.parse(JSON.stringify(payload))).toStrictEqual(payload);
  });
});

describe("template messages", () => {
  it("renders the CSAT survey as Chatwoot does", () => {
    const link = "https://chat.example.com/survey/responses/abc";
    const payload = csatMessage(conversation({ status: "resolved" }), { id: 10, link, displayType: "star" });
    expect(payload).toMatchObject({ event: "message_created", message_type: "template", content_type: "input_csat", sender: null });
    expect(payload.content).toBe(`Please rate this conversation, ${link}`);
    expect(payload.content_attributes).toEqual({ display_type: "star" });
    expect(payload.conversation.messages[0]).toMatchObject({ message_type: 3, sender_type: null });
    expect(payload.conversation.messages[0]).not.toHaveProperty("sender");
  });

  it("uses a custom CSAT message before the link and emoji by default", () => {
    const payload = csatMessage(conversation(), { id: 10, link: "https://l", message: "How did we do?" });
    expect(payload.content).toBe("How did we do? https://l");
    expect(payload.content_attributes).toEqual({ display_type: "emoji" });
  });

  it("renders out-of-office messages as templates without a sender", () => {
    const payload = outOfOfficeMessage(conversation(), { id: 11, content: "We are closed" });
    expect(payload).toMatchObject({ message_type: "template", content: "We are closed", content_type: "text", sender: null });
  });
});

describe("conversation events", () => {
  it("renders conversation_status_changed with the new status and changed_attributes null", () => {
    const payload = statusChanged(conversation(), "resolved");
    expect(payload).toMatchObject({ event: "conversation_status_changed", id: 321, status: "resolved", inbox_id: 12, changed_attributes: null });
    expect(payload.contact_inbox.source_id).toBe("source-abc");
    expect(payload.account).toEqual({ id: 1, name: "Acme" });
    expect(payload).toHaveProperty("meta.sender.type", "contact");
  });

  it("renders conversation_updated with single-key changes plus updated_at, after the change", () => {
    const conv = conversation({ updatedAt: 1750155342.412 });
    const payload = conversationUpdated(conv, { status: { previous_value: "open", current_value: "resolved" }, assignee_id: { previous_value: 7, current_value: null } });
    expect(payload.event).toBe("conversation_updated");
    expect(payload.status).toBe("resolved");
    expect(payload.changed_attributes).toHaveLength(3);
    expect(payload.changed_attributes?.slice(0, 2)).toEqual([
      { status: { previous_value: "open", current_value: "resolved" } },
      { assignee_id: { previous_value: 7, current_value: null } },
    ]);
    const updated = payload.changed_attributes?.[2]?.updated_at;
    expect(updated?.previous_value).toBe("2025-06-17T10:15:42.412Z");
    expect(typeof updated?.current_value).toBe("string");
    expect(payload.updated_at).toBeGreaterThan(conv.updatedAt);
    for (const change of payload.changed_attributes ?? []) expect(Object.keys(change)).toHaveLength(1);
  });

  it("does not add a second updated_at change when one is given", () => {
    const change = { previous_value: "a", current_value: "b" };
    const payload = conversationUpdated(conversation(), { updated_at: change });
    expect(payload.changed_attributes).toEqual([{ updated_at: change }]);
  });
});

describe("typingEvent", () => {
  it("renders typing on and off by the assignee, public by default", () => {
    const conv = conversation({ assignee: { id: 9, name: "Bob Agent", email: "bob@example.com" } });
    expect(typingEvent(conv, true)).toMatchObject({ event: "conversation_typing_on", user: { id: 9, name: "Bob Agent", email: "bob@example.com", type: "user" }, is_private: false });
    expect(typingEvent(conv, false, { isPrivate: true })).toMatchObject({ event: "conversation_typing_off", is_private: true, conversation: { id: 321 } });
  });

  it("renders typing by an agent bot", () => {
    expect(typingEvent(conversation(), true, { by: { kind: "agent_bot", id: 2, name: "Cognigy" } }).user).toStrictEqual({ id: 2, name: "Cognigy", type: "agent_bot" });
  });
});

describe("attachment", () => {
  it("renders an image with all push_event_data keys", () => {
    const file = attachment({ id: 91, messageId: 4711, fileType: "image", url: "https://chat.example.com/blobs/shot.JPG" });
    expect(Object.keys(file).sort()).toEqual(["account_id", "data_url", "extension", "file_size", "file_type", "height", "id", "message_id", "thumb_url", "width"]);
    expect(file).toMatchObject({ id: 91, message_id: 4711, account_id: 1, file_type: "image", extension: "JPG", data_url: "https://chat.example.com/blobs/shot.JPG", width: 800, height: 600 });
  });

  it("gives audio a transcribed_text and other files no dimensions", () => {
    expect(attachment({ id: 1, messageId: 2, fileType: "audio", url: "https://x/voice" })).toMatchObject({ extension: "mp3", transcribed_text: null, width: null, thumb_url: "" });
    expect(attachment({ id: 1, messageId: 2, fileType: "file", url: "https://x/a.pdf", extension: null })).toMatchObject({ extension: null, height: null });
  });
});

describe("signWebhook", () => {
  const payload = agentMessage(conversation(), { id: 1, content: "Grüße 😀" });

  it("signs JSON.stringify(payload) so that an independent HMAC computation verifies it", () => {
    const signed = signWebhook(payload, INBOX_SECRET, { timestamp: 1750155342, deliveryId: "d-1" });
    expect(signed.body).toBe(JSON.stringify(payload));
    expect(signed.headers).toEqual({
      "Content-Type": "application/json",
      Accept: "application/json",
      "X-Chatwoot-Delivery": "d-1",
      "X-Chatwoot-Timestamp": "1750155342",
      "X-Chatwoot-Signature": independentSignature(INBOX_SECRET, "1750155342", Buffer.from(signed.body, "utf8")),
    });
  });

  it("stops verifying when one byte of the body, the timestamp or the secret changes", () => {
    const signed = signWebhook(payload, INBOX_SECRET);
    const raw = Buffer.from(signed.body, "utf8");
    const timestamp = signed.headers["X-Chatwoot-Timestamp"] ?? "";
    const signature = signed.headers["X-Chatwoot-Signature"];
    expect(signature).toBe(independentSignature(INBOX_SECRET, timestamp, raw));
    for (const index of [0, Math.floor(raw.length / 2), raw.length - 1]) {
      const changed = Buffer.from(raw);
      changed[index] = (changed[index] ?? 0) ^ 1;
      expect(signature).not.toBe(independentSignature(INBOX_SECRET, timestamp, changed));
    }
    expect(signature).not.toBe(independentSignature(INBOX_SECRET, String(Number(timestamp) + 1), raw));
    expect(signature).not.toBe(independentSignature(`${INBOX_SECRET}x`, timestamp, raw));
  });

  it("uses the current unix time and a fresh UUID per delivery by default", () => {
    const before = Math.floor(Date.now() / 1000);
    const first = signWebhook(payload, INBOX_SECRET);
    const second = signWebhook(payload, INBOX_SECRET);
    expect(Number(first.headers["X-Chatwoot-Timestamp"])).toBeGreaterThanOrEqual(before);
    expect(Number(first.headers["X-Chatwoot-Timestamp"])).toBeLessThanOrEqual(Math.floor(Date.now() / 1000));
    expect(first.headers["X-Chatwoot-Delivery"]).toMatch(UUID);
    expect(first.headers["X-Chatwoot-Delivery"]).not.toBe(second.headers["X-Chatwoot-Delivery"]);
    expect(first.headers["X-Chatwoot-Signature"]).toMatch(/^sha256=[0-9a-f]{64}$/);
  });
});

describe("unsignedWebhook", () => {
  it("sends no signature or timestamp, as Chatwoot before 4.13 does", () => {
    const unsigned = unsignedWebhook({ event: "message_created" });
    expect(unsigned.body).toBe('{"event":"message_created"}');
    expect(Object.keys(unsigned.headers).sort()).toEqual(["Accept", "Content-Type", "X-Chatwoot-Delivery"]);
    expect(unsigned.headers["X-Chatwoot-Delivery"]).toMatch(UUID);
  });

  it("omits the delivery header for releases before 4.12", () => {
    expect(unsignedWebhook({}, { deliveryId: null }).headers).toEqual({ "Content-Type": "application/json", Accept: "application/json" });
  });
});
