import type Database from "better-sqlite3";
import { mkdtempSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { verifyRelayEvent } from "../../src/core/relay-event-signature";
import { parseRelayConfig } from "../../src/relay/relay-config";
import { createRelayService } from "../../src/relay/relay-service";
import { agentMessage, conversationFor, signWebhook, type WebhookConversation } from "../support/chatwoot-webhooks";
import { RELAY_SECRET } from "../support/extension-harness";
import { startFakeCognigyEndpoint } from "../support/fake-cognigy-endpoint";
import { writeHostileReport } from "../support/hostile-report";
import { FAST_RETRIES, relayEnv, WEBHOOK_SECRET } from "../support/relay-harness";

/**
 * Issue 12 item 9: the outbox's disk fills during a burst of signed webhooks
 * over several conversations. `PRAGMA max_page_count` on the relay's own
 * connection makes SQLite answer SQLITE_FULL as a full disk does (no root, no
 * tiny filesystem); raising it stands in for space coming back. Cognigy answers
 * 503 while the disk is full, so deliveries neither free pages nor finish, and
 * the worker's retry bookkeeping meets the full disk too.
 *
 * While full: webhooks are answered 503 and /readyz says so. Throughout: every
 * webhook answered 200 is delivered exactly once, in order per conversation,
 * and the process does not crash. After space returns, with no restart: the
 * webhooks refused earlier, sent again with their delivery ids, are taken
 * (not answered "duplicate"), new ones too, and everything drains.
 */

const CONVERSATIONS = 6;
const ROUNDS_BEFORE = 8;
const ROUNDS_FULL = 8;
const ROUNDS_AFTER = 5;
const CONTENT = "y".repeat(2_000);

interface Sent {
  conversation: number;
  text: string;
  deliveryId: string;
  createdAt: Date;
  messageId: number;
}

describe("hostile: the outbox's disk fills during a burst of webhooks", () => {
  it("answers 503 while full, loses and repeats nothing it acknowledged, keeps order, does not crash, and recovers by itself", async () => {
    const crashes: string[] = [];
    const onCrash = (error: unknown): void => void crashes.push(error instanceof Error ? error.message : String(error));
    process.on("uncaughtException", onCrash);
    process.on("unhandledRejection", onCrash);

    const cognigy = await startFakeCognigyEndpoint();
    let cognigyDown = false;
    cognigy.respondWith(() => (cognigyDown ? { status: 503, body: { error: { code: 503, message: "Service Unavailable" } } } : undefined));
    const parsed = parseRelayConfig(relayEnv(cognigy, mkdtempSync(join(tmpdir(), "relay-disk-full-"))));
    if (!parsed.ok) throw new Error(parsed.message);
    let connection: Database.Database | undefined;
    const relay = createRelayService(parsed.config, { logger: false, policy: FAST_RETRIES, outboxTestDatabaseHook: (db) => void (connection = db) });
    const url = await relay.start();
    const db = connection;
    if (db === undefined) throw new Error("the outbox hook was not called");

    const conversations: WebhookConversation[] = Array.from({ length: CONVERSATIONS }, (_, index) =>
      conversationFor({ userId: `user-disk-${index}`, sessionId: `session-disk-${index}`, urlToken: `url-token-disk-${index}` }, RELAY_SECRET, { id: 9100 + index }),
    );
    const sessions = conversations.map((_, index) => `session-disk-${index}`);
    /** Per conversation, the texts answered 200 "accepted", in the order they were acknowledged. */
    const acknowledged: string[][] = conversations.map(() => []);
    const answers = { accepted: 0, duplicate: 0, refused503: 0, other: 0 };
    const refused: Sent[] = [];
    let readyz503 = 0;
    let messageId = 400_000;

    async function post(sent: Sent): Promise<number> {
      const target = conversations[sent.conversation];
      if (target === undefined) throw new Error(`no conversation ${sent.conversation}`);
      const webhook = signWebhook(agentMessage(target, { id: sent.messageId, content: sent.text, createdAt: sent.createdAt }), WEBHOOK_SECRET, { deliveryId: sent.deliveryId });
      const response = await fetch(`${url}/handover/chatwoot`, { method: "POST", headers: webhook.headers, body: webhook.body });
      const body: unknown = await response.json();
      const status = typeof body === "object" && body !== null && "status" in body ? body.status : undefined;
      if (response.status === 200 && status === "accepted") {
        answers.accepted += 1;
        acknowledged[sent.conversation]?.push(sent.text);
      } else if (response.status === 200 && status === "duplicate") answers.duplicate += 1;
      else if (response.status === 503) {
        answers.refused503 += 1;
        refused.push(sent);
      } else answers.other += 1;
      return response.status;
    }

    /** One message per conversation, the conversations in parallel; each conversation's messages one after another. */
    async function rounds(count: number, label: string): Promise<void> {
      for (let round = 0; round < count; round += 1) {
        await Promise.all(
          conversations.map((_, conversation) => {
            messageId += 1;
            return post({ conversation, text: `c${conversation} ${label}${round} m${messageId} ${CONTENT}`, deliveryId: `disk-${messageId}`, createdAt: new Date(Date.now()), messageId });
          }),
        );
      }
    }

    const delivered = (): number => cognigy.delivered.length;
    async function drained(timeoutMs: number): Promise<void> {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        if (relay.outbox.depth().pending === 0 && relay.worker.inFlight() === 0) return;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      throw new Error(`not drained within ${timeoutMs} ms: ${JSON.stringify(relay.outbox.depth())}`);
    }

    try {
      await rounds(ROUNDS_BEFORE, "before");
      // The disk fills: no page beyond those the file has now; Cognigy fails meanwhile, so nothing is freed.
      cognigyDown = true;
      const pages = db.pragma("page_count", { simple: true });
      if (typeof pages !== "number" || db.pragma(`max_page_count = ${pages}`, { simple: true }) !== pages) throw new Error("max_page_count was not set");
      for (let round = 0; round < ROUNDS_FULL; round += 1) {
        await rounds(1, "full");
        const ready = await fetch(`${url}/readyz`);
        if (ready.status === 503) readyz503 += 1;
        await ready.text();
      }
      const refusedWhileFull = answers.refused503;
      const acceptedWhileFull = answers.accepted - ROUNDS_BEFORE * CONVERSATIONS;
      const healthzWhileFull = (await fetch(`${url}/healthz`)).status;

      // Space returns; no restart. Cognigy recovers; what was acknowledged drains.
      db.pragma("max_page_count = 1073741823");
      cognigyDown = false;
      await drained(10_000);
      // Chatwoot's repeats of the refused webhooks, with the same delivery ids: taken now, not "duplicate".
      const again = refused.splice(0);
      for (const conversation of conversations.keys()) {
        for (const sent of again.filter((item) => item.conversation === conversation)) await post(sent);
      }
      await rounds(ROUNDS_AFTER, "after");
      await drained(10_000);
      const ready = await fetch(`${url}/readyz`);
      const readyzAfter = ready.status;
      await ready.text();

      const texts = new Map<string, string[]>(sessions.map((session) => [session, []]));
      for (const inject of cognigy.delivered) {
        const verdict = verifyRelayEvent(inject.data.chatwoot, RELAY_SECRET, inject.sessionId);
        texts.get(inject.sessionId)?.push(verdict.ok && verdict.event.type === "agent_message" ? verdict.event.text : "?");
      }
      const deliveredTexts = sessions.map((session) => texts.get(session) ?? []);
      const allDelivered = deliveredTexts.flat();
      const allAcknowledged = acknowledged.flat();
      const counts = {
        conversations: CONVERSATIONS,
        sent: (ROUNDS_BEFORE + ROUNDS_FULL + ROUNDS_AFTER) * CONVERSATIONS,
        refusedWhileFull503: refusedWhileFull,
        acceptedWhileFull,
        readyz503WhileFull: `${readyz503} of ${ROUNDS_FULL}`,
        healthzWhileFull,
        resentAfterSpaceReturned: again.length,
        answers,
        acknowledged: allAcknowledged.length,
        delivered: delivered(),
        lost: allAcknowledged.filter((text) => !allDelivered.includes(text)).length,
        duplicated: allDelivered.length - new Set(allDelivered).size,
        unacknowledgedDelivered: allDelivered.filter((text) => !allAcknowledged.includes(text)).length,
        outOfOrder: deliveredTexts.filter((list, index) => list.join("\n") !== (acknowledged[index] ?? []).join("\n")).length,
        retriedWhileFull: cognigy.injects.filter((inject) => inject.reply === 503).length,
        crashes: crashes.length,
        readyzAfterRecovery: readyzAfter,
        pendingAfter: relay.outbox.depth().pending,
        deadLettered: relay.outbox.depth().dead,
      };
      writeHostileReport("disk-full", counts);

      expect(crashes).toEqual([]);
      expect(refusedWhileFull).toBeGreaterThan(0);
      expect(readyz503).toBeGreaterThan(0);
      expect(healthzWhileFull).toBe(200);
      expect(answers.other).toBe(0);
      expect(answers.duplicate).toBe(0);
      expect(refused).toEqual([]); // every repeat and every new webhook after recovery was taken
      expect(counts).toMatchObject({ lost: 0, duplicated: 0, unacknowledgedDelivered: 0, outOfOrder: 0, readyzAfterRecovery: 200, pendingAfter: 0, deadLettered: 0 });
      expect(counts.delivered).toBe(counts.acknowledged);
      expect(counts.acknowledged).toBe(counts.sent);
      expect(cognigy.violations).toEqual([]);
    } finally {
      process.off("uncaughtException", onCrash);
      process.off("unhandledRejection", onCrash);
      await relay.stop();
      await cognigy.close();
    }
  }, 30_000);
});
