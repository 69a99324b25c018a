import { startCognigyEndpoint, type CognigyEndpoint } from "../support/cognigy-endpoint";
import { FAKE_EXTENSION } from "../support/cognigy-fake-extension";
import { inputBytes, MAX_INPUT_BYTES } from "../support/cognigy-limits";
import { createCognigyRuntime } from "../support/cognigy-runtime";

const URL_TOKEN = "endpoint-token-0123456789";

describe("Cognigy Endpoint in front of a project", () => {
  const runtime = createCognigyRuntime(FAKE_EXTENSION);
  const project = runtime.createProject({
    flows: { main: [{ say: "welcome" }, { goTo: { flow: "support" } }], support: [{ id: "wait", node: "waiter" }, { say: "after" }] },
    main: "main",
  });
  let endpoint: CognigyEndpoint;
  beforeAll(async () => {
    endpoint = await startCognigyEndpoint(runtime, { urlToken: URL_TOKEN, project });
  });
  afterAll(async () => endpoint.close());

  const inject = (body: Record<string, unknown>, path = `/inject/${URL_TOKEN}`, headers: Record<string, string> = {}) =>
    fetch(`${endpoint.baseUrl}${path}`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });

  it("user inputs and injects both run from the session's entrypoint", async () => {
    const session = endpoint.newSession();
    expect((await endpoint.userSays(session, "hi")).map((output) => output.text)).toEqual(["welcome", "waiter wait got hi in support"]);
    const response = await inject({ userId: session.userId, sessionId: session.sessionId, text: "", data: { from: "relay" } });
    expect(response.status).toBe(200);
    await endpoint.idle();
    expect(endpoint.seenBy(session).at(-1)).toMatchObject({ kind: "injected", text: "waiter wait got  in support" });
    expect(session.entrypoint?.pinned).toEqual({ flow: "support", nodeId: "wait" });
  });

  it("refuses an inject over the 65 kB input size with 413 (final for the relay's retry policy) and runs nothing", async () => {
    const session = endpoint.newSession();
    const text = "x".repeat(MAX_INPUT_BYTES - inputBytes("", {}) + 1);
    const response = await inject({ userId: session.userId, sessionId: session.sessionId, text, data: {} });
    expect(response.status).toBe(413);
    expect(await response.text()).toContain("maximum input size is 65000 bytes (65 kB)");
    expect(endpoint.injectAttempts().at(-1)).toMatchObject({ sessionId: session.sessionId, status: 413 });
    expect(session.execution ?? 0).toBe(0);
  });

  it("refuses a user message over 65 kB with PlatformLimitError", async () => {
    const session = endpoint.newSession();
    await expect(endpoint.userSays(session, "x".repeat(MAX_INPUT_BYTES))).rejects.toThrow(/maximum input size is 65 kB/);
  });

  it("the legacy REST inject takes at most 60 kB of JSON (REST API limit)", async () => {
    const session = endpoint.newSession();
    const body = { userId: session.userId, sessionId: session.sessionId, URLToken: URL_TOKEN, text: "", data: { blob: "x".repeat(60_000) } };
    const response = await inject(body, "/new/v2.0/endpoint/inject", { "x-api-key": endpoint.apiKey });
    expect(response.status).toBe(413);
    expect(await response.text()).toContain("at most 60000 bytes (60 kB)");
  });

  it("takes exactly one of flow and project", async () => {
    await expect(startCognigyEndpoint(runtime, { urlToken: URL_TOKEN })).rejects.toThrow(/exactly one of flow and project/);
    await expect(startCognigyEndpoint(runtime, { urlToken: URL_TOKEN, project, flow: () => [] })).rejects.toThrow(/exactly one of flow and project/);
  });
});
