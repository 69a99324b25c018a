import { parseRelayConfig, type RelayConfig } from "../../src/relay/relay-config";

type Env = Record<string, string | undefined>;

const RELAY_SECRET = "relay-secret-0123456789-abcdefghijklmnop";
const WEBHOOK_SECRET = "inbox-secret-abcdefghij";
const ENDPOINT_URL = "https://endpoint-trial.cognigy.ai";

/** The smallest environment the relay starts with: endpoint mode, one webhook secret. */
const MINIMAL: Env = { RELAY_SECRET, CHATWOOT_WEBHOOK_SECRETS: WEBHOOK_SECRET, COGNIGY_ENDPOINT_BASE_URL: ENDPOINT_URL };

const REST: Env = {
  RELAY_SECRET,
  CHATWOOT_WEBHOOK_SECRETS: WEBHOOK_SECRET,
  COGNIGY_INJECT_MODE: "rest",
  COGNIGY_API_BASE_URL: "https://api-trial.cognigy.ai",
  COGNIGY_API_KEY: "cognigy-api-key-do-not-echo",
};

function configOf(env: Env): RelayConfig {
  const result = parseRelayConfig(env);
  if (!result.ok) throw new Error(`expected a valid configuration, got: ${result.message}`);
  return result.config;
}

function problemOf(env: Env): { variable: string; message: string } {
  const result = parseRelayConfig(env);
  if (result.ok) throw new Error("expected a configuration problem, the configuration was accepted");
  return { variable: result.variable, message: result.message };
}

function without(env: Env, ...names: string[]): Env {
  return Object.fromEntries(Object.entries(env).filter(([name]) => !names.includes(name)));
}

describe("parseRelayConfig: defaults", () => {
  it("reads the minimal environment into a complete configuration", () => {
    expect(configOf(MINIMAL)).toEqual<RelayConfig>({
      port: 8080,
      host: "0.0.0.0",
      metrics: { port: 9464, host: "127.0.0.1" },
      http: { headersTimeoutMs: 10_000, requestTimeoutMs: 10_000, idleTimeoutMs: 10_000, keepAliveTimeoutMs: 65_000, maxConnections: 4_096 },
      relaySecret: RELAY_SECRET,
      webhookSecrets: [WEBHOOK_SECRET],
      webhookPathToken: null,
      pathTokenRefused: false,
      inboxIds: null,
      injectMode: "endpoint",
      cognigyEndpointBaseUrl: ENDPOINT_URL,
      cognigyApiBaseUrl: null,
      cognigyApiKey: null,
      chatwootBaseUrl: null,
      chatwootApiToken: null,
      dataDir: "./data",
      databaseUrl: null,
      leaseMs: 30_000,
      logLevel: "info",
      deliveryMaxAgeMs: 86_400_000,
      retryBaseDelayMs: 500,
      retryMaxDelayMs: 300_000,
      reorderWindowMs: 250,
      forwardTemplates: true,
      forwardCsat: true,
      forwardAssignments: false,
      forwardAutomationMessages: true,
      queueUpdateIntervalMs: 60_000,
    });
  });

  it.each<[string, keyof RelayConfig, unknown]>([
    ["PORT", "port", 8080],
    ["HOST", "host", "0.0.0.0"],
    ["RELAY_DATA_DIR", "dataDir", "./data"],
    ["RELAY_DATABASE_URL", "databaseUrl", null],
    ["RELAY_LEASE_SECONDS", "leaseMs", 30_000],
    ["REORDER_WINDOW_MS", "reorderWindowMs", 250],
    ["RETRY_BASE_DELAY_MS", "retryBaseDelayMs", 500],
    ["RETRY_MAX_DELAY_MS", "retryMaxDelayMs", 300_000],
    ["DELIVERY_MAX_AGE_SECONDS", "deliveryMaxAgeMs", 86_400 * 1000],
    ["FORWARD_TEMPLATES", "forwardTemplates", true],
    ["FORWARD_CSAT", "forwardCsat", true],
    ["FORWARD_ASSIGNMENTS", "forwardAssignments", false],
    ["FORWARD_AUTOMATION_MESSAGES", "forwardAutomationMessages", true],
    ["QUEUE_UPDATE_INTERVAL_SECONDS", "queueUpdateIntervalMs", 60_000],
    ["LOG_LEVEL", "logLevel", "info"],
    ["COGNIGY_INJECT_MODE", "injectMode", "endpoint"],
    ["CHATWOOT_INBOX_IDS", "inboxIds", null],
    ["CHATWOOT_WEBHOOK_PATH_TOKEN", "webhookPathToken", null],
  ])("defaults %s when it is unset, empty or blank", (variable, key, expected) => {
    expect(configOf(without(MINIMAL, variable))[key]).toEqual(expected);
    expect(configOf({ ...MINIMAL, [variable]: "" })[key]).toEqual(expected);
    expect(configOf({ ...MINIMAL, [variable]: "   " })[key]).toEqual(expected);
  });
});

