import type { ChatwootClient } from "../chatwoot/chatwoot-client";
import { ChatwootApiError } from "../chatwoot/chatwoot-api-error";
import type { SecretOrKeys } from "../core/derive-key";
import { RELAY_EVENT_VERSION } from "../core/relay-event";
import { signRelayEvent } from "../core/relay-event-signature";
import { openRoute } from "../core/route-seal";
import { messageSourceId } from "../core/source-id";
import type { Injector } from "./cognigy-injector";
import { deadLetterNote } from "./dead-letter-note";
import { fitEventSize } from "./fit-event-size";
import type { Schedule, StoredJob } from "./outbox";
import type { OutboxStore } from "./outbox-store";
import type { RelayMetrics } from "./relay-metrics";
import type { InjectJob } from "./relay-job";
import { decideRetry, type AttemptOutcome, type RetryPolicy } from "./retry-policy";

export interface WorkerLog {
  info(object: object, message: string): void;
  warn(object: object, message: string): void;
}

export interface WorkerDeps {
  outbox: OutboxStore;
  inject: Injector;
  /** Chatwoot client for an account, when CHATWOOT_BASE_URL and CHATWOOT_API_TOKEN are set. */
  chatwoot: ((accountId: number) => ChatwootClient) | null;
  relaySecret: SecretOrKeys;
  policy: RetryPolicy;
  reorderWindowMs: number;
  concurrency: number;
  metrics: RelayMetrics;
  log: WorkerLog;
  now?: () => number;
  /** Looks up the display name of an agent_message's sender unknown at intake (agent-directory.ts); without it, the name stays. */
  agentNames?: { resolve(accountId: number, userId: number): Promise<string | undefined> };
}

const IDLE_TICK_MS = 1_000;
/** A queue position older than this is no news: a queue_update still failing then is dropped, not retried for hours. */
export const QUEUE_UPDATE_MAX_AGE_MS = 5 * 60_000;

/**
 * Delivers the outbox: per conversation one job at a time, in Chatwoot's
 * order; across conversations in parallel. Failures are retried by the policy
 * or dead-lettered (and the agent told). Stopping waits for in-flight jobs.
 */
