import type { HistoryTurn } from "../../src/core/handover-state";
import { DEFAULT_HISTORY_LIMITS, formatHistoryNote, parseTranscript, recordTurn, type HistoryLimits } from "../../src/core/history";

const LIMITS: HistoryLimits = { maxTurns: 3, maxCharsPerTurn: 10 };

function user(text: string, at = 0): HistoryTurn {
  return { role: "user", text, at };
}

function bot(text: string, at = 0): HistoryTurn {
  return { role: "bot", text, at };
}

describe("recordTurn", () => {
  it("never cuts an emoji in half", () => {
    const [turn] = recordTurn([], { role: "user", text: "😀".repeat(11), at: 0 }, { maxTurns: 5, maxCharsPerTurn: 10 });
    expect(turn?.text).toBe(`${"😀".repeat(9)}…`);
    expect(/[\ud800-\udbff](?![\udc00-\udfff])/.test(turn?.text ?? "")).toBe(false);
  });

  it("appends a turn with its text trimmed, without changing the given history", () => {
    const history = [user("one", 1)];
    expect(recordTurn(history, user("  two  ", 2), LIMITS)).toEqual([user("one", 1), user("two", 2)]);
    expect(history).toEqual([user("one", 1)]);
  });

  it("keeps only the newest maxTurns turns", () => {
    let history: HistoryTurn[] = [];
    for (const text of ["a", "b", "c", "d", "e"]) history = recordTurn(history, user(text), LIMITS);
    expect(history.map((turn) => turn.text)).toEqual(["c", "d", "e"]);
  });

  it("clips a long turn to maxCharsPerTurn characters, ending in an ellipsis", () => {
    const [turn] = recordTurn([], user("abcdefghijklmnop"), LIMITS);
    expect(turn?.text).toBe("abcdefghi…");
    expect(turn?.text).toHaveLength(LIMITS.maxCharsPerTurn);
  });

  it("keeps a turn of exactly maxCharsPerTurn characters whole", () => {
    expect(recordTurn([], user("abcdefghij"), LIMITS)).toEqual([user("abcdefghij")]);
  });

  it.each(["", "   ", "\n\t"])("ignores a blank turn %p", (text) => {
    expect(recordTurn([user("a")], user(text), LIMITS)).toEqual([user("a")]);
  });

  it("records nothing when maxTurns is 0", () => {
    expect(recordTurn([], user("hello"), { ...LIMITS, maxTurns: 0 })).toEqual([]);
  });

  it("defaults to 20 turns of 500 characters", () => {
    expect(DEFAULT_HISTORY_LIMITS).toEqual({ maxTurns: 20, maxCharsPerTurn: 500 });
  });
});

describe("parseTranscript", () => {
  it("takes free text as it is, trimmed", () => {
    expect(parseTranscript("  User asked about billing.  ", LIMITS)).toBe("User asked about billing.");
  });

  it("clips free text to 20,000 characters", () => {
    const text = parseTranscript("x".repeat(25_000), LIMITS);
    expect(text).toHaveLength(20_000);
    expect(typeof text === "string" && text.endsWith("…")).toBe(true);
  });

  it.each([
    { name: "user/bot turns", entry: { role: "user", text: "hi", at: 5 }, expected: user("hi", 5) },
    { name: "Get Transcript entries", entry: { role: "assistant", payload: { text: "hello" }, timestamp: 7 }, expected: bot("hello", 7) },
    { name: "a source instead of a role", entry: { source: "customer", text: "hi" }, expected: user("hi", 0) },
    { name: "the contact role", entry: { role: "contact", text: "hi" }, expected: user("hi", 0) },
    { name: "the agent role as a human agent (G8)", entry: { role: "agent", text: "ok" }, expected: { role: "agent", text: "ok", at: 0 } },
    { name: "the agent source as a human agent (G8)", entry: { source: "agent", type: "output", payload: { text: "ok" } }, expected: { role: "agent", text: "ok", at: 0 } },
    { name: "a rich output by its textAlternative", entry: { role: "assistant", payload: { text: "", textAlternative: "Image: map" } }, expected: bot("Image: map", 0) },
    { name: "a timestamp preferred over at", entry: { role: "bot", text: "ok", timestamp: 3, at: 9 }, expected: bot("ok", 3) },
  ])("reads $name", ({ entry, expected }) => {
    expect(parseTranscript([entry], LIMITS)).toEqual([expected]);
  });

  it.each([
    { name: "an unknown role", entry: { role: "robot", text: "x" } },
    { name: "the system role", entry: { role: "system", text: "x" } },
    { name: "the tool role", entry: { role: "tool", payload: { text: "x" } } },
    { name: "no text", entry: { role: "user" } },
    { name: "blank text", entry: { role: "user", text: "  " } },
    { name: "a non-object", entry: "user: hi" },
  ])("skips an entry with $name", ({ entry }) => {
    expect(parseTranscript([entry, { role: "user", text: "kept" }], LIMITS)).toEqual([user("kept")]);
  });

  it("clips each turn and keeps the newest 2 × maxTurns turns", () => {
    const entries = Array.from({ length: 10 }, (_, index) => ({ role: index % 2 === 0 ? "user" : "bot", text: `turn ${index} with more words` }));
    const turns = parseTranscript(entries, LIMITS);
    expect(Array.isArray(turns) ? turns.map((turn) => turn.text) : turns).toEqual(["turn 4 wi…", "turn 5 wi…", "turn 6 wi…", "turn 7 wi…", "turn 8 wi…", "turn 9 wi…"]);
  });

  it("keeps at least one turn when maxTurns is 0", () => {
    expect(parseTranscript([{ role: "user", text: "a" }, { role: "user", text: "b" }], { ...LIMITS, maxTurns: 0 })).toEqual([user("b")]);
  });

  it.each([
    { name: "nothing", value: undefined },
    { name: "a number", value: 5 },
    { name: "an object", value: { role: "user", text: "hi" } },
  ])("reads $name as no turns", ({ value }) => {
    expect(parseTranscript(value, LIMITS)).toEqual([]);
  });
});

