import { useWorld } from "../support/use-world";

const world = useWorld();

/**
 * An agent merges the user's Chatwoot contact into the customer's CRM contact,
 * or edits its identifier (platform-sources.md C1, C2): Chatwoot then answers
 * 500 or 404 to what the extension used to send. The user comes back and is
 * handed over as before, in the same and in a new Cognigy session, and the
 * agent's replies reach them.
 */
describe("scenario 10: the agent merged the user's contact", () => {
  it("hands the user over again in the same Cognigy session, into the surviving contact, and the agent's reply arrives", async () => {
    const w = world();
    const user = w.newUser({ firstname: "Jane" });
    await w.say(user, "agent please");
    const first = w.conversationOf(user);
    w.chatwoot.agent.reply(first, "Hello Jane, fixed.");
    w.chatwoot.agent.resolve(first);
    await w.settle();

    const mine = w.chatwoot.store.conversation(first).contactId;
    const crm = w.chatwoot.store.createContact({ name: "Jane Doe (CRM)", identifier: "crm-4711", email: null, phoneNumber: null });
    w.chatwoot.agent.mergeContacts(crm.id, mine);

    await w.say(user, "It broke again, agent please");
    const second = w.conversationOf(user);
    expect(second).not.toBe(first);
    expect(w.chatwoot.store.conversation(second).contactId).toBe(crm.id);
    expect(w.chatwoot.store.conversations.filter((item) => item.contactId === crm.id)).toHaveLength(2);
    w.chatwoot.agent.reply(second, "I see both of your conversations now.");
    await w.settle();
    expect(w.endpoint.seenBy(user).filter((line) => line.kind === "injected").map((line) => line.text)).toContain("I see both of your conversations now.");
    await w.say(user, "thanks");
    expect(w.chatwoot.agent.view(second).at(-1)).toEqual({ from: "contact", text: "thanks", files: [] });
  });

  it("hands the user over in a new Cognigy session after the merge, and again after an agent edited the identifier", async () => {
    const w = world();
    const user = w.newUser({ firstname: "Jane" });
    await w.say(user, "agent please");
    const first = w.conversationOf(user);
    w.chatwoot.agent.resolve(first);
    await w.settle();
    const crm = w.chatwoot.store.createContact({ name: "Jane Doe (CRM)", identifier: null, email: null, phoneNumber: null });
    w.chatwoot.agent.mergeContacts(crm.id, w.chatwoot.store.conversation(first).contactId);

    const back = w.endpoint.newSession({ userId: user.userId, profile: user.profile });
    await w.say(back, "agent please");
    const second = w.conversationOf(back);
    expect(w.chatwoot.store.conversation(second).contactId).toBe(crm.id);
    w.chatwoot.agent.reply(second, "Hi again.");
    w.chatwoot.agent.resolve(second);
    await w.settle();
    expect(w.endpoint.seenBy(back).filter((line) => line.kind === "injected").map((line) => line.text)).toContain("Hi again.");

    w.chatwoot.agent.editContact(crm.id, { identifier: "crm-0815" });
    const third = w.endpoint.newSession({ userId: user.userId, profile: user.profile });
    await w.say(third, "agent please");
    expect(w.chatwoot.store.conversation(w.conversationOf(third)).contactId).toBe(crm.id);
    expect(w.chatwoot.store.contacts).toHaveLength(1);
    w.chatwoot.agent.reply(w.conversationOf(third), "Still you.");
    await w.settle();
    expect(w.endpoint.seenBy(third).filter((line) => line.kind === "injected").map((line) => line.text)).toContain("Still you.");
  });
});
