import type { AxiosStatic, Method } from "axios";
import { loadAxios } from "../vendor/load-axios";
import { clipText } from "../core/clip-text";
import { isRecord, readString } from "../core/json-guards";
import { ChatwootApiError } from "./chatwoot-api-error";
import { classifyRefusal, refusalHint, type BotAccess } from "./chatwoot-refusal";
import type { Deadline } from "./deadline";

export interface ChatwootHttpOptions {
  /** Chatwoot's origin (and path prefix, if any), without `/api/v1`. */
  baseUrl: string;
  apiKey: string;
  deadline: Deadline;
  /** Upper bound for one request; the deadline may shorten it. */
  requestTimeoutMs: number;
  /** Strings that must never appear in an error message (token, relay secret). */
  secrets: readonly string[];
}

export interface ChatwootRequest {
  method: Method;
  /** Path below the base URL, every dynamic segment already encoded. */
  path: string;
  body?: unknown;
  /** Public client API calls carry no token. */
  authenticated?: boolean;
  /** From which Chatwoot version an agent-bot token may make this call (explains a refusal). */
  bot?: BotAccess;
}

export type ChatwootHttp = <T>(operation: string, request: ChatwootRequest, parse: (body: unknown) => T | undefined) => Promise<T>;

const MIN_REQUEST_MS = 250;
const MAX_REMOTE_MESSAGE = 300;
const MAX_RESPONSE_BYTES = 5 * 1024 * 1024;

/** Chatwoot answers errors as `{error}`, `{message}` or `{errors: [...]}` (request_exception_handler.rb). */
export function remoteErrorText(body: unknown): string | undefined {
  if (typeof body === "string") return body.trim().length > 0 && body.length < 2000 && !body.includes("<") ? body.trim() : undefined;
  if (!isRecord(body)) return undefined;
  const direct = readString(body.error) ?? readString(body.message);
  if (direct !== undefined) return direct;
  if (Array.isArray(body.errors)) {
    const texts = body.errors.map((item) => (typeof item === "string" ? item : isRecord(item) ? readString(item.message) : undefined));
    const joined = texts.filter((item): item is string => item !== undefined).join("; ");
    return joined.length > 0 ? joined : undefined;
  }
  return undefined;
}

function redact(text: string, secrets: readonly string[]): string {
  let result = text;
  for (const secret of secrets) {
    if (secret.length >= 4) result = result.split(secret).join("[redacted]");
  }
  return clipText(result, MAX_REMOTE_MESSAGE);
}

function hintFor(status: number): string {
  if (status === 403) return " The token's user lacks permission: use an administrator's token or add the user to the inbox.";
  if (status === 404) return " Check the account ID and the inbox, team, agent or conversation ID.";
  if (status === 429) return " Chatwoot's rate limit was hit; try again shortly.";
  if (status >= 500) return " Chatwoot failed on its side; try again later, and check Chatwoot's logs if it persists.";
  if (status >= 300 && status < 400) return " Chatwoot redirected the request: check the base URL (https, host, path).";
  return "";
}

/**
 * The one HTTP wrapper for Chatwoot's API: token header, hard timeout within the
 * node's time budget, no redirects (they would carry the token to another host),
 * and failures turned into ChatwootApiError without the request attached.
 */
export function createChatwootHttp(options: ChatwootHttpOptions): ChatwootHttp {
  const host = new URL(options.baseUrl).host;
  return async <T>(operation: string, request: ChatwootRequest, parse: (body: unknown) => T | undefined): Promise<T> => {
    const timeoutMs = options.deadline.timeoutFor(options.requestTimeoutMs);
    if (timeoutMs < MIN_REQUEST_MS) {
      throw new ChatwootApiError(operation, "time_budget", `Chatwoot request "${operation}" was not sent: the node's time budget is used up.`);
    }
    const axios = await loadAxios();
    let response;
    try {
      response = await axios.request({
        method: request.method,
        url: `${options.baseUrl}${request.path}`,
        data: request.body,
        headers: {
          Accept: "application/json",
          ...(request.authenticated === false ? {} : { api_access_token: options.apiKey }),
        },
        timeout: timeoutMs,
        signal: AbortSignal.timeout(timeoutMs),
        maxRedirects: 0,
        maxContentLength: MAX_RESPONSE_BYTES,
        maxBodyLength: Infinity,
        validateStatus: null,
        responseType: "json",
      });
    } catch (error: unknown) {
      throw toTransportError(axios, operation, host, timeoutMs, error);
    }
    if (response.status >= 300) {
      const remote = remoteErrorText(response.data);
      const safeRemote = remote === undefined ? null : redact(remote, options.secrets);
      const detail = safeRemote === null ? "" : `: ${safeRemote}`;
      const refusal = classifyRefusal(response.status, safeRemote);
      const hint = response.status === 401 ? refusalHint(operation, refusal, request.bot) : hintFor(response.status);
      throw new ChatwootApiError(operation, "http", `Chatwoot request "${operation}" failed with HTTP ${response.status}${detail}.${hint}`, response.status, safeRemote, false, refusal);
    }
    const parsed = parse(response.data);
    if (parsed === undefined) {
      throw new ChatwootApiError(
        operation,
        "invalid_response",
        `Chatwoot request "${operation}" returned HTTP ${response.status} with a body this extension does not understand (is ${host} a Chatwoot server?).`,
        response.status,
      );
    }
    return parsed;
  };
}

/** The connection was made, then closed without an answer (a crash, a proxy, a reset). */
const CLOSED_CODES: readonly string[] = ["ECONNRESET", "EPIPE", "ERR_SOCKET_CLOSED"];
/** No connection (or no TLS session) was made, so the request never reached Chatwoot. */
const UNSENT_CODES: readonly string[] = ["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH", "EPROTO", "DEPTH_ZERO_SELF_SIGNED_CERT", "SELF_SIGNED_CERT_IN_CHAIN"];
const UNSENT_PREFIXES: readonly string[] = ["CERT_", "ERR_TLS_", "UNABLE_TO_"];

function neverSent(code: string | undefined): boolean {
  return code !== undefined && (UNSENT_CODES.includes(code) || UNSENT_PREFIXES.some((prefix) => code.startsWith(prefix)));
}

function toTransportError(axios: AxiosStatic, operation: string, host: string, timeoutMs: number, error: unknown): ChatwootApiError {
  const code = axios.isAxiosError(error) ? error.code : undefined;
  if (code === "ECONNABORTED" || code === "ETIMEDOUT" || code === "ERR_CANCELED") {
    return new ChatwootApiError(operation, "timeout", `Chatwoot request "${operation}" to ${host} timed out after ${timeoutMs} ms.`, null, null, true);
  }
  if (code === "ERR_FR_MAX_CONTENT_LENGTH_EXCEEDED" || code === "ERR_BAD_RESPONSE") {
    return new ChatwootApiError(operation, "invalid_response", `Chatwoot request "${operation}" to ${host} returned an unreadable or oversized response.`);
  }
  if (code !== undefined && CLOSED_CODES.includes(code)) {
    return new ChatwootApiError(
      operation,
      "network",
      `Chatwoot request "${operation}" to ${host} failed: the connection was closed before Chatwoot answered (${code}). Chatwoot, or a proxy in front of it, dropped the request; check their logs if it persists.`,
      null,
      null,
      true,
    );
  }
  const reason = code ?? "unknown network error";
  // Anything else may have happened after the request was sent: its answer counts as lost.
  return new ChatwootApiError(operation, "network", `Chatwoot request "${operation}" could not reach ${host} (${reason}).`, null, null, !neverSent(code));
}
