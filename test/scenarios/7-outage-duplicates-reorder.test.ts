import { useWorld } from "../support/use-world";
import type { Session } from "../support/cognigy-runtime";
import type { World } from "../support/world";

function agentTexts(w: World, user: Session): string[] {
  return w.endpoint.seenBy(user).filter((line) => line.kind === "injected").map((line) => line.text);
}

describe("scenario 7: Cognigy failing, Chatwoot duplicating and reordering", () => {
  const world = useWorld();

  it("delivers all 50 agent messages sent during a 30 s Cognigy outage afterwards, in order, once", async () => {
    const w = world();
    const user = w.newUser();
    await w.say(user, "agent");
    const conversation = w.conversationOf(user);
    w.endpoint.failFor(30_000, { status: 503 });
    const outageEnds = Date.now() + 30_000;
    for (let index = 0; index < 50; index += 1) {
      w.chatwoot.agent.reply(conversation, `message ${index}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await w.chatwoot.webhooks.settled();
    expect(w.relay.outbox.depth().pending).toBe(50);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, outageEnds - Date.now())));
    await w.settle(15_000);
    expect(agentTexts(w, user)).toEqual(Array.from({ length: 50 }, (_, index) => `message ${index}`));
    const retried = await w.relay.metrics.registry.getSingleMetricAsString("relay_injects_retried_total");
    expect(retried).toMatch(/reason="503"\} \d+/);
  }, 60_000);

  it("delivers each message once and in order when webhooks come twice and shuffled", async () => {
    const w = world();
    const user = w.newUser();
    await w.say(user, "agent");
    const conversation = w.conversationOf(user);
    w.chatwoot.webhooks.switches.duplicate = "new";
    w.chatwoot.webhooks.switches.reorderWindowMs = 40;
    for (let index = 0; index < 10; index += 1) w.chatwoot.agent.reply(conversation, `m${index}`);
    await w.settle();
    expect(agentTexts(w, user)).toEqual(Array.from({ length: 10 }, (_, index) => `m${index}`));
    const agentDeliveries = w.chatwoot.webhooks.deliveries.filter((delivery) => delivery.event === "message_created" && delivery.payload.message_type === "outgoing");
    expect(agentDeliveries).toHaveLength(20);
    for (const delivery of w.chatwoot.webhooks.deliveries) expect(delivery.status).toBe(200);
  });
});
