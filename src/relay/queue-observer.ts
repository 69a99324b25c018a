import type { SecretOrKeys } from "../core/derive-key";
import { readQueueSignal } from "./queue-signal";
import type { QueueWatch } from "./queue-watch";
import type { RelayMetrics } from "./relay-metrics";
import type { RouteOpener } from "./route-cache";
import { seenRoute } from "./webhook-route";

export interface QueueObserverDeps {
  watch: QueueWatch;
  metrics: RelayMetrics;
  relaySecret: SecretOrKeys;
  openRoute: RouteOpener;
  inboxIds: readonly number[] | null;
}

/**
 * Reads each verified webhook for issue 13: the handover histograms (first
 * response, duration; only conversations with an authentic route, so only
 * handovers) and the queue watch list. Never throws into the intake.
 */
export function createQueueObserver(deps: QueueObserverDeps) {
  return {
    observe(payload: unknown, now: number): void {
      const signal = readQueueSignal(payload);
      if (signal === undefined || (deps.inboxIds !== null && !deps.inboxIds.includes(signal.inboxId))) return;
      const route = seenRoute(payload, { relaySecret: deps.relaySecret, openRoute: deps.openRoute, inboxIds: deps.inboxIds });
      const observed = deps.watch.observe(signal, route, now);
      const inbox = String(signal.inboxId);
      if (observed.firstResponseSeconds !== undefined) deps.metrics.firstResponse.observe({ inbox }, observed.firstResponseSeconds);
      if (observed.durationSeconds !== undefined) deps.metrics.handoverDuration.observe({ inbox }, observed.durationSeconds);
      if (observed.refused === true) deps.metrics.queueWatchFull.inc();
      deps.metrics.queueWatched.set(deps.watch.size());
    },
  };
}
