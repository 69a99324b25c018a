/**
 * HTML as Chatwoot's templates carry it (a real 4.x payload:
 * "<p>Get notified by email</p>\n") turned into Markdown: paragraphs and
 * breaks into line breaks, lists into "- item", emphasis, code and links into
 * their Markdown forms; script and style with their content, and every other
 * tag, removed. Entities are left for the caller (Markdown keeps them).
 *
 * Outside data is hostile: every pattern here has only bounded or
 * delimiter-stopped repetitions (no nested quantifiers), and the text is
 * walked once, so the cost is linear in its length.
 */

/** A tag: `<name ...>` or `</name>`; the name must end at a space, "/" or ">", so `<https://…>` (a Markdown autolink) is no tag. */
const TAG = /<(\/?)([A-Za-z][A-Za-z0-9-]{0,31})(?=[\s/>])([^<>]*)>/g;
const HREF = /\b(?:href|src)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))/i;
const ALT = /\balt\s*=\s*(?:"([^"]*)"|'([^']*)')/i;
/** Tags whose presence means the text is HTML, in which line breaks are only white space. */
const BLOCK_TAG = /<\/?(?:p|div|br|ul|ol|li|h[1-6]|table|tr|blockquote|pre)(?=[\s/>])/i;
const SKIPPED = ["script", "style", "template", "head", "title", "noscript"];
const BLOCKS = ["p", "div", "section", "article", "header", "footer", "blockquote", "table", "hr"];
const INLINE: ReadonlyMap<string, string> = new Map(Object.entries({ strong: "**", b: "**", em: "*", i: "*", s: "~~", del: "~~", strike: "~~" }));

function attribute(pattern: RegExp, attributes: string): string | undefined {
  const match = pattern.exec(attributes);
  return match === null ? undefined : (match[1] ?? match[2] ?? match[3]);
}

/** Only web and mail links survive; a space or parenthesis would end a Markdown link early. */
function safeUrl(raw: string | undefined): string | undefined {
  const url = raw?.trim();
  if (url === undefined || !/^(?:https?:\/\/|mailto:)/i.test(url)) return undefined;
  return url.replace(/[\s()]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase().padStart(2, "0")}`);
}

/** Drops `<!-- … -->` comments with indexOf, so an unclosed one costs one scan, not one per opener. */
function withoutComments(html: string): string {
  let result = "";
  let from = 0;
  for (let start = html.indexOf("<!--"); start >= 0; start = html.indexOf("<!--", from)) {
    result += html.slice(from, start);
    const end = html.indexOf("-->", start + 4);
    if (end < 0) return result;
    from = end + 3;
  }
  return result + html.slice(from);
}

interface Walk {
  out: string[];
  lists: { ordered: boolean; count: number }[];
  links: (string | undefined)[];
  skipping: string | null;
  pre: number;
  /** After a line break or a list marker: the text's leading white space is dropped. */
  lineStart: boolean;
}

function block(walk: Walk, text: string): void {
  walk.out.push(text);
  walk.lineStart = true;
}

function onTag(walk: Walk, closing: boolean, name: string, attributes: string): void {
  const heading = /^h([1-6])$/.exec(name)?.[1];
  if (name === "br") return block(walk, "\n");
  if (name === "pre") {
    walk.pre = Math.max(0, walk.pre + (closing ? -1 : 1));
    return block(walk, closing ? "\n```\n\n" : "\n\n```\n");
  }
  if (heading !== undefined) return block(walk, closing ? "\n\n" : `\n\n${"#".repeat(Number(heading))} `);
  if (BLOCKS.includes(name) || name === "tr") return block(walk, closing || name === "tr" ? "\n" : "\n\n");
  if (name === "ul" || name === "ol") {
    if (closing) walk.lists.pop();
    else walk.lists.push({ ordered: name === "ol", count: 0 });
    // A nested list continues its parent item's lines; only the outermost one is a block of its own.
    return walk.lists.length === (closing ? 0 : 1) ? block(walk, "\n\n") : undefined;
  }
  if (name === "li") {
    const list = walk.lists.at(-1);
    if (closing) return;
    if (list === undefined) return block(walk, "\n- ");
    list.count += 1;
    return block(walk, `\n${"  ".repeat(walk.lists.length - 1)}${list.ordered ? `${list.count}.` : "-"} `);
  }
  if (name === "td" || name === "th") return void (closing && walk.out.push(" "));
  if (name === "code" && walk.pre === 0) return void walk.out.push("`");
  if (name === "a") {
    if (!closing) {
      const href = safeUrl(attribute(HREF, attributes));
      walk.links.push(href);
      return void (href !== undefined && walk.out.push("["));
    }
    const href = walk.links.pop();
    return void (href !== undefined && walk.out.push(`](${href})`));
  }
  if (name === "img") {
    const src = safeUrl(attribute(HREF, attributes));
    const alt = attribute(ALT, attributes)?.replace(/[[\]]/g, "") ?? "";
    walk.lineStart = false;
    return void walk.out.push(src === undefined ? alt : `![${alt}](${src})`);
  }
  const inline = INLINE.get(name);
  if (inline !== undefined) walk.out.push(inline);
}

/** Tags become Markdown; text between them is kept (white space collapsed when the text is HTML, except in `<pre>`). */
export function htmlToMarkdown(text: string): string {
  if (!text.includes("<")) return text;
  const html = withoutComments(text);
  const isHtml = BLOCK_TAG.test(html);
  const walk: Walk = { out: [], lists: [], links: [], skipping: null, pre: 0, lineStart: true };
  const addText = (segment: string): void => {
    if (walk.skipping !== null) return;
    const collapsed = isHtml && walk.pre === 0 ? segment.replace(/\s+/g, " ") : segment;
    const text = isHtml && walk.pre === 0 && walk.lineStart ? collapsed.trimStart() : collapsed;
    if (text === "") return;
    walk.out.push(text);
    walk.lineStart = false;
  };
  let from = 0;
  for (const match of html.matchAll(TAG)) {
    addText(html.slice(from, match.index));
    from = match.index + match[0].length;
    const closing = match[1] === "/";
    const name = (match[2] ?? "").toLowerCase();
    if (walk.skipping !== null) {
      if (closing && name === walk.skipping) walk.skipping = null;
      continue;
    }
    if (SKIPPED.includes(name)) {
      if (!closing && !(match[3] ?? "").trimEnd().endsWith("/")) walk.skipping = name;
      continue;
    }
    onTag(walk, closing, name, match[3] ?? "");
  }
  addText(html.slice(from));
  const joined = walk.out.join("");
  if (!isHtml) return joined;
  // White space the HTML had around its blocks ends no line; split and trimEnd rather than / +\n/, which is quadratic on long runs of spaces.
  return joined.split("\n").map((line) => line.trimEnd()).join("\n").replace(/\n{3,}/g, "\n\n").trim();
}
