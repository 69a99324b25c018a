import type { RelayOptions } from "../../src/relay/classify-webhook";
import { classifyMessage, readAttachments } from "../../src/relay/classify-message";

const OPTIONS: RelayOptions = { relaySecret: "relay-secret-0123456789-abcdefghijklmnop", inboxIds: null, forwardTemplates: true, forwardCsat: true, forwardAssignments: false };
const FILES = "https://chat.example.com/rails/active_storage/blobs/redirect/abc";

describe("readAttachments", () => {
  it.each<[string, unknown, { url: string; kind: string; name: string }[]]>([
    ["nothing from a missing list", undefined, []],
    ["nothing from a non-list", { data_url: `${FILES}/a.png` }, []],
    ["an image with its file name", [{ id: 1, file_type: "image", data_url: `${FILES}/a.png` }], [{ url: `${FILES}/a.png`, kind: "image", name: "a.png" }]],
    ["an upper-case scheme", [{ id: 1, file_type: "video", data_url: "HTTPS://chat.example.com/v.mp4" }], [{ url: "HTTPS://chat.example.com/v.mp4", kind: "video", name: "v.mp4" }]],
    ["nothing from URLs that only look like http (no host, a space, a broken IPv6)", [{ id: 1, file_type: "image", data_url: "https://" }, { id: 2, file_type: "image", data_url: "http://exa mple.com/x.png" }, { id: 3, file_type: "image", data_url: "https://[bad/x.png" }], []],
    ["a name from id and extension when the URL has none", [{ id: 7, file_type: "audio", extension: "ogg", data_url: `${FILES}/` }], [{ url: `${FILES}/`, kind: "audio", name: "attachment-7.ogg" }]],
    ["a generic name without id or extension", [{ file_type: "file", data_url: `${FILES}/blob` }], [{ url: `${FILES}/blob`, kind: "file", name: "attachment-file" }]],
    ["a generated name for an undecodable segment", [{ id: 8, file_type: "file", extension: "pdf", data_url: `${FILES}/bad%E0%A4%A.pdf` }], [{ url: `${FILES}/bad%E0%A4%A.pdf`, kind: "file", name: "attachment-8.pdf" }]],
    ["'file' for an unknown file type", [{ id: 2, file_type: "sticker", data_url: `${FILES}/s.webp` }], [{ url: `${FILES}/s.webp`, kind: "file", name: "s.webp" }]],
    ["nothing from a relative URL", [{ id: 3, file_type: "image", data_url: "/rails/active_storage/a.png" }], []],
    ["nothing from a javascript: URL", [{ id: 3, file_type: "image", data_url: "javascript:alert(1)" }], []],
    ["nothing from a location without data_url", [{ id: 4, file_type: "location", coordinates_lat: 1, coordinates_long: 2 }], []],
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
