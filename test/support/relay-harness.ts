import { mkdtempSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { parseRelayConfig, type RelayConfig } from "../../src/relay/relay-config";
import { createRelayService, type RelayService } from "../../src/relay/relay-service";
import type { RetryPolicy } from "../../src/relay/retry-policy";
import { DEFAULT_RETRY_POLICY } from "../../src/relay/retry-policy";
import { RELAY_SECRET } from "./extension-harness";
import type { SignedWebhook } from "./chatwoot-webhooks";
import { startFakeCognigyEndpoint, type FakeCognigyEndpoint } from "./fake-cognigy-endpoint";

export const WEBHOOK_SECRET = "webhook-secret-0123456789abcdef-WEBHOOK";
export const PATH_TOKEN = "path-token-0123456789abcdefghij";

/** Retries in milliseconds, so tests of backoff take no time. */
export const FAST_RETRIES: RetryPolicy = { ...DEFAULT_RETRY_POLICY, baseDelayMs: 20, maxDelayMs: 200 };

export interface RelayHarness {
  relay: RelayService;
  cognigy: FakeCognigyEndpoint;
  config: RelayConfig;
  url: string;
  /** The metrics listener's address (`GET /metrics`); never the webhook port. */
  metricsUrl: string;
  dataDir: string;
  post(webhook: SignedWebhook, path?: string): Promise<{ status: number; body: unknown }>;
  close(): Promise<void>;
}

/** The environment a test relay runs with: the fake Cognigy endpoint, a temp data dir, quiet logs. */
export function relayEnv(cognigy: FakeCognigyEndpoint, dataDir: string, overrides: Record<string, string> = {}): Record<string, string> {
  return {
    PORT: "0",
    HOST: "127.0.0.1",
    METRICS_PORT: "0",
    RELAY_SECRET,
    CHATWOOT_WEBHOOK_SECRETS: WEBHOOK_SECRET,
    COGNIGY_ENDPOINT_BASE_URL: cognigy.baseUrl,
    RELAY_DATA_DIR: dataDir,
    LOG_LEVEL: "silent",
    REORDER_WINDOW_MS: "0",
    ...(overrides.COGNIGY_INJECT_MODE === "rest" ? { COGNIGY_API_BASE_URL: cognigy.apiBaseUrl, COGNIGY_API_KEY: cognigy.apiKey } : {}),
    ...overrides,
  };
}

/** A real relay on a free port, delivering to a fake Cognigy endpoint. */
export async function startRelayHarness(
  overrides: Record<string, string> = {},
  options: { policy?: RetryPolicy; cognigy?: FakeCognigyEndpoint; dataDir?: string; /** Settings the environment cannot give, e.g. a queue interval under a second. */ config?: Partial<RelayConfig>; /** The relay's clock (default Date.now). */ now?: () => number } = {},
): Promise<RelayHarness> {
  const cognigy = options.cognigy ?? (await startFakeCognigyEndpoint());
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), "relay-test-"));
  const parsed = parseRelayConfig(relayEnv(cognigy, dataDir, overrides));
  if (!parsed.ok) throw new Error(parsed.message);
  const config: RelayConfig = { ...parsed.config, ...options.config };
  const relay = createRelayService(config, { logger: false, policy: options.policy ?? FAST_RETRIES, ...(options.now === undefined ? {} : { now: options.now }) });
  const url = await relay.start();
  const metricsUrl = relay.metricsUrl();
  if (metricsUrl === null) throw new Error("the test relay has no metrics listener (METRICS_PORT=off)");
  return {
    relay,
    cognigy,
    config,
    url,
    metricsUrl,
    dataDir,
    async post(webhook, path = "/handover/chatwoot") {
      const response = await fetch(`${url}${path}`, { method: "POST", headers: webhook.headers, body: webhook.body });
      const text = await response.text();
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // not JSON: keep the text
      }
      return { status: response.status, body };
    },
    async close() {
      await relay.stop();
      await cognigy.close();
    },
  };
}
