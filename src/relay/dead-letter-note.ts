import { clipText } from "../core/clip-text";
import type { EventDetails } from "./relay-job";

const EXCERPT = 200;

/**
 * The private note an agent sees when the relay gives up on one of their
 * messages: which message, and why. Status changes get no note (nothing the
 * agent wrote was lost).
 */
export function deadLetterNote(event: EventDetails, reason: string): string | null {
  if (event.type !== "agent_message" && event.type !== "template_message") return null;
  const files = event.type === "agent_message" && event.attachments.length > 0 ? ` (+${event.attachments.length} file(s))` : "";
  const text = event.text.trim() === "" ? "(no text)" : event.text.trim();
  const excerpt = clipText(text, EXCERPT);
  return `⚠️ This message did not reach the user: "${excerpt}"${files}. Reason: ${reason}.`;
}
