import { useWorld } from "../support/use-world";

const world = useWorld();

describe("scenario 1: handover of a new user", () => {
  it("creates the contact and a conversation with team, labels and the history; the user hears the accepted message", async () => {
    const w = world();
    const user = w.newUser({ firstname: "Jane", lastname: "Doe", email: "jane@example.com" });
    await w.say(user, "My internet is down");
    await w.say(user, "I want to talk to an agent");

    const [contact] = w.chatwoot.store.contacts;
    expect(contact).toMatchObject({ name: "Jane Doe", email: "jane@example.com", identifier: user.userId });
    const conversation = w.chatwoot.store.conversation(w.conversationOf(user));
    expect(conversation).toMatchObject({ teamId: 3, labels: ["cognigy"], status: "open" });
    expect(w.chatwoot.agent.view(conversation.id)).toEqual([
      { from: "contact", text: "I want to talk to an agent", files: [] },
      { from: "note", text: "Conversation with the bot before the handover:\n\n**User:**\n> My internet is down", files: [] },
    ]);
    expect(w.endpoint.seenBy(user).map((line) => [line.kind, line.text])).toEqual([
      ["user", "My internet is down"],
      ["reply", "Bot: I can help with routers, bills and contracts. You said: My internet is down"],
      ["user", "I want to talk to an agent"],
      ["reply", "Please wait a moment, I am connecting you with a colleague."],
    ]);
  });

  it("hands the same user over again without a second contact and without sending the history again", async () => {
    const w = world();
    const user = w.newUser({ firstname: "Jane" });
    await w.say(user, "My internet is down");
    await w.say(user, "agent please");
    const first = w.conversationOf(user);
    w.chatwoot.agent.reply(first, "Fixed it, please restart your router.");
    w.chatwoot.agent.resolve(first);
    await w.settle();
    await w.say(user, "It broke again, agent please");

    const second = w.conversationOf(user);
    expect(second).not.toBe(first);
    expect(w.chatwoot.store.contacts).toHaveLength(1);
    expect(w.chatwoot.agent.view(second)).toEqual([{ from: "contact", text: "It broke again, agent please", files: [] }]);
  });
});
