import { isRecord, readRecord } from "../../src/core/json-guards";
import type { Session } from "../support/cognigy-runtime";
import { useWorld } from "../support/use-world";
import type { World } from "../support/world";

/**
 * Issue 13 end to end — the built extension in the Cognigy stand-in, the real
 * relay polling the Chatwoot simulator, and the agent console: what a user
 * waiting for an agent sees (queue position, the cancel button, who writes),
 * and the outcome the flow and analytics read when the handover ends.
 */

const QUEUE_INTERVAL_MS = 300;

function injected(w: World, user: Session): string[] {
  return w.endpoint.seenBy(user).filter((line) => line.kind === "injected").map((line) => line.text);
}

function queueLines(w: World, user: Session): string[] {
  return injected(w, user).filter((text) => text.startsWith("You are number"));
}

/** The quick replies of the last bot reply, as Webchat reads them (`_webchat.message.quick_replies`). */
function quickReplies(w: World, user: Session): { title: string; payload: string }[] {
  const reply = w.endpoint.seenBy(user).filter((line) => line.kind === "reply").at(-1);
  const webchat = readRecord(readRecord(readRecord(reply?.data)._cognigy)._webchat);
  const replies = readRecord(webchat.message).quick_replies;
  return Array.isArray(replies) ? replies.filter(isRecord).map((item) => ({ title: String(item.title), payload: String(item.payload) })) : [];
}

function outcomeOf(user: Session): Record<string, unknown> {
  return readRecord(readRecord(user.context.chatwoot).outcome);
}

async function until(w: World, condition: () => boolean, what: string, timeoutMs = 8_000): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await w.settle();
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("scenario 15: waiting for an agent — queue updates, the cancel button, agent names, the outcome", () => {
  const world = useWorld({
    handover: { queueUpdates: true },
    session: { agentNameFormat: "{agent}: {text}", agentJoinedMessage: "{agent} has joined the chat." },
    relayEnv: { FORWARD_ASSIGNMENTS: "true" },
    queueUpdateIntervalMs: QUEUE_INTERVAL_MS,
  });

  it("counts three waiting users down as agents take the first two, and stops once each is answered", async () => {
    const w = world();
    // Anna shows customers her display name (available_name), in Chatwoot's widget and here: in "has joined" and before her messages alike.
    w.chatwoot.store.setDisplayName(7, "Anna");
    const [first, second, third] = [w.newUser(), w.newUser(), w.newUser()] as [Session, Session, Session];
    for (const user of [first, second, third]) await w.say(user, "agent");
    await until(w, () => queueLines(w, third).length === 1, "the first queue updates");
    // No first response seen yet: the relay does not guess a wait, and the node drops the wait sentence.
    expect([queueLines(w, first), queueLines(w, second), queueLines(w, third)]).toEqual([
      ["You are number 1 in the queue."],
      ["You are number 2 in the queue."],
      ["You are number 3 in the queue."],
    ]);

    w.chatwoot.agent.assign(w.conversationOf(first), 7);
    await until(w, () => queueLines(w, third).length === 2, "the updates after the assignment");
    expect(injected(w, first)).toContain("Anna has joined the chat.");
    expect([queueLines(w, second).at(-1), queueLines(w, third).at(-1)]).toEqual(["You are number 1 in the queue.", "You are number 2 in the queue."]);

    w.chatwoot.agent.reply(w.conversationOf(second), "Hello, I am Anna. How can I help?");
    await until(w, () => queueLines(w, third).length === 3, "the update after the first reply");
    expect(queueLines(w, third).at(-1)).toBe("You are number 1 in the queue.");
    expect(injected(w, second).at(-1)).toBe("Anna: Hello, I am Anna. How can I help?");

    w.chatwoot.agent.reply(w.conversationOf(third), "Hi, thanks for waiting.");
    await w.settle();
    const shown = [first, second, third].map((user) => queueLines(w, user).length);
    await new Promise((resolve) => setTimeout(resolve, QUEUE_INTERVAL_MS * 4));
    await w.settle();
    // Everyone was answered or assigned: no more updates, and none was ever shown twice for one position.
    expect([first, second, third].map((user) => queueLines(w, user).length)).toEqual(shown);
    expect(shown).toEqual([1, 2, 3]);
  });

  it("sends the cancel button with the accepted message; pressed before an agent answers, it cancels with a note to the agent", async () => {
    const w = world();
    const user = w.newUser();
    await w.say(user, "agent");
    const conversation = w.conversationOf(user);
    expect(w.endpoint.seenBy(user).filter((line) => line.kind === "reply").at(-1)?.text).toBe("Please wait a moment, I am connecting you with a colleague.");
    const [button] = quickReplies(w, user);
    expect(button).toEqual({ title: "Cancel", payload: "Cancel" });
    await w.say(user, button?.payload ?? "");
    expect(w.chatwoot.store.conversation(conversation).status).toBe("resolved");
    expect(w.chatwoot.agent.view(conversation).filter((line) => line.from === "note").at(-1)?.text).toMatch(/cancel/i);
    expect(w.endpoint.seenBy(user).at(-1)).toMatchObject({ kind: "reply", text: "OK, I cancelled your request." });
    expect(outcomeOf(user)).toMatchObject({ endedBy: "user", agentName: null, waitSeconds: null });
  });

  it("treats the old button as ordinary text once an agent has answered, and records the agent's resolve", async () => {
    const w = world();
    const user = w.newUser();
    await w.say(user, "agent");
    const conversation = w.conversationOf(user);
    w.chatwoot.agent.reply(conversation, "Hi, I am here.");
    await w.settle();
    await w.say(user, "Cancel");
    expect(w.chatwoot.store.conversation(conversation).status).toBe("open");
    expect(w.chatwoot.agent.view(conversation).at(-1)).toMatchObject({ from: "contact", text: "Cancel" });
    w.chatwoot.store.setStatus(w.chatwoot.store.conversation(conversation), "resolved");
    await w.settle();
    const outcome = outcomeOf(user);
    expect(outcome).toMatchObject({ endedBy: "agent", agentName: "Anna Agent", labels: ["cognigy"] });
    expect(outcome.waitSeconds).toEqual(expect.any(Number));
    expect(outcome.durationSeconds).toEqual(expect.any(Number));
  });

  it("records a handover the flow resolves", async () => {
    const w = world();
    const user = w.newUser();
    await w.say(user, "agent");
    await w.say(user, "/resolve");
    expect(outcomeOf(user)).toMatchObject({ endedBy: "flow", agentName: null, waitSeconds: null });
  });
});
