import type { DerivedKeys } from "../core/derive-key";
import type { DestinationStream } from "pino";
import Fastify, { LogController, type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import { receiveWebhook, type IntakeDeps } from "./intake";
import { createNewestRoutes } from "./newest-routes";
import { createRouteCache } from "./route-cache";
import { SEEN_RETENTION_MS } from "./outbox";
import type { OutboxStore } from "./outbox-store";
import { createRoutePrefetch } from "./route-prefetch";
import { createSharedNewestRoutes } from "./shared-newest-routes";
import type { RelayConfig } from "./relay-config";
import type { RelayMetrics } from "./relay-metrics";
import { relayLoggerOptions } from "./relay-logger";
import { createQueueObserver } from "./queue-observer";
import type { QueueWatch } from "./queue-watch";

export const MAX_BODY_BYTES = 1024 * 1024;

export interface RelayAppDeps {
  config: RelayConfig;
  /** The relay secret's derived keys (see derive-key.ts). */
  keys: DerivedKeys;
  outbox: OutboxStore;
  metrics: RelayMetrics;
  wake: () => void;
  now?: () => number;
  /** Tests pass false to keep output quiet. */
  logger?: boolean;
  /** Where the log lines go instead of stdout. */
  logStream?: DestinationStream;
  /** Issue 13: the queue watch every verified webhook informs (histograms, queue updates). */
  queueWatch?: QueueWatch;
  /** Agents' display names, learnt from verified webhooks and given to agent messages (agent-directory.ts). */
  agents?: IntakeDeps["agents"];
}

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return typeof value === "string" ? value : undefined;
}

function rawBody(body: unknown): Buffer {
  return Buffer.isBuffer(body) ? body : Buffer.alloc(0);
}

/** The webhook routes, with their own parser: every content type arrives as raw bytes, so signatures verify on them. */
function registerIntake(app: FastifyInstance, deps: IntakeDeps): void {
  void app.register(async (scope) => {
    // The signature covers the bytes, not the Content-Type: any value, even one that is not a media type
    // (which Fastify would answer with 415 before the signature is checked), reaches the raw-bytes parser.
    scope.addHook("onRequest", (request, _reply, done) => {
      if (request.headers["content-type"] !== undefined) request.headers = { "content-type": "application/octet-stream" };
      done();
    });
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser("*", { parseAs: "buffer", bodyLimit: MAX_BODY_BYTES }, (_request, body, done) => done(null, body));
    const handle = (pathToken: string | null) => async (request: FastifyRequest, reply: FastifyReply) => {
      const result = await receiveWebhook(
        { rawBody: rawBody(request.body), signature: header(request, "x-chatwoot-signature"), timestamp: header(request, "x-chatwoot-timestamp"), deliveryId: header(request, "x-chatwoot-delivery"), pathToken },
        deps,
      );
      return reply.code(result.status).send(result.body);
    };
    scope.post("/handover/chatwoot", handle(null));
    scope.post<{ Params: { token: string } }>("/handover/chatwoot/:token", async (request, reply) => handle(request.params.token)(request, reply));
  });
}

/**
 * The relay as a Fastify app (no listening here: see relay-service.ts): the
 * webhook intake, health and readiness. Metrics are on their own listener
 * (metrics-app.ts): their refusal counts would undo the uniform 401. Errors
 * for bad input keep their 4xx; anything else answers without details.
 */
export function buildRelayApp(deps: RelayAppDeps): FastifyInstance {
  const limits = deps.config.http;
  const app = Fastify({
    logger: deps.logger === false ? false : relayLoggerOptions(deps.config.logLevel, deps.logStream),
    bodyLimit: MAX_BODY_BYTES,
    // Slow clients and floods (README, Operations): a silent socket is closed after the idle timeout, one that
    // trickles its headers or body after the headers or request timeout, checked every second (Node's default: 30 s).
    connectionTimeout: limits.idleTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    http: { headersTimeout: limits.headersTimeoutMs, requestTimeout: limits.requestTimeoutMs, connectionsCheckingInterval: 1_000 },
    return503OnClosing: true,
    // One line per request would be the main cost of a busy relay; requests are counted in /metrics instead.
    logController: new LogController({ disableRequestLogging: deps.config.logLevel !== "debug" && deps.config.logLevel !== "trace" }),
  });
  const now = deps.now ?? Date.now;
  const openRoute = createRouteCache(deps.keys);
  const prefetch = createRoutePrefetch((key) => deps.outbox.newestRoute(key));
  const routeOptions = { lookup: prefetch.lookup, openRoute, retentionMs: SEEN_RETENTION_MS };
  // Replicas on PostgreSQL: the newest route may have been recorded by another replica, so none is judged from memory.
  const routes = deps.outbox.kind === "postgres" ? createSharedNewestRoutes(routeOptions) : createNewestRoutes(routeOptions);
  const queue = deps.queueWatch === undefined ? undefined : createQueueObserver({
          watch: deps.queueWatch,
          metrics: deps.metrics,
          relaySecret: deps.keys,
          openRoute,
          inboxIds: deps.config.inboxIds,
          claimTurn: (key, intervalMs, at) => deps.outbox.claimTurn(key, intervalMs, at),
          log: app.log,
        });
  registerIntake(app, {
    config: deps.config,
    keys: deps.keys,
    openRoute,
    routes,
    prefetchRoute: prefetch.prefetch,
    outbox: deps.outbox,
    metrics: deps.metrics,
    wake: deps.wake,
    now,
    log: app.log,
    ...(queue === undefined ? {} : { queue }),
    ...(deps.agents === undefined ? {} : { agents: deps.agents }),
  });
  app.get("/healthz", async () => ({ status: "ok" }));
  app.get("/readyz", async (_request, reply) => ((await deps.outbox.healthy()) ? { status: "ready" } : reply.code(503).send({ status: "outbox unavailable" })));
  app.server.maxConnections = limits.maxConnections;
  // Fastify's own 404 names the URL in its answer and log line; a mistyped path token would be in both.
  app.setNotFoundHandler((_request, reply) => void reply.code(404).send({ error: "not found" }));
  app.setErrorHandler((error: { statusCode?: number; message?: string }, request, reply) => {
    const status = typeof error.statusCode === "number" && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    if (status === 413) deps.metrics.rejected.inc({ reason: "too_large" });
    if (status >= 500) request.log.error({ error: error.message }, "request failed");
    void reply.code(status).send({ error: status === 413 ? "payload too large" : status >= 500 ? "internal error" : (error.message ?? "bad request") });
  });
  return app;
}
