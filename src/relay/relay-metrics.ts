import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";

/** Seconds to hours: a quick pick-up, a normal queue, a long wait, a conversation over a day. */
const HANDOVER_BUCKETS = [5, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14400, 28800, 86400];

/** Prometheus metrics of one relay instance, in their own registry. */
export function createRelayMetrics(outboxDepth: () => { pending: number; dead: number }) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "relay_process_" });
  const registers = [registry];
  return {
    registry,
    received: new Counter({ name: "relay_webhooks_received_total", help: "Webhooks received", registers }),
    rejected: new Counter({ name: "relay_webhooks_rejected_total", help: "Webhooks refused (401, 400, 413), by reason", labelNames: ["reason"], registers }),
    dropped: new Counter({ name: "relay_events_dropped_total", help: "Verified webhooks (or parts) not forwarded, by reason", labelNames: ["reason"], registers }),
    duplicates: new Counter({ name: "relay_events_duplicate_total", help: "Deliveries or events already seen", registers }),
    enqueued: new Counter({ name: "relay_jobs_enqueued_total", help: "Jobs written to the outbox", registers }),
    delivered: new Counter({ name: "relay_injects_delivered_total", help: "Events Cognigy accepted", registers }),
    retried: new Counter({ name: "relay_injects_retried_total", help: "Failed attempts scheduled for retry", labelNames: ["reason"], registers }),
    deadLettered: new Counter({ name: "relay_jobs_dead_lettered_total", help: "Jobs given up on", registers }),
    notes: new Counter({ name: "relay_agent_notes_total", help: "Private notes to agents (a message did not arrive; a conversation's route is not valid), by result", labelNames: ["result"], registers }),
    routeNotes: new Counter({ name: "relay_route_notes_total", help: "Conversations whose agent is told, in a private note, that the routing attribute is not valid (notes queued)", registers }),
    staleRoutes: new Counter({
      name: "relay_stale_routes_replaced_total",
      help: "Jobs whose conversation carried an earlier route than the newest the relay has seen for it (a stale agent browser put it back, C15), delivered to the newest instead",
      registers,
    }),
    staleRouteNotes: new Counter({ name: "relay_stale_route_notes_total", help: "Private notes queued telling agents that a stale browser put back an earlier route (one per restore)", registers }),
    depth: new Gauge({
      name: "relay_outbox_depth",
      help: "Jobs in the outbox, by state",
      labelNames: ["state"],
      registers,
      collect() {
        const { pending, dead } = outboxDepth();
        this.set({ state: "pending" }, pending);
        this.set({ state: "dead" }, dead);
      },
    }),
    /** Issue 13: from the handover (the route's seal time) to the first public reply of a human agent, per inbox. */
    firstResponse: new Histogram({
      name: "relay_first_response_seconds",
      help: "From the handover to the agent's first public reply, per inbox",
      labelNames: ["inbox"],
      buckets: HANDOVER_BUCKETS,
      registers,
    }),
    /** Issue 13: from the handover to the conversation's resolve, per inbox. */
    handoverDuration: new Histogram({
      name: "relay_handover_duration_seconds",
      help: "From the handover to the conversation being resolved, per inbox",
      labelNames: ["inbox"],
      buckets: HANDOVER_BUCKETS,
      registers,
    }),
    queuePolls: new Counter({ name: "relay_queue_polls_total", help: "Queue listings asked of Chatwoot (one per inbox per interval at most), by result: ok, or the HTTP status, timeout, network, invalid_response", labelNames: ["result"], registers }),
    queueUpdates: new Counter({ name: "relay_queue_updates_total", help: "Queue position updates queued for users", registers }),
    queueUpdatesExpired: new Counter({ name: "relay_queue_updates_expired_total", help: "Queue position updates dropped undelivered after 5 minutes of failed attempts (a stale position is no news)", registers }),
    queueWatchFull: new Counter({ name: "relay_queue_watch_full_total", help: "Waiting conversations not watched for queue updates because the watch list was at its byte cap", registers }),
    queueWatched: new Gauge({ name: "relay_queue_watched", help: "Conversations waiting for a first agent whose users get queue updates", registers }),
    agentListings: new Counter({
      name: "relay_agent_listings_total",
      help: "Agents listings asked of Chatwoot for display names that no webhook carried (one per account per 5 minutes at most), by result: ok, or the HTTP status, timeout, network, invalid_response",
      labelNames: ["result"],
      registers,
    }),
    agentNameFallbacks: new Counter({
      name: "relay_agent_name_fallbacks_total",
      help: "Agent messages delivered with the agent's full name because their display name was not known, by reason: no_token, listing_failed, listed_recently, not_listed",
      labelNames: ["reason"],
      registers,
    }),
    latency: new Histogram({
      name: "relay_delivery_latency_seconds",
      help: "From the webhook's arrival to Cognigy accepting the inject",
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 3600],
      registers,
    }),
  };
}

export type RelayMetrics = ReturnType<typeof createRelayMetrics>;
