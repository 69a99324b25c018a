import { inlineToPlain, protectEscapes, restoreEscapes } from "./markdown-inline";

/**
 * Markdown as an agent writes it in Chatwoot's reply editor, as plain text
 * for a channel that shows text as it is: headings and quotes lose their
 * markers, list items read "• item" (nested ones indented, numbered ones keep
 * their number), fenced code keeps its lines without the fences, and inline
 * markup goes (see markdown-inline.ts).
 *
 * Line by line, with patterns anchored at the line's start: linear time.
 */

const FENCE = /^ {0,3}(`{3,}|~{3,})/;
const HEADING = /^ {0,3}#{1,6}(?:[ \t]+|$)/;
const QUOTE = /^ {0,3}>[ \t]?/;
const LIST_ITEM = /^([ \t]*)([-*+]|\d{1,9}[.)])[ \t]+/;

function isRule(line: string): boolean {
  const compact = line.replace(/[ \t]/g, "");
  return /^ {0,3}\S/.test(line) && /^(?:-{3,}|\*{3,}|_{3,})$/.test(compact);
}

function width(indent: string): number {
  return indent.replace(/\t/g, "    ").length;
}

/** A heading's text without its closing hashes ("## Title ##"); hashes glued to a word stay ("C#"). */
function headingText(rest: string): string {
  const trimmed = rest.trimEnd();
  let end = trimmed.length;
  while (end > 0 && trimmed.charAt(end - 1) === "#") end -= 1;
  if (end === 0) return "";
  return end < trimmed.length && /[ \t]/.test(trimmed.charAt(end - 1)) ? trimmed.slice(0, end).trimEnd() : trimmed;
}

function withoutQuotes(line: string): string {
  let rest = line;
  for (let depth = 0; depth < 16 && QUOTE.test(rest); depth += 1) rest = rest.replace(QUOTE, "");
  return rest;
}

/** One line outside code; `indents` holds the open list levels' indentation. */
function blockLine(raw: string, indents: number[]): string {
  const line = withoutQuotes(raw);
  const hardBreak = line.endsWith("\\") && !line.endsWith("\\\\");
  const text = hardBreak ? line.slice(0, -1) : line;
  if (text.trim() === "") return "";
  if (isRule(text)) return "—";
  const heading = HEADING.exec(text);
  if (heading !== null) return inlineToPlain(headingText(text.slice(heading[0].length)));
  const item = LIST_ITEM.exec(text);
  if (item === null) {
    if (!/^[ \t]/.test(text)) indents.length = 0;
    return inlineToPlain(text);
  }
  const indent = width(item[1] ?? "");
  while (indents.length > 0 && indent < (indents.at(-1) ?? 0)) indents.pop();
  if (indents.length === 0 || indent > (indents.at(-1) ?? 0)) indents.push(indent);
  const marker = item[2] ?? "-";
  const bullet = /\d/.test(marker) ? `${marker.slice(0, -1)}.` : "•";
  return `${"  ".repeat(indents.length - 1)}${bullet} ${inlineToPlain(text.slice(item[0].length))}`;
}

/** Markdown (escapes, fences, blocks, inline markup) as plain text. Entities are left for the caller. */
export function markdownToPlain(markdown: string): string {
  const out: string[] = [];
  const indents: number[] = [];
  let fence: string | null = null;
  for (const raw of protectEscapes(markdown).split("\n")) {
    const opening = FENCE.exec(raw)?.[1];
    if (fence !== null) {
      const closes = opening !== undefined && opening.charAt(0) === fence.charAt(0) && opening.length >= fence.length && raw.trim() === opening;
      if (closes) fence = null;
      else out.push(restoreEscapes(raw, true));
      continue;
    }
    if (opening !== undefined) {
      fence = opening;
      continue;
    }
    out.push(restoreEscapes(blockLine(raw, indents)));
  }
  return out.join("\n");
}
