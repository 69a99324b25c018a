import type { RouteVerdict } from "./newest-routes";
import type { RouteRecord } from "./outbox";
import type { InjectJob } from "./relay-job";
import type { OutboxJob } from "./route-note";
import { staleRouteNotes } from "./stale-route-note";
import type { SeenRoute } from "./webhook-route";

export interface NewestRouteApplied {
  jobs: InjectJob[];
  /** Routes to commit with the webhook (a newer one, or a refresh). */
  routes: RouteRecord[];
  /** The note telling agents of a stale restore (deduplicated by the outbox). */
  notes: OutboxJob[];
  /** Jobs whose stale route was replaced by the newest. */
  replaced: number;
  /** A stale restore this process reports for the first time (log it). */
  reportStale: boolean;
}

/**
 * C15: a route older than the newest seen for this conversation and contact
 * was put back by a stale agent browser. The jobs go to the newest route
 * instead (the delivery worker opens it again, bound to the same contact),
 * and agents get a note. Otherwise the jobs stay as they are and a newer route
 * is committed with the webhook. Pure.
 */
export function applyNewestRoute(jobs: InjectJob[], seen: SeenRoute | undefined, verdict: RouteVerdict | undefined, notesEnabled: boolean, now: number): NewestRouteApplied {
  const unchanged = { jobs, routes: [], notes: [], replaced: 0, reportStale: false };
  if (seen === undefined || verdict === undefined || verdict.kind === "unstamped") return unchanged;
  if (verdict.kind === "current") return { ...unchanged, routes: verdict.record === null ? [] : [verdict.record] };
  const { newest } = verdict;
  return {
    jobs: jobs.map((job) => ({ ...job, sealedRoute: newest.sealed })),
    routes: [],
    notes: staleRouteNotes(seen, newest, notesEnabled, now),
    replaced: jobs.length,
    reportStale: verdict.firstTime,
  };
}
