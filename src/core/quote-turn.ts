/**
 * Every way a text can break a line: CommonMark's (\n, \r, \r\n) and the ones
 * other viewers honour (vertical tab, form feed, NEL, U+2028, U+2029).
 */
// eslint-disable-next-line no-control-regex -- vertical tab and form feed break lines in some viewers, so they split turns too
const LINE_BREAK = /\r\n?|[\n\u000b\u000c\u0085\u2028\u2029]/;

/** Markdown that could dress a turn's text up as something else: emphasis, code, HTML, escapes. */
const INLINE_MARKUP = /[\\*`<]|(?<![\p{L}\p{N}])_|_(?![\p{L}\p{N}])/gu;

/** Markdown that acts at a line's start: headings, quotes, lists, setext underlines, ordered lists. */
const LINE_START_MARKUP = /^([ \t]*)(?:([#>+=-])|(\d+)([.)]))/;

/** One line of a turn's text with its Markdown escaped, so that it renders as the characters typed. */
function escapeLine(line: string): string {
  const inline = line.replace(INLINE_MARKUP, (mark) => `\\${mark}`);
  return inline.replace(LINE_START_MARKUP, (_match, space: string, mark: string | undefined, digits: string | undefined, dot: string | undefined) =>
    mark !== undefined ? `${space}\\${mark}` : `${space}${digits ?? ""}\\${dot ?? ""}`,
  );
}

/**
 * One turn of the history note (issue 12 §5): the speaker's label in bold on its
 * own line, then every line of the text quoted ("> "), so that no line of the
 * text can start a turn or pass for another speaker, in the raw text or as
 * Chatwoot renders the Markdown. The text's own Markdown is escaped, so a
 * typed "**Bot:**" or "> Bot:" shows as typed, inside the quote. Callers bound
 * the text (500 characters a turn, 20,000 the note) before it gets here.
 */
export function quoteTurn(label: string, text: string): string {
  const lines = text.split(LINE_BREAK).map((line) => (line.trim() === "" ? ">" : `> ${escapeLine(line)}`));
  return `**${label}:**\n${lines.join("\n")}`;
}