describe("parseRelayConfig: valid values", () => {
  it.each<[string, string, keyof RelayConfig, unknown]>([
    ["PORT", "0", "port", 0],
    ["PORT", "65535", "port", 65535],
    ["PORT", " 3000 ", "port", 3000],
    ["HOST", "127.0.0.1", "host", "127.0.0.1"],
    ["RELAY_DATA_DIR", "/var/lib/relay", "dataDir", "/var/lib/relay"],
    ["RELAY_DATABASE_URL", "postgres://relay:pw@db:5432/relay?sslmode=verify-full", "databaseUrl", "postgres://relay:pw@db:5432/relay?sslmode=verify-full"],
    ["RELAY_DATABASE_URL", "postgresql://relay@db/relay", "databaseUrl", "postgresql://relay@db/relay"],
    ["RELAY_LEASE_SECONDS", "5", "leaseMs", 5_000],
    ["RELAY_LEASE_SECONDS", "3600", "leaseMs", 3_600_000],
    ["REORDER_WINDOW_MS", "0", "reorderWindowMs", 0],
    ["REORDER_WINDOW_MS", "10000", "reorderWindowMs", 10_000],
    ["RETRY_BASE_DELAY_MS", "50", "retryBaseDelayMs", 50],
    ["RETRY_MAX_DELAY_MS", "1000", "retryMaxDelayMs", 1_000],
    ["DELIVERY_MAX_AGE_SECONDS", "60", "deliveryMaxAgeMs", 60_000],
    ["DELIVERY_MAX_AGE_SECONDS", "2592000", "deliveryMaxAgeMs", 2_592_000_000],
    ["FORWARD_TEMPLATES", "false", "forwardTemplates", false],
    ["FORWARD_TEMPLATES", "0", "forwardTemplates", false],
    ["FORWARD_TEMPLATES", "NO", "forwardTemplates", false],
    ["FORWARD_CSAT", "no", "forwardCsat", false],
    ["FORWARD_CSAT", "False", "forwardCsat", false],
    ["FORWARD_ASSIGNMENTS", "true", "forwardAssignments", true],
    ["FORWARD_ASSIGNMENTS", "1", "forwardAssignments", true],
    ["FORWARD_ASSIGNMENTS", "Yes", "forwardAssignments", true],
    ["FORWARD_AUTOMATION_MESSAGES", "false", "forwardAutomationMessages", false],
    ["FORWARD_AUTOMATION_MESSAGES", "0", "forwardAutomationMessages", false],
    ["QUEUE_UPDATE_INTERVAL_SECONDS", "0", "queueUpdateIntervalMs", 0],
    ["QUEUE_UPDATE_INTERVAL_SECONDS", "15", "queueUpdateIntervalMs", 15_000],
    ["QUEUE_UPDATE_INTERVAL_SECONDS", "86400", "queueUpdateIntervalMs", 86_400_000],
    ["LOG_LEVEL", "fatal", "logLevel", "fatal"],
    ["LOG_LEVEL", "error", "logLevel", "error"],
    ["LOG_LEVEL", "warn", "logLevel", "warn"],
    ["LOG_LEVEL", "debug", "logLevel", "debug"],
    ["LOG_LEVEL", "trace", "logLevel", "trace"],
    ["LOG_LEVEL", "silent", "logLevel", "silent"],
    ["CHATWOOT_INBOX_IDS", "12", "inboxIds", [12]],
    ["CHATWOOT_INBOX_IDS", "12, 13 ,140", "inboxIds", [12, 13, 140]],
    ["CHATWOOT_WEBHOOK_SECRETS", ` ${WEBHOOK_SECRET} , second-secret-0123456789 ,`, "webhookSecrets", [WEBHOOK_SECRET, "second-secret-0123456789"]],
    ["METRICS_PORT", "0", "metrics", { port: 0, host: "127.0.0.1" }],
    ["METRICS_PORT", "9100", "metrics", { port: 9100, host: "127.0.0.1" }],
    ["METRICS_PORT", "off", "metrics", null],
    ["METRICS_HOST", "0.0.0.0", "metrics", { port: 9464, host: "0.0.0.0" }],
    ["HTTP_MAX_CONNECTIONS", "20000", "http", { headersTimeoutMs: 10_000, requestTimeoutMs: 10_000, idleTimeoutMs: 10_000, keepAliveTimeoutMs: 65_000, maxConnections: 20_000 }],
    ["HTTP_REQUEST_TIMEOUT_MS", "30000", "http", { headersTimeoutMs: 10_000, requestTimeoutMs: 30_000, idleTimeoutMs: 10_000, keepAliveTimeoutMs: 65_000, maxConnections: 4_096 }],
    ["HTTP_REQUEST_TIMEOUT_MS", "5000", "http", { headersTimeoutMs: 5_000, requestTimeoutMs: 5_000, idleTimeoutMs: 10_000, keepAliveTimeoutMs: 65_000, maxConnections: 4_096 }],
    ["HTTP_KEEP_ALIVE_TIMEOUT_MS", "5000", "http", { headersTimeoutMs: 10_000, requestTimeoutMs: 10_000, idleTimeoutMs: 10_000, keepAliveTimeoutMs: 5_000, maxConnections: 4_096 }],
    ["HTTP_IDLE_TIMEOUT_MS", "3000", "http", { headersTimeoutMs: 10_000, requestTimeoutMs: 10_000, idleTimeoutMs: 3_000, keepAliveTimeoutMs: 65_000, maxConnections: 4_096 }],
    ["COGNIGY_ENDPOINT_BASE_URL", "https://endpoint.example.com/", "cognigyEndpointBaseUrl", "https://endpoint.example.com"],
    ["COGNIGY_ENDPOINT_BASE_URL", "http://localhost:8000/prefix//", "cognigyEndpointBaseUrl", "http://localhost:8000/prefix"],
  ])("reads %s=%j as %s", (variable, raw, key, expected) => {
    expect(configOf({ ...MINIMAL, [variable]: raw })[key]).toEqual(expected);
  });

  it("accepts a path token instead of webhook secrets (Chatwoot before 4.13)", () => {
    const config = configOf({ ...without(MINIMAL, "CHATWOOT_WEBHOOK_SECRETS"), CHATWOOT_WEBHOOK_PATH_TOKEN: "A".repeat(24) });
    expect(config.webhookSecrets).toEqual([]);
    expect(config.webhookPathToken).toBe("A".repeat(24));
    expect(config.pathTokenRefused).toBe(false);
  });

  it("refuses the unsigned path-token route when webhook secrets are set, unless ALLOW_UNSIGNED_PATH_TOKEN=true", () => {
    const token = "path_token-0123456789abcdef";
    expect(configOf({ ...MINIMAL, CHATWOOT_WEBHOOK_PATH_TOKEN: token })).toMatchObject({ webhookPathToken: null, pathTokenRefused: true });
    expect(configOf({ ...MINIMAL, CHATWOOT_WEBHOOK_PATH_TOKEN: token, ALLOW_UNSIGNED_PATH_TOKEN: "false" })).toMatchObject({ webhookPathToken: null, pathTokenRefused: true });
    expect(configOf({ ...MINIMAL, CHATWOOT_WEBHOOK_PATH_TOKEN: token, ALLOW_UNSIGNED_PATH_TOKEN: "true" })).toMatchObject({ webhookPathToken: token, pathTokenRefused: false });
  });
});

