import type { DerivedKeys } from "../core/derive-key";
import { classifyWebhook } from "./classify-webhook";
import type { RouteOpener } from "./route-cache";
import { applyNewestRoute, type NewestRouteApplied } from "./apply-newest-route";
import { newestRouteKey, type NewestRoutes, type RouteVerdict } from "./newest-routes";
import type { EnqueueResult } from "./outbox";
import type { OutboxStore } from "./outbox-store";
import type { RelayConfig } from "./relay-config";
import type { RelayMetrics } from "./relay-metrics";
import { routeNotes, type OutboxJob } from "./route-note";
import { seenRoute } from "./webhook-route";
import { pathTokenMatches, verifyChatwootSignature } from "./webhook-signature";

export interface IntakeRequest {
  rawBody: Buffer;
  signature: string | undefined;
  timestamp: string | undefined;
  deliveryId: string | undefined;
  /** The token of `POST /handover/chatwoot/<token>`, or null on the signed route. */
  pathToken: string | null;
}

export interface IntakeReply {
  status: number;
  body: Record<string, unknown>;
}

export interface IntakeDeps {
  config: RelayConfig;
  keys: DerivedKeys;
  openRoute: RouteOpener;
  /** Each conversation's newest route (C15); without it, every webhook's own route is used. */
  routes?: NewestRoutes;
  /**
   * Reads the durable newest route of `key` ahead of `routes.check`, whose lookup is synchronous (the
   * store's reads are not): see route-prefetch.ts. Without it, `routes` looks only in its own memory.
   */
  prefetchRoute?: (key: string) => Promise<void>;
  outbox: OutboxStore;
  metrics: RelayMetrics;
  wake: () => void;
  now: () => number;
  log?: { warn(object: object, message: string): void };
  /** Issue 13: every verified webhook, for queue updates and the handover histograms (see queue-observer.ts). */
  queue?: { observe(payload: unknown, now: number): void };
  /** Agents' display names: learnt from every verified webhook, and given to the agent messages it carries (agent-directory.ts). */
  agents?: { observe(payload: unknown): void; known(accountId: number, userId: number): string | undefined };
}

/** Every refused authentication looks the same, so a caller learns nothing from the answer. */
const UNAUTHORIZED: IntakeReply = { status: 401, body: { error: "unauthorized" } };

function authenticate(request: IntakeRequest, deps: IntakeDeps): string | null {
  const { config } = deps;
  if (request.pathToken !== null) {
    return config.webhookPathToken !== null && pathTokenMatches(request.pathToken, config.webhookPathToken) ? null : "bad_path_token";
  }
  if (config.webhookSecrets.length === 0) return "unsigned_route_disabled";
  const verdict = verifyChatwootSignature(request, config.webhookSecrets, Math.floor(deps.now() / 1000));
  return verdict.ok ? null : verdict.failure;
}

function parseJson(rawBody: Buffer): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(rawBody.toString("utf8")) };
  } catch {
    return { ok: false };
  }
}

type IntakeJobs = ReturnType<typeof classifyWebhook>["jobs"];

/** Private notes to agents need a Chatwoot token (the same condition as the worker's Chatwoot client). */
function notesEnabled(config: RelayConfig): boolean {
  return config.chatwootBaseUrl !== null && config.chatwootApiToken !== null;
}

/**
 * The webhook is dropped, but its agent is told that their replies cannot
 * reach the user (route notes), or that a stale browser put back an earlier
 * route (stale notes), or it showed a newer route: acknowledged once these are
 * committed (at most one note per conversation or restore; later ones are
 * already seen). The answer stays "dropped".
 */
async function tellAgent(routeNoteJobs: OutboxJob[], applied: NewestRouteApplied, dropped: IntakeReply, deps: IntakeDeps, now: number): Promise<IntakeReply> {
  let result: EnqueueResult;
  try {
    [result] = await Promise.all([deps.outbox.enqueue({ deliveryId: null, jobs: routeNoteJobs, routes: applied.routes }, now), staleNotes(applied.notes, deps, now)]);
  } catch {
    deps.metrics.rejected.inc({ reason: "outbox_unavailable" });
    return { status: 503, body: { error: "outbox unavailable" } };
  }
  if (!result.duplicate && result.enqueued > 0) {
    deps.metrics.routeNotes.inc(result.enqueued);
    deps.wake();
  }
  return dropped;
}

/** The stale-restore note, committed in the same group commit as the webhook's own request (one transaction, one sync). */
async function staleNotes(notes: OutboxJob[], deps: IntakeDeps, now: number): Promise<void> {
  if (notes.length === 0) return;
  const result = await deps.outbox.enqueue({ deliveryId: null, jobs: notes }, now);
  if (!result.duplicate && result.enqueued > 0) {
    deps.metrics.staleRouteNotes.inc(result.enqueued);
    deps.wake();
  }
}

