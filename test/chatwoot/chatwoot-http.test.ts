import { createServer, type IncomingMessage, type Server, type ServerResponse } from "http";
import { ChatwootApiError } from "../../src/chatwoot/chatwoot-api-error";
import { createChatwootHttp, remoteErrorText } from "../../src/chatwoot/chatwoot-http";
import { createDeadline } from "../../src/chatwoot/deadline";
import { listenOnFreePort } from "../support/listen";

const TOKEN = "secret-token-abcdef123456";

let server: Server;
let base: string;
let handler: (request: IncomingMessage, response: ServerResponse) => void;
const seen: { url: string; token: string | undefined }[] = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    const token = request.headers["api_access_token"];
    seen.push({ url: request.url ?? "", token: typeof token === "string" ? token : undefined });
    handler(request, response);
  });
  base = `http://127.0.0.1:${await listenOnFreePort(server)}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  seen.length = 0;
});

function http(budgetMs = 5_000, timeoutMs = 2_000) {
  return createChatwootHttp({ baseUrl: base, apiKey: TOKEN, deadline: createDeadline(budgetMs), requestTimeoutMs: timeoutMs, secrets: [TOKEN] });
}

async function failure(promise: Promise<unknown>): Promise<ChatwootApiError> {
  try {
    await promise;
  } catch (error: unknown) {
    if (error instanceof ChatwootApiError) return error;
    throw error;
  }
  throw new Error("expected a ChatwootApiError");
}

const anything = (body: unknown): unknown => body;

describe("the Chatwoot HTTP wrapper", () => {
  it("sends the token header and returns the parsed body", async () => {
    handler = (_, response) => response.writeHead(200, { "content-type": "application/json" }).end('{"id": 5}');
    const result = await http()("get thing", { method: "GET", path: "/api/v1/x" }, (body) => (typeof body === "object" && body !== null && "id" in body ? body.id : undefined));
    expect(result).toBe(5);
    expect(seen).toEqual([{ url: "/api/v1/x", token: TOKEN }]);
  });

  it("sends no token to the public API", async () => {
    handler = (_, response) => response.writeHead(200, { "content-type": "application/json" }).end("{}");
    await http()("public", { method: "GET", path: "/public/api/v1/inboxes/abc", authenticated: false }, anything);
    expect(seen[0]?.token).toBeUndefined();
  });

  it("does not follow redirects, which would carry the token to another host", async () => {
    handler = (request, response) => {
      if (request.url === "/api/v1/x") return void response.writeHead(301, { location: `${base}/elsewhere` }).end();
      response.writeHead(200).end("{}");
    };
    const error = await failure(http()("get thing", { method: "GET", path: "/api/v1/x" }, anything));
    expect(error.status).toBe(301);
    expect(error.message).toContain("check the base URL");
    expect(seen.map((request) => request.url)).toEqual(["/api/v1/x"]);
  });

  it("redacts the token if Chatwoot echoes it in an error", async () => {
    handler = (_, response) => response.writeHead(401, { "content-type": "application/json" }).end(JSON.stringify({ error: `Token ${TOKEN} is invalid` }));
    const error = await failure(http()("get thing", { method: "GET", path: "/x" }, anything));
    expect(error.message).toBe('Chatwoot request "get thing" failed with HTTP 401: Token [redacted] is invalid. Check the connection\'s API key (agent-bot tokens may call only some endpoints).');
    expect(JSON.stringify(error)).not.toContain(TOKEN);
    expect(JSON.stringify(error.summary())).not.toContain(TOKEN);
  });

  it("refuses a 2xx body it does not understand, naming the host", async () => {
    handler = (_, response) => response.writeHead(200, { "content-type": "text/html" }).end("<html>login</html>");
    const error = await failure(http()("create conversation", { method: "POST", path: "/x", body: {} }, () => undefined));
    expect(error.kind).toBe("invalid_response");
    expect(error.message).toContain("is 127.0.0.1:");
  });

  it("times out a slow response and says after how long", async () => {
    handler = () => undefined;
    const started = Date.now();
    const error = await failure(http(5_000, 300)("slow", { method: "GET", path: "/x" }, anything));
    expect(error.kind).toBe("timeout");
    expect(error.message).toBe(`Chatwoot request "slow" to ${base.replace("http://", "")} timed out after 300 ms.`);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it("times out a response that trickles in slower than the timeout", async () => {
    handler = (_, response) => {
      response.writeHead(200, { "content-type": "application/json" });
      const timer = setInterval(() => response.write(" "), 100);
      response.on("close", () => clearInterval(timer));
    };
    const error = await failure(http(5_000, 500)("trickle", { method: "GET", path: "/x" }, anything));
    expect(error.kind).toBe("timeout");
  });

  it("says a 5xx is Chatwoot's own failure, with Chatwoot's text", async () => {
    handler = (_, response) => response.writeHead(500, { "content-type": "application/json" }).end(JSON.stringify({ status: 500, error: "Internal Server Error" }));
    const error = await failure(http()("create contact", { method: "POST", path: "/x", body: {} }, anything));
    expect(error.summary()).toEqual({
      operation: "create contact",
      kind: "http",
      status: 500,
      message: 'Chatwoot request "create contact" failed with HTTP 500: Internal Server Error. Chatwoot failed on its side; try again later, and check Chatwoot\'s logs if it persists.',
    });
  });

  it("says the connection was closed before an answer when Chatwoot resets it", async () => {
    handler = (request) => request.socket.destroy();
    const error = await failure(http()("create conversation", { method: "POST", path: "/x", body: {} }, anything));
    expect(error.kind).toBe("network");
    expect(error.message).toBe(
      `Chatwoot request "create conversation" to ${base.replace("http://", "")} failed: the connection was closed before Chatwoot answered (ECONNRESET). Chatwoot, or a proxy in front of it, dropped the request; check their logs if it persists.`,
    );
  });

  it("marks an answer as lost only when the request may have reached Chatwoot (timeout, reset after sending), never for a status or a refused connection", async () => {
    const outcome = async (reply: (request: IncomingMessage, response: ServerResponse) => void): Promise<[string, boolean]> => {
      handler = reply;
      const error = await failure(http(5_000, 300)("create conversation", { method: "POST", path: "/x", body: {} }, () => undefined));
      return [error.kind, error.answerLost];
    };
    expect(await outcome(() => undefined)).toEqual(["timeout", true]);
    expect(await outcome((request) => request.socket.destroy())).toEqual(["network", true]);
    expect(await outcome((_, response) => response.writeHead(500).end("{}"))).toEqual(["http", false]);
    // Chatwoot answered: whatever the body, it decided.
    expect(await outcome((_, response) => response.writeHead(200).end("<html>"))).toEqual(["invalid_response", false]);
    const refused = createChatwootHttp({ baseUrl: "http://127.0.0.1:9", apiKey: TOKEN, deadline: createDeadline(5_000), requestTimeoutMs: 2_000, secrets: [TOKEN] });
    const error = await failure(refused("create conversation", { method: "POST", path: "/x", body: {} }, anything));
    expect([error.kind, error.answerLost, error.message]).toEqual(["network", false, 'Chatwoot request "create conversation" could not reach 127.0.0.1:9 (ECONNREFUSED).']);
    expect((await failure(http(100, 2_000)("late", { method: "GET", path: "/x" }, anything))).answerLost).toBe(false);
  });

  it("sends nothing once the node's time budget is spent", async () => {
    handler = (_, response) => response.writeHead(200).end("{}");
    const error = await failure(http(100, 2_000)("late", { method: "GET", path: "/x" }, anything));
    expect(error.kind).toBe("time_budget");
    expect(seen).toEqual([]);
  });
});

describe("remoteErrorText", () => {
  it.each([
    [{ error: "Resource could not be found" }, "Resource could not be found"],
    [{ message: "Identifier has already been taken", attributes: ["identifier"] }, "Identifier has already been taken"],
    [{ errors: [{ field: "x", message: "is invalid", code: "invalid" }, "also bad"] }, "is invalid; also bad"],
    ["Retry later", "Retry later"],
    ["<html>502 Bad Gateway</html>", undefined],
    [{ unexpected: true }, undefined],
    [null, undefined],
  ])("reads %j as %j", (body, expected) => {
    expect(remoteErrorText(body)).toBe(expected);
  });
});
