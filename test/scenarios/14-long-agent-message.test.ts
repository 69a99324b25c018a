import { useWorld } from "../support/use-world";

/**
 * Chatwoot lets an agent send 150,000 characters; Cognigy refuses an input
 * over 65 kB, and its legacy REST inject a body over 60 kB (G3). The relay
 * clips the message to fit before injecting it: delivered clipped, never
 * refused and dead-lettered.
 */
describe("scenario 14: a very long agent message", () => {
  describe.each([
    ["the Endpoint inject", "endpoint"],
    ["the legacy REST inject (60 kB)", "rest"],
  ] as const)("through %s", (_, injectMode) => {
    const world = useWorld({ injectMode });

    it.each([
      ["Chinese text (3 bytes a character)", "语".repeat(150_000)],
      ["pasted JSON full of quotes", '{"a":"b"}'.repeat(20_000)],
    ])("%s reaches the user clipped, and nothing is dead-lettered", async (__, text) => {
      const w = world();
      const user = w.newUser();
      await w.say(user, "agent please");
      w.chatwoot.agent.reply(w.conversationOf(user), text);
      await w.settle();
      const shown = w.endpoint.seenBy(user).filter((line) => line.kind === "injected");
      expect(shown).toHaveLength(1);
      expect(shown[0]?.text.endsWith("…")).toBe(true);
      expect(text.startsWith(shown[0]?.text.slice(0, -1) ?? "x")).toBe(true);
      expect(w.relay.outbox.depth()).toMatchObject({ pending: 0, dead: 0 });
      expect(w.endpoint.injectAttempts().every((attempt) => attempt.status === 200)).toBe(true);
    });
  });
});
