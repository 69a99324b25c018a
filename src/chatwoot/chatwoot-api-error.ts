import type { ChatwootRefusal } from "./chatwoot-refusal";

/** How a Chatwoot request failed. */
export const CHATWOOT_ERROR_KINDS = ["http", "timeout", "network", "invalid_response", "time_budget", "refused"] as const;
export type ChatwootErrorKind = (typeof CHATWOOT_ERROR_KINDS)[number];

/** What the node stores in the context for the designer: no token, no request, no stack. */
export interface ChatwootErrorSummary {
  operation: string;
  kind: ChatwootErrorKind;
  status: number | null;
  message: string;
}

/**
 * Raised when a Chatwoot Application API call fails. Its message names the
 * operation, the HTTP status and Chatwoot's own error text; it never carries the
 * request (and with it the `api_access_token` header).
 */
export class ChatwootApiError extends Error {
  override readonly name = "ChatwootApiError";

  constructor(
    readonly operation: string,
    readonly kind: ChatwootErrorKind,
    message: string,
    readonly status: number | null = null,
    readonly remoteMessage: string | null = null,
    /**
     * The request may have reached Chatwoot and been carried out, but its
     * answer was lost (a timeout, or the connection closed after it was sent).
     * False whenever Chatwoot answered with a status, or the request was never sent.
     */
    readonly answerLost = false,
    /** For a 401: which refusal Chatwoot's text names (chatwoot-refusal.ts), or null. */
    readonly refusal: ChatwootRefusal | null = null,
  ) {
    super(message);
  }

  summary(): ChatwootErrorSummary {
    return { operation: this.operation, kind: this.kind, status: this.status, message: this.message };
  }
}