describe("parseRelayConfig: missing and malformed values name the variable", () => {
  it.each<[string, Env, string]>([
    ["RELAY_SECRET", without(MINIMAL, "RELAY_SECRET"), "RELAY_SECRET is required"],
    ["COGNIGY_ENDPOINT_BASE_URL", without(MINIMAL, "COGNIGY_ENDPOINT_BASE_URL"), "COGNIGY_ENDPOINT_BASE_URL is required"],
    ["CHATWOOT_WEBHOOK_SECRETS", without(MINIMAL, "CHATWOOT_WEBHOOK_SECRETS"), "CHATWOOT_WEBHOOK_SECRETS is required (or CHATWOOT_WEBHOOK_PATH_TOKEN"],
    ["CHATWOOT_WEBHOOK_SECRETS", { ...MINIMAL, CHATWOOT_WEBHOOK_SECRETS: " , ," }, "CHATWOOT_WEBHOOK_SECRETS is required"],
    ["COGNIGY_API_BASE_URL", without(REST, "COGNIGY_API_BASE_URL"), "COGNIGY_API_BASE_URL is required when COGNIGY_INJECT_MODE=rest"],
    ["COGNIGY_API_KEY", without(REST, "COGNIGY_API_KEY"), "COGNIGY_API_KEY is required when COGNIGY_INJECT_MODE=rest"],
    ["COGNIGY_API_KEY", { ...REST, COGNIGY_API_KEY: "  " }, "COGNIGY_API_KEY is required when COGNIGY_INJECT_MODE=rest"],
  ])("reports a missing %s", (variable, env, text) => {
    const problem = problemOf(env);
    expect(problem.variable).toBe(variable);
    expect(problem.message).toContain(text);
    expect(problem.message).toMatch(/^Relay configuration: .*\.$/);
  });

  it.each<[string, string, string]>([
    ["PORT", "http", "PORT must be a whole number from 0 to 65535"],
    ["PORT", "-1", "PORT must be a whole number from 0 to 65535"],
    ["PORT", "65536", "PORT must be a whole number from 0 to 65535"],
    ["QUEUE_UPDATE_INTERVAL_SECONDS", "86401", "QUEUE_UPDATE_INTERVAL_SECONDS must be a whole number from 0 to 86400"],
    ["QUEUE_UPDATE_INTERVAL_SECONDS", "1.5", "QUEUE_UPDATE_INTERVAL_SECONDS must be a whole number from 0 to 86400"],
    ["PORT", "80.5", "PORT must be a whole number from 0 to 65535"],
    ["PORT", "1e3", "PORT must be a whole number from 0 to 65535"],
    ["REORDER_WINDOW_MS", "10001", "REORDER_WINDOW_MS must be a whole number from 0 to 10000"],
    ["REORDER_WINDOW_MS", "-5", "REORDER_WINDOW_MS must be a whole number from 0 to 10000"],
    ["RETRY_BASE_DELAY_MS", "5", "RETRY_BASE_DELAY_MS must be a whole number from 10 to 60000"],
    ["RETRY_MAX_DELAY_MS", "soon", "RETRY_MAX_DELAY_MS must be a whole number from 100 to 3600000"],
    ["DELIVERY_MAX_AGE_SECONDS", "59", "DELIVERY_MAX_AGE_SECONDS must be a whole number from 60 to 2592000"],
    ["DELIVERY_MAX_AGE_SECONDS", "2592001", "DELIVERY_MAX_AGE_SECONDS must be a whole number from 60 to 2592000"],
    ["DELIVERY_MAX_AGE_SECONDS", "1 day", "DELIVERY_MAX_AGE_SECONDS must be a whole number"],
    ["FORWARD_TEMPLATES", "maybe", "FORWARD_TEMPLATES must be true or false"],
    ["FORWARD_CSAT", "on", "FORWARD_CSAT must be true or false"],
    ["FORWARD_ASSIGNMENTS", "2", "FORWARD_ASSIGNMENTS must be true or false"],
    ["LOG_LEVEL", "verbose", "LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent"],
    ["COGNIGY_INJECT_MODE", "socket", "COGNIGY_INJECT_MODE must be endpoint or rest"],
    ["COGNIGY_ENDPOINT_BASE_URL", "endpoint-trial.cognigy.ai", "COGNIGY_ENDPOINT_BASE_URL must be an http(s) URL"],
    ["COGNIGY_ENDPOINT_BASE_URL", "ftp://endpoint.example.com", "COGNIGY_ENDPOINT_BASE_URL must be an http(s) URL"],
    ["COGNIGY_ENDPOINT_BASE_URL", "https://endpoint.example.com/?x=1", "COGNIGY_ENDPOINT_BASE_URL must be an http(s) URL"],
    ["COGNIGY_ENDPOINT_BASE_URL", "https://endpoint.example.com/#top", "COGNIGY_ENDPOINT_BASE_URL must be an http(s) URL"],
    ["CHATWOOT_INBOX_IDS", "12,abc", "CHATWOOT_INBOX_IDS must be a comma-separated list of inbox ids"],
    ["CHATWOOT_INBOX_IDS", "0", "CHATWOOT_INBOX_IDS must be a comma-separated list of inbox ids"],
    ["CHATWOOT_INBOX_IDS", "12,,13", "CHATWOOT_INBOX_IDS must be a comma-separated list of inbox ids"],
    ["CHATWOOT_INBOX_IDS", "-4", "CHATWOOT_INBOX_IDS must be a comma-separated list of inbox ids"],
    ["CHATWOOT_INBOX_IDS", "012", "CHATWOOT_INBOX_IDS must be a comma-separated list of inbox ids"],
    ["RELAY_SECRET", "x".repeat(31), "RELAY_SECRET must be at least 32 characters long"],
    ["CHATWOOT_WEBHOOK_SECRETS", `${WEBHOOK_SECRET},short`, "CHATWOOT_WEBHOOK_SECRETS has a secret shorter than 16 characters"],
    ["CHATWOOT_WEBHOOK_PATH_TOKEN", "a".repeat(23), "CHATWOOT_WEBHOOK_PATH_TOKEN must be at least 24 letters, digits, - or _"],
    ["ALLOW_UNSIGNED_PATH_TOKEN", "maybe", "ALLOW_UNSIGNED_PATH_TOKEN must be true or false"],
    ["METRICS_PORT", "65536", "METRICS_PORT must be a whole number from 0 to 65535"],
    ["METRICS_PORT", "on", "METRICS_PORT must be a whole number from 0 to 65535"],
    ["HTTP_MAX_CONNECTIONS", "0", "HTTP_MAX_CONNECTIONS must be a whole number from 16"],
    ["HTTP_HEADERS_TIMEOUT_MS", "20000", "HTTP_HEADERS_TIMEOUT_MS must not be longer than HTTP_REQUEST_TIMEOUT_MS"],
    ["HTTP_REQUEST_TIMEOUT_MS", "999", "HTTP_REQUEST_TIMEOUT_MS must be a whole number from 1000"],
    ["CHATWOOT_WEBHOOK_PATH_TOKEN", "token with spaces 0123456789", "CHATWOOT_WEBHOOK_PATH_TOKEN must be at least 24 letters, digits, - or _"],
    ["RELAY_DATABASE_URL", "mysql://db/relay", "RELAY_DATABASE_URL must start with postgres:// or postgresql://"],
    ["RELAY_DATABASE_URL", "db:5432/relay", "RELAY_DATABASE_URL must start with postgres:// or postgresql://"],
    ["RELAY_DATABASE_URL", "not a url", "RELAY_DATABASE_URL must be a URL such as postgres://"],
    ["RELAY_DATABASE_URL", `postgres://db/${"x".repeat(4_100)}`, "RELAY_DATABASE_URL must be at most 4,096 characters long"],
    ["RELAY_LEASE_SECONDS", "4", "RELAY_LEASE_SECONDS must be a whole number from 5 to 3600"],
  ])("reports %s=%j as malformed", (variable, raw, text) => {
    const problem = problemOf({ ...MINIMAL, [variable]: raw });
    expect(problem.variable).toBe(variable);
    expect(problem.message).toMatch(/^Relay configuration: .*\.$/);
    expect(problem.message).toContain(`Relay configuration: ${text}`);
  });

  it("quotes a malformed non-secret value, clipped to 40 characters", () => {
    const problem = problemOf({ ...MINIMAL, PORT: `port-${"9".repeat(60)}` });
    expect(problem.message).toContain(`got "port-${"9".repeat(35)}"`);
    expect(problem.message).not.toContain("9".repeat(36));
  });

  it("accepts exactly 32 characters of RELAY_SECRET and 16 of a webhook secret", () => {
    const config = configOf({ ...MINIMAL, RELAY_SECRET: "r".repeat(32), CHATWOOT_WEBHOOK_SECRETS: "w".repeat(16) });
    expect(config.relaySecret).toBe("r".repeat(32));
    expect(config.webhookSecrets).toEqual(["w".repeat(16)]);
  });
});