/** C15: the newest route of the webhook's conversation (see newest-routes.ts), counted and logged when a stale one is replaced. */
async function newestRoute(value: unknown, jobs: IntakeJobs, deps: IntakeDeps, now: number): Promise<NewestRouteApplied> {
  const seen = deps.routes === undefined ? undefined : seenRoute(value, { ...deps.config, relaySecret: deps.keys, openRoute: deps.openRoute });
  let verdict: RouteVerdict | undefined;
  try {
    if (seen !== undefined && seen.issuedAt !== null) await deps.prefetchRoute?.(newestRouteKey(seen.binding, seen.conversationId));
    verdict = seen === undefined ? undefined : deps.routes?.check(seen, now);
  } catch {
    // The outbox cannot be read: the webhook's own route is used, and committing it fails with 503 anyway.
    verdict = undefined;
  }
  const applied = applyNewestRoute(jobs, seen, verdict, notesEnabled(deps.config), now);
  if (verdict?.kind === "stale") deps.metrics.staleRoutes.inc(applied.replaced);
  if (applied.reportStale && seen !== undefined) {
    deps.log?.warn({ inbox: seen.binding.inboxId, conversation: seen.conversationId, noteQueued: applied.notes.length > 0 }, "a stale agent browser put back an earlier route: delivering to the newest");
  }
  return applied;
}

/**
 * A webhook from Chatwoot: authenticate on the raw bytes, keep what matters,
 * and answer 200 only once the jobs are committed to the outbox. Delivery
 * happens later, in the worker.
 */
export async function receiveWebhook(request: IntakeRequest, deps: IntakeDeps): Promise<IntakeReply> {
  const { metrics } = deps;
  metrics.received.inc();
  const refused = authenticate(request, deps);
  if (refused !== null) {
    metrics.rejected.inc({ reason: refused });
    return UNAUTHORIZED;
  }
  const parsed = parseJson(request.rawBody);
  if (!parsed.ok) {
    metrics.rejected.inc({ reason: "not_json" });
    return { status: 400, body: { error: "the body is not JSON" } };
  }
  const now = deps.now();
  deps.queue?.observe(parsed.value, now);
  deps.agents?.observe(parsed.value);
  const agents = deps.agents;
  const agentName = agents === undefined ? {} : { agentName: (accountId: number, userId: number) => agents.known(accountId, userId) };
  const classification = classifyWebhook(parsed.value, { ...deps.config, relaySecret: deps.keys, openRoute: deps.openRoute, ...agentName }, now);
  const { jobs, dropped } = classification;
  for (const reason of dropped) metrics.dropped.inc({ reason });
  if (classification.retract !== undefined) {
    try {
      await deps.outbox.retract(classification.retract.dedupeKey, classification.retract.conversationKey, now);
    } catch {
      // Not acknowledged: the deletion was not recorded, and Chatwoot shows the failure.
      metrics.rejected.inc({ reason: "outbox_unavailable" });
      return { status: 503, body: { error: "outbox unavailable" } };
    }
  }
  const droppedReply: IntakeReply = { status: 200, body: { status: "dropped", reasons: dropped } };
  const applied = await newestRoute(parsed.value, jobs, deps, now);
  // A route that fails yields no jobs: a note, if any, is the webhook's only job.
  const notes = routeNotes(classification, notesEnabled(deps.config), now);
  if (jobs.length === 0) return notes.length === 0 && applied.routes.length === 0 && applied.notes.length === 0 ? droppedReply : tellAgent(notes, applied, droppedReply, deps, now);
  const deliveryId = request.deliveryId !== undefined && request.deliveryId.length <= 200 ? request.deliveryId : null;
  let result: EnqueueResult;
  try {
    const injects = applied.jobs.map((job): OutboxJob => ({ ...job, payload: { kind: "inject", job } }));
    [result] = await Promise.all([deps.outbox.enqueue({ deliveryId, jobs: injects, routes: applied.routes }, now), staleNotes(applied.notes, deps, now)]);
  } catch {
    // Not acknowledged, so not owned: Chatwoot marks the message failed and an agent can retry it.
    metrics.rejected.inc({ reason: "outbox_unavailable" });
    return { status: 503, body: { error: "outbox unavailable" } };
  }
  if (result.duplicate) {
    metrics.duplicates.inc();
    return { status: 200, body: { status: "duplicate" } };
  }
  metrics.duplicates.inc(result.duplicates);
  metrics.enqueued.inc(result.enqueued);
  if (result.enqueued > 0) deps.wake();
  return { status: 200, body: { status: "accepted", jobs: result.enqueued, duplicates: result.duplicates } };
}
