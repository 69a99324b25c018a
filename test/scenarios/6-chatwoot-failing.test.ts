import { readRecord } from "../../src/core/json-guards";
import { USER_TOKEN } from "../support/chatwoot-simulator/server";
import { useWorld } from "../support/use-world";
import { WORLD_RELAY_SECRET } from "../support/world";

const world = useWorld();

const CONVERSATIONS = "POST /api/v1/accounts/{account_id}/conversations";

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
});
