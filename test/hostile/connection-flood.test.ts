import { mkdtempSync } from "fs";
import { connect, type Socket } from "net";
import { tmpdir } from "os";
import { join } from "path";
import { agentMessage, conversationFor, signWebhook } from "../support/chatwoot-webhooks";
import { RELAY_SECRET } from "../support/extension-harness";
import { startFakeCognigyEndpoint } from "../support/fake-cognigy-endpoint";
import { writeHostileReport } from "../support/hostile-report";
import { relayEnv, WEBHOOK_SECRET } from "../support/relay-harness";
import { startRelayProcess } from "../support/relay-process";

/**
 * 2,000 connections to the relay process (loopback, with its default limits):
 * some send nothing, some trickle their headers a byte a second, some send
 * complete headers and trickle the body. Meanwhile genuine signed webhooks
 * are each acknowledged within Chatwoot's 5 s, and every hostile connection
 * is cut by the relay's timeouts (10 s by default), none by the test.
 */

const IDLE = 700;
const HEADER_TRICKLE = 650;
const BODY_TRICKLE = 650;
const GENUINE = 100;
const CHATWOOT_TIMEOUT_MS = 5_000;
/** The default header/request/idle timeout, plus the 1 s check interval and slack for a busy machine. */
const CUT_WITHIN_MS = 10_000 + 5_000;

type Kind = "idle" | "header trickle" | "body trickle";

interface Hostile {
  kind: Kind;
  socket: Socket;
  openedAt: number;
  closedAt: number | null;
  answer: string;
}

function open(port: number, kind: Kind): Promise<Hostile> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    const hostile: Hostile = { kind, socket, openedAt: 0, closedAt: null, answer: "" };
    socket.once("connect", () => {
      hostile.openedAt = Date.now();
      if (kind === "header trickle") socket.write("POST /handover/chatwoot HTTP/1.1\r\nHost: relay\r\nX-Slow: ");
      if (kind === "body trickle") socket.write("POST /handover/chatwoot HTTP/1.1\r\nHost: relay\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{");
      resolve(hostile);
    });
    socket.once("error", (error) => (hostile.openedAt === 0 ? reject(error) : undefined));
    socket.on("data", (chunk: Buffer) => (hostile.answer += chunk.toString("latin1").slice(0, 40)));
    socket.once("close", () => (hostile.closedAt = Date.now()));
  });
}

