import { jsonBytes } from "../../src/core/clip-json-bytes";
import type { RelayAttachment } from "../../src/core/relay-event";
import { fitEventSize, MAX_EVENT_BYTES } from "../../src/relay/fit-event-size";

const file = (index: number, urlLength: number): RelayAttachment => ({ url: `https://chat.example.com/${"u".repeat(urlLength)}/${index}.png`, kind: "image", name: `${index}.png` });

describe("fitEventSize: an event within Cognigy's input limit (65 kB; 60 kB for the REST inject)", () => {
  it.each([
    ["plain ASCII", "x".repeat(150_000)],
    ["two-byte letters", "é".repeat(150_000)],
    ["three-byte letters", "語".repeat(150_000)],
    ["emoji", "😀".repeat(75_000)],
    ["quotes (two bytes in JSON)", '"'.repeat(150_000)],
    ["control characters (six bytes in JSON)", "\u0001".repeat(150_000)],
  ])("%s: the text is cut to fit, with the cut marked", (_, text) => {
    const event = fitEventSize({ type: "agent_message" as const, conversationId: 1, messageId: 2, text, attachments: [], agentName: "Anna" });
    expect(jsonBytes(event)).toBeLessThanOrEqual(MAX_EVENT_BYTES);
    expect(jsonBytes(event)).toBeGreaterThan(MAX_EVENT_BYTES - 100);
    expect(event.text.endsWith("…")).toBe(true);
  });

  it("leaves an event that fits as it is", () => {
    const event = { type: "agent_message" as const, conversationId: 1, messageId: 2, text: "Hello", attachments: [file(1, 10)], agentName: "Anna" };
    expect(fitEventSize(event)).toBe(event);
  });

  it("keeps all 15 attachments of ordinary length and cuts the text around them", () => {
    const attachments = Array.from({ length: 15 }, (_, index) => file(index, 300));
    const event = fitEventSize({ type: "agent_message" as const, conversationId: 1, messageId: 2, text: "x".repeat(100_000), attachments, agentName: "Anna" });
    expect(event.attachments).toEqual(attachments);
    expect(jsonBytes(event)).toBeLessThanOrEqual(MAX_EVENT_BYTES);
  });

  it("drops the last attachments when their links alone would take more than half, so some text always stays", () => {
    const attachments = Array.from({ length: 15 }, (_, index) => file(index, 4_000));
    const event = fitEventSize({ type: "agent_message" as const, conversationId: 1, messageId: 2, text: "Here are the files".repeat(1_000), attachments, agentName: "Anna" });
    expect(jsonBytes(event)).toBeLessThanOrEqual(MAX_EVENT_BYTES);
    expect(event.attachments.length).toBeLessThan(15);
    expect(event.attachments).toEqual(attachments.slice(0, event.attachments.length));
    expect(event.text.length).toBeGreaterThan(10_000);
  });

  it("cuts templates and surveys the same way", () => {
    const template = fitEventSize({ type: "template_message" as const, conversationId: 1, messageId: 2, text: "\u0001".repeat(50_000) });
    expect(jsonBytes(template)).toBeLessThanOrEqual(MAX_EVENT_BYTES);
  });
});
