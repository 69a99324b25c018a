import { createHmac, randomUUID } from "crypto";
import { agentMessage, conversationFor } from "../../test/support/chatwoot-webhooks";

export const BENCH_RELAY_SECRET = "bench-relay-secret-0123456789abcdefghijkl";
export const BENCH_WEBHOOK_SECRET = "bench-webhook-secret-0123456789abcdef";

const ID = 987654321;
const STAMP = "STAMP-PLACEHOLDER";

/**
 * Realistic webhooks: an agent's reply of about 3.9 KB (conversation object
 * included), signed like Chatwoot signs, a new message id each. The bodies
 * come from templates rendered once per conversation, so the load generator
 * spends its time sending, not building JSON.
 */
export function createWebhookLoad(conversationCount = 200) {
  const filler = "Thanks for waiting. I have checked your line and the router settings; ".repeat(12);
  const templates = Array.from({ length: conversationCount }, (_, index) => {
    const conversation = conversationFor({ userId: `bench-user-${index}`, sessionId: `bench-session-${index}`, urlToken: `bench-url-token-${index}` }, "x".repeat(0) + BENCH_RELAY_SECRET, {
      customAttributes: {},
    });
    const payload = agentMessage({ ...conversation, customAttributes: { ...conversation.customAttributes, order_id: `ORD-${100000 + index}`, segment: "premium" } }, { id: ID, content: `${STAMP}|${filler}` });
    return JSON.stringify(payload).split(String(ID));
  });
  let next = 1;
  return {
    /** The next webhook: message id, body and headers; `stamp` is carried in the text (latency bench). */
    next(stamp = ""): { id: number; body: string; headers: Record<string, string> } {
      const id = next;
      next += 1;
      const parts = templates[id % templates.length] ?? [];
      const body = parts.join(String(id)).replace(STAMP, stamp);
      const timestamp = String(Math.floor(Date.now() / 1000));
      const signature = createHmac("sha256", BENCH_WEBHOOK_SECRET).update(`${timestamp}.${body}`).digest("hex");
      return {
        id,
        body,
        headers: { "Content-Type": "application/json", "X-Chatwoot-Delivery": randomUUID(), "X-Chatwoot-Timestamp": timestamp, "X-Chatwoot-Signature": `sha256=${signature}` },
      };
    },
  };
}