describe("hostile: 2,000 idle and slow connections", () => {
  it("acknowledges every genuine webhook within 5 s, and cuts every slow connection by its timeouts", async () => {
    const cognigy = await startFakeCognigyEndpoint();
    const relay = await startRelayProcess(relayEnv(cognigy, mkdtempSync(join(tmpdir(), "relay-flood-")), { REORDER_WINDOW_MS: "0" }));
    const port = Number(new URL(relay.url).port);
    const hostiles: Hostile[] = [];
    const trickle = setInterval(() => {
      for (const hostile of hostiles) if (hostile.kind !== "idle" && hostile.closedAt === null) hostile.socket.write("a");
    }, 1_000);
    try {
      const kinds: Kind[] = [...Array<Kind>(IDLE).fill("idle"), ...Array<Kind>(HEADER_TRICKLE).fill("header trickle"), ...Array<Kind>(BODY_TRICKLE).fill("body trickle")];
      // In batches of 100, within the listen backlog.
      for (let start = 0; start < kinds.length; start += 100) hostiles.push(...(await Promise.all(kinds.slice(start, start + 100).map((kind) => open(port, kind)))));
      const floodOpenAt = Date.now();
      const openWhenGenuineStarted = hostiles.filter((hostile) => hostile.closedAt === null).length;

      const route = { userId: "user-flood", sessionId: "session-flood", urlToken: "url-token-flood-0123456789" };
      const conversation = conversationFor(route, RELAY_SECRET);
      const genuine = await Promise.all(
        Array.from({ length: GENUINE }, async (_, index) => {
          await new Promise((resolve) => setTimeout(resolve, index * 20));
          const webhook = signWebhook(agentMessage(conversation, { id: 90_000 + index, content: `flood ${index}` }), WEBHOOK_SECRET);
          const started = Date.now();
          const response = await fetch(`${relay.url}/handover/chatwoot`, { method: "POST", headers: webhook.headers, body: webhook.body, signal: AbortSignal.timeout(CHATWOOT_TIMEOUT_MS) }).catch(() => null);
          return { status: response?.status ?? 0, ms: Date.now() - started };
        }),
      );
      const openWhenGenuineDone = hostiles.filter((hostile) => hostile.closedAt === null).length;

      while (hostiles.some((hostile) => hostile.closedAt === null) && Date.now() - floodOpenAt < CUT_WITHIN_MS + 2_000) await new Promise((resolve) => setTimeout(resolve, 200));
      const byKind = (kind: Kind) => {
        const mine = hostiles.filter((hostile) => hostile.kind === kind);
        const lived = mine.filter((hostile) => hostile.closedAt !== null).map((hostile) => (hostile.closedAt ?? 0) - hostile.openedAt);
        return { opened: mine.length, cut: lived.length, shortestMs: Math.min(...lived), longestMs: Math.max(...lived), answered408: mine.filter((hostile) => hostile.answer.startsWith("HTTP/1.1 408")).length };
      };
      const counts = {
        hostileConnections: hostiles.length,
        openWhenGenuineStarted,
        openWhenGenuineDone,
        genuine: GENUINE,
        acknowledged200: genuine.filter((answer) => answer.status === 200).length,
        within5s: genuine.filter((answer) => answer.status === 200 && answer.ms < CHATWOOT_TIMEOUT_MS).length,
        slowestAckMs: Math.max(...genuine.map((answer) => answer.ms)),
        idle: byKind("idle"),
        headerTrickle: byKind("header trickle"),
        bodyTrickle: byKind("body trickle"),
        relayAlive: (await fetch(`${relay.url}/healthz`)).status === 200,
      };
      writeHostileReport("connection-flood", counts);

      expect(openWhenGenuineDone).toBe(hostiles.length);
      expect(counts.within5s).toBe(GENUINE);
      for (const kind of [counts.idle, counts.headerTrickle, counts.bodyTrickle]) {
        expect(kind.cut).toBe(kind.opened);
        expect(kind.longestMs).toBeLessThan(CUT_WITHIN_MS);
        // Cut by the timeouts, not before.
        expect(kind.shortestMs).toBeGreaterThanOrEqual(9_000);
      }
      expect(counts.relayAlive).toBe(true);
    } finally {
      clearInterval(trickle);
      for (const hostile of hostiles) hostile.socket.destroy();
      relay.child.kill("SIGTERM");
      await relay.exited;
      await cognigy.close();
    }
  }, 40_000);

  it("closes connections beyond HTTP_MAX_CONNECTIONS at once, and serves again once the idle ones are cut", async () => {
    const cognigy = await startFakeCognigyEndpoint();
    const relay = await startRelayProcess(relayEnv(cognigy, mkdtempSync(join(tmpdir(), "relay-cap-")), { REORDER_WINDOW_MS: "0", HTTP_MAX_CONNECTIONS: "100", HTTP_IDLE_TIMEOUT_MS: "1000", HTTP_HEADERS_TIMEOUT_MS: "1000" }));
    const port = Number(new URL(relay.url).port);
    const hostiles: Hostile[] = [];
    try {
      for (let start = 0; start < 150; start += 50) hostiles.push(...(await Promise.all(Array.from({ length: 50 }, () => open(port, "idle")))));
      await new Promise((resolve) => setTimeout(resolve, 300));
      const closedAtOnce = hostiles.filter((hostile) => hostile.closedAt !== null).length;
      await new Promise((resolve) => setTimeout(resolve, 2_500));
      const webhook = signWebhook(agentMessage(conversationFor({ userId: "user-cap", sessionId: "session-cap", urlToken: "url-token-cap-0123456789" }, RELAY_SECRET), { id: 91_000, content: "after the cap" }), WEBHOOK_SECRET);
      const status = (await fetch(`${relay.url}/handover/chatwoot`, { method: "POST", headers: webhook.headers, body: webhook.body })).status;
      writeHostileReport("connection-cap", { cap: 100, opened: hostiles.length, closedAtOnce, cutAfterIdle: hostiles.filter((hostile) => hostile.closedAt !== null).length, webhookAfterwards: status });
      expect(closedAtOnce).toBe(50);
      expect(hostiles.every((hostile) => hostile.closedAt !== null)).toBe(true);
      expect(status).toBe(200);
    } finally {
      for (const hostile of hostiles) hostile.socket.destroy();
      relay.child.kill("SIGTERM");
      await relay.exited;
      await cognigy.close();
    }
  }, 20_000);
});
