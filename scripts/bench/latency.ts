import autocannon from "autocannon";
import { performance } from "perf_hooks";
import { readRecord } from "../../src/core/json-guards";
import { startLocalServer } from "./processes";
import { startRelayProcess } from "./relay-process";
import { percentile, round } from "./stats";
import { createWebhookLoad } from "./webhook-load";

export interface LatencyResult {
  reorderWindowMs: number;
  rate: number;
  seconds: number;
  sent: number;
  delivered: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

const clock = (): number => performance.timeOrigin + performance.now();

/**
 * From a webhook's arrival to the inject reaching a local Cognigy endpoint, at
 * a fixed rate: each webhook carries the time it was sent in its text; the
 * endpoint (in this process, same clock) notes when the inject arrives.
 * `env` adds to the relay's environment (RELAY_DATABASE_URL: the PostgreSQL outbox).
 */
export async function benchLatency(rate: number, seconds: number, reorderWindowMs: number, env: Record<string, string> = {}): Promise<LatencyResult> {
  const samples: number[] = [];
  const cognigy = await startLocalServer((body) => {
    const arrived = clock();
    const event = readRecord(readRecord(readRecord(safeJson(body)).data).chatwoot);
    const sent = Number(String(event.text ?? "").split("|")[0]);
    if (Number.isFinite(sent) && sent > 0) samples.push(arrived - sent);
    return 200;
  });
  const relay = await startRelayProcess(cognigy.url, { LOG_LEVEL: "warn", REORDER_WINDOW_MS: String(reorderWindowMs), ...env });
  const load = createWebhookLoad();
  try {
    const result = await autocannon({
      url: `${relay.url}/handover/chatwoot`,
      method: "POST",
      // autocannon paces each connection on its own timer, and the timers fire together: with many
      // connections a "fixed rate" arrives in bursts. Two connections spread it evenly.
      connections: 2,
      overallRate: rate,
      duration: seconds,
      requests: [{ method: "POST", setupRequest: (request) => ({ ...request, ...load.next(String(clock())) }) }],
    });
    const sent = result.requests.total;
    const deadline = Date.now() + 10_000;
    while (samples.length < sent && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    return {
      reorderWindowMs,
      rate,
      seconds,
      sent,
      delivered: samples.length,
      p50Ms: round(percentile(samples, 50)),
      p99Ms: round(percentile(samples, 99)),
      maxMs: round(Math.max(...samples)),
    };
  } finally {
    relay.child.kill("SIGKILL");
    await cognigy.close();
  }
}

function safeJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString("utf8"));
  } catch {
    return undefined;
  }
}
