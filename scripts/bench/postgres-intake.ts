import autocannon from "autocannon";
import { join } from "path";
import { REPO_ROOT } from "../../test/support/load-extension";
import { startProcess, type RunningProcess } from "./processes";
import { startRelayProcess } from "./relay-process";
import { median, round } from "./stats";
import { createWebhookLoad } from "./webhook-load";

export interface PostgresIntakeResult {
  rounds: number;
  secondsPerRun: number;
  replicas: number;
  barePerSecond: number;
  /** Acknowledged per second by all replicas together (each driven by its share of the same 32 connections). */
  perSecond: number;
  /** Median over the rounds of (the replicas' rate ÷ the bare server's rate in the same round). */
  ratio: number;
  errors: number;
}

/** Drives every target at once, the 32 connections shared among them; returns the sum of their acknowledgements per second. */
async function drive(urls: string[], seconds: number, load: ReturnType<typeof createWebhookLoad>): Promise<{ perSecond: number; errors: number }> {
  const results = await Promise.all(
    urls.map((url) =>
      autocannon({
        url: `${url}/handover/chatwoot`,
        method: "POST",
        connections: Math.max(1, Math.floor(32 / urls.length)),
        duration: seconds,
        requests: [{ method: "POST", setupRequest: (request) => ({ ...request, ...load.next() }) }],
      }),
    ),
  );
  return {
    perSecond: results.reduce((sum, result) => sum + result.requests.average, 0),
    errors: results.reduce((sum, result) => sum + result.non2xx + result.errors + result.timeouts, 0),
  };
}

/**
 * Webhooks acknowledged per second by `replicas` relays sharing one PostgreSQL
 * outbox (RELAY_DATABASE_URL), against the bare Node server of intake.ts, the
 * two taking turns round after round (the median ratio is reported). Cognigy
 * keeps deliveries waiting, so this is intake alone: verify, classify, commit
 * to PostgreSQL (one transaction per turn of each replica's event loop),
 * answer. PostgreSQL runs on the same machine, so the relays, the database
 * and the load generator share its cores.
 */
export async function benchPostgresIntake(databaseUrl: string, replicas: number, rounds: number, secondsPerRun: number): Promise<PostgresIntakeResult> {
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
    const relays: RunningProcess[] = [];
    for (let index = 0; index < replicas; index += 1) relays.push(await start(startRelayProcess(hangingCognigy.url, { LOG_LEVEL: "warn", REORDER_WINDOW_MS: "0", RELAY_DATABASE_URL: databaseUrl })));
    const relayUrls = relays.map((relay) => relay.url);
    const load = createWebhookLoad();
    await drive([bare.url], 1, load);
    await drive(relayUrls, 1, load);
    const bareRuns: number[] = [];
    const relayRuns: number[] = [];
    let errors = 0;
    for (let round = 0; round < rounds; round += 1) {
      bareRuns.push((await drive([bare.url], secondsPerRun, load)).perSecond);
      const relayed = await drive(relayUrls, secondsPerRun, load);
      relayRuns.push(relayed.perSecond);
      errors += relayed.errors;
    }
    return {
      rounds,
      secondsPerRun,
      replicas,
      barePerSecond: round(median(bareRuns), 0),
      perSecond: round(median(relayRuns), 0),
      ratio: round(median(relayRuns.map((rate, index) => rate / (bareRuns[index] ?? Number.NaN))), 3),
      errors,
    };
  } finally {
    for (const running of started.reverse()) running.child.kill("SIGKILL");
  }
}
