import { openRoute, ROUTE_ATTRIBUTE } from "../../src/core/route-seal";
import type { Session } from "../support/cognigy-runtime";
import { metricValue } from "../support/prometheus-text";
import { useWorld } from "../support/use-world";
import { WORLD_INBOX_ID, WORLD_RELAY_SECRET, type World } from "../support/world";

/**
 * Issue 10, fact C15: every agent UI edit of conversation custom attributes
 * (and "resolve with required attributes") POSTs the whole hash from the
 * browser's copy (CustomAttributes.vue:76-77,200-201; ResolveAction.vue:104-107).
 * An agent who had the conversation open before the user came back in a new
 * Cognigy session puts the old `cognigy_route` back: a valid seal, for the same
 * contact, leading to the user's earlier, ended session. These tests pin down
 * what the product does then, as the README says it.
 */
const world = useWorld({ inbox: { lockToSingleConversation: true } });

interface Stale {
  w: World;
  conversationId: number;
  first: Session;
  second: Session;
  /** Inject attempts made before the stale edit (the first session's handover and resolve). */
  earlierInjects: number;
}

/** The user's first session hands over and is resolved; the user comes back in a new session, the inbox gives the same conversation, and a stale browser writes the first route back. */
async function staleRoute(): Promise<Stale> {
  const w = world();
  const first = w.newUser({ firstname: "Jane", lastname: "Doe" });
  await w.say(first, "I want an agent");
  const conversationId = w.conversationOf(first);
  expect(conversationId).toBeGreaterThan(0);
  const stored = () => w.chatwoot.store.conversation(conversationId);
  const browserCopy = { ...stored().customAttributes };
  w.chatwoot.agent.resolve(conversationId);
  await w.settle();

  const second = w.endpoint.newSession({ userId: first.userId, profile: first.profile });
  await w.say(second, "agent please, it is me again");
  expect(w.conversationOf(second)).toBe(conversationId);
  const sealedNow = stored().customAttributes[ROUTE_ATTRIBUTE];
  expect(openRoute(sealedNow, { inboxId: WORLD_INBOX_ID, sourceId: stored().sourceId }, WORLD_RELAY_SECRET)).toMatchObject({ ok: true, route: { sessionId: second.sessionId } });

  // The agent's browser still holds the first session's attributes and saves an edit from them.
  w.chatwoot.agent.setAttributes(conversationId, { ...browserCopy, vip: true });
  await w.settle();
  const restored = stored().customAttributes[ROUTE_ATTRIBUTE];
  expect(openRoute(restored, { inboxId: WORLD_INBOX_ID, sourceId: stored().sourceId }, WORLD_RELAY_SECRET)).toMatchObject({ ok: true, route: { sessionId: first.sessionId } });
  return { w, conversationId, first, second, earlierInjects: w.endpoint.injectAttempts().length };
}

const injected = (w: World, session: Session): string[] => w.endpoint.seenBy(session).filter((line) => line.kind === "injected").map((line) => line.text);
const warnings = (w: World, conversationId: number): string[] => w.chatwoot.agent.view(conversationId).filter((line) => line.from === "note" && line.text.startsWith("⚠️")).map((line) => line.text);

describe("relay: a stale agent browser restores the route of the user's earlier session (C15)", () => {
  it("while Cognigy still has the earlier session: the reply is injected there, counted as delivered, and neither the user nor the agent learns of it", async () => {
    const { w, conversationId, first, second, earlierInjects } = await staleRoute();
    const delivered = metricValue(await w.relay.metrics.registry.metrics(), "relay_injects_delivered_total");

    await w.say(second, "hello? is anyone there?");
    w.chatwoot.agent.reply(conversationId, "Hi Jane, I am here now.");
    await w.settle();

    // The user's messages still reach the agent (the new session's Session node forwards them) …
    expect(w.chatwoot.agent.view(conversationId).filter((line) => line.from === "contact").map((line) => line.text)).toContain("hello? is anyone there?");
    // … but the agent's reply goes to the earlier session, where nobody reads it.
    expect(w.endpoint.injectAttempts().slice(earlierInjects).filter((attempt) => attempt.sessionId === first.sessionId).map((attempt) => attempt.status)).toEqual([200]);
    expect(injected(w, first)).toContain("Hi Jane, I am here now.");
    expect(injected(w, second)).not.toContain("Hi Jane, I am here now.");
    expect(metricValue(await w.relay.metrics.registry.metrics(), "relay_injects_delivered_total")).toBe(delivered + 1);
    expect(w.relay.outbox.depth()).toMatchObject({ dead: 0, pending: 0 });
    expect(warnings(w, conversationId)).toEqual([]);
  });

  it("once Cognigy has ended the earlier session (404): the reply is dead-lettered and the agent gets a private note", async () => {
    const { w, conversationId, first, second, earlierInjects } = await staleRoute();
    w.endpoint.endSession(first);

    w.chatwoot.agent.reply(conversationId, "Hi Jane, I am here now.");
    await w.settle();

    expect(w.endpoint.injectAttempts().slice(earlierInjects).filter((attempt) => attempt.sessionId === first.sessionId).map((attempt) => attempt.status)).toEqual([404]);
    expect(injected(w, second)).not.toContain("Hi Jane, I am here now.");
    expect(w.relay.outbox.depth()).toMatchObject({ dead: 1, pending: 0 });
    expect(warnings(w, conversationId)).toEqual(['⚠️ This message did not reach the user: "Hi Jane, I am here now.". Reason: Cognigy answered HTTP 404.']);
  });

  it("sends the agent's resolve to the earlier session too: the new session stays with the agent, and the stale route stays until a new handover re-seals it", async () => {
    const { w, conversationId, first, second } = await staleRoute();
    const sourceId = w.chatwoot.store.conversation(conversationId).sourceId;
    w.chatwoot.agent.resolve(conversationId);
    await w.settle();
    expect(injected(w, second)).toEqual([]);
    expect(second.context.chatwoot).toMatchObject({ status: "live" });

    // The user, still "with the agent" in the new session, asks again: the Session node forwards it as a message.
    await w.say(second, "agent please");
    expect(w.chatwoot.agent.view(conversationId).filter((line) => line.from === "contact").map((line) => line.text)).toContain("agent please");
    const route = w.chatwoot.store.conversation(conversationId).customAttributes[ROUTE_ATTRIBUTE];
    expect(openRoute(route, { inboxId: WORLD_INBOX_ID, sourceId }, WORLD_RELAY_SECRET)).toMatchObject({ ok: true, route: { sessionId: first.sessionId } });

    // Only a handover that starts again from the new session (here after the user's own /resolve) seals a route to it.
    await w.say(second, "/resolve");
    await w.say(second, "agent please");
    w.chatwoot.agent.reply(conversationId, "Back again, Jane?");
    await w.settle();
    expect(injected(w, second)).toContain("Back again, Jane?");
  });
});
