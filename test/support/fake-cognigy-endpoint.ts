import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from "http";
import type { Socket } from "net";
import { isRecord, type JsonRecord } from "../../src/core/json-guards";
import { listenOnFreePort } from "./listen";

/**
 * A fake Cognigy inject API on a real port, for the relay to inject agent replies into:
 * - endpoint mode: `POST {baseUrl}/inject/{URLToken}` with `{userId, sessionId, text, data}`, no API key;
 * - REST mode (deprecated): `POST {apiBaseUrl}/new/v2.0/endpoint/inject` with header `x-api-key`
 *   and `{userId, sessionId, URLToken, text, data}`.
 * See ../shared/docs/cognigy-facts.md §3.
 */

export type InjectMode = "endpoint" | "rest";

export type Reply = { status: number; body?: unknown; headers?: Record<string, string>; delayMs?: number } | "hang" | "reset";

/** A well-formed inject request, as the responder sees it. */
export interface InjectRequest {
  /** `Date.now()` when the request was complete. */
  at: number;
  mode: InjectMode;
  urlToken: string;
  userId: string;
  sessionId: string;
  text: string;
  data: JsonRecord;
  headers: IncomingHttpHeaders;
}

export interface ReceivedInject extends InjectRequest {
  /** The status it was answered with, or how the connection was left. */
  reply: number | "hang" | "reset";
}

/** A request Cognigy would have refused (unknown route, wrong API key, malformed body). */
export interface Violation {
  at: number;
  method: string;
  path: string;
  status: 400 | 401 | 404 | 413;
  reason: string;
  body: string;
  headers: IncomingHttpHeaders;
}

/** Answers inject number `n` (0-based, counting every well-formed inject); `undefined` means the default 200. */
export type Responder = (inject: InjectRequest, n: number) => Reply | undefined;

export interface FakeCognigyEndpointOptions {
  /** The API key REST mode requires in `x-api-key`. */
  apiKey?: string;
}

export const DEFAULT_API_KEY = "cognigy-api-key-FAKE-0123456789";
/** What the REST API answers on success (a JSON string). */
export const INJECT_SUCCESS = "Message was sent to AI for Flow processing";
export const MAX_ID_LENGTH = 256;
export const MAX_TEXT_LENGTH = 10_000;
const MAX_BODY_BYTES = 1024 * 1024;
const REST_PATH = "/new/v2.0/endpoint/inject";

class Refusal extends Error {
  constructor(readonly status: Violation["status"], reason: string) {
    super(reason);
  }
}

function isSuccess(reply: ReceivedInject["reply"]): boolean {
  return typeof reply === "number" && reply >= 200 && reply < 300;
}

function identifier(body: JsonRecord, key: string): string {
  const value = body[key];
  if (typeof value !== "string" || value.length === 0) throw new Refusal(400, `${key} must be a non-empty string`);
  if (value.length > MAX_ID_LENGTH) throw new Refusal(400, `${key} must be at most ${MAX_ID_LENGTH} characters, got ${value.length}`);
  return value;
}

/** Cognigy's rule set for inject input: ids ≤ 256 characters, text ≤ 10,000 characters, data an object. */
function parseInjectBody(raw: string, headers: IncomingHttpHeaders): JsonRecord {
  if (!(headers["content-type"] ?? "").toLowerCase().startsWith("application/json")) throw new Refusal(400, "Content-Type must be application/json");
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    throw new Refusal(400, "body is not valid JSON");
  }
  if (!isRecord(body)) throw new Refusal(400, "body must be a JSON object");
  return body;
}

function validateInject(body: JsonRecord, mode: InjectMode, pathToken: string, headers: IncomingHttpHeaders, at: number): InjectRequest {
  const urlToken = mode === "rest" ? identifier(body, "URLToken") : pathToken;
  const userId = identifier(body, "userId");
  const sessionId = identifier(body, "sessionId");
  const { text, data } = body;
  if (typeof text !== "string") throw new Refusal(400, "text must be a string");
  if (text.length > MAX_TEXT_LENGTH) throw new Refusal(400, `text must be at most ${MAX_TEXT_LENGTH} characters, got ${text.length}`);
  if (!isRecord(data)) throw new Refusal(400, "data must be an object");
  return { at, mode, urlToken, userId, sessionId, text, data, headers };
}

function routeOf(method: string, path: string): { mode: InjectMode; pathToken: string } {
  if (method === "POST" && path === REST_PATH) return { mode: "rest", pathToken: "" };
  const match = /^\/inject\/([^/]+)$/.exec(path);
  if (method === "POST" && match?.[1] !== undefined) return { mode: "endpoint", pathToken: decodeURIComponent(match[1]) };
  throw new Refusal(404, `no route for ${method} ${path}`);
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buffer.length;
    if (size > MAX_BODY_BYTES) throw new Refusal(413, `body larger than ${MAX_BODY_BYTES} bytes`);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { "Content-Type": "application/json; charset=utf-8", "Content-Length": String(Buffer.byteLength(text)), ...headers });
  response.end(text);
}

interface Waiter {
  count: number;
  resolve: (injects: ReceivedInject[]) => void;
}

