import { BOT_TOKEN } from "../support/chatwoot-simulator/server";
import { useWorld } from "../support/use-world";
import { WORLD_INBOX_ID } from "../support/world";

const HMAC_TOKEN = `hmac-token-of-inbox-${WORLD_INBOX_ID}`;
const BOT_HANDOVER = { inboxIdentifier: `inbox-identifier-${WORLD_INBOX_ID}` };

/**
 * An API inbox with "Enforce user identity validation" and an agent-bot token
 * (platform-sources.md C4): contacts go through the inbox's public API, which
 * then requires the identifier signed with the inbox's HMAC token.
 */
describe("scenario 11: an inbox that enforces identity validation, with an agent-bot token", () => {
  describe("with the inbox's HMAC token in the connection", () => {
    const world = useWorld({ connection: { apiKey: BOT_TOKEN, hmacToken: HMAC_TOKEN }, handover: BOT_HANDOVER, inbox: { hmacMandatory: true } });

    it("hands over, the agent answers, the user writes back, the agent resolves", async () => {
      const w = world();
      const user = w.newUser({ firstname: "Jane" });
      await w.say(user, "agent please");
      const conversation = w.conversationOf(user);
      expect(conversation).toBeGreaterThan(0);
      const created = w.chatwoot.requests.find((request) => request.operation === "POST /public/api/v1/inboxes/{inbox_identifier}/contacts");
      expect(created?.body.identifier_hash).toMatch(/^[0-9a-f]{64}$/);
      w.chatwoot.agent.reply(conversation, "Hello Jane, how can I help?");
      await w.settle();
      await w.say(user, "my router");
      w.chatwoot.agent.resolve(conversation);
      await w.settle();
      expect(w.endpoint.seenBy(user).filter((line) => line.kind === "injected").map((line) => line.text)).toEqual([
        "Hello Jane, how can I help?",
        "The agent has closed the conversation. You are back with the assistant.",
        "Welcome back! Is there anything else I can do for you?",
      ]);
      expect(w.chatwoot.agent.view(conversation).filter((line) => line.from === "contact").map((line) => line.text)).toEqual(["agent please", "my router"]);
    });
  });

  describe("without it", () => {
    const world = useWorld({ connection: { apiKey: BOT_TOKEN }, handover: BOT_HANDOVER, inbox: { hmacMandatory: true } });

    it("tells the user the agents cannot be reached, and the designer to set the HMAC token; nothing is created", async () => {
      const w = world();
      const user = w.newUser({ firstname: "Jane" });
      await w.say(user, "agent please");
      expect(w.endpoint.seenBy(user).at(-1)?.text).toBe("Our agents cannot be reached right now. Please try again later.");
      expect(w.runtime.journal.logs.join("\n")).toContain("HMAC token field");
      expect(w.chatwoot.store.contacts).toHaveLength(0);
      expect(w.chatwoot.store.conversations).toHaveLength(0);
    });
  });
});
