import { clipText } from "../core/clip-text";
import type { JsonRecord } from "../core/json-guards";
import type { RelayAttachment } from "../core/relay-event";
import { fileMimeType } from "./file-mime-type";
import { renderAgentText, type AgentTextFormat } from "./render-agent-text";

/** One `api.say(text, data)` call. */
export interface Output {
  text: string;
  data?: JsonRecord;
}

/** Budget for one relayed message: Cognigy allows 10 api calls, two go to saving state and stopping. */
export const MAX_MESSAGE_OUTPUTS = 7;

/** Cognigy's limit for a text (transformer rule set); Chatwoot allows 150,000 characters. */
export const MAX_OUTPUT_TEXT = 10_000;

/** Cuts a text to what Cognigy accepts, marking the cut. */
export function clipOutput(text: string): string {
  return clipText(text, MAX_OUTPUT_TEXT);
}

type MediaKind = "image" | "video" | "audio";

const DEFAULT_KEYS: Record<MediaKind, { key: string; urlField: string }> = {
  image: { key: "_image", urlField: "imageUrl" },
  video: { key: "_video", urlField: "videoUrl" },
  audio: { key: "_audio", urlField: "audioUrl" },
};

/** Facebook's limit for a button title, which Cognigy's channel conversions keep. */
const MAX_BUTTON_TITLE = 20;

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
 * An image, video or audio in Cognigy's channel-independent `_default` format
 * and in Webchat's `_webchat` format, which is all Webchat v3 reads (G15). An
 * image's alt text is its name; a video's or audio's alt text is a transcript
 * Webchat offers to download (G5), which a file name is not, so it has none.
 */
function renderMedia(attachment: RelayAttachment, kind: MediaKind): Output {
  const name = displayName(attachment);
  const { key, urlField } = DEFAULT_KEYS[kind];
  const alt = kind === "image" ? { imageAltText: name } : {};
  const webchatAlt = kind === "image" ? { altText: name } : {};
  return {
    text: "",
    data: {
      type: kind,
      _cognigy: {
        _default: { [key]: { type: kind, [urlField]: attachment.url, ...alt, fallbackText: `${name}: ${attachment.url}` } },
        _webchat: { message: { attachment: { type: kind, payload: { url: attachment.url, ...webchatAlt } } } },
      },
    },
  };
}

/**
 * A file: Webchat v3 shows `data.attachments` as a tile with name and size
 * (G6) and shows any text under it, so the text stays empty; every other
 * channel gets a link button in `_default` (fallback text: the link). Without
 * a size (events of relays before issue 11) the tile would read "NaN KB", so
 * the file is a link in the text instead.
 */
function renderFile(attachment: RelayAttachment): Output {
  const name = displayName(attachment);
  if (attachment.size === undefined) return { text: linkLine(attachment) };
  return {
    text: "",
    data: {
      type: "buttons",
      attachments: [{ fileName: name, url: attachment.url, mimeType: fileMimeType(name), size: attachment.size }],
      _cognigy: {
        _default: {
          _buttons: {
            type: "buttons",
            text: `📎 ${name}`,
            buttons: [{ type: "web_url", title: clipText(name, MAX_BUTTON_TITLE), url: attachment.url, payload: "" }],
            fallbackText: linkLine(attachment),
          },
        },
      },
    },
  };
}

/**
 * One attachment as one output. Images (GIFs included), video and audio in
 * both formats; files as Webchat's file tile plus a link for other channels. A
 * location is a map link and a fallback or embed attachment a link (C12):
 * text, which every channel shows, and nothing the user's client would fetch
 * as a file.
 */
export function renderAttachment(attachment: RelayAttachment): Output {
  if (attachment.kind === "file") return renderFile(attachment);
  if (attachment.kind === "location" || attachment.kind === "link") return { text: linkLine(attachment) };
  return renderMedia(attachment, attachment.kind);
}

/**
 * The outputs for an agent's message: its text (markup rendered for the
 * channel, see render-agent-text.ts, then `withName`, e.g. the agent's name
 * before it), then each attachment; beyond the budget, the rest as links.
 */
export function renderAgentMessage(text: string, attachments: readonly RelayAttachment[], format: AgentTextFormat = "plain", withName: (shown: string) => string = (shown) => shown): Output[] {
  const shownText = text.trim() === "" ? "" : renderAgentText(text, format);
  const outputs: Output[] = shownText.trim() === "" ? [] : [{ text: clipOutput(withName(shownText)) }];
  const room = MAX_MESSAGE_OUTPUTS - outputs.length;
  const fits = attachments.length <= room;
  const shown = fits ? attachments : attachments.slice(0, Math.max(room - 1, 0));
  outputs.push(...shown.map(renderAttachment));
  const rest = attachments.slice(shown.length);
  if (rest.length > 0) outputs.push({ text: clipOutput(rest.map(linkLine).join("\n")) });
  return outputs;
}

/**
 * A survey link as text with a button: Cognigy's documented buttons format
 * (top-level `type`, G7) and Webchat's button template.
 */
export function renderLinkButton(text: string, title: string, url: string): Output {
  const fullText = text.includes(url) ? text : `${text} ${url}`.trim();
  const button = { type: "web_url", title, url };
  return {
    text: fullText,
    data: {
      type: "buttons",
      _cognigy: {
        _default: { _buttons: { type: "buttons", text: fullText, buttons: [{ ...button, payload: "" }] } },
        _webchat: { message: { attachment: { type: "template", payload: { template_type: "button", text: fullText, buttons: [button] } } } },
      },
    },
  };
}
