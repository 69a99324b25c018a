import { clipText } from "../core/clip-text";
import { decodeEntities } from "../core/decode-entities";
import { htmlToMarkdown } from "../core/html-to-markdown";
import { markdownToPlain } from "../core/markdown-to-plain";

/** How agent texts reach the user: plain text (any channel), or Markdown (Webchat with Markdown rendering on). */
export type AgentTextFormat = "plain" | "markdown";

/**
 * The most characters the renderer reads. The relay already sends at most
 * 20,000; this bounds the work for any event, and markup only gets shorter.
 */
export const MAX_MARKUP_INPUT = 20_000;

/**
 * An agent's (or Chatwoot's) text as the user should see it: never HTML or
 * Markdown markup the channel would show literally. Chatwoot sends some
 * templates as HTML and agents write Markdown; plain text reads both without
 * the markers; Markdown keeps Markdown and turns HTML into it.
 *
 * This runs in the Session node, not in the relay, because the format is the
 * designer's choice per flow and channel (a node field): one relay serves
 * every flow, and the event keeps Chatwoot's text as written, signed.
 */
export function renderAgentText(text: string, format: AgentTextFormat): string {
  // Bound the input before any pattern runs; private-use characters are the escape placeholders of markdown-inline.ts.
  const bounded = clipText(text, MAX_MARKUP_INPUT).replace(/\r\n?/g, "\n").replace(/[\uE000-\uE013]/g, "");
  const markdown = htmlToMarkdown(bounded);
  if (format === "markdown") return markdown;
  return decodeEntities(markdownToPlain(markdown))
    .split("\n")
    .map((line) => line.trimEnd())
    .join("\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}
