import type { SecretOrKeys } from "../core/derive-key";
import { ONCE } from "./outbox-store";
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
  /** The shared turn (OutboxStore#claimTurn with ONCE): a handover's observations are counted by one replica. Absent: this process only. */
  claimTurn?: (key: string, intervalMs: number, now: number) => Promise<boolean>;
  log?: { warn(object: object, message: string): void };
}

/**
 * Reads each verified webhook for issue 13: the handover histograms (first
 * response, duration; only conversations with an authentic route, so only
 * handovers) and the queue watch list. Never throws into the intake.
 */
export function createQueueObserver(deps: QueueObserverDeps) {
  /**
   * Observes when this replica is the first to record the handover's key. The claim runs after the webhook's
   * own work (never delays its answer); a store that cannot answer: observed here (this process still counts
   * each handover once), since a sample lost is worse than one counted by two replicas during an outage.
   */
  function once(key: string, now: number, observe: () => void): void {
    const claim = deps.claimTurn;
    if (claim === undefined) return observe();
    claim(key, ONCE, now).then(
      (won) => {
        if (won) observe();
      },
      (error: unknown) => {
        deps.log?.warn({ error: error instanceof Error ? error.message : String(error) }, "handover histogram: the shared record failed; observed by this replica");
        observe();
      },
    );
  }

  return {
    observe(payload: unknown, now: number): void {
      const signal = readQueueSignal(payload);
      if (signal === undefined || (deps.inboxIds !== null && !deps.inboxIds.includes(signal.inboxId))) return;
      const route = seenRoute(payload, { relaySecret: deps.relaySecret, openRoute: deps.openRoute, inboxIds: deps.inboxIds });
      const observed = deps.watch.observe(signal, route, now);
      const inbox = String(signal.inboxId);
      const { firstResponseSeconds, durationSeconds, handover } = observed;
      if (firstResponseSeconds !== undefined) once(`first:${handover ?? ""}`, now, () => deps.metrics.firstResponse.observe({ inbox }, firstResponseSeconds));
      if (durationSeconds !== undefined) once(`ended:${handover ?? ""}`, now, () => deps.metrics.handoverDuration.observe({ inbox }, durationSeconds));
      if (observed.refused === true) deps.metrics.queueWatchFull.inc();
      deps.metrics.queueWatched.set(deps.watch.size());
    },
  };
}
