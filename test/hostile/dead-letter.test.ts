import { writeHostileReport } from "../support/hostile-report";
import { useWorld } from "../support/use-world";
import { metricValue } from "../support/prometheus-text";

const world = useWorld();

describe("hostile: Cognigy answers 404 for one session (it ended)", () => {
  it("dead-letters that session's jobs at once, tells the agent in a private note, and leaves the other sessions alone", async () => {
    const w = world();
    const ended = w.newUser({ firstname: "Ended" });
    const active = w.newUser({ firstname: "Active" });
    await w.say(ended, "agent");
    await w.say(active, "agent");
    const endedConversation = w.conversationOf(ended);
    const activeConversation = w.conversationOf(active);
    w.endpoint.endSession(ended);

    const sentAt = Date.now();
    for (let index = 0; index < 5; index += 1) {
      w.chatwoot.agent.reply(endedConversation, `to the ended session ${index}`);
      w.chatwoot.agent.reply(activeConversation, `to the active session ${index}`);
    }
    await w.settle();

    const notes = w.chatwoot.agent.view(endedConversation).filter((line) => line.from === "note" && line.text.startsWith("⚠️ This message did not reach the user"));
    const endedAttempts = w.endpoint.injectAttempts().filter((attempt) => attempt.sessionId === ended.sessionId);
    const metrics = await w.relay.metrics.registry.metrics();
    const counts = {
      agentMessagesToEndedSession: 5,
      injectAttempts: endedAttempts.length,
      answered404: endedAttempts.filter((attempt) => attempt.status === 404).length,
      deadLettered: metricValue(metrics, "relay_jobs_dead_lettered_total"),
      retried: metricValue(metrics, "relay_injects_retried_total", '{reason="404"}'),
      notesPosted: metricValue(metrics, "relay_agent_notes_total", '{result="posted"}'),
      lastDeadLetterAfterMs: Math.max(...endedAttempts.map((attempt) => attempt.at)) - sentAt,
      outboxDead: w.relay.outbox.depth().dead,
      outboxPending: w.relay.outbox.depth().pending,
      otherSessionDelivered: w.endpoint.seenBy(active).filter((line) => line.kind === "injected").length,
    };
    writeHostileReport("dead-letter", counts);

    // One attempt each, no retry: a 404 is final, so nothing waits (the time is reported, not judged).
    expect(counts).toMatchObject({ injectAttempts: 5, answered404: 5, deadLettered: 5, retried: 0, notesPosted: 5, outboxDead: 5, outboxPending: 0, otherSessionDelivered: 5 });
    expect(notes.map((note) => note.text)).toEqual(
      Array.from({ length: 5 }, (_, index) => `⚠️ This message did not reach the user: "to the ended session ${index}". Reason: Cognigy answered HTTP 404.`),
    );
    expect(w.endpoint.seenBy(active).filter((line) => line.kind === "injected").map((line) => line.text)).toEqual(Array.from({ length: 5 }, (_, index) => `to the active session ${index}`));
    expect(w.chatwoot.agent.view(activeConversation).filter((line) => line.from === "note" && line.text.startsWith("⚠️"))).toEqual([]);
  });
});
