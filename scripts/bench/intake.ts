import autocannon from "autocannon";
import { join } from "path";
import { REPO_ROOT } from "../../test/support/load-extension";
import { startProcess, type RunningProcess } from "./processes";
import { startRelayProcess } from "./relay-process";
import { median, round } from "./stats";
import { createWebhookLoad } from "./webhook-load";

export interface IntakeRun {
  perSecond: number;
  /** Median over the rounds of (this rate ÷ the bare server's rate in the same round). */
  ratio: number;
  ackP50Ms: number;
  ackP99Ms: number;
  errors: number;
}

export interface IntakeResult {
  rounds: number;
  secondsPerRun: number;
  barePerSecond: number;
  /** Cognigy keeps the relay's deliveries waiting: the relay only acknowledges (the goal's measure). */
  intakeOnly: IntakeRun;
  /** Cognigy answers at once: the relay acknowledges and delivers at the same time. */
  whileDelivering: IntakeRun;
  bodyBytes: number;
}

interface Drive {
  perSecond: number;
  p50: number;
  p99: number;
  errors: number;
}

async function drive(url: string, durationSeconds: number, load: ReturnType<typeof createWebhookLoad>): Promise<Drive> {
  const result = await autocannon({
    url: `${url}/handover/chatwoot`,
    method: "POST",
    connections: 32,
    duration: durationSeconds,
    requests: [{ method: "POST", setupRequest: (request) => ({ ...request, ...load.next() }) }],
  });
  return { perSecond: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, errors: result.non2xx + result.errors + result.timeouts };
}

/** Waits until the relay has delivered its backlog (read on its metrics listener), so it does not compete with the next run. */
async function drained(url: string, timeoutMs = 60_000): Promise<void> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    const metrics = await (await fetch(`${url}/metrics`)).text();
    if (/relay_outbox_depth\{state="pending"\} 0\b/.test(metrics)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function summarise(runs: Drive[], bare: number[]): IntakeRun {
  return {
    perSecond: round(median(runs.map((run) => run.perSecond)), 0),
    ratio: round(median(runs.map((run, index) => run.perSecond / (bare[index] ?? Number.NaN))), 3),
    ackP50Ms: median(runs.map((run) => run.p50)),
    ackP99Ms: median(runs.map((run) => run.p99)),
    errors: runs.reduce((sum, run) => sum + run.errors, 0),
  };
}

/**
 * Webhooks acknowledged per second at saturation: the relay (verify, classify,
 * commit to the outbox with fsync, answer) against a bare Node server that only
 * reads the body, each as its own process, driven by the same autocannon. The
 * machine is shared and noisy, so the three targets take turns, round after
 * round, and each round gives its own ratio; the median is reported. The relay
 * runs twice: with Cognigy not answering (intake alone) and with Cognigy
 * answering at once (intake while delivering).
 */
export async function benchIntake(rounds: number, secondsPerRun: number): Promise<IntakeResult> {
  const bareServer = join(REPO_ROOT, ".stage", "bench-bare-server.js");
  const started: RunningProcess[] = [];
  const start = async <T extends RunningProcess>(promise: Promise<T>): Promise<T> => {
    const running = await promise;
    started.push(running);
    return running;
  };
  try {
    const bare = await start(startProcess(bareServer, {}));
    const hangingCognigy = await start(startProcess(bareServer, { MODE: "hang" }));
    const answeringCognigy = await start(startProcess(bareServer, {}));
    const intakeOnly = await start(startRelayProcess(hangingCognigy.url, { LOG_LEVEL: "warn", REORDER_WINDOW_MS: "0" }));
    const delivering = await start(startRelayProcess(answeringCognigy.url, { LOG_LEVEL: "warn", REORDER_WINDOW_MS: "0" }));
    const load = createWebhookLoad();
    for (const target of [bare, intakeOnly, delivering]) await drive(target.url, 1, load);
    await drained(delivering.metricsUrl);
    const runs = { bare: [] as Drive[], intakeOnly: [] as Drive[], delivering: [] as Drive[] };
    for (let round = 0; round < rounds; round += 1) {
      runs.bare.push(await drive(bare.url, secondsPerRun, load));
      runs.intakeOnly.push(await drive(intakeOnly.url, secondsPerRun, load));
      runs.delivering.push(await drive(delivering.url, secondsPerRun, load));
      await drained(delivering.metricsUrl);
    }
    const bareRates = runs.bare.map((run) => run.perSecond);
    return {
      rounds,
      secondsPerRun,
      barePerSecond: round(median(bareRates), 0),
      intakeOnly: summarise(runs.intakeOnly, bareRates),
      whileDelivering: summarise(runs.delivering, bareRates),
      bodyBytes: load.next().body.length,
    };
  } finally {
    for (const running of started.reverse()) running.child.kill("SIGKILL");
  }
}