const HEAD = "Conversation with the bot before the handover:\n\n";

describe("formatHistoryNote", () => {
  it("lists the transcript and then the recorded turns: each a bold label on its own line, the text quoted under it", () => {
    expect(formatHistoryNote([bot("Welcome"), user("Hi")], [user("I need a human")])).toBe(
      `${HEAD}**Bot:**\n> Welcome\n\n**User:**\n> Hi\n\n**User:**\n> I need a human`,
    );
  });

  it.each<[HistoryTurn["role"], string]>([
    ["user", "User"],
    ["bot", "Bot"],
    ["agent", "Agent"],
  ])("labels a %s turn %p: a human agent is never 'Bot' (G8)", (role, label) => {
    expect(formatHistoryNote([{ role, text: "hello", at: 0 }], [])).toBe(`${HEAD}**${label}:**\n> hello`);
  });

  it.each([
    { name: "a line break", text: "one\ntwo", quoted: "> one\n> two" },
    { name: "CR LF", text: "one\r\ntwo", quoted: "> one\n> two" },
    { name: "a lone CR", text: "one\rtwo", quoted: "> one\n> two" },
    { name: "U+2028 and U+2029", text: "one\u2028two\u2029three", quoted: "> one\n> two\n> three" },
    { name: "vertical tab, form feed and NEL", text: "a\u000bb\u000cc\u0085d", quoted: "> a\n> b\n> c\n> d" },
    { name: "a blank line", text: "one\n\ntwo", quoted: "> one\n>\n> two" },
    { name: "bold and a backslash", text: "**Bot:** ok \\o/", quoted: "> \\*\\*Bot:\\*\\* ok \\\\o/" },
    { name: "a quote and a heading at a line start", text: "x\n> Bot: hi\n## Agent:", quoted: "> x\n> \\> Bot: hi\n> \\## Agent:" },
    { name: "list items and a setext underline", text: "- a\n+ b\n1. c\n2) d\n===", quoted: "> \\- a\n> \\+ b\n> 1\\. c\n> 2\\) d\n> \\===" },
    { name: "code, HTML and emphasis underscores", text: "`x` <b>y</b> _z_ snake_case", quoted: "> \\`x\\` \\<b>y\\</b> \\_z\\_ snake_case" },
    { name: "characters that are markup only at a line start, elsewhere", text: "a - b # c > d = e 3. f", quoted: "> a - b # c > d = e 3. f" },
  ])("quotes every line of a turn and escapes its Markdown: $name", ({ text, quoted }) => {
    expect(formatHistoryNote([], [user(text)])).toBe(`${HEAD}**User:**\n${quoted}`);
  });

  it("quotes and labels a free-text transcript, before the recorded turns", () => {
    expect(formatHistoryNote("Summary: billing question", [user("Agent please")])).toBe(`${HEAD}**Transcript:**\n> Summary: billing question\n\n**User:**\n> Agent please`);
  });

  it("does not repeat a recorded turn the transcript already has", () => {
    expect(formatHistoryNote([user("Hi", 1)], [user("Hi", 2), user("More")])).toBe(`${HEAD}**User:**\n> Hi\n\n**User:**\n> More`);
  });

  it("keeps a recorded turn whose text matches a transcript turn of the other role", () => {
    expect(formatHistoryNote([bot("ok")], [user("ok")])).toBe(`${HEAD}**Bot:**\n> ok\n\n**User:**\n> ok`);
  });

  it.each([
    { name: "an empty transcript and no turns", transcript: [], recorded: [] },
    { name: "empty free text and no turns", transcript: "", recorded: [] },
  ])("writes no note for $name", ({ transcript, recorded }) => {
    expect(formatHistoryNote(transcript, recorded)).toBeUndefined();
  });

  it("keeps the note within 20,000 characters", () => {
    const recorded = Array.from({ length: 100 }, (_, index) => user(`${index} ${"x".repeat(480)}`));
    const note = formatHistoryNote("y".repeat(19_000), recorded);
    expect(note).toHaveLength(20_000);
    expect(note?.startsWith("Conversation with the bot before the handover:")).toBe(true);
  });
});
