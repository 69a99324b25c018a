import { readRecord } from "../../src/core/json-guards";
import { chatwootSignature } from "../support/chatwoot-webhooks";
import { USER_TOKEN } from "../support/chatwoot-simulator/server";
import { findLeaks } from "../support/secret-scan";
import { useWorld } from "../support/use-world";
import { startWorld, WORLD_RELAY_SECRET, WORLD_WEBHOOK_SECRET } from "../support/world";

/**
 * Every scenario (test/scenarios, run by `npm run test:hostile` too) and every
 * test here runs in a world that logs at debug level and, after each test,
 * searches everything it kept for its secrets (see test/support/use-world.ts).
 * These tests add the failure paths, where secrets usually leak: refused
 * requests, redirects, timeouts, forged webhooks, dead letters.
 */

const CONVERSATIONS = "POST /api/v1/accounts/{account_id}/conversations";
const CONTACTS = "POST /api/v1/accounts/{account_id}/contacts";

describe("hostile: no secret, key or signature in anything kept, on the failure paths", () => {
  const world = useWorld();

  it.each([
    ["401", CONTACTS, { status: 401, body: { error: "Invalid Access Token" } }],
    ["422", CONVERSATIONS, { status: 422, body: { message: `Invalid token ${USER_TOKEN}`, attributes: ["api_access_token"] } }],
    ["500", CONVERSATIONS, { status: 500, body: "<html>Internal Server Error</html>" }],
    ["redirect", CONTACTS, { status: 301, body: "", headers: { Location: "https://elsewhere.example/api/v1/accounts/1/contacts" } }],
    ["reset", CONVERSATIONS, "reset" as const],
  ])("handover refused by Chatwoot (%s): the error the designer reads names the failure, not the key", async (_name, operation, fault) => {
    const w = world();
    w.chatwoot.fault(operation, fault);
    const user = w.newUser();
    await w.say(user, "agent");
    const error = readRecord(readRecord(user.context.chatwoot).error);
    expect(typeof error.message).toBe("string");
    // Even a Chatwoot that echoes the token in its error body does not make it reach the designer.
    expect(String(error.message)).not.toContain(USER_TOKEN);
  });

  it("forged and wrongly signed webhooks: the relay's answers and logs carry no signature or secret", async () => {
    const w = world();
    const url = `${w.relayUrl}/handover/chatwoot`;
    const body = JSON.stringify({ event: "message_created", id: 1 });
    const timestamp = Math.floor(Date.now() / 1000);
    const wrong = chatwootSignature(body, "another-secret-0123456789abcdef", timestamp);
    const right = chatwootSignature(body, WORLD_WEBHOOK_SECRET, timestamp);
    const answers: string[] = [];
    for (const headers of [
      { "X-Chatwoot-Signature": wrong, "X-Chatwoot-Timestamp": String(timestamp) },
      { "X-Chatwoot-Signature": right, "X-Chatwoot-Timestamp": String(timestamp - 3600) },
      { "X-Chatwoot-Signature": right.slice(0, -2), "X-Chatwoot-Timestamp": String(timestamp) },
      { "X-Chatwoot-Signature": right, "X-Chatwoot-Timestamp": String(timestamp) },
    ]) {
      const response = await fetch(url, { method: "POST", headers: { "Content-Type": "application/json", ...headers }, body });
      answers.push(`${response.status} ${await response.text()}`);
    }
    const pathToken = await fetch(`${w.relayUrl}/handover/chatwoot/${WORLD_RELAY_SECRET}`, { method: "POST", headers: { "Content-Type": "application/json" }, body });
    answers.push(`${pathToken.status} ${await pathToken.text()}`);
    expect(answers.slice(0, 3)).toEqual(Array.from({ length: 3 }, () => '401 {"error":"unauthorized"}'));
    expect(answers[3]).toMatch(/^200 /);
    const kept = [{ where: "answers", text: answers.join("\n") }, ...w.kept()];
    expect(findLeaks(kept, [{ name: "right signature", value: right.slice(7) }, { name: "wrong signature", value: wrong.slice(7) }, { name: "relay secret", value: WORLD_RELAY_SECRET }])).toEqual([]);
    // The debug log did record the requests (redacted), so there was something to search.
    expect(w.kept().find((haystack) => haystack.where === "relay log")?.text).toContain("[redacted]");
  });

  it("dead letters and retries: the relay's debug log and the agent's note carry neither the secrets nor the URL token", async () => {
    const w = world();
    const user = w.newUser();
    await w.say(user, "agent");
    w.endpoint.failFor(400, { status: 503 });
    w.chatwoot.agent.reply(w.conversationOf(user), "during a short outage");
    await w.settle();
    w.endpoint.endSession(user);
    w.chatwoot.agent.reply(w.conversationOf(user), "after the session ended");
    await w.settle();
    const relayLog = w.kept().find((haystack) => haystack.where === "relay log")?.text ?? "";
    expect(relayLog).toContain("job dead-lettered");
    expect(relayLog).not.toContain(user.URLToken);
    expect(relayLog).not.toContain("after the session ended");
    expect(w.chatwoot.agent.view(w.conversationOf(user)).filter((line) => line.from === "note").map((line) => line.text)).toContainEqual(expect.stringContaining("did not reach the user"));
  });
});

describe("the secret scan itself", () => {
  it("finds a secret an agent pasted into a reply, wherever it went", async () => {
    const w = await startWorld();
    try {
      const user = w.newUser();
      await w.endpoint.userSays(user, "agent");
      await w.settle();
      w.chatwoot.agent.reply(w.conversationOf(user), `the webhook secret is ${WORLD_WEBHOOK_SECRET}`);
      await w.settle();
      const places = w.leaks().leaks.filter((leak) => leak.secret === "webhook secret").map((leak) => leak.where);
      expect(places).toEqual(expect.arrayContaining(["Chatwoot messages", "inputs", `what ${user.sessionId} was shown`]));
      // Message texts never reach the relay's log, even at debug level.
      expect(places).not.toContain("relay log");
    } finally {
      await w.close();
    }
  });
});
