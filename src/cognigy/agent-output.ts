import { clipText } from "../core/clip-text";
import type { JsonRecord } from "../core/json-guards";
import type { RelayAttachment } from "../core/relay-event";
import { renderAgentText, type AgentTextFormat } from "./render-agent-text";

/** One `api.say(text, data)` call. */
export interface Output {
  text: string;
  data?: JsonRecord;
}

/** Budget for one relayed message: Cognigy allows 10 api calls, two go to saving state and stopping. */
export const MAX_MESSAGE_OUTPUTS = 7;

/** Cognigy's limit for a text; Chatwoot allows 150,000 characters, and api payloads end at 62 KB. */
export const MAX_OUTPUT_TEXT = 10_000;

/** Cuts a text to what Cognigy accepts, marking the cut. */
export function clipOutput(text: string): string {
  return clipText(text, MAX_OUTPUT_TEXT);
}

type MediaKind = "image" | "video" | "audio";

const DEFAULT_KEYS: Record<MediaKind, { key: string; urlField: string; altField: string }> = {
  image: { key: "_image", urlField: "imageUrl", altField: "imageAltText" },
  video: { key: "_video", urlField: "videoUrl", altField: "videoAltText" },
  audio: { key: "_audio", urlField: "audioUrl", altField: "audioAltText" },
};

function displayName(attachment: RelayAttachment): string {
  return attachment.name !== "" ? attachment.name : attachment.url.split("?")[0]?.split("/").pop() || "file";
}

const LINK_SIGNS = { location: "📍", link: "🔗" } as const;

/** An attachment as one line of text: "📎 name: url"; a location or link without a title is its URL alone. */
function linkLine(attachment: RelayAttachment): string {
  if (attachment.kind !== "location" && attachment.kind !== "link") return `📎 ${displayName(attachment)}: ${attachment.url}`;
  const title = attachment.name.trim();
  return `${LINK_SIGNS[attachment.kind]} ${title === "" ? "" : `${title}: `}${attachment.url}`;
}

/**
 * Images (GIFs included), video and audio in Cognigy's channel-independent
 * `_default` format and Webchat's `_webchat` format; files, which neither
 * format has, as a link plus Webchat's `attachments` card. A location is a map
 * link and a fallback or embed attachment a link (C12): text, which every
 * channel shows, and nothing the user's client would fetch as a file.
 */
export function renderAttachment(attachment: RelayAttachment): Output {
  const name = displayName(attachment);
  if (attachment.kind === "file") {
    return { text: linkLine(attachment), data: { attachments: [{ fileName: name, url: attachment.url }] } };
  }
  if (attachment.kind === "location" || attachment.kind === "link") return { text: linkLine(attachment) };
  const { key, urlField, altField } = DEFAULT_KEYS[attachment.kind];
  return {
    text: "",
    data: {
      type: attachment.kind,
      _cognigy: {
        _default: { [key]: { type: attachment.kind, [urlField]: attachment.url, [altField]: name, fallbackText: `${name}: ${attachment.url}` } },
        _webchat: { message: { attachment: { type: attachment.kind, payload: { url: attachment.url, altText: name } } } },
      },
    },
  };
}

/**
 * The outputs for an agent's message: its text (markup rendered for the
 * channel, see render-agent-text.ts), then each attachment; beyond the budget,
 * the rest as links.
 */
export function renderAgentMessage(text: string, attachments: readonly RelayAttachment[], format: AgentTextFormat = "plain"): Output[] {
  const shownText = text.trim() === "" ? "" : renderAgentText(text, format);
  const outputs: Output[] = shownText.trim() === "" ? [] : [{ text: clipOutput(shownText) }];
  const room = MAX_MESSAGE_OUTPUTS - outputs.length;
  const fits = attachments.length <= room;
  const shown = fits ? attachments : attachments.slice(0, Math.max(room - 1, 0));
  outputs.push(...shown.map(renderAttachment));
  const rest = attachments.slice(shown.length);
  if (rest.length > 0) outputs.push({ text: clipOutput(rest.map(linkLine).join("\n")) });
  return outputs;
}

/** A survey link as text with a button, in both formats. */
export function renderLinkButton(text: string, title: string, url: string): Output {
  const fullText = text.includes(url) ? text : `${text} ${url}`.trim();
  const button = { type: "web_url", title, url };
  return {
    text: fullText,
    data: {
      _cognigy: {
        _default: { _buttons: { type: "buttons", text: fullText, buttons: [{ ...button, payload: "" }] } },
        _webchat: { message: { attachment: { type: "template", payload: { template_type: "button", text: fullText, buttons: [button] } } } },
      },
    },
  };
}
