import pino, { type DestinationStream } from "pino";
import { deriveKeys } from "../core/derive-key";
import { createChatwootClient } from "../chatwoot/chatwoot-client";
import { createDeadline } from "../chatwoot/deadline";
import { createCognigyInjector, type InjectTarget } from "./cognigy-injector";
import { AGENT_LISTING_TIMEOUT_MS, createAgentDirectory } from "./agent-directory";
import { createAgentNames } from "./agent-names";
import { createDeliveryWorker } from "./delivery-worker";
import { SEEN_RETENTION_MS, type OutboxOptions } from "./outbox";
import type { OutboxStore } from "./outbox-store";
import { openPostgresOutbox } from "./postgres-outbox";
import { openSqliteOutbox } from "./sqlite-outbox";
import { buildMetricsApp } from "./metrics-app";
import { buildRelayApp } from "./relay-app";
import type { RelayConfig } from "./relay-config";
import { createRelayMetrics } from "./relay-metrics";
import { DEFAULT_RETRY_POLICY } from "./retry-policy";
import { createQueuePoller } from "./queue-poller";
import { createQueueWatch } from "./queue-watch";
import { shareQueueWatch } from "./share-queue-watch";

export const DELIVERY_CONCURRENCY = 32;

function injectTarget(config: RelayConfig): InjectTarget {
  if (config.injectMode === "rest" && config.cognigyApiBaseUrl !== null && config.cognigyApiKey !== null) {
    return { mode: "rest", apiBaseUrl: config.cognigyApiBaseUrl, apiKey: config.cognigyApiKey };
  }
  return { mode: "endpoint", endpointBaseUrl: config.cognigyEndpointBaseUrl ?? "" };
}

/** Chatwoot client for dead-letter notes, when a token is configured. */
function notesClient(config: RelayConfig) {
  const { chatwootBaseUrl, chatwootApiToken } = config;
  if (chatwootBaseUrl === null || chatwootApiToken === null) return null;
  return (accountId: number) =>
    createChatwootClient({ baseUrl: chatwootBaseUrl, accountId, apiKey: chatwootApiToken, deadline: createDeadline(15_000), requestTimeoutMs: 10_000, secrets: [chatwootApiToken, config.relaySecret] });
}

/** Chatwoot client for the agents listing: a short timeout, since a delivery waits for it (agent-directory.ts). */
function agentsClient(config: RelayConfig) {
  const { chatwootBaseUrl, chatwootApiToken } = config;
  if (chatwootBaseUrl === null || chatwootApiToken === null) return null;
  return (accountId: number) =>
    createChatwootClient({ baseUrl: chatwootBaseUrl, accountId, apiKey: chatwootApiToken, deadline: createDeadline(AGENT_LISTING_TIMEOUT_MS), requestTimeoutMs: AGENT_LISTING_TIMEOUT_MS, secrets: [chatwootApiToken, config.relaySecret] }).listAgents();
}

export interface RelayServiceOptions {
  /** false: no logs (tests). */
  logger?: boolean;
  /** Where the JSON log lines go instead of stdout (tests that read them). */
  logStream?: DestinationStream;
  now?: () => number;
  policy?: typeof DEFAULT_RETRY_POLICY;
  /** Tests only: passed to openOutbox (see OutboxOptions.testDatabaseHook), e.g. to fill the "disk". */
  outboxTestDatabaseHook?: OutboxOptions["testDatabaseHook"];
}

/**
 * Wires the relay: outbox, metrics, injector, worker and HTTP app. `start`
 * listens (webhooks, and metrics on their own listener) and starts delivering; `stop` stops intake, lets in-flight
 * deliveries finish and leaves the rest in the outbox.
 */
