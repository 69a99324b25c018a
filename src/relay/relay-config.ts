import { normaliseChatwootBaseUrl } from "../chatwoot/chatwoot-base-url";
import { normaliseBaseUrl } from "../core/normalise-base-url";

export type InjectMode = "endpoint" | "rest";
export type LogLevel = "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";

/** The relay's configuration, read from the environment once at boot. */
export interface RelayConfig {
  port: number;
  host: string;
  /** The Prometheus listener (never the webhook port); null: no metrics listener. Port 0 picks a free port. */
  metrics: { port: number; host: string } | null;
  /** Limits of the webhook listener against slow clients and connection floods. */
  http: HttpLimits;
  relaySecret: string;
  webhookSecrets: string[];
  /** The token the unsigned route accepts; null when unset, or when webhook secrets are set and ALLOW_UNSIGNED_PATH_TOKEN is not. */
  webhookPathToken: string | null;
  /** CHATWOOT_WEBHOOK_PATH_TOKEN was set but is refused (webhook secrets are set): the start warns. */
  pathTokenRefused: boolean;
  inboxIds: number[] | null;
  injectMode: InjectMode;
  cognigyEndpointBaseUrl: string | null;
  cognigyApiBaseUrl: string | null;
  cognigyApiKey: string | null;
  chatwootBaseUrl: string | null;
  chatwootApiToken: string | null;
  dataDir: string;
  /**
   * RELAY_DATABASE_URL: the shared PostgreSQL outbox (postgres:// or postgresql://; TLS by the URL's
   * sslmode, sslrootcert, sslcert and sslkey parameters); null: the SQLite outbox in `dataDir`.
   */
  databaseUrl: string | null;
  /** How long a replica's claim of a conversation lasts without renewal: a replica that died loses it after this. */
  leaseMs: number;
  logLevel: LogLevel;
  /** How long undeliverable jobs are retried before they are dead-lettered. */
  deliveryMaxAgeMs: number;
  /** First retry delay, doubling up to the maximum. */
  retryBaseDelayMs: number;
  retryMaxDelayMs: number;
  /** How long each job waits so that a webhook Chatwoot sent earlier but delivered later can overtake it. */
  reorderWindowMs: number;
  forwardTemplates: boolean;
  forwardCsat: boolean;
  forwardAssignments: boolean;
  forwardAutomationMessages: boolean;
  /** Issue 13: queue position updates at most this often per user and one Chatwoot listing per inbox per interval (ms); 0 = never. */
  queueUpdateIntervalMs: number;
}

export interface HttpLimits {
  /** All headers must arrive within this (Node's headersTimeout). */
  headersTimeoutMs: number;
  /** The whole request, body included, must arrive within this (Node's requestTimeout). */
  requestTimeoutMs: number;
  /** A socket with no traffic at all is closed after this (Fastify's connectionTimeout). */
  idleTimeoutMs: number;
  /** An idle keep-alive connection is kept this long after a response. */
  keepAliveTimeoutMs: number;
  /** Connections beyond this are closed at once (Node's maxConnections). */
  maxConnections: number;
}

export type ConfigResult = { ok: true; config: RelayConfig } | { ok: false; variable: string; message: string };

type Env = Record<string, string | undefined>;

class ConfigError extends Error {
  constructor(readonly variable: string, problem: string) {
    super(`${variable} ${problem}`);
  }
}

const LOG_LEVELS: readonly LogLevel[] = ["fatal", "error", "warn", "info", "debug", "trace", "silent"];
const MIN_SECRET = 32;

function value(env: Env, name: string): string | undefined {
  const raw = env[name]?.trim();
  return raw === undefined || raw === "" ? undefined : raw;
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = value(env, name);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) throw new ConfigError(name, `must be a whole number from ${min} to ${max}, got "${raw.slice(0, 40)}"`);
  return Number(raw);
}

function flag(env: Env, name: string, fallback: boolean): boolean {
  const raw = value(env, name)?.toLowerCase();
  if (raw === undefined) return fallback;
  if (["true", "1", "yes"].includes(raw)) return true;
  if (["false", "0", "no"].includes(raw)) return false;
  throw new ConfigError(name, `must be true or false, got "${raw.slice(0, 40)}"`);
}

function url(env: Env, name: string, normalise: (raw: string) => string | undefined = normaliseBaseUrl): string | undefined {
  const raw = value(env, name);
  if (raw === undefined) return undefined;
  const parsed = normalise(raw);
  if (parsed === undefined) throw new ConfigError(name, "must be an http(s) URL without credentials, query or fragment");
  return parsed;
}

