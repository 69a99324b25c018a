import { createServer, type IncomingMessage, type ServerResponse } from "http";
import type { Socket } from "net";
import { isRecord, readRecord } from "../../src/core/json-guards";
import { inputBytes, MAX_INPUT_BYTES, MAX_REST_JSON_BYTES } from "./cognigy-limits";
import type { CognigyProject, CognigyRuntime, FlowStep, Output, Session } from "./cognigy-runtime";
import { listenOnFreePort } from "./listen";

/** One line of what the user sees: what they typed, and each output, marked by what caused it. */
export interface SeenByUser {
  at: number;
  /** "user": typed by the user; "reply": output of the user's input; "injected": output of a relay inject. */
  kind: "user" | "reply" | "injected";
  text: string;
  data: unknown;
}

export type EndpointFault = { status: number; headers?: Record<string, string> } | "hang";

export interface CognigyEndpointOptions {
  urlToken: string;
  /** The legacy REST inject's X-API-Key. */
  apiKey?: string;
  /** The flow for an input (the Session node first), rebuilt for each input; or give `project`. */
  flow?: (text: string) => FlowStep[];
  /** A project: each input (typed or injected) runs from the session's entrypoint (`project.input`). */
  project?: CognigyProject;
}

const ACCEPTED = JSON.stringify("Message was sent to AI for Flow processing");

async function readJson(request: IncomingMessage): Promise<{ body: unknown; bytes: number }> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  const raw = Buffer.concat(chunks);
  try {
    return { body: JSON.parse(raw.toString("utf8")), bytes: raw.length };
  } catch {
    return { body: undefined, bytes: raw.length };
  }
}

/**
 * An input over Cognigy's 65 kB maximum input size (limitations.md) is refused
 * before it runs. The stand-in answers 413: a 4xx the relay's retry policy treats
 * as final (retry-policy.ts retries only 408, 429, 5xx), so an oversized agent
 * message is dead-lettered unless the relay clips it first — as it must.
 */
function tooLarge(text: string, data: unknown): string | undefined {
  const bytes = inputBytes(text, data);
  return bytes > MAX_INPUT_BYTES ? `Input too large: ${bytes} bytes of text and data; the maximum input size is ${MAX_INPUT_BYTES} bytes (65 kB)` : undefined;
}

/**
 * A Cognigy Endpoint in front of the Cognigy-style runtime: users talk to it,
 * and the relay injects into it (`POST /inject/{URLToken}`, or the legacy
 * `POST /new/v2.0/endpoint/inject` with X-API-Key). Each session handles one
 * input at a time, in order, as the platform does.
 */
