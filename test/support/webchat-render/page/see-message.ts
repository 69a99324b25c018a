import type { SeenButton, SeenFileTile, SeenMedia, SeenMessage } from "../render-case";

function media(element: HTMLMediaElement): SeenMedia {
  return { src: element.currentSrc || element.src, readyState: element.readyState, duration: Number.isFinite(element.duration) ? element.duration : 0 };
}

function fileTile(tile: Element): SeenFileTile {
  const spans = Array.from(tile.querySelectorAll("span")).map((span) => span.textContent ?? "");
  const link = tile.closest("a");
  return { name: (spans[0] ?? "") + (spans[1] ?? ""), size: spans[2] ?? "", href: link?.href ?? "" };
}

function button(element: HTMLElement): SeenButton {
  const label = element.innerText.trim() || element.getAttribute("aria-label") || "";
  return { label, tag: element.tagName.toLowerCase(), href: element instanceof HTMLAnchorElement ? element.href : "" };
}

function all<T extends Element>(parts: readonly Element[], selector: string): T[] {
  return parts.flatMap((part) => Array.from(part.querySelectorAll<T>(selector)));
}

/** What a user sees of the message in `section`: its text, media, tiles and buttons, the avatar header left out. */
export function seeMessage(section: Element): SeenMessage {
  const article = section.querySelector("article");
  const parts = article === null ? [] : Array.from(article.children).filter((child) => child.tagName !== "HEADER");
  return {
    text: parts.map((part) => (part instanceof HTMLElement ? part.innerText : "")).join("\n").trim(),
    elementCount: parts.reduce((count, part) => count + part.querySelectorAll("*").length + 1, 0),
    images: all<HTMLImageElement>(parts, "img").map((img) => ({ src: img.src, alt: img.alt, loaded: img.complete, naturalWidth: img.naturalWidth })),
    videos: all<HTMLVideoElement>(parts, "video").map(media),
    audios: all<HTMLAudioElement>(parts, "audio").map(media),
    files: all(parts, '[data-testid="file-message"]').map(fileTile),
    buttons: all<HTMLElement>(parts, "button, a.phone-number-or-url-anchor").map(button),
    videoPlayButton: all(parts, '[data-testid="video-message"][role="button"]').length > 0,
    transcriptButtons: all(parts, 'a[download$="-transcript.txt"]').length,
  };
}
