import type { RelayOptions } from "../../src/relay/classify-webhook";
import { classifyMessage, MAX_EVENT_TEXT, readAttachments } from "../../src/relay/classify-message";

const OPTIONS: RelayOptions = { relaySecret: "relay-secret-0123456789-abcdefghijklmnop", inboxIds: null, forwardTemplates: true, forwardCsat: true, forwardAssignments: false };
const FILES = "https://chat.example.com/rails/active_storage/blobs/redirect/abc";

describe("readAttachments", () => {
  it.each<[string, unknown, { url: string; kind: string; name: string; size?: number }[]]>([
    ["nothing from a missing list", undefined, []],
    ["nothing from a non-list", { data_url: `${FILES}/a.png` }, []],
    ["an image with its file name", [{ id: 1, file_type: "image", data_url: `${FILES}/a.png` }], [{ url: `${FILES}/a.png`, kind: "image", name: "a.png" }]],
    ["an upper-case scheme", [{ id: 1, file_type: "video", data_url: "HTTPS://chat.example.com/v.mp4" }], [{ url: "HTTPS://chat.example.com/v.mp4", kind: "video", name: "v.mp4" }]],
    ["nothing from URLs that only look like http (no host, a space, a broken IPv6)", [{ id: 1, file_type: "image", data_url: "https://" }, { id: 2, file_type: "image", data_url: "http://exa mple.com/x.png" }, { id: 3, file_type: "image", data_url: "https://[bad/x.png" }], []],
    ["a name from id and extension when the URL has none", [{ id: 7, file_type: "audio", extension: "ogg", data_url: `${FILES}/` }], [{ url: `${FILES}/`, kind: "audio", name: "attachment-7.ogg" }]],
    ["a generic name without id or extension", [{ file_type: "file", data_url: `${FILES}/blob` }], [{ url: `${FILES}/blob`, kind: "file", name: "attachment-file" }]],
    ["a generated name for an undecodable segment", [{ id: 8, file_type: "file", extension: "pdf", data_url: `${FILES}/bad%E0%A4%A.pdf` }], [{ url: `${FILES}/bad%E0%A4%A.pdf`, kind: "file", name: "attachment-8.pdf" }]],
    ["a file's size from file_size (issue 11, G6)", [{ id: 9, file_type: "file", data_url: `${FILES}/r.pdf`, file_size: 48213 }], [{ url: `${FILES}/r.pdf`, kind: "file", name: "r.pdf", size: 48213 }]],
    ["no size for media, which show no size", [{ id: 9, file_type: "image", data_url: `${FILES}/a.png`, file_size: 48213 }], [{ url: `${FILES}/a.png`, kind: "image", name: "a.png" }]],
    ["no size from a file_size that is not a byte count", [{ id: 9, file_type: "file", data_url: `${FILES}/r.pdf`, file_size: "48213" }, { id: 10, file_type: "file", data_url: `${FILES}/s.pdf`, file_size: -1 }], [{ url: `${FILES}/r.pdf`, kind: "file", name: "r.pdf" }, { url: `${FILES}/s.pdf`, kind: "file", name: "s.pdf" }]],
    ["'file' for an unknown file type", [{ id: 2, file_type: "sticker", data_url: `${FILES}/s.webp` }], [{ url: `${FILES}/s.webp`, kind: "file", name: "s.webp" }]],
    ["nothing from a relative URL", [{ id: 3, file_type: "image", data_url: "/rails/active_storage/a.png" }], []],
    ["nothing from a javascript: URL", [{ id: 3, file_type: "image", data_url: "javascript:alert(1)" }], []],
    ["a map link from a location's coordinates, even without data_url (C12)", [{ id: 4, file_type: "location", coordinates_lat: 1, coordinates_long: 2 }], [{ url: "https://www.openstreetmap.org/?mlat=1&mlon=2#map=16/1/2", kind: "location", name: "" }]],
  ])("reads %s", (_, value, expected) => {
    expect(readAttachments(value)).toEqual(expected);
  });

  it("keeps the first 15 files", () => {
    const list = Array.from({ length: 20 }, (_, index) => ({ id: index + 1, file_type: "file", data_url: `${FILES}/f${index}.pdf` }));
    const read = readAttachments(list);
    expect(read).toHaveLength(15);
    expect(read[14]?.name).toBe("f14.pdf");
  });
});

