import { spawn } from "child_process";
import { mkdtempSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { verifyRelayEvent } from "../../src/core/relay-event-signature";
import { agentMessage, conversationFor, signWebhook } from "../support/chatwoot-webhooks";
import { RELAY_SECRET } from "../support/extension-harness";
import { startFakeCognigyEndpoint, type FakeCognigyEndpoint } from "../support/fake-cognigy-endpoint";
import { REPO_ROOT } from "../support/load-extension";
import { killRelay, startRelayProcess } from "../support/relay-process";
import { FAST_RETRIES, PATH_TOKEN, relayEnv, startRelayHarness, WEBHOOK_SECRET } from "../support/relay-harness";

function textsFor(cognigy: FakeCognigyEndpoint, sessionId: string): string[] {
  return cognigy.delivered.map((inject) => {
    const verdict = verifyRelayEvent(inject.data.chatwoot, RELAY_SECRET, sessionId);
    return verdict.ok && verdict.event.type === "agent_message" ? verdict.event.text : "?";
  });
}

const route = { userId: "user-restart", sessionId: "session-restart", urlToken: "url-token-restart" };

describe("the relay keeps what it acknowledged", () => {
  it("delivers every acknowledged webhook exactly once and in order after a SIGKILL and a restart", async () => {
    const cognigy = await startFakeCognigyEndpoint();
    cognigy.respondWith(() => ({ status: 503 }));
    const dataDir = mkdtempSync(join(tmpdir(), "relay-kill-"));
    const env = relayEnv(cognigy, dataDir);
    const first = await startRelayProcess(env);
    const conversation = conversationFor(route, RELAY_SECRET);
    const messages = Array.from({ length: 50 }, (_, index) => agentMessage(conversation, { id: 500 + index, content: `message ${index}`, createdAt: new Date(Date.UTC(2026, 10, 22, 9, 0, index)) }));
    for (const payload of messages) {
      const webhook = signWebhook(payload, WEBHOOK_SECRET);
      const response = await fetch(`${first.url}/handover/chatwoot`, { method: "POST", headers: webhook.headers, body: webhook.body });
      expect(response.status).toBe(200);
    }
    await killRelay(first);
    expect(cognigy.delivered).toEqual([]);

    cognigy.respondWith(undefined);
    const second = await startRelayProcess(env);
    try {
      await cognigy.waitFor(50, 15_000);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(textsFor(cognigy, route.sessionId)).toEqual(messages.map((_, index) => `message ${index}`));
    } finally {
      second.child.kill("SIGTERM");
      await cognigy.close();
    }
  });

  it("logs no secret, token, signature, URL token or message text, even at debug level", async () => {
    const cognigy = await startFakeCognigyEndpoint();
    cognigy.enqueue({ status: 404 });
    const env = relayEnv(cognigy, mkdtempSync(join(tmpdir(), "relay-logs-")), { LOG_LEVEL: "debug", CHATWOOT_WEBHOOK_PATH_TOKEN: PATH_TOKEN, ALLOW_UNSIGNED_PATH_TOKEN: "true" });
    const logs: string[] = [];
    const relay = await startRelayProcess(env, logs);
    const secretRoute = { userId: "user-logs", sessionId: "session-logs", urlToken: "URLTOKEN-logs-0123456789" };
    const conversation = conversationFor(secretRoute, RELAY_SECRET);
    const signed = signWebhook(agentMessage(conversation, { id: 1, content: "PRIVATE-MESSAGE-TEXT" }), WEBHOOK_SECRET);
    await fetch(`${relay.url}/handover/chatwoot`, { method: "POST", headers: signed.headers, body: signed.body });
    await fetch(`${relay.url}/handover/chatwoot/${PATH_TOKEN}`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    await fetch(`${relay.url}/handover/chatwoot`, { method: "POST", headers: { ...signed.headers, "X-Chatwoot-Signature": "sha256=00" }, body: signed.body });
    await cognigy.waitFor(0);
    await new Promise((resolve) => setTimeout(resolve, 300));
    relay.child.kill("SIGTERM");
    await relay.exited;
    await cognigy.close();
    const output = logs.join("");
    expect(output).toContain("job dead-lettered");
    const signature = signed.headers["X-Chatwoot-Signature"] ?? "missing";
    for (const secret of [RELAY_SECRET, WEBHOOK_SECRET, PATH_TOKEN, signature, secretRoute.urlToken, "PRIVATE-MESSAGE-TEXT", String(conversation.customAttributes.cognigy_route)]) {
      expect(output).not.toContain(secret);
    }
  });

  it("refuses to start with a missing variable, naming it", async () => {
    const cognigy = await startFakeCognigyEndpoint();
    const env = relayEnv(cognigy, mkdtempSync(join(tmpdir(), "relay-env-")), { RELAY_SECRET: "" });
    const child = spawn(process.execPath, [join(REPO_ROOT, "dist", "relay.js")], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise((resolve) => child.on("exit", resolve));
    await cognigy.close();
    expect(code).toBe(78);
    expect(stderr).toContain("RELAY_SECRET is required");
  });

  it("finishes an in-flight delivery on stop and leaves the rest for the next start", async () => {
    const cognigy = await startFakeCognigyEndpoint();
    cognigy.respondWith(() => ({ status: 200, body: "ok", delayMs: 300 }));
    const dataDir = mkdtempSync(join(tmpdir(), "relay-stop-"));
    const harness = await startRelayHarness({}, { cognigy, dataDir, policy: FAST_RETRIES });
    const conversation = conversationFor(route, RELAY_SECRET);
    for (let index = 0; index < 3; index += 1) {
      await harness.post(signWebhook(agentMessage(conversation, { id: 900 + index, content: `m${index}`, createdAt: new Date(Date.UTC(2026, 10, 22, 9, 0, index)) }), WEBHOOK_SECRET));
    }
    while (cognigy.injects.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    await harness.relay.stop();
    expect(cognigy.delivered).toHaveLength(1);
    const restarted = await startRelayHarness({}, { cognigy, dataDir, policy: FAST_RETRIES });
    await cognigy.waitFor(3, 5_000);
    expect(textsFor(cognigy, route.sessionId)).toEqual(["m0", "m1", "m2"]);
    await restarted.close();
  });
});
