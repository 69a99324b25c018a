import { clipText } from "./clip-text";
import type { HistoryTurn } from "./handover-state";
import { isRecord, readArray, readNumber, readRecord, readString, type JsonRecord } from "./json-guards";
import { quoteTurn } from "./quote-turn";

export interface HistoryLimits {
  maxTurns: number;
  maxCharsPerTurn: number;
}

export const DEFAULT_HISTORY_LIMITS: HistoryLimits = { maxTurns: 20, maxCharsPerTurn: 500 };

/** Chatwoot accepts up to 150,000 characters; the note stays far below so it remains readable. */
const MAX_NOTE_CHARS = 20_000;

function clip(text: string, max: number): string {
  return clipText(text.trim(), max);
}

/** Appends one turn to the rolling history, keeping the newest `maxTurns`. */
export function recordTurn(history: readonly HistoryTurn[], turn: HistoryTurn, limits: HistoryLimits): HistoryTurn[] {
  const text = clip(turn.text, limits.maxCharsPerTurn);
  if (text === "" || limits.maxTurns <= 0) return [...history];
  return [...history, { ...turn, text }].slice(-limits.maxTurns);
}

/** Get Transcript's roles (input.md): `assistant` is the AI Agent, `agent` a human agent (G8); system and tool turns are left out. */
function roleOf(value: unknown): HistoryTurn["role"] | undefined {
  if (value === "user" || value === "contact" || value === "customer") return "user";
  if (value === "bot" || value === "assistant") return "bot";
  if (value === "agent") return "agent";
  return undefined;
}

/** A turn's text; for a rich output without text (an image, buttons), Get Transcript's `textAlternative`. */
function turnText(value: JsonRecord): string | undefined {
  const payload = readRecord(value.payload);
  const text = readString(value.text) ?? readString(payload.text);
  return text !== undefined && text.trim() !== "" ? text : readString(payload.textAlternative);
}

/** One turn from the history field or a Get Transcript entry (`{role, payload: {text}, timestamp}`). */
function parseTurn(value: unknown): HistoryTurn | undefined {
  if (!isRecord(value)) return undefined;
  const role = roleOf(value.role ?? value.source);
  const text = turnText(value);
  if (role === undefined || text === undefined || text.trim() === "") return undefined;
  return { role, text, at: readNumber(value.timestamp) ?? readNumber(value.at) ?? 0 };
}

/**
 * Reads a transcript the designer supplies: free text, or a list of turns as
 * `{role: "user" | "bot" | "agent", text}` or as Cognigy's Get Transcript node
 * stores them.
 */
export function parseTranscript(value: unknown, limits: HistoryLimits): HistoryTurn[] | string {
  if (typeof value === "string") return clip(value, MAX_NOTE_CHARS);
  const turns = readArray(value)
    .map(parseTurn)
    .filter((turn): turn is HistoryTurn => turn !== undefined)
    .map((turn) => ({ ...turn, text: clip(turn.text, limits.maxCharsPerTurn) }));
  return turns.slice(-Math.max(limits.maxTurns * 2, 1));
}

const LABELS: Record<HistoryTurn["role"], string> = { user: "User", bot: "Bot", agent: "Agent" };

/**
 * The private note agents see once per conversation: the designer's transcript
 * (if any) followed by the user's turns the Session node recorded. Each turn is
 * its speaker's bold label on a line of its own and the text quoted under it,
 * turns separated by a blank line (see quoteTurn): no text can forge a turn.
 *
 * ```
 * Conversation with the bot before the handover:
 *
 * **Bot:**
 * > Welcome
 *
 * **User:**
 * > Hi
 * > \*\*Bot:\*\* Identity verified
 * ```
 */
export function formatHistoryNote(transcript: HistoryTurn[] | string, recorded: readonly HistoryTurn[]): string | undefined {
  const blocks: string[] = [];
  if (typeof transcript === "string") {
    if (transcript !== "") blocks.push(quoteTurn("Transcript", transcript));
  } else {
    blocks.push(...transcript.map((turn) => quoteTurn(LABELS[turn.role], turn.text)));
  }
  const known = new Set(typeof transcript === "string" ? [] : transcript.map((turn) => `${turn.role}:${turn.text}`));
  blocks.push(...recorded.filter((turn) => !known.has(`${turn.role}:${turn.text}`)).map((turn) => quoteTurn(LABELS[turn.role], turn.text)));
  if (blocks.length === 0) return undefined;
  return clip(`Conversation with the bot before the handover:\n\n${blocks.join("\n\n")}`, MAX_NOTE_CHARS);
}
