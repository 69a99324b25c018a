import autocannon from "autocannon";
import { readFileSync } from "fs";
import { startLocalServer } from "./processes";
import { startRelayProcess } from "./relay-process";
import { round } from "./stats";
import { createWebhookLoad } from "./webhook-load";

export interface BacklogResult {
  store: "sqlite" | "postgres";
  /** The backlog aimed at (pending jobs). */
  target: number;
  secondsPerRun: number;
  /** Acknowledged per second with nothing pending. */
  intakeEmpty: number;
  /** Pending when the second intake run started. */
  pendingBefore: number;
  /** Acknowledged per second with `pendingBefore` pending. */
  intakeWithBacklog: number;
  /** intakeWithBacklog ÷ intakeEmpty. */
  ratio: number;
  /** The relay process's resident memory with the backlog pending (MB). */
  rssMb: number;
  /** Pending when Cognigy came back. */
  backlog: number;
  drainSeconds: number;
  /** Jobs delivered per second after the outage, until the outbox was empty (or the time ran out). */
  drainPerSecond: number;
  /** Still pending when the time ran out (0: drained). */
  left: number;
  errors: number;
}

async function pending(metricsUrl: string): Promise<number> {
  const text = await (await fetch(`${metricsUrl}/metrics`)).text();
  return Number(/relay_outbox_depth\{state="pending"\} (\d+)/.exec(text)?.[1] ?? Number.NaN);
}

/** Resident memory of a process (Linux /proc), in MB. */
function rssMb(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? Number.NaN);
  return round(kb / 1024, 0);
}

async function drive(url: string, load: ReturnType<typeof createWebhookLoad>, limit: { seconds: number } | { amount: number }): Promise<{ perSecond: number; errors: number }> {
  const result = await autocannon({
    url: `${url}/handover/chatwoot`,
    method: "POST",
    connections: 32,
    ...("seconds" in limit ? { duration: limit.seconds } : { amount: limit.amount }),
    requests: [{ method: "POST", setupRequest: (request) => ({ ...request, ...load.next() }) }],
  });
  return { perSecond: "seconds" in limit ? result.requests.average : result.requests.total / Math.max(result.duration, 0.001), errors: result.non2xx + result.errors + result.timeouts };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A Cognigy outage and its end, on one store: while Cognigy answers 503 the
 * relay's intake is measured from an empty outbox (which that run itself
 * starts to fill: "0 pending" is its start), then the outbox is filled
 * to `target` pending jobs (200 conversations, as webhook-load.ts sends) and
 * the intake measured again; the relay's RSS is read then. Cognigy comes back
 * and the drain rate is the jobs delivered per second until the outbox is
 * empty (at most `drainLimitMs`). Retries wait 1 to 2 s, so the drain starts
 * within 2 s of Cognigy's return.
 */
export async function benchBacklog(store: "sqlite" | "postgres", env: Record<string, string>, target: number, secondsPerRun: number, drainLimitMs: number): Promise<BacklogResult> {
  let status = 503;
  const cognigy = await startLocalServer(() => status);
  const relay = await startRelayProcess(cognigy.url, { LOG_LEVEL: "warn", REORDER_WINDOW_MS: "0", RETRY_BASE_DELAY_MS: "1000", RETRY_MAX_DELAY_MS: "2000", ...env });
  const load = createWebhookLoad();
  let errors = 0;
  try {
    await drive(relay.url, load, { seconds: 1 });
    const empty = await drive(relay.url, load, { seconds: secondsPerRun });
    errors += empty.errors;
    for (let now = await pending(relay.metricsUrl); now < target; now = await pending(relay.metricsUrl)) {
      errors += (await drive(relay.url, load, { amount: Math.min(20_000, target - now + 100) })).errors;
    }
    await sleep(1_000);
    const pendingBefore = await pending(relay.metricsUrl);
    const full = await drive(relay.url, load, { seconds: secondsPerRun });
    errors += full.errors;
    const rss = rssMb(relay.child.pid);
    await sleep(500);
    const backlog = await pending(relay.metricsUrl);
    status = 200;
    const started = Date.now();
    let left = backlog;
    while (left > 0 && Date.now() - started < drainLimitMs) {
      await sleep(100);
      left = await pending(relay.metricsUrl);
    }
    const drainSeconds = (Date.now() - started) / 1000;
    return {
      store,
      target,
      secondsPerRun,
      intakeEmpty: round(empty.perSecond, 0),
      pendingBefore,
      intakeWithBacklog: round(full.perSecond, 0),
      ratio: round(full.perSecond / empty.perSecond, 2),
      rssMb: rss,
      backlog,
      drainSeconds: round(drainSeconds, 1),
      drainPerSecond: round((backlog - left) / drainSeconds, 0),
      left,
      errors,
    };
  } finally {
    relay.child.kill("SIGKILL");
    await cognigy.close();
  }
}
