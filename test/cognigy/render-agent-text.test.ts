import { MAX_MARKUP_INPUT, renderAgentText } from "../../src/cognigy/render-agent-text";
import { decodeEntities } from "../../src/core/decode-entities";
import { htmlToMarkdown } from "../../src/core/html-to-markdown";
import { markdownToPlain } from "../../src/core/markdown-to-plain";

/** A reply as an agent writes it in Chatwoot's editor, which stores Markdown. */
const AGENT_REPLY = [
  "Hi **Jane**, here is what to do:",
  "",
  "1. Unplug the *router*",
  "2. Wait ~~5~~ 10 seconds",
  "   - really, _ten_",
  "   - then run `reset_all --force`",
  "3. Check [the status page](https://status.example.com/a_b?x=1&y=2)",
  "",
  "Our config_file_name and MAX_RETRY_COUNT stay as they are, and 2 * 3 * 4 = 24.",
  "",
  "```",
  "router> set **wan** _on_",
  "```",
].join("\n");

const AGENT_REPLY_PLAIN = [
  "Hi Jane, here is what to do:",
  "",
  "1. Unplug the router",
  "2. Wait 5 10 seconds",
  "  • really, ten",
  "  • then run reset_all --force",
  "3. Check the status page (https://status.example.com/a_b?x=1&y=2)",
  "",
  "Our config_file_name and MAX_RETRY_COUNT stay as they are, and 2 * 3 * 4 = 24.",
  "",
  "router> set **wan** _on_",
].join("\n");

/** A greeting template as Chatwoot 4.x sends it from its rich-text settings. */
const HTML_TEMPLATE = "<p>Get notified by email</p>\n";
const HTML_RICH = '<p>Hello <strong>Jane</strong>,<br>see <a href="https://help.example.com/faq">our FAQ</a> &amp; <em>more</em>:</p><ul><li>Billing</li><li>Routers<ul><li>DSL</li></ul></li></ul><ol><li>Call</li><li>Wait</li></ol><script>alert("x")</script><p>Bye &lt;3</p>';

describe("renderAgentText: plain text (the default)", () => {
  it.each<[string, string, string]>([
    ["Chatwoot's HTML template", HTML_TEMPLATE, "Get notified by email"],
    ["an agent's Markdown reply with lists, links, code and emphasis", AGENT_REPLY, AGENT_REPLY_PLAIN],
    ["rich HTML with a link, nested and numbered lists, a script and entities", HTML_RICH, "Hello Jane,\nsee our FAQ (https://help.example.com/faq) & more:\n\n• Billing\n• Routers\n  • DSL\n\n1. Call\n2. Wait\n\nBye <3"],
    ["bold, italic and both", "**bold**, *italic*, __strong__, _em_ and ***both***", "bold, italic, strong, em and both"],
    ["snake_case, dunder-free identifiers and file names untouched", "set snake_case_names, my_var_ and file_name.txt", "set snake_case_names, my_var_ and file_name.txt"],
    ["emphasis inside a word with stars", "un*frigging*believable", "unfriggingbelievable"],
    ["a lone star and spaced stars", "5 * 3 and a * b * c", "5 * 3 and a * b * c"],
    ["code spans kept verbatim", "run `a_b_c *x*` now", "run a_b_c *x* now"],
    ["a link whose text is its URL", "[https://a.example.com](https://a.example.com)", "https://a.example.com"],
    ["an image", "![router photo](https://cdn.example.com/r.png)", "router photo (https://cdn.example.com/r.png)"],
    ["autolinks and bare URLs with underscores and stars", "<https://x.example.com/a_b_> and https://y.example.com/*star*", "https://x.example.com/a_b_ and https://y.example.com/*star*"],
    ["a mail autolink", "<mailto:help@example.com>", "help@example.com"],
    ["headings", "# Title\n## Sub ##\n### C#", "Title\nSub\nC#"],
    ["quotes, nested too", "> quoted *text*\n> > deeper", "quoted text\ndeeper"],
    ["bullets with -, * and +", "- one\n* two\n+ three", "• one\n• two\n• three"],
    ["a rule", "above\n\n---\n\nbelow", "above\n\n—\n\nbelow"],
    ["escaped markup", "\\*not italic\\* and \\_literal\\_ \\[x\\](y)", "*not italic* and _literal_ [x](y)"],
    ["a backslash hard break (before Chatwoot 4.13)", "line one\\\nline two", "line one\nline two"],
    ["entities, numeric ones and unknown ones", "&lt;b&gt; &amp;amp; &#8364; &#x1F600; &foo; &constructor; &#0;", "<b> &amp; € 😀 &foo; &constructor; \uFFFD"],
    ["a tag-like comparison", "if a < b and c > d", "if a < b and c > d"],
    ["unknown tags and comments removed", "<span class='x'>Hi</span><!-- note --> <custom-tag>there</custom-tag>", "Hi there"],
    ["Windows line breaks", "a\r\nb\rc", "a\nb\nc"],
    ["a javascript: link as its text only", '<p><a href="javascript:alert(1)">click</a></p>', "click"],
  ])("renders %s", (_, text, expected) => {
    expect(renderAgentText(text, "plain")).toBe(expected);
  });
});

