import { createServer, type IncomingMessage, type ServerResponse } from "http";
import type { Socket } from "net";
import { listenOnFreePort } from "../listen";
import { createSpecValidator, type SpecMatch, type SpecVerdict } from "../chatwoot-spec-validator";
import type { FakeAgent, FakeAttachment, FakeInbox, FakeTeam } from "./model";
import { botMayCall, type ChatwootVersion } from "./chatwoot-version";
import { createAgentConsole } from "./agent-console";
import { ROUTES, type Actor } from "./routes";
import { ChatwootRefusal, FakeChatwootStore } from "./store";
import { createWebhookDispatcher } from "./webhook-dispatcher";
import { codeOnlyOperation, splitCodeOnlyQuery } from "./code-only-query";

export interface RecordedRequest {
  method: string;
  path: string;
  /** `METHOD template`, e.g. `POST /api/v1/accounts/{account_id}/conversations`; null if no operation matched. */
  operation: string | null;
  token: "user" | "bot" | "none" | "invalid";
  body: Record<string, unknown>;
  files: FakeAttachment[];
  status: number;
  /** Chatwoot carried the request out (status is its answer), but the answer never reached the client (a `-after` fault). */
  answerLost: boolean;
  /** When it arrived (the simulator's clock, ms). */
  at: number;
}

/**
 * What a request meets instead of Chatwoot's normal answer:
 * - `{status, body}`: that answer, and the request is not carried out;
 * - `"hang"` / `"reset"`: no answer (the connection stays open / is destroyed), not carried out;
 * - `"hang-after"` / `"reset-after"`: carried out as usual (contacts, conversations,
 *   messages and webhooks happen), then the answer is lost the same two ways.
 */
export type Fault = { status: number; body?: unknown; headers?: Record<string, string> } | "hang" | "reset" | "hang-after" | "reset-after";

export interface ChatwootSimulatorOptions {
  userToken?: string;
  botToken?: string;
  botId?: number;
  now?: () => number;
  /** Check requests against Chatwoot's OpenAPI spec (default true; the demo turns it off when ../shared is absent). */
  validate?: boolean;
  /** The release to play (default 4.15.1): the agent-bot allow-list follows it (chatwoot-version.ts). */
  version?: ChatwootVersion;
}

/** An administrator's access token (user 1). */
export const USER_TOKEN = "user-token-FAKEFAKE1234";
export const BOT_TOKEN = "bot-token-FAKEFAKE5678";
/** The access token of agent 7 (Anna), who may act only in inboxes she is a member of. */
export const AGENT_TOKEN = "agent-token-FAKEFAKE9012";

/** Without the spec file (demo on a machine without ../shared): route by matching the known templates. */
function matchWithoutSpec(method: string, path: string): SpecMatch | null {
  for (const key of Object.keys(ROUTES)) {
    const [routeMethod = "", template = ""] = key.split(" ");
    if (routeMethod !== method) continue;
    const names: string[] = [];
    const pattern = new RegExp(`^${template.replace(/\{(\w+)\}/g, (_, name: string) => (names.push(name), "([^/]+)"))}$`);
    const found = pattern.exec(path);
    if (found === null) continue;
    const pathParams = Object.fromEntries(names.map((name, index) => [name, decodeURIComponent(found[index + 1] ?? "")]));
    return { operationId: key, method, template, pathParams, security: template.startsWith("/public/") ? "public" : "token" };
  }
  return null;
}

function fileType(contentType: string): FakeAttachment["fileType"] {
  if (/^image\/(jpeg|jpg|png|gif|bmp|webp)$/.test(contentType)) return "image";
  if (/^video\/(mp4|webm|ogg|quicktime)$/.test(contentType)) return "video";
  if (contentType.startsWith("audio/")) return "audio";
  return "file";
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks);
}

interface ParsedBody {
  body: Record<string, unknown>;
  /** What the spec validator sees: JSON as is; multipart fields with files as "<file:NAME>". */
  specBody: unknown;
  files: FakeAttachment[];
}

async function parseBody(request: IncomingMessage, raw: Buffer): Promise<ParsedBody> {
  const contentType = request.headers["content-type"] ?? "";
  if (raw.length === 0) return { body: {}, specBody: undefined, files: [] };
  if (contentType.startsWith("multipart/form-data")) {
    const form = await new Request("http://fake/", { method: "POST", headers: { "content-type": contentType }, body: raw }).formData();
    const body: Record<string, unknown> = {};
    const files: FakeAttachment[] = [];
    for (const [key, value] of form.entries()) {
      const shown = typeof value === "string" ? value : `<file:${value.name}>`;
      if (typeof value !== "string") files.push({ name: value.name, contentType: value.type, size: value.size, fileType: fileType(value.type) });
      const previous = body[key];
      body[key] = key.endsWith("[]") ? [...(Array.isArray(previous) ? previous : []), shown] : shown;
    }
    return { body, specBody: body, files };
  }
  const parsed: unknown = JSON.parse(raw.toString("utf8"));
  const body = typeof parsed === "object" && parsed !== null && !Array.isArray(parsed) ? Object.fromEntries(Object.entries(parsed)) : {};
  return { body, specBody: parsed, files: [] };
}