/** Checked for its scheme and length only; never echoed (it may hold a password). */
function databaseUrl(env: Env): string | null {
  const raw = value(env, "RELAY_DATABASE_URL");
  if (raw === undefined) return null;
  if (raw.length > 4_096) throw new ConfigError("RELAY_DATABASE_URL", "must be at most 4,096 characters long");
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError("RELAY_DATABASE_URL", "must be a URL such as postgres://user:password@host:5432/database");
  }
  if (url.protocol !== "postgres:" && url.protocol !== "postgresql:") throw new ConfigError("RELAY_DATABASE_URL", "must start with postgres:// or postgresql://");
  return raw;
}

function secret(raw: string | undefined, name: string): string {
  if (raw === undefined) throw new ConfigError(name, "is required");
  if (raw.length < MIN_SECRET) throw new ConfigError(name, `must be at least ${MIN_SECRET} characters long`);
  return raw;
}

function webhookAuth(env: Env): Pick<RelayConfig, "webhookSecrets" | "webhookPathToken" | "pathTokenRefused"> {
  const webhookSecrets = (value(env, "CHATWOOT_WEBHOOK_SECRETS") ?? "").split(",").map((item) => item.trim()).filter((item) => item !== "");
  const webhookPathToken = value(env, "CHATWOOT_WEBHOOK_PATH_TOKEN") ?? null;
  if (webhookSecrets.length === 0 && webhookPathToken === null) throw new ConfigError("CHATWOOT_WEBHOOK_SECRETS", "is required (or CHATWOOT_WEBHOOK_PATH_TOKEN for Chatwoot before 4.13)");
  if (webhookSecrets.some((item) => item.length < 16)) throw new ConfigError("CHATWOOT_WEBHOOK_SECRETS", "has a secret shorter than 16 characters");
  if (webhookPathToken !== null && !/^[A-Za-z0-9_-]{24,}$/.test(webhookPathToken)) throw new ConfigError("CHATWOOT_WEBHOOK_PATH_TOKEN", "must be at least 24 letters, digits, - or _");
  // Signed webhooks make the unsigned route a way around the signature: refused unless asked for by name.
  const allowUnsigned = flag(env, "ALLOW_UNSIGNED_PATH_TOKEN", false);
  const refused = webhookPathToken !== null && webhookSecrets.length > 0 && !allowUnsigned;
  return { webhookSecrets, webhookPathToken: refused ? null : webhookPathToken, pathTokenRefused: refused };
}

function metrics(env: Env): RelayConfig["metrics"] {
  const raw = value(env, "METRICS_PORT");
  if (raw?.toLowerCase() === "off") return null;
  return { port: integer(env, "METRICS_PORT", 9464, 0, 65535), host: value(env, "METRICS_HOST") ?? "127.0.0.1" };
}

function httpLimits(env: Env): HttpLimits {
  const requestTimeoutMs = integer(env, "HTTP_REQUEST_TIMEOUT_MS", 10_000, 1_000, 300_000);
  const headersTimeoutMs = integer(env, "HTTP_HEADERS_TIMEOUT_MS", Math.min(10_000, requestTimeoutMs), 1_000, 300_000);
  if (headersTimeoutMs > requestTimeoutMs) throw new ConfigError("HTTP_HEADERS_TIMEOUT_MS", "must not be longer than HTTP_REQUEST_TIMEOUT_MS");
  return {
    headersTimeoutMs,
    requestTimeoutMs,
    idleTimeoutMs: integer(env, "HTTP_IDLE_TIMEOUT_MS", 10_000, 1_000, 300_000),
    keepAliveTimeoutMs: integer(env, "HTTP_KEEP_ALIVE_TIMEOUT_MS", 65_000, 1_000, 600_000),
    maxConnections: integer(env, "HTTP_MAX_CONNECTIONS", 4_096, 16, 1_000_000),
  };
}

function inboxIds(env: Env): number[] | null {
  const raw = value(env, "CHATWOOT_INBOX_IDS");
  if (raw === undefined) return null;
  const ids = raw.split(",").map((item) => item.trim());
  if (ids.some((item) => !/^[1-9]\d*$/.test(item))) throw new ConfigError("CHATWOOT_INBOX_IDS", "must be a comma-separated list of inbox ids");
  return ids.map(Number);
}

