import { mkdtempSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { verifyRelayEvent } from "../../src/core/relay-event-signature";
import { openRoute, ROUTE_ATTRIBUTE, sealRoute } from "../../src/core/route-seal";
import { STALE_ROUTE_NOTE } from "../../src/relay/stale-route-note";
import { agentMessage, conversationFor, conversationUpdated, signWebhook, statusChanged } from "../support/chatwoot-webhooks";
import { RELAY_SECRET } from "../support/extension-harness";
import { startFakeCognigyEndpoint, type FakeCognigyEndpoint } from "../support/fake-cognigy-endpoint";
import { killRelay, startRelayProcess, type RelayProcess } from "../support/relay-process";
import { relayEnv, WEBHOOK_SECRET } from "../support/relay-harness";
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
 * contact, leading to the user's earlier session. The relay remembers the
 * newest route of each conversation (by the issue time sealed into it) and
 * delivers there, and tells the agent once. These tests pin that down.
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

const injectsTo = (w: World, session: Session, from: number): number[] => w.endpoint.injectAttempts().slice(from).filter((attempt) => attempt.sessionId === session.sessionId).map((attempt) => attempt.status);
const metric = async (w: World, name: string): Promise<number> => metricValue(await w.relay.metrics.registry.metrics(), name);

describe("relay: a stale agent browser restores the route of the user's earlier session (C15)", () => {
  it("tells the agent once, in a private note, as soon as the stale route arrives", async () => {
    const { w, conversationId } = await staleRoute();
    expect(warnings(w, conversationId)).toEqual([STALE_ROUTE_NOTE]);
    expect(await metric(w, "relay_stale_route_notes_total")).toBe(1);
  });

  it("while Cognigy still has the earlier session: replies reach the user's current session, none the earlier one; still one note", async () => {
    const { w, conversationId, first, second, earlierInjects } = await staleRoute();
    const delivered = await metric(w, "relay_injects_delivered_total");

    await w.say(second, "hello? is anyone there?");
    w.chatwoot.agent.reply(conversationId, "Hi Jane, I am here now.");
    await w.settle();
    w.chatwoot.agent.reply(conversationId, "How can I help?");
    await w.settle();

    expect(w.chatwoot.agent.view(conversationId).filter((line) => line.from === "contact").map((line) => line.text)).toContain("hello? is anyone there?");
    expect(injected(w, second)).toEqual(expect.arrayContaining(["Hi Jane, I am here now.", "How can I help?"]));
    expect(injectsTo(w, first, earlierInjects)).toEqual([]);
    expect(injected(w, first)).not.toContain("Hi Jane, I am here now.");
    expect(await metric(w, "relay_injects_delivered_total")).toBe(delivered + 2);
    expect(await metric(w, "relay_stale_routes_replaced_total")).toBe(2);
    expect(w.relay.outbox.depth()).toMatchObject({ dead: 0, pending: 0 });
    expect(warnings(w, conversationId)).toEqual([STALE_ROUTE_NOTE]);
  });

  it("once Cognigy has ended the earlier session: the reply still reaches the current one, nothing is dead-lettered", async () => {
    const { w, conversationId, first, second, earlierInjects } = await staleRoute();
    w.endpoint.endSession(first);

    w.chatwoot.agent.reply(conversationId, "Hi Jane, I am here now.");
    await w.settle();

    expect(injectsTo(w, first, earlierInjects)).toEqual([]);
    expect(injected(w, second)).toContain("Hi Jane, I am here now.");
    expect(w.relay.outbox.depth()).toMatchObject({ dead: 0, pending: 0 });
    expect(warnings(w, conversationId)).toEqual([STALE_ROUTE_NOTE]);
  });

  it("sends the agent's resolve to the current session: the bot is in charge again there; the earlier session gets nothing", async () => {
    const { w, conversationId, first, second, earlierInjects } = await staleRoute();
    expect(second.context.chatwoot).toMatchObject({ status: "live" });
    w.chatwoot.agent.resolve(conversationId);
    await w.settle();

    expect(injectsTo(w, first, earlierInjects)).toEqual([]);
    expect(second.context.chatwoot).not.toMatchObject({ status: "live" });
    expect(await metric(w, "relay_stale_routes_replaced_total")).toBeGreaterThanOrEqual(1);
    // The stale value stays in Chatwoot (the relay does not write attributes); the relay keeps replacing it.
    const route = w.chatwoot.store.conversation(conversationId).customAttributes[ROUTE_ATTRIBUTE];
    expect(openRoute(route, { inboxId: WORLD_INBOX_ID, sourceId: w.chatwoot.store.conversation(conversationId).sourceId }, WORLD_RELAY_SECRET)).toMatchObject({ ok: true, route: { sessionId: first.sessionId } });

    // The user asks again from the current session: a new handover seals a newer route, and the agent's reply reaches it.
    await w.say(second, "agent please");
    w.chatwoot.agent.reply(conversationId, "Back again, Jane?");
    await w.settle();
    expect(injected(w, second)).toContain("Back again, Jane?");
    expect(injectsTo(w, first, earlierInjects)).toEqual([]);
    expect(warnings(w, conversationId)).toEqual([STALE_ROUTE_NOTE]);
  });
});

/** The relay as `npm run relay` runs it (dist/relay.js), killed with SIGKILL and started again on the same data directory. */
describe("relay: the newest route of a conversation survives a restart (C15)", () => {
  const sessions = { earlier: { userId: "user-stale", sessionId: "session-earlier", urlToken: "url-token-stale" }, current: { userId: "user-stale", sessionId: "session-current", urlToken: "url-token-stale" } };

  async function post(relay: RelayProcess, payload: unknown): Promise<number> {
    const webhook = signWebhook(payload, WEBHOOK_SECRET);
    return (await fetch(`${relay.url}/handover/chatwoot`, { method: "POST", headers: webhook.headers, body: webhook.body })).status;
  }

  const sessionsOf = (cognigy: FakeCognigyEndpoint): string[] =>
    cognigy.delivered.map((inject) => (verifyRelayEvent(inject.data.chatwoot, RELAY_SECRET, inject.sessionId).ok ? inject.sessionId : "unverified"));

  it("after a SIGKILL, a restored earlier route is still delivered to the newest, for the same contact only", async () => {
    const cognigy = await startFakeCognigyEndpoint();
    const env = relayEnv(cognigy, mkdtempSync(join(tmpdir(), "relay-stale-")));
    const earlier = conversationFor(sessions.earlier, RELAY_SECRET);
    const binding = { inboxId: earlier.inboxId, sourceId: earlier.sourceId };
    const current = { ...earlier, customAttributes: { [ROUTE_ATTRIBUTE]: sealRoute(sessions.current, binding, RELAY_SECRET, Date.now() + 60_000) } };
    const first = await startRelayProcess(env);
    // The new handover's attribute write is the only webhook that shows the newer route before the kill.
    expect(await post(first, conversationUpdated(current, { custom_attributes: { previous_value: earlier.customAttributes, current_value: current.customAttributes } }))).toBe(200);
    await killRelay(first);

    const second = await startRelayProcess(env);
    try {
      expect(await post(second, agentMessage(earlier, { id: 901, content: "after the restart" }))).toBe(200);
      expect(await post(second, statusChanged(earlier, "resolved"))).toBe(200);
      // Another contact's conversation with the same display id keeps its own route: never the newest of someone else.
      const stranger = conversationFor({ userId: "user-other", sessionId: "session-other", urlToken: "url-token-other" }, RELAY_SECRET, { id: earlier.id, inboxId: earlier.inboxId });
      expect(await post(second, agentMessage(stranger, { id: 902, content: "to someone else" }))).toBe(200);
      await cognigy.waitFor(3, 10_000);
      expect(sessionsOf(cognigy).sort()).toEqual(["session-current", "session-current", "session-other"]);
    } finally {
      second.child.kill("SIGTERM");
      await second.exited;
      await cognigy.close();
    }
  });
});