describe("renderAgentText: Markdown (for a Webchat that renders it)", () => {
  it.each<[string, string, string]>([
    ["Chatwoot's HTML template", HTML_TEMPLATE, "Get notified by email"],
    ["an agent's Markdown reply, unchanged", AGENT_REPLY, AGENT_REPLY],
    ["rich HTML as Markdown, without the script", HTML_RICH, "Hello **Jane**,\nsee [our FAQ](https://help.example.com/faq) &amp; *more*:\n\n- Billing\n- Routers\n  - DSL\n\n1. Call\n2. Wait\n\nBye &lt;3"],
    ["HTML code and preformatted text", "<p>Run <code>ls</code>:</p><pre>  a  b\n  c</pre>", "Run `ls`:\n\n```\n  a  b\n  c\n```"],
    ["a link with spaces and parentheses in its URL", '<a href="https://a.example.com/x (1).pdf">file</a>', "[file](https://a.example.com/x%20%281%29.pdf)"],
    ["an image tag", '<img src="https://cdn.example.com/a.png" alt="A [big] one">', "![A big one](https://cdn.example.com/a.png)"],
    ["inline tags in a Markdown reply, keeping its line breaks", "Hi <b>Jane</b>\n\n- one\n- two", "Hi **Jane**\n\n- one\n- two"],
    ["autolinks, which are no tags", "<https://a.example.com>", "<https://a.example.com>"],
  ])("renders %s", (_, text, expected) => {
    expect(renderAgentText(text, "markdown")).toBe(expected);
  });
});

describe("renderAgentText: hostile input", () => {
  const MB = 1024 * 1024;
  const fill = (unit: string): string => unit.repeat(Math.ceil(MB / unit.length)).slice(0, MB);
  const ADVERSARIAL: readonly [string, string][] = [
    ["open brackets", fill("[")],
    ["unclosed links", fill("[a](")],
    ["stars", fill("*a")],
    ["underscores", fill("_a")],
    ["dunders", fill("__a ")],
    ["tildes", fill("~~a")],
    ["backticks", fill("`a")],
    ["backslashes", fill("\\")],
    ["escaped stars", fill("\\*a*")],
    ["unclosed tags", fill("<a ")],
    ["unclosed hrefs", fill('<a href="')],
    ["unclosed comments", fill("<!--")],
    ["unclosed scripts", fill("<script>")],
    ["entity starts", fill("&#")],
    ["autolink starts", fill("<http://a")],
    ["spaces then a letter", `${fill(" ")}x`],
    ["spaces in <pre>", `<pre>${fill(" ")}x`],
    ["heading hashes", `# ${fill(" #")}`],
    ["list markers", fill("- ")],
    ["quote markers", fill(">")],
    ["short lines", fill("a\n")],
    ["a mix of everything", fill("**_[`<a href='x'>&amp;</a>_**](")],
  ];

  /** The fastest of a few runs: what the work itself costs, not a busy machine's pause (jest runs suites side by side). */
  function fastestMs(runs: number, work: () => void): number {
    let best = Infinity;
    for (let run = 0; run < runs; run += 1) {
      const started = performance.now();
      work();
      best = Math.min(best, performance.now() - started);
    }
    return best;
  }

  it.each(ADVERSARIAL)("renders 1 MB of %s in well under 50 ms, in both formats", (_, text) => {
    let plain = "";
    let markdown = "";
    const ms = fastestMs(5, () => {
      plain = renderAgentText(text, "plain");
      markdown = renderAgentText(text, "markdown");
    });
    expect(ms).toBeLessThan(50);
    expect(plain.length).toBeLessThanOrEqual(MAX_MARKUP_INPUT);
    expect(markdown.length).toBeLessThanOrEqual(MAX_MARKUP_INPUT);
  });

  // The steps themselves read unbounded text in linear time: a quadratic pattern would take minutes on 256 kB.
  it.each(ADVERSARIAL)("converts 256 kB of %s without the length bound in linear time", (_, text) => {
    const started = performance.now();
    decodeEntities(markdownToPlain(htmlToMarkdown(text.slice(0, MB / 4))));
    expect(performance.now() - started).toBeLessThan(3_000);
  });

  it("never leaves a tag from HTML in either format", () => {
    const text = '<div onclick="x()"><img src=x onerror=alert(1)><iframe src="https://evil.example.com"></iframe><style>p{}</style>Hi</div>';
    expect(renderAgentText(text, "plain")).toBe("Hi");
    expect(renderAgentText(text, "markdown")).toBe("Hi");
  });
});
