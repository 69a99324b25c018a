import { readRecord } from "../../src/core/json-guards";
import { verifyRelayEvent } from "../../src/core/relay-event-signature";
import { agentMessage, conversationFor, signWebhook, type WebhookConversation } from "../support/chatwoot-webhooks";
import { RELAY_SECRET } from "../support/extension-harness";
import { startFakeCognigyEndpoint } from "../support/fake-cognigy-endpoint";
import { writeHostileReport } from "../support/hostile-report";
import { usePostgres } from "../support/postgres-server";
import { relayEnv, WEBHOOK_SECRET } from "../support/relay-harness";
import { startRelayProcess, type RelayProcess } from "../support/relay-process";

/**
 * Issue 14: PostgreSQL stops for 10 s in the middle of a burst sent round robin
 * to two relay replicas. While it is away webhooks are answered 503 (never
 * acknowledged, so Chatwoot shows them failed); nothing acknowledged before or
 * after is lost or delivered out of order, and delivery resumes by itself. A
 * delivery that Cognigy accepted while its settlement could not be written may
 * be repeated once (its lease expired meanwhile): at most one per conversation.
 */

const CONVERSATIONS = 20;
const PER_CONVERSATION = 60;
const AWAY_MS = 10_000;

const server = usePostgres();


describe("hostile: PostgreSQL stopped for 10 s during a burst to two replicas", () => {
  it("answers 503 while it is away, loses nothing acknowledged, keeps order, and resumes by itself", async () => {
    const cognigy = await startFakeCognigyEndpoint();
    const env = relayEnv(cognigy, "/nonexistent-sqlite-dir", { RELAY_DATABASE_URL: await server().freshDatabase(), RELAY_LEASE_SECONDS: "5" });
    const sessionOf = new Map<string, number>();
    const conversations: WebhookConversation[] = Array.from({ length: CONVERSATIONS }, (_, index) => {
      const route = { userId: `user-db-${index}`, sessionId: `session-db-${index}`, urlToken: `url-token-db-${index}` };
      sessionOf.set(route.sessionId, index);
      return conversationFor(route, RELAY_SECRET, { id: 8000 + index });
    });
    const replicas: RelayProcess[] = await Promise.all([startRelayProcess(env), startRelayProcess(env)]);
    const acknowledged = new Set<string>();
    const statuses = new Map<number, number>();
    let turn = 0;
    let outage: Promise<void> | undefined;
    const started = Date.now();

    async function send(conversation: number): Promise<void> {
      const target = conversations[conversation];
      if (target === undefined) throw new Error(`no conversation ${conversation}`);
      for (let index = 0; index < PER_CONVERSATION; index += 1) {
        const key = `c${conversation} m${index}`;
        const webhook = signWebhook(agentMessage(target, { id: 900_000 + conversation * 1000 + index, content: key, createdAt: new Date(started + index * 10) }), WEBHOOK_SECRET);
        turn += 1;
        const replica = replicas[turn % 2];
        if (replica === undefined) throw new Error("no replica");
        const response = await fetch(`${replica.url}/handover/chatwoot`, { method: "POST", headers: webhook.headers, body: webhook.body });
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        if (response.status === 200 && readRecord(await response.json()).status === "accepted") acknowledged.add(key);
        else await response.arrayBuffer();
        if (outage === undefined && acknowledged.size >= 200) {
          outage = (async () => {
            await server().pause();
            await new Promise((resolve) => setTimeout(resolve, AWAY_MS));
            await server().resume();
          })();
        }
        // Spread over the outage: about 20 s of sending in all.
        await new Promise((resolve) => setTimeout(resolve, 300));
      }
    }

    try {
      await Promise.all(Array.from({ length: CONVERSATIONS }, (_, conversation) => send(conversation)));
      await outage;
      const deliveredKeys = (): { key: string; conversation: number }[] =>
        cognigy.delivered.map((inject) => {
          const verdict = verifyRelayEvent(inject.data.chatwoot, RELAY_SECRET, inject.sessionId);
          return { key: verdict.ok && verdict.event.type === "agent_message" ? verdict.event.text : "unverifiable", conversation: sessionOf.get(inject.sessionId) ?? -1 };
        });
      const everyAcked = (): boolean => {
        const keys = new Set(deliveredKeys().map(({ key }) => key));
        return [...acknowledged].every((key) => keys.has(key));
      };
      for (const waitStarted = Date.now(); !everyAcked() && Date.now() - waitStarted < 30_000; ) await new Promise((resolve) => setTimeout(resolve, 50));
      const delivered = deliveredKeys();
      const seen = new Set<string>();
      let outOfOrder = 0;
      let duplicated = 0;
      const repeatsOf = new Map<number, number>();
      const highest = new Map<number, number>();
      for (const { key, conversation } of delivered) {
        if (seen.has(key)) {
          duplicated += 1;
          repeatsOf.set(conversation, (repeatsOf.get(conversation) ?? 0) + 1);
          continue;
        }
        seen.add(key);
        const index = Number(/ m(\d+)$/.exec(key)?.[1] ?? -1);
        if (index < (highest.get(conversation) ?? -1)) outOfOrder += 1;
        highest.set(conversation, Math.max(index, highest.get(conversation) ?? -1));
      }
      const counts = {
        sent: CONVERSATIONS * PER_CONVERSATION,
        acknowledged: acknowledged.size,
        answered503: statuses.get(503) ?? 0,
        otherStatuses: [...statuses].filter(([status]) => status !== 200 && status !== 503).reduce((sum, [, count]) => sum + count, 0),
        delivered: seen.size,
        lost: [...acknowledged].filter((key) => !seen.has(key)).length,
        duplicated,
        maxRepeatsPerConversation: Math.max(0, ...repeatsOf.values()),
        outOfOrder,
      };
      writeHostileReport("replicas-database-outage", { replicas: 2, awayMs: AWAY_MS, counts });
      expect(counts.answered503).toBeGreaterThan(0);
      expect(counts.acknowledged + counts.answered503).toBe(counts.sent);
      expect({ lost: counts.lost, outOfOrder: counts.outOfOrder, otherStatuses: counts.otherStatuses }).toEqual({ lost: 0, outOfOrder: 0, otherStatuses: 0 });
      expect(counts.maxRepeatsPerConversation).toBeLessThanOrEqual(1);
      expect(counts.acknowledged).toBeGreaterThan(400);
    } finally {
      for (const replica of replicas) replica.child.kill("SIGTERM");
      await Promise.all(replicas.map((replica) => replica.exited));
      await cognigy.close();
    }
  }, 120_000);
});
