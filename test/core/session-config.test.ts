import { parseSessionConfig, type SessionConfig } from "../../nodes/session/session-config";

const DEFAULTS: SessionConfig = {
  contextKey: "chatwoot",
  recordHistory: true,
  historyLimits: { maxTurns: 20, maxCharsPerTurn: 500 },
  cancelKeywords: [],
  cancelIntent: "",
  cancelledMessage: "",
  resolvedMessage: "",
  reopenedMessage: "",
  agentJoinedMessage: "",
  forwardCsat: true,
  csatButtonTitle: "Rate the conversation",
  attachmentHosts: [],
  privateAttachmentHosts: false,
  passKeywords: [],
  passIntents: [],
  inactivityMinutes: 0,
  inactivityMessage: "",
  agentMessageFormat: "plain",
  agentNameFormat: "",
};

describe("parseSessionConfig", () => {
  it("gives every field a safe default when the node has no values", () => {
    expect(parseSessionConfig({})).toEqual(DEFAULTS);
  });

  it("reads every field the designer set", () => {
    const config = parseSessionConfig({
      contextKey: "handover.chatwoot",
      recordHistory: false,
      historyMaxTurns: 5,
      cancelKeywords: ["Stop", " Cancel "],
      cancelIntent: " cancelHandover ",
      cancelledMessage: "Cancelled.",
      resolvedMessage: "Back to the bot.",
      reopenedMessage: "An agent is back.",
      agentJoinedMessage: "{agent} joined",
      forwardCsat: false,
      csatButtonTitle: " Rate us ",
      attachmentHosts: ["Files.Example.com", "*.CDN.example.com"],
      privateAttachmentHosts: true,
      inactivityMinutes: 30,
      inactivityMessage: "Our team is busy; back to me.",
      passKeywords: ["/End"],
      passIntents: ["endChat"],
      agentMessageFormat: "markdown",
      agentNameFormat: "{agent}: {text}",
    });
    expect(config).toEqual({
      contextKey: "handover.chatwoot",
      recordHistory: false,
      historyLimits: { maxTurns: 5, maxCharsPerTurn: 500 },
      cancelKeywords: ["stop", "cancel"],
      cancelIntent: "cancelHandover",
      cancelledMessage: "Cancelled.",
      resolvedMessage: "Back to the bot.",
      reopenedMessage: "An agent is back.",
      agentJoinedMessage: "{agent} joined",
      forwardCsat: false,
      csatButtonTitle: "Rate us",
      attachmentHosts: ["files.example.com", "*.cdn.example.com"],
      privateAttachmentHosts: true,
      inactivityMinutes: 30,
      inactivityMessage: "Our team is busy; back to me.",
      passKeywords: ["/end"],
      passIntents: ["endChat"],
      agentMessageFormat: "markdown",
      agentNameFormat: "{agent}: {text}",
    });
  });

  it.each([
    { name: "empty", value: "", expected: "" },
    { name: "a number, as CognigyScript may give", value: 5, expected: "5" },
    { name: "not text", value: { agent: 1 }, expected: "" },
    { name: "200 characters", value: `{agent}: {text}${"x".repeat(185)}`, expected: `{agent}: {text}${"x".repeat(185)}` },
    { name: "over 200 characters: ignored, not cut inside a token", value: `${"x".repeat(190)}{agent}: {text}`, expected: "" },
  ])("reads the agent name format ($name)", ({ value, expected }) => {
    expect(parseSessionConfig({ agentNameFormat: value }).agentNameFormat).toBe(expected);
  });

  it.each([
    { value: "markdown", expected: "markdown" },
    { value: " Markdown ", expected: "markdown" },
    { value: "plain", expected: "plain" },
    { value: "html", expected: "plain" },
    { value: "", expected: "plain" },
    { value: 3, expected: "plain" },
    { value: undefined, expected: "plain" },
  ])("shows agent messages as plain text unless the format is markdown: $value → $expected", ({ value, expected }) => {
    expect(parseSessionConfig({ agentMessageFormat: value }).agentMessageFormat).toBe(expected);
  });

  it.each([
    { value: 0, expected: 0 },
    { value: 12, expected: 12 },
    { value: "12", expected: 12 },
    { value: 7.9, expected: 7 },
    { value: 50, expected: 50 },
    { value: 51, expected: 50 },
    { value: 1000, expected: 50 },
    { value: -3, expected: 0 },
    { value: "many", expected: 20 },
    { value: undefined, expected: 20 },
  ])("keeps history turns between 0 and 50: $value → $expected", ({ value, expected }) => {
    expect(parseSessionConfig({ historyMaxTurns: value }).historyLimits.maxTurns).toBe(expected);
  });

  it.each([
    { name: "a comma-separated text", value: "stop, Cancel,, END ", expected: ["stop", "cancel", "end"] },
    { name: "a list with blanks, numbers and other values", value: ["Stop", "", 5, "  ", {}], expected: ["stop", "5"] },
    { name: "something else", value: { stop: true }, expected: [] },
  ])("reads cancel keywords from $name", ({ value, expected }) => {
    expect(parseSessionConfig({ cancelKeywords: value }).cancelKeywords).toEqual(expected);
  });

  it("reads attachment hosts from a comma-separated text", () => {
    expect(parseSessionConfig({ attachmentHosts: "A.example.com , *.b.example.com" }).attachmentHosts).toEqual(["a.example.com", "*.b.example.com"]);
  });

  it.each(["", "  ", null])("uses the default button title for %p", (value) => {
    expect(parseSessionConfig({ csatButtonTitle: value }).csatButtonTitle).toBe("Rate the conversation");
  });

  it.each(["1chatwoot", "a..b", "a-b", ""])("falls back to the default context key for %p", (contextKey) => {
    expect(parseSessionConfig({ contextKey }).contextKey).toBe("chatwoot");
  });

  it("reads only real booleans as switches", () => {
    const config = parseSessionConfig({ recordHistory: "false", forwardCsat: 0 });
    expect(config.recordHistory).toBe(true);
    expect(config.forwardCsat).toBe(true);
  });

  it("reads a number a script rendered as its text, and anything else that is not text as empty", () => {
    expect(parseSessionConfig({ resolvedMessage: 5, reopenedMessage: null, agentJoinedMessage: ["x"], cancelledMessage: {} })).toMatchObject({
      resolvedMessage: "5",
      reopenedMessage: "",
      agentJoinedMessage: "",
      cancelledMessage: "",
    });
  });

  it("keeps message text as written, spaces included", () => {
    expect(parseSessionConfig({ resolvedMessage: "  Thanks!  " }).resolvedMessage).toBe("  Thanks!  ");
  });
});
