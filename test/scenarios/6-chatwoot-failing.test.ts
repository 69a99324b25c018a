import { readRecord } from "../../src/core/json-guards";
import { USER_TOKEN } from "../support/chatwoot-simulator/server";
import { useWorld } from "../support/use-world";
import { WORLD_RELAY_SECRET } from "../support/world";

const world = useWorld();

const CONVERSATIONS = "POST /api/v1/accounts/{account_id}/conversations";
const CONTACT_CONVERSATIONS = "GET /api/v1/accounts/{account_id}/contacts/{id}/conversations";
const ACCEPTED = "Please wait a moment, I am connecting you with a colleague.";
const UNREACHABLE = "Our agents cannot be reached right now. Please try again later.";

describe("scenario 6: Chatwoot down or refusing at handover", () => {
  it.each([
    [401, { error: "Invalid Access Token" }, "HTTP 401: Invalid Access Token"],
    [404, { error: "Resource could not be found" }, "HTTP 404: Resource could not be found"],
    [429, "Retry later", "HTTP 429: Retry later"],
  ])("takes the error exit on HTTP %i with a message the designer can act on", async (status, body, text) => {
    const w = world();
    w.chatwoot.fault(CONVERSATIONS, { status, body });
    const user = w.newUser();
    await w.say(user, "agent");
    expect(w.endpoint.seenBy(user).at(-1)?.text).toBe("Our agents cannot be reached right now. Please try again later.");
    const error = readRecord(readRecord(user.context.chatwoot).error);
    expect(error).toMatchObject({ operation: "create conversation", status });
    expect(String(error.message)).toContain(text);
  });

  it("takes the error exit, well within 20 s, when Chatwoot is down", async () => {
    const w = world();
    w.runtime.setConnection("cw", { baseUrl: "http://127.0.0.1:9", accountId: "1", apiKey: USER_TOKEN, relaySecret: WORLD_RELAY_SECRET });
    const user = w.newUser();
    const started = Date.now();
    await w.say(user, "agent");
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(readRecord(readRecord(user.context.chatwoot).error)).toMatchObject({ kind: "network", message: expect.stringContaining("could not reach 127.0.0.1:9") });
  });

  it("takes the error exit, within 20 s, when Chatwoot hangs", async () => {
    const w = world();
    w.chatwoot.fault("*", "hang");
    const user = w.newUser();
    const started = Date.now();
    await w.say(user, "agent");
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(readRecord(readRecord(user.context.chatwoot).error)).toMatchObject({ kind: "timeout" });
  });

  it("Chatwoot creates the conversation but its answer is lost (connection reset): the handover starts with it, and the agent's reply reaches the user", async () => {
    const w = world();
    w.chatwoot.fault(CONVERSATIONS, "reset-after");
    const user = w.newUser({ firstname: "Jane" });
    await w.say(user, "I need a human");
    expect(w.endpoint.seenBy(user).at(-1)?.text).toBe(ACCEPTED);
    expect(w.chatwoot.store.conversations).toHaveLength(1);
    const conversationId = w.conversationOf(user);
    expect(conversationId).toBe(w.chatwoot.store.conversations[0]?.id);
    w.chatwoot.agent.reply(conversationId, "Hi Jane, I'm here.");
    await w.settle();
    expect(w.endpoint.seenBy(user).at(-1)).toMatchObject({ kind: "injected", text: "Hi Jane, I'm here." });
  });

  it("… and if it cannot be found at once, the user's next request continues in it: one conversation, the agent's reply reaches the user", async () => {
    const w = world();
    w.chatwoot.fault(CONVERSATIONS, "reset-after");
    w.chatwoot.fault(CONTACT_CONVERSATIONS, "reset");
    const user = w.newUser({ firstname: "Jane" });
    await w.say(user, "I need a human");
    expect(w.endpoint.seenBy(user).at(-1)?.text).toBe(UNREACHABLE);
    await w.say(user, "a human please");
    expect(w.endpoint.seenBy(user).at(-1)?.text).toBe(ACCEPTED);
    expect(w.chatwoot.store.conversations).toHaveLength(1);
    const conversationId = w.conversationOf(user);
    expect(w.chatwoot.agent.view(conversationId).filter((line) => line.from === "contact").map((line) => line.text)).toEqual(["I need a human", "a human please"]);
    w.chatwoot.agent.reply(conversationId, "Hi Jane, sorry for the wait.");
    await w.settle();
    expect(w.endpoint.seenBy(user).at(-1)).toMatchObject({ kind: "injected", text: "Hi Jane, sorry for the wait." });
  });
});
