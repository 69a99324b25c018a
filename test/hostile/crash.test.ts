import { mkdtempSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { readRecord } from "../../src/core/json-guards";
import { verifyRelayEvent } from "../../src/core/relay-event-signature";
import { agentMessage, conversationFor, signWebhook, type WebhookConversation } from "../support/chatwoot-webhooks";
import { RELAY_SECRET } from "../support/extension-harness";
import { startFakeCognigyEndpoint, type FakeCognigyEndpoint } from "../support/fake-cognigy-endpoint";
import { writeHostileReport } from "../support/hostile-report";
import { relayEnv, WEBHOOK_SECRET } from "../support/relay-harness";
import { killRelay, startRelayProcess, type RelayProcess } from "../support/relay-process";

/**
 * The relay process is killed with SIGKILL in the middle of a burst and
 * restarted on the same data directory. Everything it acknowledged must reach
 * Cognigy, in Chatwoot's order per conversation; only the delivery in flight
 * at the kill (one per conversation at most) may reach it twice, with the
 * same event id, so the Session node shows it once.
 */

const CONVERSATIONS = 20;
const PER_CONVERSATION = 50;
const TOTAL = CONVERSATIONS * PER_CONVERSATION;
const RUNS = 5;
const SEED = Number(process.env.HOSTILE_SEED ?? Date.now() % 100_000);

/** A small seeded generator (mulberry32), so a failing run can be repeated with HOSTILE_SEED. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface CrashCounts {
  killAfterAcks: number;
  sent: number;
  acknowledged: number;
  notAcknowledged: number;
  delivered: number;
  lost: number;
  duplicated: number;
  duplicatedNotInFlight: number;
  /** Repeats carrying another event id than the first delivery (the Session node drops a repeat by its id). */
  duplicatedWithNewEventId: number;
  maxDuplicatesPerConversation: number;
  outOfOrder: number;
  unexpectedResponses: number;
  cognigyViolations: number;
}

/** The message key ("c3 m17") and event id of each successful inject, in arrival order. */
function deliveredKeys(cognigy: FakeCognigyEndpoint, sessionOf: Map<string, number>): { key: string; eventId: string; conversation: number }[] {
  return cognigy.delivered.map((inject) => {
    const conversation = sessionOf.get(inject.sessionId) ?? -1;
    const verdict = verifyRelayEvent(inject.data.chatwoot, RELAY_SECRET, inject.sessionId);
    if (!verdict.ok || verdict.event.type !== "agent_message") return { key: `unverifiable ${inject.sessionId}`, eventId: "", conversation };
    return { key: verdict.event.text, eventId: verdict.event.id, conversation };
  });
}