export async function startCognigyEndpoint(runtime: CognigyRuntime, options: CognigyEndpointOptions) {
  const { flow, project } = options;
  if ((flow === undefined) === (project === undefined)) throw new Error("startCognigyEndpoint: give exactly one of flow and project");
  const sessions = new Map<string, Session>();
  const seen = new Map<string, SeenByUser[]>();
  const queues = new Map<string, Promise<unknown>>();
  const sockets = new Set<Socket>();
  const apiKey = options.apiKey ?? "cognigy-api-key-DEMO-0123456789";
  let fault: { reply: EndpointFault; until: number } | null = null;
  const files: { name: string; contentType: string; data: Buffer }[] = [];
  /** Every inject request for a session, with the status it was answered (404 for an ended session). */
  const injectAttempts: { at: number; sessionId: string; status: number }[] = [];

  async function execute(session: Session, text: string, data: Record<string, unknown>): Promise<Output[]> {
    if (project !== undefined) return (await project.input(session, { text, data })).outputs;
    return (await runtime.runFlow(session, flow === undefined ? [] : flow(text), { text, data })).outputs;
  }

  function record(session: Session, kind: SeenByUser["kind"], outputs: readonly Output[]): void {
    const list = seen.get(session.sessionId) ?? [];
    for (const output of outputs) list.push({ at: Date.now(), kind, text: output.text, data: output.data });
    seen.set(session.sessionId, list);
  }

  /** Runs an input for a session after the inputs before it. */
  function run(session: Session, text: string, data: Record<string, unknown>, kind: "reply" | "injected"): Promise<Output[]> {
    const previous = queues.get(session.sessionId) ?? Promise.resolve();
    const next = previous.then(async () => {
      const outputs = await execute(session, text, data);
      record(session, kind, outputs);
      return outputs;
    });
    queues.set(session.sessionId, next.catch(() => undefined));
    return next;
  }

  async function inject(body: unknown, response: ServerResponse): Promise<void> {
    const input = readRecord(body);
    const session = typeof input.sessionId === "string" ? sessions.get(input.sessionId) : undefined;
    const known = session !== undefined && session.userId === input.userId;
    const wellFormed = typeof input.text === "string" && isRecord(input.data);
    const oversized = wellFormed ? tooLarge(String(input.text), input.data) : undefined;
    injectAttempts.push({ at: Date.now(), sessionId: typeof input.sessionId === "string" ? input.sessionId : "", status: !known ? 404 : !wellFormed ? 400 : oversized !== undefined ? 413 : 200 });
    if (!known) return void response.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ error: "Session not found" }));
    if (typeof input.text !== "string" || !isRecord(input.data)) return void response.writeHead(400).end(JSON.stringify({ error: "text and data required" }));
    if (oversized !== undefined) return void response.writeHead(413, { "content-type": "application/json" }).end(JSON.stringify({ error: oversized }));
    response.writeHead(200, { "content-type": "application/json" }).end(ACCEPTED);
    await run(session, input.text, input.data, "injected");
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = new URL(request.url ?? "/", "http://endpoint").pathname;
    const { body, bytes } = await readJson(request);
    if (fault !== null && Date.now() < fault.until) {
      if (fault.reply === "hang") return;
      return void response.writeHead(fault.reply.status, fault.reply.headers ?? {}).end(JSON.stringify({ error: "unavailable" }));
    }
    const file = /^\/files\/(\d+)\//.exec(path)?.[1];
    if (request.method === "GET" && file !== undefined) {
      const stored = files[Number(file)];
      if (stored === undefined) return void response.writeHead(404).end();
      return void response.writeHead(200, { "content-type": stored.contentType }).end(stored.data);
    }
    const endpointToken = /^\/inject\/([^/]+)$/.exec(path)?.[1];
    if (request.method === "POST" && endpointToken !== undefined) {
      if (decodeURIComponent(endpointToken) !== options.urlToken) return void response.writeHead(404).end(JSON.stringify({ error: "Endpoint not found" }));
      return inject(body, response);
    }
    if (request.method === "POST" && path === "/new/v2.0/endpoint/inject") {
      if (request.headers["x-api-key"] !== apiKey) return void response.writeHead(401).end(JSON.stringify({ error: "Unauthorized" }));
      // "Maximum JSON-encoded payload size for requests to Cognigy.AI REST API: 60 kB" (limitations.md).
      if (bytes > MAX_REST_JSON_BYTES) return void response.writeHead(413, { "content-type": "application/json" }).end(JSON.stringify({ error: `Payload too large: ${bytes} bytes; the REST API takes at most ${MAX_REST_JSON_BYTES} bytes (60 kB)` }));
      if (readRecord(body).URLToken !== options.urlToken) return void response.writeHead(404).end(JSON.stringify({ error: "Endpoint not found" }));
      return inject(body, response);
    }
    response.writeHead(404).end();
  }

  const server = createServer((request, response) => void handle(request, response).catch(() => response.destroy()));
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  const port = await listenOnFreePort(server);

  return {
    baseUrl: `http://127.0.0.1:${port}`,
    apiKey,
    /** A new session on this Endpoint. */
    newSession(overrides: Partial<Session> = {}): Session {
      const session = runtime.createSession({ URLToken: options.urlToken, ...overrides });
      sessions.set(session.sessionId, session);
      return session;
    },
    /** The user types; resolves with what the flow answered. */
    async userSays(session: Session, text: string, data: Record<string, unknown> = {}): Promise<Output[]> {
      const list = seen.get(session.sessionId) ?? [];
      list.push({ at: Date.now(), kind: "user", text, data });
      seen.set(session.sessionId, list);
      return run(session, text, data, "reply");
    },
    /** Stores a file as Cognigy's file storage does for a Webchat upload; returns the `input.data.attachments` entry. */
    upload(name: string, contentType: string, data: Buffer): { fileName: string; mimeType: string; size: number; url: string } {
      files.push({ name, contentType, data });
      return { fileName: name, mimeType: contentType, size: data.length, url: `http://127.0.0.1:${port}/files/${files.length - 1}/${encodeURIComponent(name)}` };
    },
    /** The session ends (as after Cognigy's session timeout): injects for it are answered 404 from now on. */
    endSession(session: Session): void {
      sessions.delete(session.sessionId);
    },
    /** Every inject request that reached a session route, with its status. */
    injectAttempts: (): readonly { at: number; sessionId: string; status: number }[] => injectAttempts,
    /** Everything the user saw, in order. */
    seenBy: (session: Session): SeenByUser[] => [...(seen.get(session.sessionId) ?? [])],
    /** Answers every request with this fault for `ms` (e.g. 503, or "hang"). */
    failFor(ms: number, reply: EndpointFault): void {
      fault = { reply, until: Date.now() + ms };
    },
    /** Resolves when every queued input has run. */
    async idle(): Promise<void> {
      await Promise.all([...queues.values()]);
    },
    async close(): Promise<void> {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export type CognigyEndpoint = Awaited<ReturnType<typeof startCognigyEndpoint>>;
