/**
 * Markdown's inline constructs on one line, as plain text: code spans keep
 * their content, links read "text (url)", autolinks and bare URLs stay as they
 * are (emphasis is never looked for inside them), and emphasis markers go.
 * `_` marks emphasis only at word edges, as in CommonMark, so snake_case_names
 * stay whole.
 *
 * Linear time: every repetition stops at its own delimiter (no nested
 * quantifiers), so one attempt never rescans what another attempt read.
 */

/** Characters a backslash may escape; while a line is read they stand in the private-use area. */
const ESCAPABLE = "\\`*_{}[]()#+-.!~>|<";
const ESCAPE = /\\([\\`*_{}[\]()#+\-.!~>|<])/g;
const PLACEHOLDER = /[\uE000-\uE013]/g;

const PROTECTED = /`([^`\n]+)`|(!?)\[([^[\]\n]*)\]\(([^()\s]+)\)|<((?:https?:\/\/|mailto:)[^<>\s]+)>|(https?:\/\/[^\s<>]+)/g;

const EMPHASIS: readonly RegExp[] = [
  /\*\*(?![\s*])([^*\n]+)(?<!\s)\*\*/g,
  /(?<![\p{L}\p{N}_])__(?![\s_])([^_\n]+)(?<!\s)__(?![\p{L}\p{N}_])/gu,
  /~~(?![\s~])([^~\n]+)(?<!\s)~~/g,
  /\*(?![\s*])([^*\n]+)(?<!\s)\*/g,
  /(?<![\p{L}\p{N}_])_(?![\s_])([^_\n]+)(?<!\s)_(?![\p{L}\p{N}_])/gu,
];

export function protectEscapes(text: string): string {
  return text.replace(ESCAPE, (_, char: string) => String.fromCharCode(0xe000 + ESCAPABLE.indexOf(char)));
}

/** Puts escaped characters back: bare as text, with their backslash inside code (where escapes do not count). */
export function restoreEscapes(text: string, withBackslash = false): string {
  return text.replace(PLACEHOLDER, (char) => `${withBackslash ? "\\" : ""}${ESCAPABLE.charAt(char.charCodeAt(0) - 0xe000)}`);
}

function withoutEmphasis(text: string): string {
  return EMPHASIS.reduce((result, pattern) => result.replace(pattern, "$1"), text);
}

/** A link or image: "text (url)", or the URL alone when there is no other text. */
function link(label: string, url: string): string {
  const text = restoreEscapes(withoutEmphasis(label)).trim();
  const target = restoreEscapes(url);
  return text === "" || text === target ? target : `${text} (${target})`;
}

/** One line (escapes already protected) as plain text; the caller restores escapes afterwards. */
export function inlineToPlain(line: string): string {
  let result = "";
  let from = 0;
  for (const match of line.matchAll(PROTECTED)) {
    result += withoutEmphasis(line.slice(from, match.index));
    from = match.index + match[0].length;
    const [, code, , label, url, autolink, bare] = match;
    if (code !== undefined) result += restoreEscapes(code, true);
    else if (url !== undefined) result += link(label ?? "", url);
    else if (autolink !== undefined) result += autolink.replace(/^mailto:/i, "");
    else result += bare ?? "";
  }
  return result + withoutEmphasis(line.slice(from));
}