async function crashRun(run: number, killAfterAcks: number): Promise<CrashCounts> {
  const cognigy = await startFakeCognigyEndpoint();
  // Cognigy answers after 0–3 ms, so deliveries are in flight when the kill comes.
  cognigy.respondWith((_inject, n) => ({ status: 200, delayMs: n % 4 }));
  const env = relayEnv(cognigy, mkdtempSync(join(tmpdir(), `relay-crash-${run}-`)));
  const sessionOf = new Map<string, number>();
  const conversations: WebhookConversation[] = Array.from({ length: CONVERSATIONS }, (_, index) => {
    const route = { userId: `user-${run}-${index}`, sessionId: `session-${run}-${index}`, urlToken: `url-token-${run}-${index}` };
    sessionOf.set(route.sessionId, index);
    return conversationFor(route, RELAY_SECRET, { id: 4000 + index });
  });

  const conversationAt = (index: number): WebhookConversation => {
    const conversation = conversations[index];
    if (conversation === undefined) throw new Error(`no conversation ${index}`);
    return conversation;
  };

  let relay: RelayProcess = await startRelayProcess(env);
  let available: Promise<RelayProcess> = Promise.resolve(relay);
  const acknowledged = new Set<string>();
  const notAcknowledged = new Set<string>();
  let unexpectedResponses = 0;
  /** Per conversation, the last message Cognigy had received when the relay died: the one that may be in flight. */
  let inFlightAtKill = new Map<number, string>();
  let killed = false;

  function crash(): void {
    killed = true;
    const dying = relay;
    available = (async () => {
      await killRelay(dying);
      // Requests the relay wrote just before it died may still be in the kernel's buffers: let them land first.
      await new Promise((resolve) => setTimeout(resolve, 200));
      inFlightAtKill = new Map(deliveredKeys(cognigy, sessionOf).map(({ key, conversation }) => [conversation, key]));
      relay = await startRelayProcess(env);
      return relay;
    })();
  }

  async function send(conversation: number): Promise<void> {
    for (let index = 0; index < PER_CONVERSATION; index += 1) {
      const target = await available;
      const key = `c${conversation} m${index}`;
      const payload = agentMessage(conversationAt(conversation), {
        id: 100_000 * (run + 1) + conversation * 1000 + index,
        content: key,
        createdAt: new Date(Date.UTC(2026, 10, 22, 9, 0, 0, index * 10)),
      });
      const webhook = signWebhook(payload, WEBHOOK_SECRET);
      try {
        const response = await fetch(`${target.url}/handover/chatwoot`, { method: "POST", headers: webhook.headers, body: webhook.body });
        const body = readRecord(await response.json());
        if (response.status !== 200 || body.status !== "accepted") {
          unexpectedResponses += 1;
          continue;
        }
        acknowledged.add(key);
        if (!killed && acknowledged.size >= killAfterAcks) crash();
      } catch {
        // The relay died under this request: Chatwoot marks the message failed and does not retry.
        notAcknowledged.add(key);
      }
    }
  }

  await Promise.all(Array.from({ length: CONVERSATIONS }, (_, conversation) => send(conversation)));
  await available;
  const everyAcked = (): boolean => {
    const keys = new Set(deliveredKeys(cognigy, sessionOf).map(({ key }) => key));
    return [...acknowledged].every((key) => keys.has(key));
  };
  for (const started = Date.now(); !everyAcked() && Date.now() - started < 20_000; ) await new Promise((resolve) => setTimeout(resolve, 50));
  // Anything still coming (a duplicate) arrives now.
  await new Promise((resolve) => setTimeout(resolve, 300));
  relay.child.kill("SIGTERM");
  await relay.exited;
  await cognigy.close();

  const delivered = deliveredKeys(cognigy, sessionOf);
  const times = new Map<string, number>();
  for (const { key } of delivered) times.set(key, (times.get(key) ?? 0) + 1);
  const duplicates = [...times].filter(([, count]) => count > 1);
  const eventIds = new Map<string, Set<string>>();
  for (const { key, eventId } of delivered) eventIds.set(key, (eventIds.get(key) ?? new Set<string>()).add(eventId));
  const duplicatesPerConversation = new Map<number, number>();
  for (const [key, count] of duplicates) {
    const conversation = Number(/^c(\d+) /.exec(key)?.[1] ?? -1);
    duplicatesPerConversation.set(conversation, (duplicatesPerConversation.get(conversation) ?? 0) + count - 1);
  }
  let outOfOrder = 0;
  const highest = new Map<number, number>();
  const firstSeen = new Set<string>();
  for (const { key, conversation } of delivered) {
    if (firstSeen.has(key)) continue;
    firstSeen.add(key);
    const index = Number(/ m(\d+)$/.exec(key)?.[1] ?? -1);
    if (index < (highest.get(conversation) ?? -1)) outOfOrder += 1;
    highest.set(conversation, Math.max(index, highest.get(conversation) ?? -1));
  }
  const inFlight = new Set(inFlightAtKill.values());
  return {
    killAfterAcks,
    sent: TOTAL,
    acknowledged: acknowledged.size,
    notAcknowledged: notAcknowledged.size,
    delivered: times.size,
    lost: [...acknowledged].filter((key) => !times.has(key)).length,
    duplicated: duplicates.reduce((sum, [, count]) => sum + count - 1, 0),
    duplicatedNotInFlight: duplicates.filter(([key]) => !inFlight.has(key)).length,
    duplicatedWithNewEventId: duplicates.filter(([key]) => (eventIds.get(key)?.size ?? 0) !== 1).length,
    maxDuplicatesPerConversation: Math.max(0, ...duplicatesPerConversation.values()),
    outOfOrder,
    unexpectedResponses,
    cognigyViolations: cognigy.violations.length,
  };
}

describe("hostile: the relay is killed with SIGKILL in the middle of a burst", () => {
  const runs: CrashCounts[] = [];

  afterAll(() => writeHostileReport("crash", { seed: SEED, conversations: CONVERSATIONS, messagesPerRun: TOTAL, runs }));

  const next = random(SEED);
  // Five kill points, one in each fifth of the burst (after at least 50 acknowledgements).
  const killPoints = Array.from({ length: RUNS }, (_, run) => 50 + Math.floor(((run + next()) * (TOTAL - 100)) / RUNS));

  it.each(killPoints.map((killAfterAcks, run) => [run + 1, killAfterAcks]))(
    "run %i, killed after %i acknowledgements: nothing acknowledged is lost, nothing out of order, only the delivery in flight repeated",
    async (run, killAfterAcks) => {
      const counts = await crashRun(run, killAfterAcks);
      runs.push(counts);
      expect(counts.acknowledged).toBeGreaterThanOrEqual(killAfterAcks);
      expect(counts.acknowledged + counts.notAcknowledged).toBe(TOTAL);
      expect({ lost: counts.lost, outOfOrder: counts.outOfOrder, duplicatedNotInFlight: counts.duplicatedNotInFlight, duplicatedWithNewEventId: counts.duplicatedWithNewEventId, unexpectedResponses: counts.unexpectedResponses, cognigyViolations: counts.cognigyViolations }).toEqual({
        lost: 0,
        outOfOrder: 0,
        duplicatedNotInFlight: 0,
        duplicatedWithNewEventId: 0,
        unexpectedResponses: 0,
        cognigyViolations: 0,
      });
      expect(counts.maxDuplicatesPerConversation).toBeLessThanOrEqual(1);
      expect(counts.delivered).toBeGreaterThanOrEqual(counts.acknowledged);
    },
    60_000,
  );
});