describe("classifyMessage", () => {
  const reply = { event: "message_created", id: 9, message_type: "outgoing", private: false, content: "Hello", sender: { type: "user", name: "Anna Agent" } };

  it("reads an agent's reply into an agent_message for the given conversation", () => {
    expect(classifyMessage(reply, 321, OPTIONS)).toEqual({ type: "agent_message", conversationId: 321, messageId: 9, text: "Hello", attachments: [], agentName: "Anna Agent" });
  });

  it.each<[string, Record<string, unknown>, Partial<RelayOptions>, string]>([
    ["a missing id", { id: undefined }, {}, "malformed"],
    ["an incoming message, even if private", { message_type: "incoming", private: true }, {}, "incoming_message"],
    ["a private note, even with an own source id", { private: true, source_id: "cognigy:input:1" }, {}, "private_note"],
    ["a private flag that is not a boolean", { private: "false" }, {}, "malformed"],
    ["a message without private flag", { private: undefined }, {}, "malformed"],
    ["a template whose private flag is not a boolean", { message_type: "template", private: 0, content: "We are closed" }, {}, "malformed"],
    ["an own source id before the sender check", { source_id: "cognigy:history:1", sender: { type: "agent_bot" } }, {}, "own_message"],
    ["a source id that only contains the prefix later", { source_id: "x-cognigy:input:1" }, {}, "agent"],
    ["a CSAT template with csat off", { message_type: "template", content_type: "input_csat", content: "Rate https://x.example.com/s" }, { forwardCsat: false }, "csat_disabled"],
    ["a CSAT template with templates off but csat on", { message_type: "template", content_type: "input_csat", content: "Rate https://x.example.com/s" }, { forwardTemplates: false }, "csat"],
    ["a CSAT template without link and templates off", { message_type: "template", content_type: "input_csat", content: "Rate us" }, { forwardTemplates: false }, "template_disabled"],
  ])("classifies %s", (_, change, options, expected) => {
    const result = classifyMessage({ ...reply, ...change }, 321, { ...OPTIONS, ...options });
    expect(typeof result === "string" ? result : result.type === "agent_message" ? "agent" : result.type).toBe(expected);
  });

  it("takes the first http(s) link of a CSAT text", () => {
    const result = classifyMessage({ ...reply, message_type: "template", content_type: "input_csat", content: "Rate us: http://a.example.com/1 or https://b.example.com/2" }, 5, OPTIONS);
    expect(result).toMatchObject({ type: "csat", link: "http://a.example.com/1" });
  });
});

describe("classifyMessage: automation rules, deletions and the length of a text (issue 10 §5)", () => {
  const automation = { event: "message_created", id: 12, message_type: "outgoing", private: false, content: "Thanks, we got your request.", content_attributes: { automation_rule_id: 3 }, sender: null };
  const deleted = { event: "message_updated", id: 9, message_type: "outgoing", private: false, content: "This message was deleted", content_type: "text", content_attributes: { deleted: true }, sender: { type: "user", name: "Anna Agent" } };

  it("forwards an automation rule's message (outgoing, sender null: C9) as an agent_message from automation", () => {
    expect(classifyMessage(automation, 321, OPTIONS)).toEqual({ type: "agent_message", conversationId: 321, messageId: 12, text: "Thanks, we got your request.", attachments: [], agentName: "", from: "automation" });
  });

  it("forwards an automation rule's attachment without text (send_attachment: content null)", () => {
    const files = { ...automation, content: null, content_attributes: {}, attachments: [{ id: 1, file_type: "file", data_url: `${FILES}/terms.pdf` }] };
    expect(classifyMessage(files, 321, OPTIONS)).toMatchObject({ type: "agent_message", from: "automation", text: "", attachments: [{ kind: "file", name: "terms.pdf" }] });
  });

  it.each<[string, Record<string, unknown>, Partial<RelayOptions>, string]>([
    ["an automation message with FORWARD_AUTOMATION_MESSAGES off", {}, { forwardAutomationMessages: false }, "automation_disabled"],
    ["an automation message without content or attachments", { content: "" }, {}, "empty_message"],
    ["an automation rule's private note", { private: true }, {}, "private_note"],
    ["a template without sender (CSAT, out of office) under the template rules", { message_type: "template" }, { forwardTemplates: false }, "template_disabled"],
    ["an activity message without sender", { message_type: "activity" }, {}, "activity_message"],
    ["an outgoing message whose sender is missing", { sender: undefined }, {}, "not_from_agent"],
    ["an outgoing message whose sender has no type", { sender: { name: "Jane" } }, {}, "not_from_agent"],
  ])("classifies %s", (_, change, options, expected) => {
    const result = classifyMessage({ ...automation, ...change }, 321, { ...OPTIONS, ...options });
    expect(typeof result === "string" ? result : result.type).toBe(expected);
  });

  it.each<[string, Record<string, unknown>]>([
    ["an agent's deleted reply (message_updated, C11)", {}],
    ["a deletion in another language", { content: "Diese Nachricht wurde gelöscht" }],
    ["a deletion as message_created", { event: "message_created" }],
    ["a deleted automation message", { sender: null }],
    ["a deleted template", { message_type: "template", sender: null }],
    ["a deleted CSAT survey", { message_type: "template", content_type: "input_csat", content: "Rate https://chat.example.com/s", sender: null }],
    ["a deletion flag written as a string", { content_attributes: { deleted: "true" } }],
  ])("never forwards %s", (_, change) => {
    expect(classifyMessage({ ...deleted, ...change }, 321, OPTIONS)).toBe("message_deleted");
  });

  it("forwards a reply whose text merely says it was deleted", () => {
    expect(classifyMessage({ ...deleted, content_attributes: {} }, 321, OPTIONS)).toMatchObject({ type: "agent_message", text: "This message was deleted" });
    expect(classifyMessage({ ...deleted, content_attributes: { deleted: false } }, 321, OPTIONS)).toMatchObject({ type: "agent_message" });
  });

  it(`cuts a text to ${MAX_EVENT_TEXT} characters, marking the cut, before it leaves the relay`, () => {
    const long = classifyMessage({ ...reply(), content: "y".repeat(150_000) }, 321, OPTIONS);
    expect(typeof long === "string" ? long : long.type === "agent_message" ? long.text : "").toBe(`${"y".repeat(MAX_EVENT_TEXT - 1)}…`);
  });

  function reply(): Record<string, unknown> {
    return { event: "message_created", id: 9, message_type: "outgoing", private: false, content: "Hello", sender: { type: "user", name: "Anna Agent" } };
  }
});

