import Fastify, { type FastifyInstance } from "fastify";
import type { RelayMetrics } from "./relay-metrics";

/**
 * `GET /metrics` (Prometheus) on its own listener, METRICS_HOST:METRICS_PORT
 * (127.0.0.1:9464 by default). It counts refusals by reason, which must not be
 * public: on the webhook port every refusal is the same 401.
 */
export function buildMetricsApp(metrics: RelayMetrics): FastifyInstance {
  const app = Fastify({ logger: false, connectionTimeout: 10_000, requestTimeout: 10_000 });
  app.get("/metrics", async (_request, reply) => reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()));
  return app;
}