export function createDeliveryWorker(deps: WorkerDeps) {
  const now = deps.now ?? Date.now;
  const busy = new Set<string>();
  const running = new Set<Promise<void>>();
  let timer: NodeJS.Timeout | undefined;
  let stopped = true;
  let pumpQueued = false;
  /** A look at the outbox is under way (it is asynchronous): another waits for it, so two never overlap. */
  let pumping = false;
  let pumpAgain = false;
  let looking: Promise<void> = Promise.resolve();

  /** An agent's message names the agent as customers see them (available_name), looked up now if the intake did not know it. */
  async function withAgentName(job: InjectJob): Promise<InjectJob["event"]> {
    const { event, agentId } = job;
    if (event.type !== "agent_message" || agentId === undefined || deps.agentNames === undefined) return event;
    const name = await deps.agentNames.resolve(job.accountId, agentId);
    return name === undefined || name === event.agentName ? event : fitEventSize({ ...event, agentName: name });
  }

  async function attemptInject(job: InjectJob): Promise<AttemptOutcome | "delivered" | { dead: string }> {
    const opened = openRoute(job.sealedRoute, job.binding, deps.relaySecret);
    if (!opened.ok) return { dead: "the conversation's route cannot be opened with RELAY_SECRET (was the secret changed?)" };
    const details = await withAgentName(job);
    const event = signRelayEvent({ ...details, v: RELAY_EVENT_VERSION, id: job.dedupeKey, sessionId: opened.route.sessionId, ts: now() }, deps.relaySecret);
    const outcome = await deps.inject(opened.route, { chatwoot: event });
    return outcome.kind === "delivered" ? "delivered" : outcome;
  }

  async function attemptNote(accountId: number, conversationId: number, content: string, jobId: number): Promise<AttemptOutcome | "delivered" | { dead: string }> {
    if (deps.chatwoot === null) return { dead: "no Chatwoot token configured" };
    try {
      await deps.chatwoot(accountId).postMessage(conversationId, { content, messageType: "outgoing", private: true, sourceId: messageSourceId("relay-note", String(jobId)) });
      return "delivered";
    } catch (error: unknown) {
      if (!(error instanceof ChatwootApiError)) throw error;
      if (error.kind === "http" && error.status !== null) return { kind: "status", status: error.status, retryAfter: null };
      return error.kind === "timeout" ? { kind: "timeout" } : { kind: "network", code: error.kind };
    }
  }

  async function enqueueNote(job: InjectJob, reason: string): Promise<void> {
    const content = deadLetterNote(job.event, reason);
    if (content === null || deps.chatwoot === null) return;
    const payload = { kind: "note" as const, accountId: job.accountId, conversationId: job.event.conversationId, content };
    try {
      await deps.outbox.enqueue({ deliveryId: null, jobs: [{ conversationKey: `note:${job.conversationKey}`, orderTs: now(), orderSeq: 0, dedupeKey: `note:${job.dedupeKey}`, payload }] }, now());
    } catch (error: unknown) {
      // The outbox cannot be written (disk full): the job is dead-lettered all the same, only the agent is not told.
      deps.log.warn({ conversation: job.conversationKey, error: error instanceof Error ? error.message : String(error) }, "agent note not queued");
    }
  }

  /** Settled in the outbox before the conversation's next job may start (the caller waits for it). */
  async function settle(stored: StoredJob, result: AttemptOutcome | "delivered" | { dead: string }): Promise<void> {
    const isNote = stored.payload.kind === "note";
    if (result === "delivered") {
      await deps.outbox.delivered(stored.id);
      if (isNote) deps.metrics.notes.inc({ result: "posted" });
      else {
        deps.metrics.delivered.inc();
        deps.metrics.latency.observe((now() - stored.receivedAt) / 1000);
      }
      return;
    }
    if (!("dead" in result) && stored.payload.kind === "inject" && stored.payload.job.event.type === "queue_update" && now() - stored.receivedAt > QUEUE_UPDATE_MAX_AGE_MS) {
      await deps.outbox.delivered(stored.id);
      deps.metrics.queueUpdatesExpired.inc();
      return;
    }
    const decision = "dead" in result ? { action: "dead_letter" as const, reason: result.dead } : decideRetry(result, stored.attempts, now() - stored.receivedAt, now(), deps.policy);
    if (decision.action === "retry") {
      await deps.outbox.retryAt(stored.id, now() + decision.delayMs, "kind" in result ? result.kind : "failed");
      deps.metrics.retried.inc({ reason: "kind" in result && result.kind === "status" ? String(result.status) : "kind" in result ? result.kind : "failed" });
      return;
    }
    await deps.outbox.deadLetter(stored.id, decision.reason, now());
    deps.log.warn({ job: stored.id, conversation: stored.conversationKey, reason: decision.reason }, isNote ? "agent note given up" : "job dead-lettered");
    if (isNote) return void deps.metrics.notes.inc({ result: "failed" });
    deps.metrics.deadLettered.inc();
    if (stored.payload.kind === "inject") await enqueueNote(stored.payload.job, decision.reason);
  }

  async function run(stored: StoredJob): Promise<void> {
    const { payload } = stored;
    const result = payload.kind === "inject" ? await attemptInject(payload.job) : await attemptNote(payload.accountId, payload.conversationId, payload.content, stored.id);
    await settle(stored, result);
  }

  function start(stored: StoredJob): void {
    busy.add(stored.conversationKey);
    const task = run(stored)
      .catch((error: unknown) => deps.log.warn({ job: stored.id, error: error instanceof Error ? error.message : String(error) }, "delivery failed unexpectedly"))
      .finally(() => {
        busy.delete(stored.conversationKey);
        running.delete(task);
        worker.wake();
      });
    running.add(task);
  }

  /** Starts what is due; sleeps until the next job is due (a finished job or a new webhook wakes it earlier). */
  function pump(): void {
    if (stopped) return;
    if (pumping) {
      pumpAgain = true;
      return;
    }
    pumping = true;
    clearTimeout(timer);
    looking = look().finally(() => {
      pumping = false;
      if (pumpAgain) {
        pumpAgain = false;
        pump();
      }
    });
  }

  async function look(): Promise<void> {
    let scheduled: Schedule;
    try {
      scheduled = await deps.outbox.schedule(now(), deps.reorderWindowMs, busy, Math.max(0, deps.concurrency - running.size));
    } catch (error: unknown) {
      // The outbox could not be read (database away, …): look again later.
      deps.log.warn({ error: error instanceof Error ? error.message : String(error) }, "outbox not readable");
      scheduled = { jobs: [], nextDueAt: null };
    }
    const { jobs, nextDueAt } = scheduled;
    // Claimed jobs start even when a stop came meanwhile: stopping waits for them.
    for (const job of jobs) start(job);
    if (stopped) return;
    const wait = nextDueAt === null ? IDLE_TICK_MS : Math.min(IDLE_TICK_MS, Math.max(1, nextDueAt - now()));
    clearTimeout(timer);
    timer = setTimeout(pump, wait);
  }

  const worker = {
    start(): void {
      stopped = false;
      pump();
    },
    /** New jobs were enqueued: look once this turn of the event loop is done (many webhooks, one look). */
    wake(): void {
      if (pumpQueued) return;
      pumpQueued = true;
      setImmediate(() => {
        pumpQueued = false;
        pump();
      });
    },
    /** Stops taking jobs and waits for those in flight; the rest stays in the outbox. */
    async stop(): Promise<void> {
      stopped = true;
      clearTimeout(timer);
      await looking;
      await Promise.all([...running]);
    },
    inFlight: (): number => running.size,
  };
  return worker;
}

export type DeliveryWorker = ReturnType<typeof createDeliveryWorker>;
