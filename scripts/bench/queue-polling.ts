import { mkdtempSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { readRecord } from "../../src/core/json-guards";
import { ROUTE_ATTRIBUTE, sealRoute } from "../../src/core/route-seal";
import { startChatwootSimulator, USER_TOKEN } from "../../test/support/chatwoot-simulator/server";
import { metricValue } from "../../test/support/prometheus-text";
import { startLocalServer } from "./processes";
import { startRelayProcess } from "./relay-process";
import { BENCH_RELAY_SECRET, BENCH_WEBHOOK_SECRET } from "./webhook-load";

export interface QueuePollingRow {
  waiting: number;
  /** Queue listings the relay asked of Chatwoot for the inbox. */
  listings: number;
  /** Whole intervals the run lasted (from the first listing to the end). */
  intervals: number;
  /**
   * The shortest time between two listings of the inbox as they arrived (ms), the first gap
   * left out (the relay's first request loads its HTTP client and opens the connection, so it
   * arrives late and the next gap looks short); null with fewer than three listings.
   */
  minGapMs: number | null;
  /** Every gap between two listings as they arrived (ms). */
  gaps: number[];
  /** queue_update injects Cognigy received, and the updates the relay counted. */
  injects: number;
  updates: number;
}

const LISTING = "GET /api/v1/accounts/{account_id}/conversations";
const INBOX = 12;
const INTERVAL_SECONDS = 1;

/**
 * Issue 13: with N users waiting in one inbox (all asking for queue updates),
 * the relay process lists the inbox's queue at most once per
 * QUEUE_UPDATE_INTERVAL_SECONDS, and each update costs one injected input.
 * Counted at the Chatwoot simulator and at a local Cognigy endpoint.
 */
export async function benchQueuePolling(waiting: number, intervals: number, validate: boolean): Promise<QueuePollingRow> {
  let injects = 0;
  const cognigy = await startLocalServer((body) => {
    const event = readRecord(readRecord(readRecord(safeJson(body)).data).chatwoot);
    if (event.type === "queue_update") injects += 1;
    return 200;
  });
  const chatwoot = await startChatwootSimulator({ validate });
  const relay = await startRelayProcess(cognigy.url, {
    LOG_LEVEL: "warn",
    CHATWOOT_BASE_URL: chatwoot.baseUrl,
    CHATWOOT_API_TOKEN: USER_TOKEN,
    QUEUE_UPDATE_INTERVAL_SECONDS: String(INTERVAL_SECONDS),
    RELAY_DATA_DIR: mkdtempSync(join(tmpdir(), "relay-bench-queue-")),
  });
  try {
    chatwoot.addInbox({ id: INBOX, webhookUrl: `${relay.url}/handover/chatwoot`, webhookSecret: BENCH_WEBHOOK_SECRET });
    for (let index = 0; index < waiting; index += 1) {
      const sourceId = `bench-queue-${index}`;
      const contact = chatwoot.store.createContact({ name: `User ${index}`, identifier: `bench-user-${index}`, email: null, phoneNumber: null }, { inboxId: INBOX, sourceId });
      const sealed = sealRoute({ userId: `bench-user-${index}`, sessionId: `bench-session-${index}`, urlToken: "bench-url-token" }, { inboxId: INBOX, sourceId }, BENCH_RELAY_SECRET, Date.now(), { queueUpdates: true });
      chatwoot.store.createConversation({ inboxId: INBOX, contactId: contact.id, sourceId, status: null, customAttributes: { [ROUTE_ATTRIBUTE]: sealed }, teamId: null, assigneeId: null });
    }
    await chatwoot.webhooks.settled();
    await new Promise((resolve) => setTimeout(resolve, intervals * INTERVAL_SECONDS * 1000 + 300));
    const times = chatwoot.requests.filter((request) => request.operation === LISTING).map((request) => request.at);
    const gaps = times.slice(1).map((time, index) => time - (times[index] ?? time));
    const metrics = await (await fetch(`${relay.metricsUrl}/metrics`)).text();
    if (chatwoot.violations.length > 0) throw new Error(`the simulator refused requests: ${chatwoot.violations.join("; ")}`);
    const first = times[0] ?? Date.now();
    return {
      waiting,
      listings: times.length,
      intervals: Math.max(1, Math.floor((Date.now() - first) / (INTERVAL_SECONDS * 1000))),
      minGapMs: gaps.length < 2 ? null : Math.min(...gaps.slice(1)),
      gaps,
      injects,
      updates: metricValue(metrics, "relay_queue_updates_total"),
    };
  } finally {
    await relay.stop();
    await chatwoot.close();
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
