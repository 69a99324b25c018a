import { mkdtempSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { verifyRelayEvent } from "../../src/core/relay-event-signature";
import { agentMessage, conversationFor, signWebhook, type WebhookConversation } from "../support/chatwoot-webhooks";
import { RELAY_SECRET } from "../support/extension-harness";
import { startFakeCognigyEndpoint, type Reply } from "../support/fake-cognigy-endpoint";
import { writeHostileReport } from "../support/hostile-report";
import { relayEnv, WEBHOOK_SECRET } from "../support/relay-harness";
import { startRelayProcess } from "../support/relay-process";
import { metricValue } from "../support/prometheus-text";

/**
 * Cognigy fails for 30 s — 503, then hanging connections, then 429 with
 * Retry-After — while 200 agent messages arrive; then it recovers. The relay
 * (the real process, configured as an operator would) acknowledges them all,
 * honours Retry-After, and delivers each once, in order, until the outbox is empty.
 */

const PHASE_MS = 10_000;
const MESSAGES = 200;
const CONVERSATIONS = 5;
const RETRY_AFTER_SECONDS = 2;

describe("hostile: a 30 s Cognigy outage (503, hang, 429 with Retry-After) during 200 agent messages", () => {
  it("delivers every message once and in order after the outage, honours Retry-After and drains the outbox", async () => {
    const cognigy = await startFakeCognigyEndpoint();
    const started = Date.now();
    const phase = (): "503" | "hang" | "429" | "up" => {
      const elapsed = Date.now() - started;
      return elapsed < PHASE_MS ? "503" : elapsed < 2 * PHASE_MS ? "hang" : elapsed < 3 * PHASE_MS ? "429" : "up";
    };
    cognigy.respondWith((): Reply | undefined => {
      const now = phase();
      if (now === "503") return { status: 503, body: { error: { code: 503, message: "Service Unavailable" } } };
      if (now === "hang") return "hang";
      if (now === "429") return { status: 429, headers: { "Retry-After": String(RETRY_AFTER_SECONDS) }, body: { error: { code: 429, message: "Too Many Requests" } } };
      return undefined;
    });
    const env = relayEnv(cognigy, mkdtempSync(join(tmpdir(), "relay-outage-")), { REORDER_WINDOW_MS: "250", RETRY_MAX_DELAY_MS: "2000" });
    const relay = await startRelayProcess(env);
    const sessions: string[] = [];
    const conversations: WebhookConversation[] = Array.from({ length: CONVERSATIONS }, (_, index) => {
      const route = { userId: `user-outage-${index}`, sessionId: `session-outage-${index}`, urlToken: `url-token-outage-${index}` };
      sessions.push(route.sessionId);
      return conversationFor(route, RELAY_SECRET, { id: 6000 + index });
    });

    try {
      // 200 messages spread over the 30 s, one every 150 ms, round robin over the conversations.
      let acknowledged = 0;
      for (let index = 0; index < MESSAGES; index += 1) {
        const conversation = index % CONVERSATIONS;
        const target = conversations[conversation];
        if (target === undefined) throw new Error(`no conversation ${conversation}`);
        const payload = agentMessage(target, { id: 70_000 + index, content: `c${conversation} m${Math.floor(index / CONVERSATIONS)}`, createdAt: new Date(started + index * 150) });
        const webhook = signWebhook(payload, WEBHOOK_SECRET);
        const response = await fetch(`${relay.url}/handover/chatwoot`, { method: "POST", headers: webhook.headers, body: webhook.body });
        if (response.status === 200) acknowledged += 1;
        await new Promise((resolve) => setTimeout(resolve, Math.max(0, started + (index + 1) * 150 - Date.now())));
      }
      const phasesSeen = new Set(cognigy.injects.map((inject) => String(inject.reply)));
      const recovered = started + 3 * PHASE_MS;
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, recovered - Date.now())));
      await cognigy.waitFor(MESSAGES, 30_000);
      const drainedAfterMs = Math.max(...cognigy.delivered.map((inject) => inject.at)) - recovered;
      await new Promise((resolve) => setTimeout(resolve, 500));
      const metrics = await (await fetch(`${relay.metricsUrl ?? "metrics listener missing"}/metrics`)).text();

      const texts = new Map<string, string[]>(sessions.map((session) => [session, []]));
      for (const inject of cognigy.delivered) {
        const verdict = verifyRelayEvent(inject.data.chatwoot, RELAY_SECRET, inject.sessionId);
        texts.get(inject.sessionId)?.push(verdict.ok && verdict.event.type === "agent_message" ? verdict.event.text : "?");
      }
      // After a 429, the next attempt of that conversation waits at least Retry-After.
      let retryAfterIgnored = 0;
      for (const session of sessions) {
        const attempts = cognigy.injects.filter((inject) => inject.sessionId === session);
        attempts.forEach((attempt, position) => {
          const following = attempts[position + 1];
          if (attempt.reply === 429 && following !== undefined && following.at - attempt.at < RETRY_AFTER_SECONDS * 1000 - 50) retryAfterIgnored += 1;
        });
      }
      const counts = {
        sent: MESSAGES,
        acknowledged,
        attempts: cognigy.injects.length,
        answered: { 503: cognigy.injects.filter((inject) => inject.reply === 503).length, hang: cognigy.injects.filter((inject) => inject.reply === "hang").length, 429: cognigy.injects.filter((inject) => inject.reply === 429).length },
        delivered: cognigy.delivered.length,
        duplicated: cognigy.delivered.length - new Set([...texts.values()].flat()).size,
        outOfOrder: [...texts.values()].filter((list) => list.some((text, position) => position > 0 && Number(text.split(" m")[1]) <= Number(list[position - 1]?.split(" m")[1]))).length,
        retryAfterIgnored,
        drainedAfterRecoveryMs: drainedAfterMs,
        metrics: {
          retried503: metricValue(metrics, "relay_injects_retried_total", '{reason="503"}'),
          retriedTimeout: metricValue(metrics, "relay_injects_retried_total", '{reason="timeout"}'),
          retried429: metricValue(metrics, "relay_injects_retried_total", '{reason="429"}'),
          delivered: metricValue(metrics, "relay_injects_delivered_total"),
          deadLettered: metricValue(metrics, "relay_jobs_dead_lettered_total"),
          pending: metricValue(metrics, "relay_outbox_depth", '{state="pending"}'),
        },
      };
      writeHostileReport("outage", counts);

      expect(phasesSeen).toEqual(new Set(["503", "hang", "429"]));
      expect(acknowledged).toBe(MESSAGES);
      for (const [session, list] of texts) {
        const conversation = sessions.indexOf(session);
        expect(list).toEqual(Array.from({ length: MESSAGES / CONVERSATIONS }, (_, index) => `c${conversation} m${index}`));
      }
      expect(counts.delivered).toBe(MESSAGES);
      expect(counts.retryAfterIgnored).toBe(0);
      expect(counts.metrics).toMatchObject({ delivered: MESSAGES, deadLettered: 0, pending: 0 });
      expect(counts.metrics.retried503).toBeGreaterThan(0);
      expect(counts.metrics.retriedTimeout).toBeGreaterThan(0);
      expect(counts.metrics.retried429).toBeGreaterThan(0);
      expect(counts.metrics.retried503 + counts.metrics.retriedTimeout + counts.metrics.retried429).toBe(counts.attempts - MESSAGES);
      expect(cognigy.violations).toEqual([]);
    } finally {
      relay.child.kill("SIGTERM");
      await relay.exited;
      await cognigy.close();
    }
  }, 90_000);
});
