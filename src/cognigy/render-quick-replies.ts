import type { Output } from "./agent-output";

/** One quick reply: what the button says, and what it sends as the user's input. */
export interface QuickReply {
  title: string;
  payload: string;
}

/**
 * Text with postback quick replies, as Cognigy documents them for every channel
 * (`_default._quickReplies` with the top-level `type`) and as Webchat v3 reads
 * them (`_webchat.message.quick_replies`, G15: it never reads `_default`).
 * Channels without quick replies show the text.
 */
export function renderQuickReplies(text: string, replies: readonly QuickReply[]): Output {
  return {
    text,
    data: {
      type: "quickReplies",
      _cognigy: {
        _default: {
          _quickReplies: {
            type: "quick_replies",
            text,
            quickReplies: replies.map((reply, index) => ({ id: index + 1, contentType: "postback", title: reply.title, payload: reply.payload })),
          },
        },
        _webchat: { message: { text, quick_replies: replies.map((reply) => ({ content_type: "text", title: reply.title, payload: reply.payload })) } },
      },
    },
  };
}
