import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from "http";
import { Agent as HttpsAgent, request as httpsRequest } from "https";
import type { JsonRecord } from "../core/json-guards";
import type { SessionRoute } from "../core/route-seal";
import type { AttemptOutcome } from "./retry-policy";

export type InjectTarget = { mode: "endpoint"; endpointBaseUrl: string } | { mode: "rest"; apiBaseUrl: string; apiKey: string };

export type InjectOutcome = { kind: "delivered"; status: number } | AttemptOutcome;

export type Injector = (route: SessionRoute, data: JsonRecord) => Promise<InjectOutcome>;

export const INJECT_TIMEOUT_MS = 10_000;

/** The URL is built only from configuration and the sealed URLToken; nothing in a webhook can point it elsewhere. */
function requestFor(target: InjectTarget, route: SessionRoute, data: JsonRecord): { url: URL; headers: Record<string, string>; body: JsonRecord } {
  const base = { userId: route.userId, sessionId: route.sessionId, text: "", data };
  if (target.mode === "endpoint") {
    return { url: new URL(`${target.endpointBaseUrl}/inject/${encodeURIComponent(route.urlToken)}`), headers: {}, body: base };
  }
  return { url: new URL(`${target.apiBaseUrl}/new/v2.0/endpoint/inject`), headers: { "X-API-Key": target.apiKey }, body: { ...base, URLToken: route.urlToken } };
}

function errorCode(error: unknown): string {
  return error instanceof Error && "code" in error && typeof error.code === "string" ? error.code : error instanceof Error ? error.name : "unknown";
}

/**
 * The one HTTP wrapper for Cognigy's inject API (Endpoint route, or the legacy
 * REST route with an API key), on Node's http client with kept-alive
 * connections. Redirects are not followed; every failure is an outcome the
 * retry policy can judge, never an exception carrying the request.
 */
export function createCognigyInjector(target: InjectTarget, timeoutMs: number = INJECT_TIMEOUT_MS): Injector {
  const agents = { http: new HttpAgent({ keepAlive: true, maxSockets: 64 }), https: new HttpsAgent({ keepAlive: true, maxSockets: 64 }) };
  return (route, data) => {
    const { url, headers, body } = requestFor(target, route, data);
    const payload = JSON.stringify(body);
    const secure = url.protocol === "https:";
    return new Promise<InjectOutcome>((resolve) => {
      const request = (secure ? httpsRequest : httpRequest)(
        url,
        {
          method: "POST",
          agent: secure ? agents.https : agents.http,
          headers: { "Content-Type": "application/json", Accept: "application/json", "Content-Length": Buffer.byteLength(payload), ...headers },
        },
        (response: IncomingMessage) => {
          response.resume();
          response.on("end", () => {
            const status = response.statusCode ?? 0;
            const retryAfter = response.headers["retry-after"];
            resolve(status >= 200 && status < 300 ? { kind: "delivered", status } : { kind: "status", status, retryAfter: typeof retryAfter === "string" ? retryAfter : null });
          });
          response.on("error", () => resolve({ kind: "network", code: "ECONNRESET" }));
        },
      );
      const timer = setTimeout(() => {
        resolve({ kind: "timeout" });
        request.destroy();
      }, timeoutMs);
      request.on("close", () => clearTimeout(timer));
      request.on("error", (error: unknown) => resolve({ kind: "network", code: errorCode(error) }));
      request.end(payload);
    });
  };
}
