import { clipToJsonBytes, jsonBytes } from "../core/clip-json-bytes";
import type { RelayAttachment } from "../core/relay-event";

/**
 * What an event's details may take as JSON. Cognigy refuses an input over
 * 65 kB on default installations, and its legacy REST inject a body over 60 kB
 * (platform-sources.md G3, docs/ai/administer/limitations.md): this leaves room
 * for the event's ids and signature and the inject's envelope, so a long agent
 * message is delivered clipped instead of refused and dead-lettered.
 */
export const MAX_EVENT_BYTES = 50_000;

/**
 * The event within MAX_EVENT_BYTES: the last attachments go first (never all
 * the text), then the text is cut by what its characters cost in JSON.
 */
export function fitEventSize<T extends { text: string; attachments?: RelayAttachment[] }>(event: T): T {
  if (jsonBytes(event) <= MAX_EVENT_BYTES) return event;
  let fitted: T = event;
  while (fitted.attachments !== undefined && fitted.attachments.length > 0 && jsonBytes({ ...fitted, text: "" }) > MAX_EVENT_BYTES / 2) {
    fitted = { ...fitted, attachments: fitted.attachments.slice(0, -1) };
  }
  const room = MAX_EVENT_BYTES - jsonBytes({ ...fitted, text: "" }) + jsonBytes("");
  return { ...fitted, text: clipToJsonBytes(fitted.text, Math.max(room, jsonBytes(""))) };
}
