import type { FastifyServerOptions } from "fastify";
import type { DestinationStream } from "pino";
import type { LogLevel } from "./relay-config";

/** A path token in the URL is a secret; it never reaches a log line. */
export function redactUrl(url: string | undefined): string {
  return (url ?? "").replace(/^(\/handover\/chatwoot\/)[^/?#]+/, "$1[redacted]");
}

/**
 * JSON logs with pino: requests are logged by method, redacted URL and
 * status only, so no header (signature), body (routes, messages) or token appears.
 */
export function relayLoggerOptions(level: LogLevel, stream?: DestinationStream): Exclude<FastifyServerOptions["logger"], undefined> {
  return {
    level,
    ...(stream === undefined ? {} : { stream }),
    redact: { paths: ["headers", "req.headers", "*.apiKey", "*.token", "*.secret", "*.signature"], censor: "[redacted]" },
    serializers: {
      req: (request: { method: string; url: string }) => ({ method: request.method, url: redactUrl(request.url) }),
      res: (reply: { statusCode: number }) => ({ statusCode: reply.statusCode }),
    },
  };
}