/**
 * A Chatwoot stand-in on a real port: it refuses every request Chatwoot's
 * OpenAPI spec (plus the code-only parameters) would not accept, enforces the
 * bot-token allow-list, and keeps contacts, conversations and messages with
 * Chatwoot's rules. Faults (status, hang, reset, and a lost answer after the
 * request was carried out) and a rate limit can be set.
 */
export async function startChatwootSimulator(options: ChatwootSimulatorOptions = {}) {
  const now = options.now ?? Date.now;
  let version: ChatwootVersion = options.version ?? "4.15.1";
  const store = new FakeChatwootStore(now);
  const validator = options.validate === false ? null : createSpecValidator();
  const requests: RecordedRequest[] = [];
  const violations: string[] = [];
  const faults: { operation: string; fault: Fault; times: number }[] = [];
  const sockets = new Set<Socket>();
  const userToken = options.userToken ?? USER_TOKEN;
  const botToken = options.botToken ?? BOT_TOKEN;
  const botId = options.botId ?? 1;
  store.bots.push({ id: botId, name: "Cognigy Bot" });
  store.agents.push({ id: 7, name: "Anna Agent", email: "anna@example.com", availability: "online" });
  let baseUrl = "";
  const webhooks = createWebhookDispatcher(store, () => baseUrl, () => version);
  let rateLimit: { perMinute: number; hits: number[] } | null = null;
  let latencyMs = 0;

  function actorOf(token: string | undefined): { actor: Actor | null; kind: RecordedRequest["token"] } {
    if (token === undefined) return { actor: { kind: "public" }, kind: "none" };
    if (token === userToken) return { actor: { kind: "user", id: 1, role: "administrator" }, kind: "user" };
    if (token === AGENT_TOKEN) return { actor: { kind: "user", id: 7, role: "agent" }, kind: "user" };
    if (token === botToken) return { actor: { kind: "bot", id: botId }, kind: "bot" };
    return { actor: null, kind: "invalid" };
  }

  function takeFault(operation: string | null): Fault | undefined {
    const index = faults.findIndex((item) => item.operation === operation || item.operation === "*");
    const entry = faults[index];
    if (entry === undefined) return undefined;
    entry.times -= 1;
    if (entry.times <= 0) faults.splice(index, 1);
    return entry.fault;
  }

  function send(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    const text = typeof body === "string" ? body : JSON.stringify(body);
    response.writeHead(status, { "content-type": typeof body === "string" ? "text/plain" : "application/json; charset=utf-8", ...headers });
    response.end(text);
  }

  /** Files attached to messages, at their data_url (not part of the API, so not checked against the spec). */
  function serveBlob(path: string, response: ServerResponse): boolean {
    const match = /^\/rails\/active_storage\/blobs\/redirect\/(\d+)-(\d+)\//.exec(path);
    if (match === null) return false;
    const file = store.messages.find((message) => message.id === Number(match[1]))?.attachments[Number(match[2])];
    if (file?.data === undefined) send(response, 404, { error: "not found" });
    else {
      response.writeHead(200, { "content-type": file.contentType });
      response.end(file.data);
    }
    return true;
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? "/", "http://fake");
    if (request.method === "GET" && serveBlob(url.pathname, response)) return;
    const raw = await readBody(request);
    const tokenHeader = request.headers["api_access_token"];
    const { actor, kind } = actorOf(typeof tokenHeader === "string" ? tokenHeader : undefined);
    let parsed: ParsedBody;
    try {
      parsed = await parseBody(request, raw);
    } catch {
      violations.push(`${request.method} ${url.pathname}: body is not valid JSON or multipart`);
      return send(response, 400, { error: "unparsable body" });
    }
    const query = splitCodeOnlyQuery(codeOnlyOperation(request.method ?? "GET", url.pathname), Object.fromEntries(url.searchParams.entries()));
    const unchecked = validator === null ? matchWithoutSpec(request.method ?? "GET", url.pathname) : null;
    const verdict: SpecVerdict = validator === null ? (unchecked === null ? { ok: false, match: null, problems: [`${url.pathname}: unknown`] } : { ok: true, match: unchecked }) : validator.validate({
      method: request.method ?? "GET",
      path: url.pathname,
      query: query.rest,
      contentType: request.headers["content-type"] ?? null,
      body: parsed.specBody,
      hasToken: kind !== "none",
    });
    const match: SpecMatch | null = verdict.match;
    const operation = match === null ? null : `${match.method.toUpperCase()} ${match.template}`;
    const record: RecordedRequest = { method: request.method ?? "GET", path: url.pathname, operation, token: kind, body: parsed.body, files: parsed.files, status: 0, answerLost: false, at: now() };
    requests.push(record);
    if (latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, latencyMs));
    const fault = takeFault(operation);
    if (fault === "hang") return;
    if (fault === "reset") return void request.socket.destroy();
    const reply = (status: number, body: unknown, headers?: Record<string, string>): void => {
      record.status = status;
      if (fault === "hang-after" || fault === "reset-after") {
        record.answerLost = true;
        if (fault === "reset-after") request.socket.destroy();
        return;
      }
      send(response, status, body, headers);
    };
    if (typeof fault === "object") return reply(fault.status, fault.body ?? { error: "fault injected" }, fault.headers);
    if (rateLimit !== null) {
      const windowStart = now() - 60_000;
      rateLimit.hits = rateLimit.hits.filter((at) => at > windowStart);
      if (rateLimit.hits.length >= rateLimit.perMinute) return reply(429, "Retry later");
      rateLimit.hits.push(now());
    }
    if (!verdict.ok || query.problems.length > 0) {
      const problems = [...(verdict.ok ? [] : verdict.problems), ...query.problems];
      violations.push(...problems);
      return reply(400, { error: `Request refused by the Chatwoot spec: ${problems.join("; ")}` });
    }
    if (actor === null) return reply(401, { error: "Invalid Access Token" });
    const route = operation === null ? undefined : ROUTES[operation];
    if (route === undefined || match === null) {
      violations.push(`${operation ?? url.pathname}: not implemented by the fake`);
      return reply(501, { error: "not implemented by the fake" });
    }
    if (actor.kind === "bot" && route.action !== null && !botMayCall(version, route.action)) return reply(401, { error: "Access to this endpoint is not authorized for bots" });
    if (match.security === "token" && actor.kind === "public") return reply(401, { error: "You need to sign in or sign up before continuing." });
    if (match.pathParams.account_id !== undefined && match.pathParams.account_id !== "1") return reply(401, { error: "You are not authorized to access this account" });
    try {
      const result = route.handle({ store, params: match.pathParams, query: { ...query.rest, ...query.codeOnly }, body: parsed.body, files: parsed.files, actor });
      reply(result.status, result.body);
    } catch (error: unknown) {
      if (error instanceof ChatwootRefusal) return reply(error.status, error.body);
      throw error;
    }
  }

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      violations.push(`fake crashed: ${error instanceof Error ? error.message : String(error)}`);
      if (!response.headersSent) send(response, 500, { error: "fake crashed" });
    });
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  const port = await listenOnFreePort(server);
  baseUrl = `http://127.0.0.1:${port}`;

  return {
    baseUrl,
    get version(): ChatwootVersion {
      return version;
    },
    /** Plays another release from now on (the agent-bot allow-list follows it). */
    setVersion(next: ChatwootVersion): void {
      version = next;
    },
    store,
    /** What agents do in the dashboard. */
    agent: createAgentConsole(store),
    /** The inbox webhooks: switches (duplicate, reorder, delay, drop), what was sent, and settled(). */
    webhooks,
    requests,
    violations,
    userToken,
    botToken,
    botId,
    addInbox(partial: Partial<FakeInbox> & { id: number }): FakeInbox {
      const inbox: FakeInbox = {
        name: `Inbox ${partial.id}`,
        identifier: `inbox-identifier-${partial.id}`,
        channelType: "Channel::Api",
        lockToSingleConversation: false,
        agentBotActive: false,
        workingHoursEnabled: false,
        timezone: "UTC",
        workingHours: [],
        outOfOfficeMessage: null,
        memberIds: [],
        webhookUrl: null,
        webhookSecret: null,
        csatSurveyEnabled: false,
        hmacMandatory: false,
        hmacToken: `hmac-token-of-inbox-${partial.id}`,
        ...partial,
      };
      store.inboxes.set(inbox.id, inbox);
      return inbox;
    },
    addAgent(agent: FakeAgent): void {
      store.agents.push(agent);
    },
    addTeam(team: FakeTeam): void {
      store.teams.push(team);
    },
    /** The next `times` requests to an operation (`METHOD template`, or "*") get this fault. */
    fault(operation: string, fault: Fault, times = 1): void {
      faults.push({ operation, fault, times });
    },
    setRateLimit(perMinute: number | null): void {
      rateLimit = perMinute === null ? null : { perMinute, hits: [] };
    },
    setLatency(ms: number): void {
      latencyMs = ms;
    },
    operations(): string[] {
      return requests.map((item) => item.operation ?? `${item.method} ${item.path}`);
    },
    clearRequests(): void {
      requests.length = 0;
    },
    async close(): Promise<void> {
      await webhooks.settled();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export type ChatwootSimulator = Awaited<ReturnType<typeof startChatwootSimulator>>;
