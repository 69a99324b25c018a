import { mkdtempSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { REPO_ROOT } from "../../test/support/load-extension";
import { freePort } from "./free-port";
import { startHealthChecked, type RunningProcess } from "./processes";
import { BENCH_RELAY_SECRET, BENCH_WEBHOOK_SECRET } from "./webhook-load";

/** The built relay (dist/relay.js, what `npm run relay` runs) as its own process, with a fresh outbox and its metrics listener on another free port. */
export async function startRelayProcess(cognigyUrl: string, env: Record<string, string> = {}): Promise<RunningProcess & { metricsUrl: string }> {
  const port = await freePort();
  const metricsPort = await freePort();
  const relay = await startHealthChecked(join(REPO_ROOT, "dist", "relay.js"), {
    PORT: String(port),
    HOST: "127.0.0.1",
    METRICS_PORT: String(metricsPort),
    METRICS_HOST: "127.0.0.1",
    RELAY_SECRET: BENCH_RELAY_SECRET,
    CHATWOOT_WEBHOOK_SECRETS: BENCH_WEBHOOK_SECRET,
    COGNIGY_ENDPOINT_BASE_URL: cognigyUrl,
    RELAY_DATA_DIR: mkdtempSync(join(tmpdir(), "relay-bench-")),
    LOG_LEVEL: "info",
    ...env,
  });
  return { ...relay, metricsUrl: `http://127.0.0.1:${metricsPort}` };
}
