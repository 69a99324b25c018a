import { randomUUID } from "crypto";
import { isRecord } from "../../../src/core/json-guards";
import { signWebhook, unsignedWebhook } from "../chatwoot-webhooks";
import type { StoreEvent } from "./model";
import type { FakeChatwootStore } from "./store";
import { payloadsFor } from "./webhook-payloads";
import { atLeast, type ChatwootVersion } from "./chatwoot-version";

/** Chatwoot's default WEBHOOK_TIMEOUT. */
export const WEBHOOK_TIMEOUT_MS = 5_000;

export interface WebhookSwitches {
  /** Send every delivery twice: "same" keeps the X-Chatwoot-Delivery id, "new" gives the copy its own (an account and an inbox webhook). */
  duplicate: "same" | "new" | null;
  /** Hold deliveries this long and send each batch in reverse order. */
  reorderWindowMs: number;
  /** Extra delay before each delivery. */
  delayMs: number;
  /** Deliveries for which this returns true are never sent. */
  drop: (payload: Record<string, unknown>) => boolean;
}

export interface DeliveryRecord {
  event: string;
  deliveryId: string;
  status: number | "error" | "dropped";
  payload: Record<string, unknown>;
  /** What the webhook receiver answered. */
  responseBody: string;
  /** The X-Chatwoot-Signature it carried (none when unsigned or dropped). */
  signature: string | null;
}

interface Pending {
  inboxId: number;
  payload: Record<string, unknown>;
}

/**
 * Sends webhooks like Chatwoot's WebhookJob: asynchronously, once, with a 5 s
 * timeout and no retry; a failed message delivery marks the message failed.
 */
/**
 * What a release sends (platform-sources.md C16): `X-Chatwoot-Delivery` from
 * 4.12.0, signatures on API-inbox webhooks from 4.13.0, `account` in
 * conversation events from 4.14.2 (lib/webhooks/trigger.rb,
 * app/listeners/webhook_listener.rb).
 */
function asReleased(payload: Record<string, unknown>, version: ChatwootVersion): Record<string, unknown> {
  if (atLeast(version, "4.14.2") || !String(payload.event).startsWith("conversation_")) return payload;
  return Object.fromEntries(Object.entries(payload).filter(([key]) => key !== "account"));
}

export function createWebhookDispatcher(store: FakeChatwootStore, baseUrl: () => string, version: () => ChatwootVersion = () => "4.15.1") {
  const switches: WebhookSwitches = { duplicate: null, reorderWindowMs: 0, delayMs: 0, drop: () => false };
  const deliveries: DeliveryRecord[] = [];
  const inFlight = new Set<Promise<void>>();
  let batch: Pending[] = [];
  let batchTimer: NodeJS.Timeout | undefined;

  async function post(item: Pending, deliveryId: string): Promise<void> {
    const inbox = store.inbox(item.inboxId);
    const event = String(item.payload.event);
    if (inbox.webhookUrl === null) return;
    if (switches.drop(item.payload)) return void deliveries.push({ event, deliveryId, status: "dropped", payload: item.payload, responseBody: "", signature: null });
    if (switches.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, switches.delayMs));
    const release = version();
    const payload = asReleased(item.payload, release);
    const signed = inbox.webhookSecret !== null && atLeast(release, "4.13");
    const webhook = signed && inbox.webhookSecret !== null ? signWebhook(payload, inbox.webhookSecret, { deliveryId }) : unsignedWebhook(payload, { deliveryId: atLeast(release, "4.12") ? deliveryId : null });
    let status: number | "error";
    let responseBody = "";
    try {
      const response = await fetch(inbox.webhookUrl, { method: "POST", headers: webhook.headers, body: webhook.body, signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS) });
      responseBody = await response.text();
      status = response.status;
    } catch {
      status = "error";
    }
    deliveries.push({ event, deliveryId, status, payload: item.payload, responseBody, signature: webhook.headers["X-Chatwoot-Signature"] ?? null });
    const failed = status === "error" || status >= 300;
    if (failed && event.startsWith("message_") && typeof item.payload.id === "number") {
      const message = store.messages.find((candidate) => candidate.id === item.payload.id);
      if (message !== undefined) message.status = "failed";
    }
  }

  function send(item: Pending): void {
    const ids = [randomUUID()];
    if (switches.duplicate !== null) ids.push(switches.duplicate === "same" ? (ids[0] ?? randomUUID()) : randomUUID());
    for (const id of ids) {
      const task = post(item, id).finally(() => inFlight.delete(task));
      inFlight.add(task);
    }
  }

  function flush(): void {
    batchTimer = undefined;
    const items = batch.reverse();
    batch = [];
    for (const item of items) send(item);
  }

  function enqueue(item: Pending): void {
    if (switches.reorderWindowMs <= 0) {
      const task = new Promise<void>((resolve) => setImmediate(() => resolve(send(item))));
      inFlight.add(task);
      void task.finally(() => inFlight.delete(task));
      return;
    }
    batch.push(item);
    batchTimer ??= setTimeout(flush, switches.reorderWindowMs);
  }

  store.subscribe((event: StoreEvent) => {
    for (const payload of payloadsFor(store, event, baseUrl())) {
      if (!isRecord(payload)) continue;
      const inboxId = typeof payload.inbox_id === "number" ? payload.inbox_id : isRecord(payload.conversation) && typeof payload.conversation.inbox_id === "number" ? payload.conversation.inbox_id : 0;
      if (inboxId > 0) enqueue({ inboxId, payload });
    }
  });

  return {
    switches,
    deliveries,
    /** Resolves when every webhook sent so far (and any held batch) has been answered. */
    async settled(): Promise<void> {
      if (batchTimer !== undefined) {
        clearTimeout(batchTimer);
        flush();
      }
      while (inFlight.size > 0) await Promise.all([...inFlight]);
    },
  };
}

export type WebhookDispatcher = ReturnType<typeof createWebhookDispatcher>;
