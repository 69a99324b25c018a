import { deadLetterNote } from "../../src/relay/dead-letter-note";
import type { EventDetails } from "../../src/relay/relay-job";

const REASON = "Cognigy answered HTTP 404";
const FILE = { url: "https://chat.example.com/files/a.png", kind: "image", name: "a.png" } as const;

function agentMessage(text: string, files = 0): EventDetails {
  return { type: "agent_message", conversationId: 321, messageId: 4711, text, attachments: Array.from({ length: files }, () => FILE), agentName: "Anna" };
}

describe("deadLetterNote", () => {
  it("never cuts an emoji in half when it shortens the excerpt", () => {
    const note = deadLetterNote(agentMessage(`${"a".repeat(198)}😀 more`), REASON) ?? "";
    expect(/[\ud800-\udbff](?![\udc00-\udfff])/.test(note)).toBe(false);
    expect(note).toContain(`${"a".repeat(198)}😀…`);
  });

  it.each<[string, EventDetails, string]>([
    ["an agent's text", agentMessage("Your order has shipped."), `⚠️ This message did not reach the user: "Your order has shipped.". Reason: ${REASON}.`],
    ["an agent's text with files", agentMessage("See the invoice", 2), `⚠️ This message did not reach the user: "See the invoice" (+2 file(s)). Reason: ${REASON}.`],
    ["files without text", agentMessage("", 1), `⚠️ This message did not reach the user: "(no text)" (+1 file(s)). Reason: ${REASON}.`],
    ["whitespace only", agentMessage(" \n\t "), `⚠️ This message did not reach the user: "(no text)". Reason: ${REASON}.`],
    ["text with surrounding whitespace, trimmed", agentMessage("\n  Hello  \n"), `⚠️ This message did not reach the user: "Hello". Reason: ${REASON}.`],
    ["a template message", { type: "template_message", conversationId: 321, messageId: 800, text: "We are away." }, `⚠️ This message did not reach the user: "We are away.". Reason: ${REASON}.`],
  ])("tells the agent about %s", (_, event, expected) => {
    expect(deadLetterNote(event, REASON)).toBe(expected);
  });

  it.each<[string, EventDetails]>([
    ["a status change", { type: "status_changed", conversationId: 321, status: "resolved" }],
    ["an assignment", { type: "agent_assigned", conversationId: 321, agentName: "Anna" }],
    ["a CSAT survey", { type: "csat", conversationId: 321, messageId: 801, text: "Rate us https://x.example.com/s", link: "https://x.example.com/s" }],
  ])("writes no note for %s", (_, event) => {
    expect(deadLetterNote(event, REASON)).toBeNull();
  });

  it.each<[number, string]>([
    [199, "x".repeat(199)],
    [200, "x".repeat(200)],
    [201, `${"x".repeat(199)}…`],
    [5_000, `${"x".repeat(199)}…`],
  ])("quotes a text of %i characters as the excerpt of at most 200", (length, excerpt) => {
    expect(deadLetterNote(agentMessage("x".repeat(length)), REASON)).toBe(`⚠️ This message did not reach the user: "${excerpt}". Reason: ${REASON}.`);
  });

  it("clips after trimming, so surrounding whitespace does not count", () => {
    expect(deadLetterNote(agentMessage(`   ${"y".repeat(200)}   `), REASON)).toContain(`"${"y".repeat(200)}"`);
  });

  it("puts the reason in as given", () => {
    expect(deadLetterNote(agentMessage("Hi"), "Cognigy could not be reached (ECONNREFUSED); gave up after 1440 min")).toMatch(/Reason: Cognigy could not be reached \(ECONNREFUSED\); gave up after 1440 min\.$/);
  });
});