function cognigy(env: Env): Pick<RelayConfig, "injectMode" | "cognigyEndpointBaseUrl" | "cognigyApiBaseUrl" | "cognigyApiKey"> {
  const mode = value(env, "COGNIGY_INJECT_MODE") ?? "endpoint";
  if (mode !== "endpoint" && mode !== "rest") throw new ConfigError("COGNIGY_INJECT_MODE", `must be endpoint or rest, got "${mode.slice(0, 40)}"`);
  const cognigyEndpointBaseUrl = url(env, "COGNIGY_ENDPOINT_BASE_URL") ?? null;
  const cognigyApiBaseUrl = url(env, "COGNIGY_API_BASE_URL") ?? null;
  const cognigyApiKey = value(env, "COGNIGY_API_KEY") ?? null;
  if (mode === "endpoint" && cognigyEndpointBaseUrl === null) throw new ConfigError("COGNIGY_ENDPOINT_BASE_URL", "is required (e.g. https://endpoint-trial.cognigy.ai)");
  if (mode === "rest" && cognigyApiBaseUrl === null) throw new ConfigError("COGNIGY_API_BASE_URL", "is required when COGNIGY_INJECT_MODE=rest");
  if (mode === "rest" && cognigyApiKey === null) throw new ConfigError("COGNIGY_API_KEY", "is required when COGNIGY_INJECT_MODE=rest");
  return { injectMode: mode, cognigyEndpointBaseUrl, cognigyApiBaseUrl, cognigyApiKey };
}

function chatwoot(env: Env): Pick<RelayConfig, "chatwootBaseUrl" | "chatwootApiToken"> {
  const chatwootBaseUrl = url(env, "CHATWOOT_BASE_URL", normaliseChatwootBaseUrl) ?? null;
  const chatwootApiToken = value(env, "CHATWOOT_API_TOKEN") ?? null;
  if ((chatwootBaseUrl === null) !== (chatwootApiToken === null)) {
    throw new ConfigError(chatwootBaseUrl === null ? "CHATWOOT_BASE_URL" : "CHATWOOT_API_TOKEN", "is required together with the other (both or neither)");
  }
  return { chatwootBaseUrl, chatwootApiToken };
}

/** QUEUE_UPDATE_INTERVAL_SECONDS: default 60, 0 = never, at most a day. */
function queueInterval(env: Env): number {
  return integer(env, "QUEUE_UPDATE_INTERVAL_SECONDS", 60, 0, 86_400) * 1000;
}

function read(env: Env): RelayConfig {
  const logLevel = value(env, "LOG_LEVEL") ?? "info";
  if (!LOG_LEVELS.some((level) => level === logLevel)) throw new ConfigError("LOG_LEVEL", `must be one of ${LOG_LEVELS.join(", ")}`);
  return {
    port: integer(env, "PORT", 8080, 0, 65535),
    host: value(env, "HOST") ?? "0.0.0.0",
    metrics: metrics(env),
    http: httpLimits(env),
    relaySecret: secret(value(env, "RELAY_SECRET"), "RELAY_SECRET"),
    ...webhookAuth(env),
    inboxIds: inboxIds(env),
    ...cognigy(env),
    ...chatwoot(env),
    dataDir: value(env, "RELAY_DATA_DIR") ?? "./data",
    databaseUrl: databaseUrl(env),
    leaseMs: integer(env, "RELAY_LEASE_SECONDS", 30, 5, 3_600) * 1000,
    logLevel: LOG_LEVELS.find((level) => level === logLevel) ?? "info",
    deliveryMaxAgeMs: integer(env, "DELIVERY_MAX_AGE_SECONDS", 24 * 3600, 60, 30 * 24 * 3600) * 1000,
    retryBaseDelayMs: integer(env, "RETRY_BASE_DELAY_MS", 500, 10, 60_000),
    retryMaxDelayMs: integer(env, "RETRY_MAX_DELAY_MS", 300_000, 100, 3_600_000),
    reorderWindowMs: integer(env, "REORDER_WINDOW_MS", 250, 0, 10_000),
    forwardTemplates: flag(env, "FORWARD_TEMPLATES", true),
    forwardCsat: flag(env, "FORWARD_CSAT", true),
    forwardAssignments: flag(env, "FORWARD_ASSIGNMENTS", false),
    forwardAutomationMessages: flag(env, "FORWARD_AUTOMATION_MESSAGES", true),
    queueUpdateIntervalMs: queueInterval(env),
  };
}

/** Checks every variable; the first problem is reported with the variable's name and never its value if secret. */
export function parseRelayConfig(env: Env): ConfigResult {
  try {
    return { ok: true, config: read(env) };
  } catch (error: unknown) {
    if (error instanceof ConfigError) return { ok: false, variable: error.variable, message: `Relay configuration: ${error.message}.` };
    throw error;
  }
}
