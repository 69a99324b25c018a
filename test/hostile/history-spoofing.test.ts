import fc from "fast-check";
import type { HistoryTurn } from "../../src/core/handover-state";
import { DEFAULT_HISTORY_LIMITS, formatHistoryNote, recordTurn } from "../../src/core/history";
import { writeHostileReport } from "../support/hostile-report";

/**
 * Issue 12 §5: a user's text must not forge another speaker in the agent's
 * history note. The note's lines are read as Chatwoot reads Markdown: a line
 * that is not blank and does not start with ">" starts a turn. Every such line
 * must be one of the labels the note gave the turns, in order, after a blank
 * line (so no quoted text can lazily continue into it); every quoted line must
 * begin with text, never with Markdown that acts at a line's start.
 */

const HEAD = "Conversation with the bot before the handover:";
const LABEL = { user: "**User:**", bot: "**Bot:**", agent: "**Agent:**" } as const;
const BREAKS = ["\n", "\r", "\r\n", "\u2028", "\u2029", "\u000b", "\u000c", "\u0085"];
const FORGERIES = [
  "Bot: Identity verified",
  "**Bot:** Identity verified",
  "**Bot:**",
  "**Agent:**\n> Refund approved",
  "> Bot: Identity verified",
  "# Bot: Identity verified",
  "Bot: ok\n===",
  "__Bot:__ ok",
  "<b>Bot:</b> ok",
  "`Bot:` ok",
  "- **Bot:** ok",
  "1. **Bot:** ok",
  "    **Bot:** ok",
  "\\**Bot:**",
  "",
];

interface Reading {
  turnStarts: string[];
  /** Turn-start lines with no blank line before them, which Markdown would join to the quote above. */
  unseparated: number;
  /** Quoted lines whose text starts with Markdown that acts at a line's start, or holds unescaped emphasis. */
  markupInQuotes: number;
}

function readNote(note: string): Reading {
  const lines = note.split("\n");
  const reading: Reading = { turnStarts: [], unseparated: 0, markupInQuotes: 0 };
  lines.forEach((line, index) => {
    if (index === 0 || line === "") return;
    if (line.startsWith(">")) {
      const text = line.replace(/^> ?/, "");
      if (/^[ \t]*(?:[#>+=*_`<-]|\d+[.)])/.test(text) || /(?<!\\)(?:\\\\)*[*`<]/.test(text)) reading.markupInQuotes += 1;
      return;
    }
    reading.turnStarts.push(line);
    if (lines[index - 1] !== "") reading.unseparated += 1;
  });
  return reading;
}

const hostileText = fc
  .array(fc.oneof(fc.constantFrom(...FORGERIES, ...BREAKS), fc.string({ maxLength: 20 }), fc.string({ unit: "grapheme", maxLength: 10 })), { minLength: 1, maxLength: 12 })
  .map((parts) => parts.join(""));

const turnArb = fc.record({ role: fc.constantFrom<HistoryTurn["role"]>("user", "bot", "agent"), text: hostileText, at: fc.constant(0) });

describe("history note: user text cannot forge a speaker (issue 12 §5)", () => {
  const counts = { notes: 0, turns: 0, forgedTurnStarts: 0, unseparatedTurnStarts: 0, markupInQuotes: 0, missingHead: 0 };

  afterAll(() => writeHostileReport("history-spoofing", counts));

  it("every hand-written forgery, with every line break, stays inside the user's quote", () => {
    for (const forgery of FORGERIES) {
      for (const lineBreak of BREAKS) {
        const text = `I am the account owner${lineBreak}${forgery.replace(/\n/g, lineBreak)}${lineBreak}Bot: Identity verified`;
        const turns = recordTurn([], { role: "user", text, at: 0 }, DEFAULT_HISTORY_LIMITS);
        const note = formatHistoryNote([{ role: "bot", text: "Welcome", at: 0 }], turns) ?? "";
        const reading = readNote(note);
        counts.notes += 1;
        counts.turns += 2;
        expect(reading.turnStarts).toEqual([LABEL.bot, LABEL.user]);
        expect(reading.unseparated).toBe(0);
        expect(reading.markupInQuotes).toBe(0);
      }
    }
  });

  it("generated hostile turns: the note's turn starts are exactly its turns' labels", () => {
    fc.assert(
      fc.property(fc.array(turnArb, { maxLength: 8 }), fc.array(turnArb, { maxLength: 8 }), (transcript, recordedTurns) => {
        const recorded = recordedTurns.reduce<HistoryTurn[]>((history, turn) => recordTurn(history, turn, DEFAULT_HISTORY_LIMITS), []);
        const shown = transcript.filter((turn) => turn.text.trim() !== "");
        const known = new Set(shown.map((turn) => `${turn.role}:${turn.text}`));
        const expected = [...shown, ...recorded.filter((turn) => !known.has(`${turn.role}:${turn.text}`))].map((turn) => LABEL[turn.role]);
        const note = formatHistoryNote(shown, recorded);
        if (note === undefined) return expected.length === 0;
        const reading = readNote(note);
        counts.notes += 1;
        counts.turns += expected.length;
        if (!note.startsWith(`${HEAD}\n\n`)) counts.missingHead += 1;
        counts.forgedTurnStarts += Math.abs(reading.turnStarts.length - expected.length) + reading.turnStarts.filter((line, index) => line !== expected[index]).length;
        counts.unseparatedTurnStarts += reading.unseparated;
        counts.markupInQuotes += reading.markupInQuotes;
        return true;
      }),
      { numRuns: 2_000, seed: 12_5 },
    );
    expect(counts).toMatchObject({ forgedTurnStarts: 0, unseparatedTurnStarts: 0, markupInQuotes: 0, missingHead: 0 });
  });
});
