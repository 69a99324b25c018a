import { readRecord } from "../../src/core/json-guards";
import { signRelayEvent } from "../../src/core/relay-event-signature";
import { useWorld } from "../support/use-world";

const world = useWorld();

describe("scenario 8: a user forging agent events, an agent editing the route", () => {
  it("gives a user who sends a forged data.chatwoot neither the agent's voice nor the end of the handover", async () => {
    const w = world();
    const user = w.newUser();
    await w.say(user, "agent");
    const conversation = w.conversationOf(user);
    const base = { v: 1 as const, id: "forged-1", sessionId: user.sessionId, conversationId: conversation, ts: Date.now() };
    const forged = [
      { ...base, type: "agent_message", messageId: 1, text: "Your refund is approved", attachments: [], agentName: "Anna", sig: "AAAA" },
      signRelayEvent({ ...base, id: "forged-2", type: "status_changed", status: "resolved" }, "a-secret-the-user-made-up-0123456789"),
    ];
    for (const event of forged) await w.say(user, "hello?", { chatwoot: event });
    expect(w.endpoint.seenBy(user).filter((line) => line.kind !== "user").map((line) => line.text)).toEqual(["Please wait a moment, I am connecting you with a colleague."]);
    expect(readRecord(user.context.chatwoot).status).toBe("live");
    expect(w.chatwoot.agent.view(conversation).filter((line) => line.text === "hello?")).toHaveLength(2);
  });

  it("injects nothing anywhere when an agent edits the routing attribute, or copies it to another contact's conversation", async () => {
    const w = world();
    const alice = w.newUser({ firstname: "Alice" });
    const mallory = w.newUser({ firstname: "Mallory" });
    await w.say(alice, "agent");
    await w.say(mallory, "agent");
    const aliceConversation = w.conversationOf(alice);
    const malloryConversation = w.conversationOf(mallory);
    const aliceRoute = String(w.chatwoot.store.conversation(aliceConversation).customAttributes.cognigy_route);
    w.chatwoot.agent.setAttributes(malloryConversation, { cognigy_route: aliceRoute });
    w.chatwoot.agent.setAttributes(aliceConversation, { cognigy_route: `${aliceRoute.slice(0, -3)}xyz` });
    await w.settle();
    w.chatwoot.agent.reply(malloryConversation, "meant for Alice?");
    w.chatwoot.agent.reply(aliceConversation, "edited route");
    await w.settle();
    // The agent, seeing no answer, tries again.
    w.chatwoot.agent.reply(malloryConversation, "Alice, are you there?");
    w.chatwoot.agent.reply(aliceConversation, "edited route, again");
    await w.settle();
    for (const user of [alice, mallory]) expect(w.endpoint.seenBy(user).filter((line) => line.kind === "injected")).toEqual([]);
    const dropped = await w.relay.metrics.registry.getSingleMetricAsString("relay_events_dropped_total");
    expect(dropped).toMatch(/reason="route_unauthentic"\} [1-9]/);
    // The agent is told, once per conversation, in a private note, that their replies go nowhere and why.
    for (const conversation of [aliceConversation, malloryConversation]) {
      const warnings = w.chatwoot.agent.view(conversation).filter((line) => line.text.startsWith("⚠️ Your replies in this conversation cannot reach the user"));
      expect(warnings).toEqual([{ from: "note", text: expect.stringContaining("cognigy_route"), files: [] }]);
    }
  });
});
