import {
  DEFAULT_API_KEY,
  INJECT_SUCCESS,
  startFakeCognigyEndpoint,
  type FakeCognigyEndpoint,
} from "../support/fake-cognigy-endpoint";

interface Answer {
  status: number;
  headers: Headers;
  body: unknown;
}

const TOKEN = "0f1e2d3c4b5a69788796a5b4c3d2e1f0";
const INJECT = { userId: "user-1", sessionId: "session-1", text: "Hello from Anna", data: { chatwoot: { messageId: 4711 } } };

let endpoint: FakeCognigyEndpoint;

beforeEach(async () => {
  endpoint = await startFakeCognigyEndpoint();
});

afterEach(async () => {
  await endpoint.close();
});

async function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const response = await fetch(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: typeof body === "string" ? body : JSON.stringify(body) });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text === "" ? undefined : JSON.parse(text) };
}

function injectEndpoint(body: unknown = INJECT, token = TOKEN): Promise<Answer> {
  return post(`${endpoint.baseUrl}/inject/${token}`, body);
}

/** `apiKey: null` sends no key. */
function injectRest(body: unknown, apiKey: string | null = DEFAULT_API_KEY): Promise<Answer> {
  return post(`${endpoint.apiBaseUrl}/new/v2.0/endpoint/inject`, body, apiKey === null ? {} : { "x-api-key": apiKey });
}

