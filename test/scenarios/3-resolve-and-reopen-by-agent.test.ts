import { useWorld } from "../support/use-world";

const world = useWorld();

describe("scenario 3: the agent resolves and reopens", () => {
  it("answers the user with the bot after the agent resolves, and with the agent again after a reopen", async () => {
    const w = world();
    const user = w.newUser();
    await w.say(user, "agent");
    const conversation = w.conversationOf(user);
    w.chatwoot.agent.reply(conversation, "Done, anything else?");
    w.chatwoot.agent.resolve(conversation);
    await w.settle();
    await w.say(user, "what are your opening hours?");
    const afterResolve = w.endpoint.seenBy(user).slice(-4).map((line) => [line.kind, line.text]);
    expect(afterResolve).toEqual([
      ["injected", "The agent has closed the conversation. You are back with the assistant."],
      ["injected", "Welcome back! Is there anything else I can do for you?"],
      ["user", "what are your opening hours?"],
      ["reply", "Bot: I can help with routers, bills and contracts. You said: what are your opening hours?"],
    ]);
    expect(w.chatwoot.agent.view(conversation).map((line) => line.text)).not.toContain("what are your opening hours?");

    w.chatwoot.agent.reopen(conversation);
    await w.settle();
    await w.say(user, "one more thing");
    expect(w.chatwoot.agent.view(conversation).at(-1)).toEqual({ from: "contact", text: "one more thing", files: [] });
    expect(w.endpoint.seenBy(user).filter((line) => line.kind === "injected").map((line) => line.text)).toContain("You are connected with our team again.");
  });
});
