import type { FastifyServerOptions } from "fastify";
import type { DestinationStream } from "pino";
import type { LogLevel } from "./relay-config";

/** `handover`, any run of slashes, `chatwoot`: whatever follows may hold the path token (any case, any separator, any prefix such as a proxy's). */
const TOKEN_ROUTE = /handover\/+chatwoot/i;

/** Undoes percent-encoding byte by byte, repeatedly (double encoding), never throwing on a malformed escape. */
function decoded(text: string): string {
  let current = text;
  for (let round = 0; round < 4; round += 1) {
    const next = current.replace(/%([0-9a-f]{2})/gi, (_escape, hex: string) => String.fromCharCode(parseInt(hex, 16)));
    if (next === current) break;
    current = next;
  }
  return current;
}

/** More than any request line Node accepts (16 KiB of headers by default); longer text is cut before the patterns run (issue 12 §2). */
const MAX_REDACTED_CHARS = 32_768;

/** Any text (an error message, a URL) with everything after the token route cut. */
function redactRoute(full: string): string {
  const text = full.length > MAX_REDACTED_CHARS ? full.slice(0, MAX_REDACTED_CHARS) : full;
  const plain = decoded(text);
  const match = TOKEN_ROUTE.exec(plain);
  if (match === null || match.index + match[0].length === plain.length) return text;
  return `${plain.slice(0, match.index)}handover/chatwoot/[redacted]`;
}

/**
 * A path token in the URL is a secret; it never reaches a log line. The route
 * is found on the decoded URL, so `%2F`, `%2568…` or `/handover//chatwoot/`
 * hide nothing: everything after it is cut. A query string is cut too (the
 * relay reads none).
 */
export function redactUrl(url: string | undefined): string {
  const text = redactRoute(url ?? "");
  const query = text.indexOf("?");
  return query === -1 ? text : `${text.slice(0, query)}?[redacted]`;
}

/** Errors by type, code and redacted message: Node's client errors carry the raw request bytes (`rawPacket`), Fastify's bad-URL errors the URL. */
function serializeError(error: { name?: unknown; code?: unknown; message?: unknown; stack?: unknown }): { type: string; message: string; stack: string; code: unknown } {
  const text = (field: unknown): string => (typeof field === "string" ? redactRoute(field) : "");
  return { type: typeof error.name === "string" ? error.name : "Error", code: error.code, message: text(error.message), stack: text(error.stack) };
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
      err: serializeError,
    },
  };
}
