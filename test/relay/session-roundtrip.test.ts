import { readRecord } from "../../src/core/json-guards";
import { agentMessage, conversationFor, signWebhook, statusChanged } from "../support/chatwoot-webhooks";
import { handoverFlow, handoverState, INBOX_ID, RELAY_SECRET, useHarness } from "../support/extension-harness";
import { startRelayHarness, WEBHOOK_SECRET, type RelayHarness } from "../support/relay-harness";

const harness = useHarness();
let relay: RelayHarness;

beforeEach(async () => {
  relay = await startRelayHarness();
});

afterEach(async () => {
  await relay.close();
});

describe("Handover node → Chatwoot → relay → Session node", () => {
  it("turns a real agent reply and resolve into the user's output and the way back to the bot", async () => {
    const session = harness.runtime.createSession();
    await harness.runtime.runFlow(session, handoverFlow()("agent"), { text: "agent" });
    const stored = harness.chatwoot.store.conversations[0];
    expect(stored).toBeDefined();
    const conversation = conversationFor({ userId: session.userId, sessionId: session.sessionId, urlToken: session.URLToken }, RELAY_SECRET, {
      id: stored?.id ?? 0,
      inboxId: INBOX_ID,
      sourceId: stored?.sourceId ?? "",
      customAttributes: stored?.customAttributes ?? {},
    });

    await relay.post(signWebhook(agentMessage(conversation, { id: 77, content: "Hi, this is Anna. How can I help?" }), WEBHOOK_SECRET));
    const [reply] = await relay.cognigy.waitFor(1);
    expect(reply?.urlToken).toBe(session.URLToken);
    const shown = await harness.runtime.runFlow(session, handoverFlow()(reply?.text ?? ""), { text: reply?.text ?? "", data: reply?.data ?? {} });
    expect(shown.outputs.map((output) => output.text)).toEqual(["Hi, this is Anna. How can I help?"]);

    await relay.post(signWebhook(statusChanged({ ...conversation, status: "resolved" }, "resolved"), WEBHOOK_SECRET));
    const [, resolved] = await relay.cognigy.waitFor(2);
    const back = await harness.runtime.runFlow(session, handoverFlow()(""), { text: "", data: resolved?.data ?? {} });
    expect(back.outputs.map((output) => output.text)).toEqual(["The agent has closed the conversation. You are back with the assistant.", "Back with the bot."]);
    expect(handoverState(session).status).toBe("ended");
    expect(readRecord(handoverState(session).conversation).agentAnswered).toBe(true);
  });

  it("injects nothing for a conversation whose route an agent edited", async () => {
    const session = harness.runtime.createSession();
    await harness.runtime.runFlow(session, handoverFlow()("agent"), { text: "agent" });
    const stored = harness.chatwoot.store.conversations[0];
    const sealed = String(stored?.customAttributes.cognigy_route ?? "");
    const edited = `${sealed.slice(0, -2)}${sealed.endsWith("A") ? "B" : "A"}${sealed.slice(-1)}`;
    const conversation = conversationFor({ userId: "x", sessionId: "y", urlToken: "z" }, RELAY_SECRET, {
      id: stored?.id ?? 0,
      inboxId: INBOX_ID,
      sourceId: stored?.sourceId ?? "",
      customAttributes: { cognigy_route: edited },
    });
    const result = await relay.post(signWebhook(agentMessage(conversation, { id: 78, content: "hello" }), WEBHOOK_SECRET));
    expect(result.body).toEqual({ status: "dropped", reasons: ["route_unauthentic"] });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(relay.cognigy.injects).toEqual([]);
  });
});