describe("parseRelayConfig: secrets are never echoed", () => {
  it.each<[string, string, Env]>([
    ["RELAY_SECRET", "short-hunter2", { ...MINIMAL, RELAY_SECRET: "short-hunter2" }],
    ["CHATWOOT_WEBHOOK_SECRETS", "hunter2-short", { ...MINIMAL, CHATWOOT_WEBHOOK_SECRETS: `${WEBHOOK_SECRET},hunter2-short` }],
    ["CHATWOOT_WEBHOOK_SECRETS", WEBHOOK_SECRET, { ...MINIMAL, CHATWOOT_WEBHOOK_SECRETS: `${WEBHOOK_SECRET},hunter2-short` }],
    ["CHATWOOT_WEBHOOK_PATH_TOKEN", "hunter2 token with a space", { ...MINIMAL, CHATWOOT_WEBHOOK_PATH_TOKEN: "hunter2 token with a space" }],
    ["COGNIGY_ENDPOINT_BASE_URL", "hunter2", { ...MINIMAL, COGNIGY_ENDPOINT_BASE_URL: "https://user:hunter2@endpoint.example.com" }],
    ["COGNIGY_API_BASE_URL", "hunter2", { ...REST, COGNIGY_API_BASE_URL: "https://user:hunter2@api.example.com" }],
    ["COGNIGY_API_BASE_URL", "cognigy-api-key-do-not-echo", without(REST, "COGNIGY_API_BASE_URL")],
    ["CHATWOOT_BASE_URL", "hunter2", { ...MINIMAL, CHATWOOT_BASE_URL: "https://agent:hunter2@chat.example.com", CHATWOOT_API_TOKEN: "token-1" }],
    ["CHATWOOT_BASE_URL", "chatwoot-token-hunter2", { ...MINIMAL, CHATWOOT_API_TOKEN: "chatwoot-token-hunter2" }],
    ["RELAY_DATABASE_URL", "hunter2", { ...MINIMAL, RELAY_DATABASE_URL: "mysql://relay:hunter2@db/relay" }],
    ["RELAY_DATABASE_URL", "hunter2", { ...MINIMAL, RELAY_DATABASE_URL: "postgres://relay:hunter2@db:port/relay" }],
  ])("reports %s without the secret %j", (variable, secretText, env) => {
    const problem = problemOf(env);
    expect(problem.variable).toBe(variable);
    expect(problem.message).not.toContain(secretText);
  });

  it.each<[string, string]>([
    ["PORT", "nope"],
    ["LOG_LEVEL", "loud"],
    ["FORWARD_CSAT", "perhaps"],
  ])("never includes RELAY_SECRET or the webhook secret when %s is malformed", (variable, raw) => {
    const problem = problemOf({ ...MINIMAL, [variable]: raw, CHATWOOT_API_TOKEN: "api-token-hunter2", CHATWOOT_BASE_URL: "https://chat.example.com" });
    expect(problem.variable).toBe(variable);
    for (const secret of [RELAY_SECRET, WEBHOOK_SECRET, "api-token-hunter2"]) expect(problem.message).not.toContain(secret);
  });
});

