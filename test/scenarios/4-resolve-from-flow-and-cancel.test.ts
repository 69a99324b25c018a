import { useWorld } from "../support/use-world";

const world = useWorld();

describe("scenario 4: resolve and reopen from the flow; the user cancels", () => {
  it("resolves and reopens the conversation from the flow", async () => {
    const w = world();
    const user = w.newUser();
    await w.say(user, "agent");
    const conversation = w.conversationOf(user);
    await w.say(user, "/resolve");
    expect(w.chatwoot.store.conversation(conversation).status).toBe("resolved");
    await w.say(user, "hello bot");
    expect(w.endpoint.seenBy(user).at(-1)?.text).toBe("Bot: I can help with routers, bills and contracts. You said: hello bot");
    await w.say(user, "/reopen");
    expect(w.chatwoot.store.conversation(conversation).status).toBe("open");
    await w.say(user, "hello agent");
    expect(w.chatwoot.agent.view(conversation).at(-1)?.text).toBe("hello agent");
  });

  it("lets the user cancel while waiting: the conversation is resolved and the bot takes over", async () => {
    const w = world();
    const user = w.newUser();
    await w.say(user, "agent");
    const conversation = w.conversationOf(user);
    await w.say(user, "cancel");
    expect(w.chatwoot.store.conversation(conversation).status).toBe("resolved");
    expect(w.endpoint.seenBy(user).at(-1)).toMatchObject({ kind: "reply", text: "OK, I cancelled your request." });
    await w.say(user, "thanks");
    expect(w.endpoint.seenBy(user).at(-1)?.text).toContain("Bot:");
    expect(w.chatwoot.agent.view(conversation).map((line) => line.text)).not.toContain("thanks");
  });
});
