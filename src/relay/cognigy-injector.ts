import type { JsonRecord } from "../core/json-guards";
import type { SessionRoute } from "../core/route-seal";
import type { AttemptOutcome } from "./retry-policy";

export type InjectTarget = { mode: "endpoint"; endpointBaseUrl: string } | { mode: "rest"; apiBaseUrl: string; apiKey: string };

export type InjectOutcome = { kind: "delivered"; status: number } | AttemptOutcome;

export type Injector = (route: SessionRoute, data: JsonRecord) => Promise<InjectOutcome>;

export const INJECT_TIMEOUT_MS = 10_000;

/** The URL is built only from configuration and the sealed URLToken; nothing in a webhook can point it elsewhere. */
function requestFor(target: InjectTarget, route: SessionRoute, data: JsonRecord): { url: string; headers: Record<string, string>; body: JsonRecord } {
  const base = { userId: route.userId, sessionId: route.sessionId, text: "", data };
  if (target.mode === "endpoint") {
    return { url: `${target.endpointBaseUrl}/inject/${encodeURIComponent(route.urlToken)}`, headers: {}, body: base };
  }
  return { url: `${target.apiBaseUrl}/new/v2.0/endpoint/inject`, headers: { "X-API-Key": target.apiKey }, body: { ...base, URLToken: route.urlToken } };
}

function networkCode(error: unknown): string {
  const cause = error instanceof Error ? error.cause : undefined;
  if (cause instanceof Error && "code" in cause && typeof cause.code === "string") return cause.code;
  return error instanceof Error ? error.name : "unknown";
}

/**
 * The one HTTP wrapper for Cognigy's inject API (Endpoint route, or the legacy
 * REST route with an API key). Redirects are not followed; every failure is an
 * outcome the retry policy can judge, never an exception carrying the request.
 */
export function createCognigyInjector(target: InjectTarget, timeoutMs: number = INJECT_TIMEOUT_MS): Injector {
  return async (route, data) => {
    const request = requestFor(target, route, data);
    try {
      const response = await fetch(request.url, {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json", ...request.headers },
        body: JSON.stringify(request.body),
        redirect: "manual",
        signal: AbortSignal.timeout(timeoutMs),
      });
      await response.arrayBuffer().catch(() => undefined);
      if (response.status >= 200 && response.status < 300) return { kind: "delivered", status: response.status };
      return { kind: "status", status: response.status, retryAfter: response.headers.get("retry-after") };
    } catch (error: unknown) {
      if (error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError")) return { kind: "timeout" };
      return { kind: "network", code: networkCode(error) };
    }
  };
}
