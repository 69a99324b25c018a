import type { DerivedKeys } from "../core/derive-key";
import { classifyWebhook } from "./classify-webhook";
import type { RouteOpener } from "./route-cache";
import type { EnqueueResult, Outbox } from "./outbox";
import type { RelayConfig } from "./relay-config";
import type { RelayMetrics } from "./relay-metrics";
import { routeNotes, type OutboxJob } from "./route-note";
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
  outbox: Outbox;
  metrics: RelayMetrics;
  wake: () => void;
  now: () => number;
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

/** Private notes to agents need a Chatwoot token (the same condition as the worker's Chatwoot client). */
function notesEnabled(config: RelayConfig): boolean {
  return config.chatwootBaseUrl !== null && config.chatwootApiToken !== null;
}

/**
 * The webhook is dropped, but its agent is told that their replies cannot
 * reach the user: acknowledged once the note is committed (at most one per
 * conversation; later ones are already seen). The answer stays "dropped".
 */
async function tellAgent(notes: OutboxJob[], dropped: IntakeReply, deps: IntakeDeps, now: number): Promise<IntakeReply> {
  let result: EnqueueResult;
  try {
    result = await deps.outbox.enqueueSoon({ deliveryId: null, jobs: notes }, now);
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
  const classification = classifyWebhook(parsed.value, { ...deps.config, relaySecret: deps.keys, openRoute: deps.openRoute }, now);
  const { jobs, dropped } = classification;
  for (const reason of dropped) metrics.dropped.inc({ reason });
  if (classification.retract !== undefined) {
    try {
      deps.outbox.retract(classification.retract.dedupeKey, classification.retract.conversationKey, now);
    } catch {
      // Not acknowledged: the deletion was not recorded, and Chatwoot shows the failure.
      metrics.rejected.inc({ reason: "outbox_unavailable" });
      return { status: 503, body: { error: "outbox unavailable" } };
    }
  }
  const droppedReply: IntakeReply = { status: 200, body: { status: "dropped", reasons: dropped } };
  // A route that fails yields no jobs: a note, if any, is the webhook's only job.
  const notes = routeNotes(classification, notesEnabled(deps.config), now);
  if (jobs.length === 0) return notes.length === 0 ? droppedReply : tellAgent(notes, droppedReply, deps, now);
  const deliveryId = request.deliveryId !== undefined && request.deliveryId.length <= 200 ? request.deliveryId : null;
  let result: EnqueueResult;
  try {
    result = await deps.outbox.enqueueSoon({ deliveryId, jobs: jobs.map((job) => ({ ...job, payload: { kind: "inject", job } })) }, now);
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
