import { clipText } from "./clip-text";

/** Bytes of a value as JSON, as Cognigy counts its input and context sizes. */
export function jsonBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value) ?? "");
}

/**
 * The text, cut (with clipText's mark) so that its JSON form takes at most
 * maxBytes: characters that JSON escapes (quotes, control characters) or that
 * take several bytes in UTF-8 count for what they cost.
 */
export function clipToJsonBytes(text: string, maxBytes: number): string {
  if (jsonBytes(text) <= maxBytes) return text;
  let low = 0;
  let high = Math.min(text.length, maxBytes);
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    if (jsonBytes(clipText(text, middle)) <= maxBytes) low = middle;
    else high = middle - 1;
  }
  return clipText(text, low);
}
