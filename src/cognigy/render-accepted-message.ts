import { clipText } from "../core/clip-text";
import { clipToJsonBytes } from "../core/clip-json-bytes";
import { MAX_CANCEL_PAYLOAD_BYTES } from "../core/handover-state";
import type { Output } from "./agent-output";
import { renderQuickReplies } from "./render-quick-replies";

/** A button title longer than this is cut: Webchat draws one line, other channels cut at 20 (Facebook). */
export const MAX_CANCEL_BUTTON_TEXT = 40;

export interface AcceptedMessage {
  /** What the Handover node says; null: nothing. */
  output: Output | null;
  /** What pressing the button sends (its title), for the Session core to recognise; null: no button. */
  cancelPayload: string | null;
}

/**
 * The accepted message, with the cancel button as a quick reply (Cognigy's
 * `_default` format and Webchat's `_webchat`) whose payload is its own text:
 * a channel that shows no buttons shows the text, and the user who types it
 * cancels just the same. An empty accepted message says nothing and shows no
 * button (a button needs a message to hang on); an empty button text: the
 * message alone.
 */
export function renderAcceptedMessage(message: string, cancelButtonText: string): AcceptedMessage {
  if (message.trim() === "") return { output: null, cancelPayload: null };
  const title = clipToJsonBytes(clipText(cancelButtonText.trim().replace(/\s+/g, " "), MAX_CANCEL_BUTTON_TEXT), MAX_CANCEL_PAYLOAD_BYTES);
  if (title === "") return { output: { text: message }, cancelPayload: null };
  return { output: renderQuickReplies(message, [{ title, payload: title }]), cancelPayload: title };
}
