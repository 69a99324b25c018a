/** The assignments of a `.env` file, in file order (a later line for the same name wins). */
export type EnvFileParse = { ok: true; values: Array<[name: string, value: string]> } | { ok: false; line: number; problem: string };

/** A file this large is not an environment file: refused before it is split into lines. */
export const MAX_ENV_FILE_BYTES = 1024 * 1024;

const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;
const ESCAPES: Record<string, string> = { n: "\n", r: "\r", t: "\t", '"': '"', "\\": "\\" };

type Value = { ok: true; value: string } | { ok: false; problem: string };

/** After a closing quote only spaces or a `# comment` may follow. */
function restIsComment(rest: string): boolean {
  const trimmed = rest.trimStart();
  return trimmed === "" || trimmed.startsWith("#");
}

function doubleQuoted(text: string, name: string): Value {
  let value = "";
  for (let index = 1; index < text.length; index += 1) {
    const char = text.charAt(index);
    if (char === '"') return restIsComment(text.slice(index + 1)) ? { ok: true, value } : { ok: false, problem: `${name}: only a # comment may follow the closing quote` };
    if (char === "\\" && index + 1 < text.length) {
      const next = text.charAt(index + 1);
      value += ESCAPES[next] ?? `\\${next}`;
      index += 1;
    } else {
      value += char;
    }
  }
  return { ok: false, problem: `${name}: the value's opening " is not closed on the same line (a value spans one line; write a line break as \\n)` };
}

function singleQuoted(text: string, name: string): Value {
  const end = text.indexOf("'", 1);
  if (end === -1) return { ok: false, problem: `${name}: the value's opening ' is not closed on the same line (a value spans one line)` };
  return restIsComment(text.slice(end + 1)) ? { ok: true, value: text.slice(1, end) } : { ok: false, problem: `${name}: only a # comment may follow the closing quote` };
}

/** Unquoted: up to a `#` that follows a space (an inline comment), without the surrounding spaces. */
function unquoted(text: string): Value {
  const comment = /[ \t]#/.exec(text);
  return { ok: true, value: (comment === null ? text : text.slice(0, comment.index)).trim() };
}

function parseValue(text: string, name: string): Value {
  if (text.startsWith('"')) return doubleQuoted(text, name);
  if (text.startsWith("'")) return singleQuoted(text, name);
  return unquoted(text);
}

/**
 * Parses a `.env` file: `NAME=value` lines (an optional `export ` before the
 * name), blank lines and `#` comments; values unquoted (an inline comment
 * after a space is cut), in single quotes (literal) or in double quotes
 * (`\n`, `\t`, `\"`, `\\` escapes). The first malformed line is reported by
 * number; a problem names the variable only once the line is a well-formed
 * `NAME=`, and never quotes the line, which may hold a secret.
 */
export function parseEnvFile(text: string): EnvFileParse {
  if (Buffer.byteLength(text, "utf8") > MAX_ENV_FILE_BYTES) return { ok: false, line: 0, problem: `is larger than ${MAX_ENV_FILE_BYTES} bytes` };
  const values: Array<[string, string]> = [];
  const lines = text.replace(/^\uFEFF/, "").split("\n");
  for (const [index, raw] of lines.entries()) {
    const line = index + 1;
    const content = raw.replace(/\r$/, "").trimStart();
    if (content === "" || content.startsWith("#")) continue;
    if (content.includes("\0")) return { ok: false, line, problem: "contains a NUL character" };
    const assignment = content.replace(/^export[ \t]+/, "");
    const name = NAME.exec(assignment)?.[0];
    const afterName = name === undefined ? "" : assignment.slice(name.length).trimStart();
    if (name === undefined || !afterName.startsWith("=")) return { ok: false, line, problem: "expected NAME=value (a name of letters, digits and _, then =)" };
    const parsed = parseValue(afterName.slice(1).trimStart(), name);
    if (!parsed.ok) return { ok: false, line, problem: parsed.problem };
    values.push([name, parsed.value]);
  }
  return { ok: true, values };
}