describe("recording injects", () => {
  it("accepts an endpoint-mode inject, answers like Cognigy and records it", async () => {
    const before = Date.now();
    const answer = await injectEndpoint();
    expect(answer).toMatchObject({ status: 200, body: INJECT_SUCCESS });
    expect(endpoint.injects).toHaveLength(1);
    expect(endpoint.injects[0]).toMatchObject({ mode: "endpoint", urlToken: TOKEN, ...INJECT, reply: 200 });
    expect(endpoint.injects[0]?.at).toBeGreaterThanOrEqual(before);
    expect(endpoint.injects[0]?.headers["content-type"]).toBe("application/json");
    expect(endpoint.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(endpoint.violations).toEqual([]);
  });

  it("decodes the URL token from the path", async () => {
    await injectEndpoint(INJECT, "a%20b");
    expect(endpoint.injects[0]?.urlToken).toBe("a b");
  });

  it("accepts a REST-mode inject with the right API key and takes the URL token from the body", async () => {
    const answer = await injectRest({ ...INJECT, URLToken: TOKEN });
    expect(answer).toMatchObject({ status: 200, body: INJECT_SUCCESS });
    expect(endpoint.injects[0]).toMatchObject({ mode: "rest", urlToken: TOKEN, userId: "user-1", text: "Hello from Anna" });
    expect(endpoint.injects[0]?.headers["x-api-key"]).toBe(DEFAULT_API_KEY);
  });

  it("refuses REST injects with a wrong or missing API key with 401", async () => {
    expect((await injectRest({ ...INJECT, URLToken: TOKEN }, "wrong")).status).toBe(401);
    expect((await injectRest({ ...INJECT, URLToken: TOKEN }, null)).status).toBe(401);
    expect(endpoint.injects).toEqual([]);
    expect(endpoint.violations.map((violation) => violation.status)).toEqual([401, 401]);
  });

  it("uses a configured API key", async () => {
    const other = await startFakeCognigyEndpoint({ apiKey: "custom-key" });
    try {
      const answer = await post(`${other.apiBaseUrl}/new/v2.0/endpoint/inject`, { ...INJECT, URLToken: TOKEN }, { "x-api-key": "custom-key" });
      expect(answer.status).toBe(200);
    } finally {
      await other.close();
    }
  });
});

describe("validation", () => {
  const invalid: [string, unknown][] = [
    ["a userId over 256 characters", { ...INJECT, userId: "u".repeat(257) }],
    ["an empty sessionId", { ...INJECT, sessionId: "" }],
    ["a missing sessionId", { userId: "u", text: "t", data: {} }],
    ["text over 10,000 characters", { ...INJECT, text: "t".repeat(10_001) }],
    ["a text that is not a string", { ...INJECT, text: 5 }],
    ["data that is an array", { ...INJECT, data: [] }],
    ["missing data", { userId: "u", sessionId: "s", text: "t" }],
    ["a body that is not an object", [INJECT]],
    ["a body that is not JSON", "{not json"],
  ];

  it.each(invalid)("refuses %s with 400 and records a violation", async (_name, body) => {
    const answer = await injectEndpoint(body);
    expect(answer.status).toBe(400);
    expect(endpoint.injects).toEqual([]);
    expect(endpoint.violations).toHaveLength(1);
    expect(endpoint.violations[0]).toMatchObject({ method: "POST", path: `/inject/${TOKEN}`, status: 400 });
  });

  it("accepts the limits themselves and an empty text", async () => {
    expect((await injectEndpoint({ ...INJECT, userId: "u".repeat(256), sessionId: "s".repeat(256), text: "t".repeat(10_000) })).status).toBe(200);
    expect((await injectEndpoint({ ...INJECT, text: "" })).status).toBe(200);
    expect(endpoint.violations).toEqual([]);
  });

  it("requires the URL token in the body of REST injects", async () => {
    expect((await injectRest(INJECT)).status).toBe(400);
    expect(endpoint.violations[0]?.reason).toMatch(/URLToken/);
  });

  it("refuses bodies that are not sent as JSON", async () => {
    const answer = await post(`${endpoint.baseUrl}/inject/${TOKEN}`, JSON.stringify(INJECT), { "content-type": "text/plain" });
    expect(answer.status).toBe(400);
    expect(endpoint.violations[0]?.reason).toMatch(/Content-Type/);
  });

  it("answers unknown routes and methods with 404 and records them", async () => {
    expect((await post(`${endpoint.baseUrl}/notify/${TOKEN}`, INJECT)).status).toBe(404);
    expect((await post(`${endpoint.baseUrl}/inject/`, INJECT)).status).toBe(404);
    expect((await fetch(`${endpoint.baseUrl}/inject/${TOKEN}`)).status).toBe(404);
    expect(endpoint.violations.map((violation) => violation.status)).toEqual([404, 404, 404]);
  });
});

describe("programmed replies", () => {
  it("answers queued replies in order, then the default", async () => {
    endpoint.enqueue({ status: 503 }, { status: 429, headers: { "Retry-After": "2" }, body: { error: "slow down" } }, { status: 404 });
    const first = await injectEndpoint();
    const second = await injectEndpoint();
    const third = await injectEndpoint();
    const fourth = await injectEndpoint();
    expect([first.status, second.status, third.status, fourth.status]).toEqual([503, 429, 404, 200]);
    expect(second.headers.get("retry-after")).toBe("2");
    expect(second.body).toEqual({ error: "slow down" });
    expect(endpoint.injects.map((inject) => inject.reply)).toEqual([503, 429, 404, 200]);
    expect(endpoint.violations).toEqual([]);
  });

  it("asks the responder with the inject and its 0-based number", async () => {
    const seen: [string, number][] = [];
    endpoint.respondWith((inject, n) => {
      seen.push([inject.text, n]);
      return inject.text === "fail" ? { status: 500 } : undefined;
    });
    expect((await injectEndpoint({ ...INJECT, text: "ok" })).status).toBe(200);
    expect((await injectEndpoint({ ...INJECT, text: "fail" })).status).toBe(500);
    expect(seen).toEqual([["ok", 0], ["fail", 1]]);
  });

  it("fails for a while with failFor, then succeeds again", async () => {
    endpoint.failFor(150, { status: 503 });
    expect((await injectEndpoint()).status).toBe(503);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await injectEndpoint()).status).toBe(200);
  });

  it("resets the connection on 'reset' after recording the inject", async () => {
    endpoint.enqueue("reset");
    await expect(injectEndpoint()).rejects.toThrow();
    expect(endpoint.injects.map((inject) => inject.reply)).toEqual(["reset"]);
  });

  it("never answers on 'hang' until closed", async () => {
    endpoint.enqueue("hang");
    const pending = injectEndpoint();
    const outcome = await Promise.race([pending.then(() => "answered", () => "failed"), new Promise((resolve) => setTimeout(() => resolve("pending"), 200))]);
    expect(outcome).toBe("pending");
    expect(endpoint.injects.map((inject) => inject.reply)).toEqual(["hang"]);
    await endpoint.close();
    await expect(pending).rejects.toThrow();
  });

  it("delays a reply by delayMs", async () => {
    endpoint.enqueue({ status: 200, delayMs: 150 });
    const started = Date.now();
    expect((await injectEndpoint()).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });
});

describe("waitFor", () => {
  it("resolves once enough injects were answered with 2xx, not counting failures", async () => {
    endpoint.enqueue({ status: 503 });
    const waiting = endpoint.waitFor(2, 2000);
    await injectEndpoint({ ...INJECT, text: "a" });
    await injectEndpoint({ ...INJECT, text: "b" });
    await injectEndpoint({ ...INJECT, text: "c" });
    const delivered = await waiting;
    expect(delivered.map((inject) => inject.text)).toEqual(["b", "c"]);
    expect(endpoint.delivered).toHaveLength(2);
  });

  it("resolves at once when enough were already delivered", async () => {
    await injectEndpoint();
    await expect(endpoint.waitFor(1, 10)).resolves.toHaveLength(1);
  });

  it("rejects after the timeout, saying what arrived", async () => {
    endpoint.enqueue({ status: 503 });
    await injectEndpoint();
    await expect(endpoint.waitFor(1, 50)).rejects.toThrow(/expected 1 delivered inject\(s\) within 50 ms, got 0 \(replies: \[503\]/);
  });
});
