/**
 * A strict parser for the YAML the deployment files use (compose.yaml, the
 * Prometheus and Grafana provisioning files), so that tests read them without a
 * YAML dependency: block mappings and sequences, plain and quoted scalars,
 * flow sequences of scalars, `|`/`|-`/`>` block scalars, comments, anchors on
 * a block (`key: &name`) and merge keys (`<<: *name`). Anything else — tabs in
 * indentation, a duplicate key, an unknown alias, a line indented where no
 * block can start, flow mappings — throws with the line number, so a file that
 * uses more of YAML fails the test instead of being read wrong.
 */
export type Yaml = string | number | boolean | null | Yaml[] | { [key: string]: Yaml };
export type YamlMap = { [key: string]: Yaml };

export class YamlSubsetError extends Error {
  constructor(line: number, problem: string) {
    super(`line ${line}: ${problem}`);
  }
}

interface Line {
  number: number;
  indent: number;
  /** Without the indentation; comments are cut where a structural line is read. */
  text: string;
}

/** The text without a trailing ` # comment` (a # inside a quoted token is kept). */
function stripComment(text: string): string {
  let quote: string | null = null;
  for (let index = 0; index < text.length; index += 1) {
    const char = text.charAt(index);
    const before = index === 0 ? " " : text.charAt(index - 1);
    if (quote === null && (char === '"' || char === "'") && /[\s[,:]/.test(before)) quote = char;
    else if (quote === '"' && char === "\\") index += 1;
    else if (quote !== null && char === quote) quote = null;
    else if (quote === null && char === "#" && /\s/.test(before)) return text.slice(0, index).trimEnd();
  }
  return text.trimEnd();
}

function isBlank(line: Line): boolean {
  return line.text === "" || line.text.startsWith("#");
}

function isSequenceItem(text: string): boolean {
  return text === "-" || text.startsWith("- ");
}

class Parser {
  private index = 0;
  private readonly anchors = new Map<string, Yaml>();

  constructor(private readonly lines: Line[]) {}

  parseDocument(): Yaml {
    const value = this.parseBlock(0);
    const rest = this.peek();
    if (rest !== null) throw new YamlSubsetError(rest.number, "unexpected indentation");
    return value;
  }

  /** The next line that is neither blank nor a comment, without consuming it. */
  private peek(): Line | null {
    while (this.index < this.lines.length) {
      const line = this.lines[this.index];
      if (line === undefined || !isBlank(line)) return line ?? null;
      this.index += 1;
    }
    return null;
  }

  /** A block whose lines are indented at least `minIndent`; null when there is none. */
  private parseBlock(minIndent: number): Yaml {
    const first = this.peek();
    if (first === null || first.indent < minIndent) return null;
    return isSequenceItem(stripComment(first.text)) ? this.parseSequence(first.indent) : this.parseMapping(first.indent);
  }

  private parseSequence(indent: number): Yaml[] {
    const items: Yaml[] = [];
    for (let line = this.peek(); line !== null && line.indent === indent && isSequenceItem(stripComment(line.text)); line = this.peek()) {
      const content = stripComment(line.text).slice(1).trimStart();
      if (content === "") {
        this.index += 1;
        items.push(this.parseBlock(indent + 1));
      } else if (/^[^"'[\s][^:]*:(\s|$)/.test(content) || /^"[^"]*":(\s|$)/.test(content)) {
        // "- key: value": a mapping whose keys line up with this first one.
        const offset = line.text.length - line.text.slice(1).trimStart().length;
        this.lines[this.index] = { number: line.number, indent: indent + offset, text: line.text.slice(offset) };
        items.push(this.parseMapping(indent + offset));
      } else {
        this.index += 1;
        items.push(this.scalarOrFlow(content, line.number));
      }
    }
    return items;
  }

  private parseMapping(indent: number): YamlMap {
    const explicit: YamlMap = {};
    const merged: YamlMap = {};
    for (let line = this.peek(); line !== null && line.indent >= indent; line = this.peek()) {
      if (line.indent > indent) throw new YamlSubsetError(line.number, "unexpected indentation");
      const text = stripComment(line.text);
      if (isSequenceItem(text)) break;
      const match = /^("(?:[^"\\]|\\.)*"|'[^']*'|[^"'\s#][^:]*?):(?:\s+(.*))?$/.exec(text);
      if (match === null) throw new YamlSubsetError(line.number, "expected key: value");
      const key = this.key(match[1] ?? "", line.number);
      const rest = (match[2] ?? "").trim();
      this.index += 1;
      if (key === "<<") {
        const source = this.alias(rest, line.number);
        if (source === null || typeof source !== "object" || Array.isArray(source)) throw new YamlSubsetError(line.number, "<< merges a mapping alias only");
        Object.assign(merged, source);
        continue;
      }
      if (Object.prototype.hasOwnProperty.call(explicit, key)) throw new YamlSubsetError(line.number, `duplicate key ${key}`);
      explicit[key] = this.value(rest, indent, line.number);
    }
    return { ...merged, ...explicit };
  }

  private key(raw: string, lineNumber: number): string {
    const key = raw.startsWith('"') || raw.startsWith("'") ? this.scalar(raw, lineNumber) : raw.trim();
    if (typeof key !== "string" && typeof key !== "number") throw new YamlSubsetError(lineNumber, "a key must be a string");
    return String(key);
  }

  private alias(text: string, lineNumber: number): Yaml {
    const name = /^\*([\w-]+)$/.exec(text)?.[1];
    if (name === undefined || !this.anchors.has(name)) throw new YamlSubsetError(lineNumber, `unknown alias ${text}`);
    return this.anchors.get(name) ?? null;
  }

  /** The value after `key:`, on the same line or in the block below. */
  private value(rest: string, indent: number, lineNumber: number): Yaml {
    const anchor = /^&([\w-]+)$/.exec(rest)?.[1];
    if (rest === "" || anchor !== undefined) {
      const next = this.peek();
      // A sequence may sit at the key's own indentation.
      const value = next !== null && next.indent === indent && isSequenceItem(stripComment(next.text)) ? this.parseSequence(indent) : this.parseBlock(indent + 1);
      if (anchor !== undefined) this.anchors.set(anchor, value);
      return value;
    }
    if (rest.startsWith("*")) return this.alias(rest, lineNumber);
    if (/^[|>][-+]?$/.test(rest)) return this.blockScalar(rest, indent);
    return this.scalarOrFlow(rest, lineNumber);
  }

  private blockScalar(header: string, indent: number): string {
    const body: Line[] = [];
    while (this.index < this.lines.length) {
      const line = this.lines[this.index];
      if (line === undefined || (line.text !== "" && line.indent <= indent)) break;
      body.push(line);
      this.index += 1;
    }
    while (body.length > 0 && body[body.length - 1]?.text === "") body.pop();
    const contentIndent = Math.min(...body.filter((line) => line.text !== "").map((line) => line.indent));
    const lines = body.map((line) => (line.text === "" ? "" : " ".repeat(line.indent - contentIndent) + line.text));
    const text = header.startsWith(">") ? lines.join(" ").replace(/ {2,}/g, " ") : lines.join("\n");
    return header.endsWith("-") ? text : `${text}\n`;
  }

  private scalarOrFlow(text: string, lineNumber: number): Yaml {
    if (text.startsWith("{")) throw new YamlSubsetError(lineNumber, "flow mappings are not in the subset");
    if (!text.startsWith("[")) return this.scalar(text, lineNumber);
    if (!text.endsWith("]")) throw new YamlSubsetError(lineNumber, "a flow sequence must close on its line");
    const inner = text.slice(1, -1).trim();
    if (inner === "") return [];
    const items: string[] = [];
    let rest = inner;
    for (;;) {
      const item = /^("(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^,"'[\]{}]+)\s*(,\s*|$)/.exec(rest);
      if (item === null) throw new YamlSubsetError(lineNumber, "malformed flow sequence");
      items.push(item[1] ?? "");
      rest = rest.slice(item[0].length);
      if (item[2] === "") break;
    }
    return items.map((item) => this.scalar(item.trim(), lineNumber));
  }

  private scalar(text: string, lineNumber: number): Yaml {
    if (text.startsWith('"')) {
      if (!/^"(?:[^"\\]|\\.)*"$/.test(text)) throw new YamlSubsetError(lineNumber, "malformed double-quoted string");
      return JSON.parse(text) as string;
    }
    if (text.startsWith("'")) {
      if (!/^'(?:[^']|'')*'$/.test(text)) throw new YamlSubsetError(lineNumber, "malformed single-quoted string");
      return text.slice(1, -1).replace(/''/g, "'");
    }
    if (/^[&*!%@`{}[\]|>]/.test(text) || /:(\s|$)/.test(text)) throw new YamlSubsetError(lineNumber, `not a plain scalar: ${text.slice(0, 40)}`);
    if (/^-?\d+$/.test(text)) return Number(text);
    if (text === "true" || text === "false") return text === "true";
    if (text === "null" || text === "~") return null;
    return text;
  }
}

export function parseYamlSubset(source: string): Yaml {
  const lines = source.split("\n").map((raw, index): Line => {
    const text = raw.replace(/\r$/, "");
    const indentation = /^[ \t]*/.exec(text)?.[0] ?? "";
    if (indentation.includes("\t")) throw new YamlSubsetError(index + 1, "a tab in the indentation");
    return { number: index + 1, indent: indentation.length, text: text.slice(indentation.length).trimEnd() };
  });
  return new Parser(lines).parseDocument();
}

/** The value as a mapping, or a thrown error naming `what`. */
export function asMap(value: Yaml | undefined, what: string): YamlMap {
  if (value === null || value === undefined || typeof value !== "object" || Array.isArray(value)) throw new Error(`${what} is not a mapping`);
  return value;
}

export function asList(value: Yaml | undefined, what: string): Yaml[] {
  if (!Array.isArray(value)) throw new Error(`${what} is not a sequence`);
  return value;
}