describe("parseRelayConfig: REST inject mode", () => {
  it("needs the API base URL and key but not the endpoint URL", () => {
    const config = configOf(REST);
    expect(config.injectMode).toBe("rest");
    expect(config.cognigyApiBaseUrl).toBe("https://api-trial.cognigy.ai");
    expect(config.cognigyApiKey).toBe("cognigy-api-key-do-not-echo");
    expect(config.cognigyEndpointBaseUrl).toBeNull();
  });

  it("keeps an endpoint URL given as well", () => {
    expect(configOf({ ...REST, COGNIGY_ENDPOINT_BASE_URL: ENDPOINT_URL }).cognigyEndpointBaseUrl).toBe(ENDPOINT_URL);
  });

  it("reports a malformed API base URL by name", () => {
    expect(problemOf({ ...REST, COGNIGY_API_BASE_URL: "api.example.com" }).variable).toBe("COGNIGY_API_BASE_URL");
  });
});

describe("parseRelayConfig: CHATWOOT_BASE_URL and CHATWOOT_API_TOKEN, both or neither", () => {
  it.each<[string, Env, { ok: true; baseUrl: string | null; token: string | null } | { ok: false; variable: string; text: string }]>([
    ["neither", MINIMAL, { ok: true, baseUrl: null, token: null }],
    ["both", { ...MINIMAL, CHATWOOT_BASE_URL: "https://chat.example.com", CHATWOOT_API_TOKEN: "tok" }, { ok: true, baseUrl: "https://chat.example.com", token: "tok" }],
    ["only the base URL", { ...MINIMAL, CHATWOOT_BASE_URL: "https://chat.example.com" }, { ok: false, variable: "CHATWOOT_API_TOKEN", text: "is required together with the other (both or neither)" }],
    ["only the token", { ...MINIMAL, CHATWOOT_API_TOKEN: "tok" }, { ok: false, variable: "CHATWOOT_BASE_URL", text: "is required together with the other (both or neither)" }],
    ["a blank token", { ...MINIMAL, CHATWOOT_BASE_URL: "https://chat.example.com", CHATWOOT_API_TOKEN: " " }, { ok: false, variable: "CHATWOOT_API_TOKEN", text: "is required together with the other (both or neither)" }],
    ["a malformed base URL", { ...MINIMAL, CHATWOOT_BASE_URL: "chat.example.com", CHATWOOT_API_TOKEN: "tok" }, { ok: false, variable: "CHATWOOT_BASE_URL", text: "must be an http(s) URL" }],
  ])("with %s", (_, env, expected) => {
    const result = parseRelayConfig(env);
    if (expected.ok) {
      expect(result).toMatchObject({ ok: true, config: { chatwootBaseUrl: expected.baseUrl, chatwootApiToken: expected.token } });
    } else {
      expect(result).toMatchObject({ ok: false, variable: expected.variable });
      if (!result.ok) expect(result.message).toContain(`${expected.variable} ${expected.text}`);
    }
  });

  it.each<[string, string]>([
    ["https://chat.example.com", "https://chat.example.com"],
    ["https://chat.example.com/", "https://chat.example.com"],
    ["https://chat.example.com/api/v1", "https://chat.example.com"],
    ["https://chat.example.com/api/v1/", "https://chat.example.com"],
    ["https://chat.example.com/API/V1", "https://chat.example.com"],
    ["https://example.com/chatwoot/api/v1", "https://example.com/chatwoot"],
    ["http://localhost:3000/chatwoot", "http://localhost:3000/chatwoot"],
  ])("accepts CHATWOOT_BASE_URL=%j as %j", (raw, expected) => {
    expect(configOf({ ...MINIMAL, CHATWOOT_BASE_URL: raw, CHATWOOT_API_TOKEN: "tok" }).chatwootBaseUrl).toBe(expected);
  });
});