export function createRelayService(config: RelayConfig, options: RelayServiceOptions = {}) {
  const outbox: OutboxStore =
    config.databaseUrl !== null
      ? openPostgresOutbox(config.databaseUrl, { leaseMs: config.leaseMs })
      : openSqliteOutbox(config.dataDir, options.outboxTestDatabaseHook === undefined ? {} : { testDatabaseHook: options.outboxTestDatabaseHook });
  const keys = deriveKeys(config.relaySecret);
  const metrics = createRelayMetrics(() => outbox.depth());
  const log = options.logger === false ? pino({ level: "silent" }) : options.logStream === undefined ? pino({ level: config.logLevel }) : pino({ level: config.logLevel }, options.logStream);
  const agents = createAgentDirectory({
    names: createAgentNames(),
    list: agentsClient(config),
    metrics,
    log,
    claimTurn: (key, intervalMs, at) => outbox.claimTurn(key, intervalMs, at),
    ...(options.now === undefined ? {} : { now: options.now }),
  });
  const worker = createDeliveryWorker({
    outbox,
    inject: createCognigyInjector(injectTarget(config)),
    chatwoot: notesClient(config),
    relaySecret: keys,
    policy: options.policy ?? { ...DEFAULT_RETRY_POLICY, baseDelayMs: config.retryBaseDelayMs, maxDelayMs: Math.max(config.retryMaxDelayMs, config.retryBaseDelayMs), maxAgeMs: config.deliveryMaxAgeMs },
    reorderWindowMs: config.reorderWindowMs,
    concurrency: DELIVERY_CONCURRENCY,
    metrics,
    log,
    agentNames: agents,
    ...(options.now === undefined ? {} : { now: options.now }),
  });
  outbox.onJobsAdded(() => worker.wake());
  const chatwoot = notesClient(config);
  // Queue updates need a Chatwoot user token to list the queue; the histograms work without one.
  const polling = chatwoot !== null && config.queueUpdateIntervalMs > 0;
  // Replicas (PostgreSQL) share the waiting users and queue exits, so the one that lists an inbox updates everyone in it.
  const shared = polling ? outbox.sharedQueue : undefined;
  const queueWatch = createQueueWatch({ intervalMs: config.queueUpdateIntervalMs, ...(shared === undefined ? {} : { share: shareQueueWatch(shared, log, options.now ?? Date.now) }) });
  const poller =
    chatwoot === null || !polling
      ? null
      : createQueuePoller({
          watch: queueWatch,
          intervalMs: config.queueUpdateIntervalMs,
          list: (accountId, inboxId) => chatwoot(accountId).listQueue(inboxId),
          outbox,
          metrics,
          log,
          wake: () => worker.wake(),
          ...(options.now === undefined ? {} : { now: options.now }),
          ...(shared === undefined ? {} : { shared }),
        });
  const app = buildRelayApp({ config, keys, outbox, metrics, queueWatch, agents, wake: () => worker.wake(), ...(options.now === undefined ? {} : { now: options.now }), ...(options.logger === false ? { logger: false } : {}), ...(options.logStream === undefined ? {} : { logStream: options.logStream }) });
  const metricsApp = config.metrics === null ? null : buildMetricsApp(metrics);
  let metricsUrl: string | null = null;
  const prune = setInterval(() => {
    outbox.pruneSeen(Date.now() - SEEN_RETENTION_MS).catch((error: unknown) => {
      // Disk full, database away: pruning waits for the next hour.
      log.warn({ error: error instanceof Error ? error.message : String(error) }, "pruning the outbox failed");
    });
  }, 3_600_000);
  prune.unref();
  return {
    app,
    outbox,
    metrics,
    worker,
    /** Where Prometheus scrapes `/metrics` (null before `start`, or with METRICS_PORT=off). */
    metricsUrl(): string | null {
      return metricsUrl;
    },
    /** Opens the outbox first (PostgreSQL: connects and migrates the schema), so a bad database stops the start. */
    async start(): Promise<string> {
      await outbox.ready();
      if (metricsApp !== null && config.metrics !== null) metricsUrl = await metricsApp.listen({ port: config.metrics.port, host: config.metrics.host });
      const address = await app.listen({ port: config.port, host: config.host });
      worker.start();
      poller?.start();
      return address;
    },
    async stop(): Promise<void> {
      clearInterval(prune);
      await app.close();
      await poller?.stop();
      await metricsApp?.close();
      await worker.stop();
      await outbox.close();
    },
  };
}

export type RelayService = ReturnType<typeof createRelayService>;
