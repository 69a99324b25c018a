import { readRecord } from "../../src/core/json-guards";
import { openRoute } from "../../src/core/route-seal";
import { handoverFlow, handoverState, INBOX_ID, RELAY_SECRET, relayEvent, storedConversationId, useHarness } from "../support/extension-harness";
import type { Session } from "../support/cognigy-runtime";

const TOGGLE = "POST /api/v1/accounts/{account_id}/conversations/{conversation_id}/toggle_status";

const harness = useHarness();
const state = handoverState;

async function liveSession(): Promise<Session> {
  const session = harness.runtime.createSession();
  await harness.runtime.runFlow(session, handoverFlow()("agent"), { text: "agent" });
  harness.chatwoot.clearRequests();
  return session;
}

function statusNode(session: Session, config: Record<string, unknown>) {
  return harness.runtime.runNode(session, "chatwootResolveReopen", { connection: "cw", ...config });
}

describe("Chatwoot Resolve/Reopen", () => {
  it.each([
    ["resolve", "resolved", "ended"],
    ["reopen", "open", "live"],
    ["pending", "pending", "live"],
  ])("%s: sets the stored conversation to %s in one request and the handover to %s", async (action, chatwootStatus, handoverStatus) => {
    const session = await liveSession();
    const run = await statusNode(session, { action });
    expect(harness.chatwoot.operations()).toEqual([TOGGLE]);
    expect(harness.chatwoot.store.conversations[0]?.status).toBe(chatwootStatus);
    expect(run.next).toEqual({ kind: "child", type: "onChatwootResolveReopenSuccess" });
    expect(state(session).status).toBe(handoverStatus);
  });

  it("resolves and reopens: messages flow to the agent again", async () => {
    const session = await liveSession();
    await statusNode(session, { action: "resolve" });
    await statusNode(session, { action: "reopen" });
    await harness.runtime.runFlow(session, handoverFlow()("hello again"), { text: "hello again" });
    expect(harness.chatwoot.store.messages.at(-1)).toMatchObject({ content: "hello again", messageType: "incoming" });
  });

  it("acts on a conversation given by ID without touching the stored handover", async () => {
    const session = await liveSession();
    const other = harness.runtime.createSession();
    await harness.runtime.runFlow(other, handoverFlow()("agent"), { text: "agent" });
    const run = await statusNode(session, { action: "resolve", conversationId: String(storedConversationId(other)) });
    expect(run.next).toEqual({ kind: "child", type: "onChatwootResolveReopenSuccess" });
    expect(harness.chatwoot.store.conversation(storedConversationId(other)).status).toBe("resolved");
    expect(state(session).status).toBe("live");
  });

  it("re-seals the route when reopening from a new Cognigy session", async () => {
    const session = await liveSession();
    await statusNode(session, { action: "resolve" });
    const next = harness.runtime.createSession({ userId: session.userId, context: session.context });
    await statusNode(next, { action: "reopen" });
    const conversation = harness.chatwoot.store.conversations[0];
    const opened = openRoute(conversation?.customAttributes.cognigy_route, { inboxId: INBOX_ID, sourceId: conversation?.sourceId ?? "" }, RELAY_SECRET);
    expect(opened.ok && opened.route.sessionId).toBe(next.sessionId);
  });

  it("takes the error exit, without a request, when there is no conversation", async () => {
    const session = harness.runtime.createSession();
    const run = await statusNode(session, { action: "resolve" });
    expect(run.next).toEqual({ kind: "child", type: "onChatwootResolveReopenError" });
    expect(String(readRecord(state(session).error).message)).toContain("no conversation ID was given");
    expect(harness.chatwoot.requests).toEqual([]);
  });

  it("takes the error exit with Chatwoot's status and text", async () => {
    const session = await liveSession();
    harness.chatwoot.fault(TOGGLE, { status: 404, body: { error: "Resource could not be found" } });
    const run = await statusNode(session, { action: "resolve" });
    expect(run.next).toEqual({ kind: "child", type: "onChatwootResolveReopenError" });
    expect(readRecord(state(session).error)).toMatchObject({ operation: "change conversation status", status: 404 });
    expect(state(session).status).toBe("live");
  });

  it("names a malformed conversation ID", async () => {
    const session = await liveSession();
    await statusNode(session, { action: "resolve", conversationId: "abc" });
    expect(String(readRecord(state(session).error).message)).toContain('field "conversationId" must be a positive whole number');
    expect(harness.chatwoot.requests).toEqual([]);
  });
});

describe("Chatwoot Resolve/Reopen: the outcome (issue 13)", () => {
  it("records 'flow' when it resolves a live handover, keeps it on a second resolve, clears it on reopen", async () => {
    const session = await liveSession();
    await statusNode(session, { action: "resolve" });
    const outcome = { endedBy: "flow", agentName: null, labels: [], waitSeconds: null, durationSeconds: expect.any(Number) };
    expect(state(session).outcome).toEqual(outcome);
    await statusNode(session, { action: "resolve" });
    expect(state(session).outcome).toEqual(outcome);
    await statusNode(session, { action: "reopen" });
    expect(state(session)).toMatchObject({ status: "live", outcome: null });
  });

  it("records the handover's labels and the agent who wrote", async () => {
    const session = harness.runtime.createSession();
    await harness.runtime.runFlow(session, handoverFlow({ labels: ["billing"] })("agent"), { text: "agent" });
    await harness.runtime.runFlow(session, handoverFlow()(""), { data: { chatwoot: relayEvent(session, { type: "agent_message", messageId: 1, text: "Hi", attachments: [], agentName: "Anna" }) } });
    await statusNode(session, { action: "resolve" });
    expect(state(session).outcome).toMatchObject({ endedBy: "flow", agentName: "Anna", labels: ["billing"], waitSeconds: expect.any(Number) });
  });
});