export class FakeCognigyEndpoint {
  /** Every well-formed inject, in arrival order, with how it was answered. */
  readonly injects: ReceivedInject[] = [];
  readonly violations: Violation[] = [];
  private readonly queue: Reply[] = [];
  private responder: Responder | undefined;
  private readonly sockets = new Set<Socket>();
  private readonly waiters = new Set<Waiter>();
  private readonly timers = new Set<NodeJS.Timeout>();

  private constructor(
    private readonly server: Server,
    private readonly port: number,
    readonly apiKey: string,
  ) {}

  static async start(options: FakeCognigyEndpointOptions = {}): Promise<FakeCognigyEndpoint> {
    const server = createServer();
    const port = await listenOnFreePort(server);
    const endpoint = new FakeCognigyEndpoint(server, port, options.apiKey ?? DEFAULT_API_KEY);
    server.on("connection", (socket) => endpoint.track(socket));
    server.on("request", (request, response) => void endpoint.handle(request, response));
    return endpoint;
  }

  /** The Endpoint base URL: inject at `${baseUrl}/inject/${URLToken}`. */
  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** The REST API base URL: inject at `${apiBaseUrl}/new/v2.0/endpoint/inject`. */
  get apiBaseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** The injects answered with 2xx. */
  get delivered(): ReceivedInject[] {
    return this.injects.filter((inject) => isSuccess(inject.reply));
  }

  /** Answers later injects with `responder` (replacing any earlier one); queued replies still go first. */
  respondWith(responder: Responder | undefined): void {
    this.responder = responder;
  }

  /** Answers the next injects with these replies, one each, before the responder is asked. */
  enqueue(...replies: Reply[]): void {
    this.queue.push(...replies);
  }

  /** Answers every inject with `reply` for the next `ms` milliseconds, then with the default 200 again. */
  failFor(ms: number, reply: Reply): void {
    const until = Date.now() + ms;
    this.respondWith(() => (Date.now() < until ? reply : undefined));
  }

  /** Resolves with the delivered injects once at least `count` were answered with 2xx. */
  waitFor(count: number, timeoutMs = 5000): Promise<ReceivedInject[]> {
    if (this.delivered.length >= count) return Promise.resolve(this.delivered);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        this.timers.delete(timer);
        reject(new Error(`expected ${count} delivered inject(s) within ${timeoutMs} ms, got ${this.delivered.length} (${this.describe()})`));
      }, timeoutMs);
      const waiter: Waiter = {
        count,
        resolve: (injects) => {
          clearTimeout(timer);
          this.timers.delete(timer);
          resolve(injects);
        },
      };
      this.timers.add(timer);
      this.waiters.add(waiter);
    });
  }

  /** Stops listening and destroys every open connection, including hanging ones. */
  async close(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }

  private describe(): string {
    const replies = this.injects.map((inject) => String(inject.reply)).join(", ");
    return `replies: [${replies}], violations: [${this.violations.map((violation) => violation.reason).join("; ")}]`;
  }

  private track(socket: Socket): void {
    this.sockets.add(socket);
    socket.on("close", () => this.sockets.delete(socket));
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const method = request.method ?? "GET";
    const path = new URL(request.url ?? "/", this.baseUrl).pathname;
    let raw = "";
    try {
      raw = await readBody(request);
      const { mode, pathToken } = routeOf(method, path);
      if (mode === "rest" && request.headers["x-api-key"] !== this.apiKey) throw new Refusal(401, "x-api-key missing or wrong");
      const inject = validateInject(parseInjectBody(raw, request.headers), mode, pathToken, request.headers, Date.now());
      this.answer(inject, response);
    } catch (error) {
      if (!(error instanceof Refusal)) {
        // The client went away mid-request (e.g. aborted upload); nothing to answer.
        if (!response.destroyed) response.destroy();
        return;
      }
      this.violations.push({ at: Date.now(), method, path, status: error.status, reason: error.message, body: raw, headers: request.headers });
      sendJson(response, error.status, { error: { code: error.status, message: error.message } });
    }
  }

  private answer(inject: InjectRequest, response: ServerResponse): void {
    const reply = this.queue.shift() ?? this.responder?.(inject, this.injects.length) ?? { status: 200, body: INJECT_SUCCESS };
    const recorded: ReceivedInject = { ...inject, reply: typeof reply === "string" ? reply : reply.status };
    this.injects.push(recorded);
    if (reply === "reset") {
      response.socket?.destroy();
    } else if (reply !== "hang") {
      const send = (): void => sendJson(response, reply.status, reply.body ?? (isSuccess(reply.status) ? INJECT_SUCCESS : { error: { code: reply.status } }), reply.headers);
      if (reply.delayMs === undefined) send();
      else this.later(reply.delayMs, send);
    }
    if (isSuccess(recorded.reply)) this.notifyWaiters();
  }

  private later(ms: number, action: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      action();
    }, ms);
    this.timers.add(timer);
  }

  private notifyWaiters(): void {
    const delivered = this.delivered;
    for (const waiter of this.waiters) {
      if (delivered.length < waiter.count) continue;
      this.waiters.delete(waiter);
      waiter.resolve(delivered);
    }
  }
}

/** Starts a fake Cognigy endpoint on 127.0.0.1 on a free port. */
export function startFakeCognigyEndpoint(options: FakeCognigyEndpointOptions = {}): Promise<FakeCognigyEndpoint> {
  return FakeCognigyEndpoint.start(options);
}