describe("readAttachments: locations, fallback and embed attachments (C12)", () => {
  const MAP = (lat: string, lon: string) => `https://www.openstreetmap.org/?mlat=${lat}&mlon=${lon}#map=16/${lat}/${lon}`;

  it.each<[string, Record<string, unknown>, { url: string; kind: string; name: string } | null]>([
    ["a location as a map link with its title", { file_type: "location", coordinates_lat: 52.516275, coordinates_long: 13.377704, fallback_title: "Brandenburger Tor", data_url: "https://maps.example.com/?q=52.5,13.4" }, { url: MAP("52.516275", "13.377704"), kind: "location", name: "Brandenburger Tor" }],
    ["a location rounded to six decimals", { file_type: "location", coordinates_lat: -33.85678912345, coordinates_long: 151.21529876543 }, { url: MAP("-33.856789", "151.215299"), kind: "location", name: "" }],
    ["a location at the edges of the map", { file_type: "location", coordinates_lat: -90, coordinates_long: 180 }, { url: MAP("-90", "180"), kind: "location", name: "" }],
    ["a location with coordinates out of range: its data_url", { file_type: "location", coordinates_lat: 91, coordinates_long: 13.4, data_url: "https://maps.example.com/x" }, { url: "https://maps.example.com/x", kind: "location", name: "" }],
    ["a location with Chatwoot's default 0/0: its data_url", { file_type: "location", coordinates_lat: 0, coordinates_long: 0, data_url: "https://maps.example.com/y" }, { url: "https://maps.example.com/y", kind: "location", name: "" }],
    ["nothing from a location with coordinates as text and no data_url", { file_type: "location", coordinates_lat: "52.5", coordinates_long: "13.4" }, null],
    ["nothing from a location with a javascript: data_url", { file_type: "location", coordinates_lat: 0, coordinates_long: 0, data_url: "javascript:alert(1)" }, null],
    ["a fallback attachment as a link with its title", { file_type: "fallback", fallback_title: "Order #42", data_url: "https://shop.example.com/orders/42" }, { url: "https://shop.example.com/orders/42", kind: "link", name: "Order #42" }],
    ["an embed attachment as a link", { file_type: "embed", data_url: "https://video.example.com/embed/abc" }, { url: "https://video.example.com/embed/abc", kind: "link", name: "" }],
    ["nothing from an embed with a relative URL", { file_type: "embed", data_url: "/embed/abc" }, null],
    ["nothing from a contact card (no URL)", { file_type: "contact", fallback_title: "+49 30 123456" }, null],
  ])("reads %s", (_, item, expected) => {
    expect(readAttachments([{ id: 1, message_id: 9, account_id: 1, ...item }])).toEqual(expected === null ? [] : [expected]);
  });

  it.each([Number.NaN, Infinity, -Infinity, 90.000001, -180.5])("refuses the coordinate %p", (value) => {
    expect(readAttachments([{ file_type: "location", coordinates_lat: value, coordinates_long: 10 }])).toEqual([]);
    expect(readAttachments([{ file_type: "location", coordinates_lat: 10, coordinates_long: value === 90.000001 ? 180.000001 : value }])).toEqual([]);
  });

  it("cuts a long title to 200 characters", () => {
    const [read] = readAttachments([{ file_type: "fallback", fallback_title: "t".repeat(1000), data_url: "https://a.example.com/" }]);
    expect(read?.name).toHaveLength(200);
  });
});
