import { BOT_TOKEN } from "../support/chatwoot-simulator/server";
import type { ChatwootVersion } from "../support/chatwoot-simulator/chatwoot-version";
import { useWorld } from "../support/use-world";
import { WORLD_INBOX_ID } from "../support/world";

const PATH_TOKEN = "path-token-for-older-chatwoot-0123456789";

/**
 * Older Chatwoot releases, with an agent-bot token (platform-sources.md C5,
 * C16): unsigned webhooks (before 4.13) reach the relay by its path token;
 * before 4.12 they carry no X-Chatwoot-Delivery; before 4.14.2 no account;
 * bots may not set labels before 4.14.2. The handover starts with a warning
 * instead of failing, and the conversation goes both ways.
 */
describe.each(["4.0", "4.2", "4.12"] as ChatwootVersion[])("scenario 12: Chatwoot %s with an agent-bot token", (version) => {
  const world = useWorld({
    simulator: { version },
    connection: { apiKey: BOT_TOKEN },
    handover: { inboxIdentifier: `inbox-identifier-${WORLD_INBOX_ID}`, labels: ["cognigy"] },
    relayEnv: { CHATWOOT_WEBHOOK_PATH_TOKEN: PATH_TOKEN, ALLOW_UNSIGNED_PATH_TOKEN: "true" },
    webhookPathToken: PATH_TOKEN,
  });

  it("hands over without labels (with a warning naming 4.14.2), and agent and user talk until the agent resolves", async () => {
    const w = world();
    const user = w.newUser({ firstname: "Jane" });
    await w.say(user, "agent please");
    const conversation = w.conversationOf(user);
    expect(w.chatwoot.store.conversation(conversation).labels).toEqual([]);
    expect(w.runtime.journal.logs.join("\n")).toContain("only from version 4.14.2 on");
    w.chatwoot.agent.reply(conversation, "Hello from an older Chatwoot.");
    await w.settle();
    await w.say(user, "thanks");
    w.chatwoot.agent.resolve(conversation);
    await w.settle();
    expect(w.chatwoot.webhooks.deliveries.every((delivery) => delivery.signature === null && delivery.status === 200)).toBe(true);
    expect(w.endpoint.seenBy(user).filter((line) => line.kind === "injected").map((line) => line.text)).toEqual([
      "Hello from an older Chatwoot.",
      "The agent has closed the conversation. You are back with the assistant.",
      "Welcome back! Is there anything else I can do for you?",
    ]);
    expect(w.chatwoot.agent.view(conversation).filter((line) => line.from === "contact").map((line) => line.text)).toEqual(["agent please", "thanks"]);
  });
});
