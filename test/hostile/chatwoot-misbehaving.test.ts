import { readArray, readRecord, readString, type JsonRecord } from "../../src/core/json-guards";
import { USER_TOKEN, type Fault } from "../support/chatwoot-simulator/server";
import type { AgentView } from "../support/chatwoot-simulator/agent-console";
import { writeHostileReport } from "../support/hostile-report";
import { startWorld, WORLD_RELAY_SECRET, type World } from "../support/world";

/**
 * Chatwoot misbehaving at handover: every request the Handover node makes for
 * a new contact (availability checks on) meets 401, 404, 422, 429 without
 * Retry-After, 500, a connection that hangs, or one that is reset, before
 * Chatwoot acts or after it has carried the request out (the answer is lost).
 * Each run has a world of its own (the simulator's faults are per operation,
 * not per user), and the runs go in parallel so the hangs overlap.
 *
 * What a polished product does, and this file asserts:
 * - A request the handover cannot do without (business hours, availability,
 *   contact, conversation) fails: the Error exit, within 20 s, no conversation
 *   left behind, and `context.chatwoot.error.message` names the request, the
 *   status and Chatwoot's own text (or the timeout, or the failed connection),
 *   never the token or the relay secret. Once Chatwoot behaves, the user's next
 *   request for a human works, without a second contact.
 * - A request after the conversation exists (labels, the history note) fails:
 *   the agent already has the conversation with the user's message and the
 *   sealed route, so telling the user "agents cannot be reached" would be
 *   false and would orphan that conversation. The handover starts; the failure
 *   is a warning with the same actionable text; the agent's reply reaches the user.
 * - Chatwoot creates the conversation but the answer is lost (hang or reset
 *   after it acted): the conversation exists with the user's message, so the
 *   node finds it by its sealed route and the handover starts, with a warning
 *   that says what happened; never a second conversation. If it cannot be
 *   found then, the Error exit, and the user's next request continues in it.
 */

const ACCOUNT = "/api/v1/accounts/{account_id}";
const CONVERSATION = `${ACCOUNT}/conversations/{conversation_id}`;
const LIMIT_MS = 20_000;
const ERROR_SAY = "Our agents cannot be reached right now. Please try again later.";
const ACCEPTED_SAY = "Please wait a moment, I am connecting you with a colleague.";
const SECRETS = [USER_TOKEN, WORLD_RELAY_SECRET];

interface Request {
  /** What the request is for, in the test's words. */
  step: string;
  /** The simulator's operation (`METHOD template` of Chatwoot's OpenAPI spec). */
  template: string;
  /** The operation the extension names in its messages. */
  operation: string;
  /** Does the handover stop when it fails? */
  fatal: boolean;
  /** Does it go on when Chatwoot carried the request out but the answer was lost (the node finds the result)? */
  recoversLostAnswer: boolean;
  /** What Chatwoot answers with 422 there. */
  unprocessable: JsonRecord;
}

/** The requests of a handover for a new contact, in order, with business hours and availability checks on. */
const REQUESTS: readonly Request[] = [
  { step: "business hours", template: `GET ${ACCOUNT}/inboxes/{id}`, operation: "get inbox", fatal: true, recoversLostAnswer: false, unprocessable: { error: "Inbox is not an API channel" } },
  { step: "availability", template: `GET ${ACCOUNT}/inbox_members/{inbox_id}`, operation: "list inbox agents", fatal: true, recoversLostAnswer: false, unprocessable: { error: "Inbox members could not be loaded" } },
  { step: "contact", template: `POST ${ACCOUNT}/contacts`, operation: "create contact", fatal: true, recoversLostAnswer: false, unprocessable: { message: "Email has already been taken", attributes: ["email"] } },
  { step: "conversation", template: `POST ${ACCOUNT}/conversations`, operation: "create conversation", fatal: true, recoversLostAnswer: true, unprocessable: { message: "Contact inbox must exist", attributes: ["contact_inbox"] } },
  { step: "labels", template: `POST ${CONVERSATION}/labels`, operation: "set labels", fatal: false, recoversLostAnswer: false, unprocessable: { message: "Labels is invalid", attributes: ["labels"] } },
  { step: "history note", template: `POST ${CONVERSATION}/messages`, operation: "post history note", fatal: false, recoversLostAnswer: false, unprocessable: { message: "Too many messages" } },
];

interface FaultCase {
  name: string;
  fault: (request: Request) => Fault;
  status: number | null;
  kind: "http" | "timeout" | "network";
  /** Chatwoot's text the designer must see (null: there is none). */
  remote: (request: Request) => string | null;
  /** Chatwoot carries the request out, then the answer is lost. */
  afterActing: boolean;
}

const FAULTS: readonly FaultCase[] = [
  { name: "401", fault: () => ({ status: 401, body: { error: "Invalid Access Token" } }), status: 401, kind: "http", remote: () => "Invalid Access Token", afterActing: false },
  { name: "404", fault: () => ({ status: 404, body: { error: "Resource could not be found" } }), status: 404, kind: "http", remote: () => "Resource could not be found", afterActing: false },
  { name: "422", fault: (request) => ({ status: 422, body: request.unprocessable }), status: 422, kind: "http", remote: (request) => readString(request.unprocessable.message) ?? readString(request.unprocessable.error) ?? null, afterActing: false },
  // rack-attack's answer: text/plain "Retry later", no Retry-After header (chatwoot-facts.md §3).
  { name: "429 without Retry-After", fault: () => ({ status: 429, body: "Retry later" }), status: 429, kind: "http", remote: () => "Retry later", afterActing: false },
  { name: "500", fault: () => ({ status: 500, body: { status: 500, error: "Internal Server Error" } }), status: 500, kind: "http", remote: () => "Internal Server Error", afterActing: false },
  { name: "hang", fault: () => "hang", status: null, kind: "timeout", remote: () => null, afterActing: false },
  { name: "reset", fault: () => "reset", status: null, kind: "network", remote: () => null, afterActing: false },
  // Chatwoot carries the request out, then the answer is lost: the connection hangs until the request timeout, or is reset.
  { name: "hang after acting", fault: () => "hang-after", status: null, kind: "timeout", remote: () => null, afterActing: true },
  { name: "reset after acting", fault: () => "reset-after", status: null, kind: "network", remote: () => null, afterActing: true },
];

interface Run {
  name: string;
  /** Faults to set before the handover: operation, fault, how many requests it hits. */
  faults: { template: string; fault: Fault; times: number }[];
  expect: "error" | "started";
  /** The request the message (error or warning) is about. */
  request: Request;
  fault: FaultCase;
  /** How many warnings a started handover has (default 1). */
  warningCount?: number;
}

function requestOf(step: string): Request {
  const found = REQUESTS.find((request) => request.step === step);
  if (found === undefined) throw new Error(`no request ${step}`);
  return found;
}

function faultOf(name: string): FaultCase {
  const found = FAULTS.find((fault) => fault.name === name);
  if (found === undefined) throw new Error(`no fault ${name}`);
  return found;
}

/**
 * How often the handover sends the request while the fault persists: once,
 * except the contact on 422 (taken) or 500 (its source id taken: Chatwoot
 * answers a source-id clash with 500, platform-sources.md C1), which the node
 * reads as "exists", looks up (conversation by the derived source id: 404;
 * filter by identifier: none) and creates once more without email and phone.
 */
function timesSent(request: Request, fault: FaultCase): number {
  return request.step === "contact" && (fault.name === "422" || fault.name === "500") ? 2 : 1;
}

const RUNS: Run[] = [
  ...REQUESTS.flatMap((request) =>
    FAULTS.map((fault): Run => ({
      name: `${fault.name} on ${request.step}`,
      faults: [{ template: request.template, fault: fault.fault(request), times: timesSent(request, fault) }],
      expect: request.fatal && !(fault.afterActing && request.recoversLostAnswer) ? "error" : "started",
      request,
      fault,
    })),
  ),
  {
    name: "401 whose body echoes the token, on contact",
    faults: [{ template: requestOf("contact").template, fault: { status: 401, body: { error: `Invalid Access Token ${USER_TOKEN}` } }, times: 1 }],
    expect: "error",
    request: requestOf("contact"),
    fault: faultOf("401"),
  },
  {
    name: "hang on labels, then hang on history note",
    faults: [
      { template: requestOf("labels").template, fault: "hang", times: 1 },
      { template: requestOf("history note").template, fault: "hang", times: 1 },
    ],
    expect: "started",
    request: requestOf("labels"),
    fault: faultOf("hang"),
    warningCount: 2,
  },
];

interface Observed {
  elapsedMs: number;
  /** What the user was told in answer to the request for a human. */
  said: string[];
  state: JsonRecord;
  contextJson: string;
  logs: string[];
  conversations: number;
  agentView: AgentView[];
  /** Started runs: did the agent's reply reach the user? */
  replyReached: boolean | null;
  /** Error runs: the user asks again once Chatwoot behaves. */
  retry: { said: string[]; status: unknown; contacts: number; conversations: number } | null;
  violations: string[];
}

async function play(run: Run): Promise<Observed> {
  const w: World = await startWorld({ handover: { checkAvailability: true, respectBusinessHours: true }, inbox: { memberIds: [7] } });
  try {
    const logs = w.runtime.journal.logs;
    const user = w.newUser({ firstname: "Jane", lastname: "Doe", email: "jane@example.com" });
    await w.say(user, "My router blinks red since this morning");
    for (const item of run.faults) w.chatwoot.fault(item.template, item.fault, item.times);
    const started = Date.now();
    const outputs = await w.endpoint.userSays(user, "I'd like to talk to a human, please");
    const elapsedMs = Date.now() - started;
    await w.settle(15_000);
    const state = readRecord(user.context.chatwoot);
    const conversationId = w.conversationOf(user);
    const observed: Observed = {
      elapsedMs,
      said: outputs.map((output) => output.text),
      state,
      contextJson: JSON.stringify(user.context),
      logs,
      conversations: w.chatwoot.store.conversations.length,
      agentView: conversationId === 0 ? [] : w.chatwoot.agent.view(conversationId),
      replyReached: null,
      retry: null,
      violations: w.chatwoot.violations,
    };
    if (run.expect === "started" && conversationId > 0) {
      w.chatwoot.agent.reply(conversationId, "Hi Jane, Anna here. Is the light red or orange?");
      await w.settle();
      observed.replyReached = w.endpoint.seenBy(user).some((line) => line.kind === "injected" && line.text === "Hi Jane, Anna here. Is the light red or orange?");
    }
    if (run.expect === "error") {
      const again = await w.endpoint.userSays(user, "A human, please");
      await w.settle();
      observed.retry = {
        said: again.map((output) => output.text),
        status: readRecord(user.context.chatwoot).status,
        contacts: w.chatwoot.store.findContactByIdentifier(user.userId).length,
        conversations: w.chatwoot.store.conversations.length,
      };
    }
    observed.violations = [...w.chatwoot.violations];
    return observed;
  } finally {
    await w.close();
  }
}

/** Runs `task` over `items` with at most `limit` at a time; results in input order. */
async function pool<T, R>(items: readonly T[], limit: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  async function worker(): Promise<void> {
    while (next < items.length) {
      const index = next;
      next += 1;
      const item = items[index];
      if (item !== undefined) results[index] = await task(item);
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, () => worker()));
  return results;
}

/** The designer's message: names the request, the status and Chatwoot's text; for a hang the timeout; for a reset the failed connection. */
function actionableProblems(message: string, run: Run): string[] {
  const problems: string[] = [];
  const { fault, request } = run;
  if (!message.includes(`"${request.operation}"`)) problems.push(`does not name the request "${request.operation}"`);
  if (fault.status !== null && !message.includes(`HTTP ${fault.status}`)) problems.push(`does not give HTTP ${fault.status}`);
  const remote = fault.remote(request);
  if (remote !== null && !message.includes(remote)) problems.push(`does not quote Chatwoot's "${remote}"`);
  if (fault.kind === "timeout" && !/timed out after \d+ ms/.test(message)) problems.push("does not say it timed out after how long");
  if (fault.kind === "network" && !/connection/i.test(message)) problems.push("does not say the connection failed");
  return problems;
}

function afterActing(fault: Fault): boolean {
  return fault === "hang-after" || fault === "reset-after";
}

function leaks(text: string): string[] {
  return SECRETS.filter((secret) => text.includes(secret));
}

const results = new Map<string, Observed>();
let fileStarted = 0;

beforeAll(async () => {
  fileStarted = Date.now();
  // The hangs first, so that they overlap.
  const ordered = [...RUNS].sort((a, b) => Number(b.fault.kind === "timeout") - Number(a.fault.kind === "timeout"));
  const observed = await pool(ordered, 16, play);
  ordered.forEach((run, index) => {
    const result = observed[index];
    if (result !== undefined) results.set(run.name, result);
  });
}, 90_000);

afterAll(() => {
  const all = RUNS.map((run) => ({ run, observed: results.get(run.name) }));
  const messageOf = (run: Run, observed: Observed | undefined): string => {
    if (observed === undefined) return "";
    if (run.expect === "error") return String(readRecord(observed.state.error).message ?? "");
    return readArray(observed.state.warnings).map(String).join("\n");
  };
  const counts = {
    command: "npx jest test/hostile/chatwoot-misbehaving.test.ts",
    runs: all.length,
    faults: FAULTS.map((fault) => fault.name),
    requests: REQUESTS.map((request) => `${request.step} (${request.template})`),
    errorExit: all.filter(({ observed }) => observed?.said.includes(ERROR_SAY)).length,
    startedWithWarning: all.filter(({ observed }) => observed?.said.includes(ACCEPTED_SAY) && readArray(observed.state.warnings).length > 0).length,
    expectedErrorExit: all.filter(({ run }) => run.expect === "error").length,
    expectedStarted: all.filter(({ run }) => run.expect === "started").length,
    maxElapsedMs: Math.max(0, ...all.map(({ observed }) => observed?.elapsedMs ?? 0)),
    over20s: all.filter(({ observed }) => (observed?.elapsedMs ?? LIMIT_MS) >= LIMIT_MS).length,
    messagesNotActionable: all.filter(({ run, observed }) => actionableProblems(messageOf(run, observed), run).length > 0).length,
    secretsLeaked: all.filter(({ observed }) => observed !== undefined && leaks([observed.contextJson, ...observed.said, ...observed.logs].join("\n")).length > 0).length,
    orphanConversations: all.filter(({ run, observed }) => run.expect === "error" && (observed?.conversations ?? 0) > 0).length,
    agentReplyReachedUser: all.filter(({ observed }) => observed?.replyReached === true).length,
    /** Runs where Chatwoot created the conversation but its answer was lost, and the handover started with it anyway. */
    lostAnswerOnCreateRecovered: all.filter(({ run, observed }) => run.request.step === "conversation" && run.fault.afterActing && observed?.said.includes(ACCEPTED_SAY) && observed.conversations === 1).length,
    lostAnswerOnCreateRuns: all.filter(({ run }) => run.request.step === "conversation" && run.fault.afterActing).length,
    /** Runs that ended with more than one conversation for the user (after the retry, too). */
    duplicateConversations: all.filter(({ observed }) => (observed?.conversations ?? 0) > 1 || (observed?.retry?.conversations ?? 0) > 1).length,
    retrySucceededWithoutDuplicateContact: all.filter(({ observed }) => observed?.retry !== null && observed?.retry?.said.includes(ACCEPTED_SAY) && observed.retry.contacts === 1).length,
    fileWallMs: Date.now() - fileStarted,
    /** What the designer reads in `context.chatwoot.error.message` when creating the conversation fails. */
    conversationMessages: Object.fromEntries(
      all.filter(({ run }) => run.request.step === "conversation" && run.faults.length === 1).map(({ run, observed }) => [run.fault.name, messageOf(run, observed).replace(/127\.0\.0\.1:\d+/, "chat.example.com")]),
    ),
    /** What it reads in `context.chatwoot.warnings` when the history note fails. */
    historyNoteWarnings: Object.fromEntries(
      all.filter(({ run }) => run.request.step === "history note").map(({ run, observed }) => [run.fault.name, messageOf(run, observed).replace(/127\.0\.0\.1:\d+/, "chat.example.com")]),
    ),
    elapsedMsByRun: Object.fromEntries(all.map(({ run, observed }) => [run.name, observed?.elapsedMs ?? null])),
  };
  writeHostileReport("chatwoot", counts);
});

describe("Chatwoot misbehaving at handover", () => {
  it.each(RUNS.filter((run) => run.expect === "error").map((run) => [run.name, run] as const))("%s: the Error exit, an actionable message without secrets, in under 20 s", (_, run) => {
    const observed = results.get(run.name);
    if (observed === undefined) throw new Error(`${run.name} did not run`);
    expect(observed.elapsedMs).toBeLessThan(LIMIT_MS);
    expect(observed.said).toEqual([ERROR_SAY]);
    expect(observed.state.status).toBe("error");
    const error = readRecord(observed.state.error);
    expect(error).toMatchObject({ operation: run.request.operation, kind: run.fault.kind, status: run.fault.status });
    const message = String(error.message);
    expect(actionableProblems(message, run)).toEqual([]);
    expect(leaks(message)).toEqual([]);
    expect(leaks([observed.contextJson, ...observed.said, ...observed.logs].join("\n"))).toEqual([]);
    expect(observed.logs).toContain(`error: [chatwoot] ${message}`);
    expect(observed.conversations).toBe(0);
    expect(observed.violations).toEqual([]);
    // Chatwoot behaves again: the next request for a human works, with the same contact.
    expect(observed.retry).toEqual({ said: [ACCEPTED_SAY], status: "live", contacts: 1, conversations: 1 });
  });

  it.each(RUNS.filter((run) => run.expect === "started").map((run) => [run.name, run] as const))(
    "%s (after the conversation exists): the handover starts, with an actionable warning, in under 20 s",
    (_, run) => {
      const observed = results.get(run.name);
      if (observed === undefined) throw new Error(`${run.name} did not run`);
      expect(observed.elapsedMs).toBeLessThan(LIMIT_MS);
      expect(observed.said).toEqual([ACCEPTED_SAY]);
      expect(observed.state).toMatchObject({ status: "live", error: null });
      const warnings = readArray(observed.state.warnings).map(String);
      expect(warnings).toHaveLength(run.warningCount ?? 1);
      const [first = ""] = warnings;
      expect(actionableProblems(first, run)).toEqual([]);
      expect(leaks([observed.contextJson, ...observed.said, ...observed.logs].join("\n"))).toEqual([]);
      for (const warning of warnings) expect(observed.logs).toContain(`warn: [chatwoot] ${warning}`);
      // The agent has the conversation with the user's message, and can answer.
      expect(observed.conversations).toBe(1);
      expect(observed.agentView).toContainEqual({ from: "contact", text: "I'd like to talk to a human, please", files: [] });
      expect(observed.replyReached).toBe(true);
      expect(observed.violations).toEqual([]);
    },
  );

  it("puts a history note in the conversation whenever Chatwoot carried its request out (answered or not)", () => {
    for (const run of RUNS.filter((item) => item.expect === "started")) {
      const observed = results.get(run.name);
      const notes = observed?.agentView.filter((line) => line.from === "note") ?? [];
      const historyRefused = run.faults.some((item) => item.template === requestOf("history note").template && !afterActing(item.fault));
      expect([run.name, notes.length]).toEqual([run.name, historyRefused ? 0 : 1]);
    }
  });

  it("never leaves a second conversation: a conversation whose answer was lost is found and used", () => {
    const lostOnCreate = RUNS.filter((run) => run.request.step === "conversation" && run.fault.afterActing);
    expect(lostOnCreate.map((run) => [run.name, run.expect])).toEqual([
      ["hang after acting on conversation", "started"],
      ["reset after acting on conversation", "started"],
    ]);
    for (const run of lostOnCreate) {
      const observed = results.get(run.name);
      expect([run.name, observed?.conversations, observed?.replyReached]).toEqual([run.name, 1, true]);
      expect(readArray(observed?.state.warnings)).toEqual([expect.stringContaining("Chatwoot had created the conversation all the same: it was found by its sealed route")]);
    }
    // Nowhere, not after the user's retry either, does the user end up with two conversations.
    for (const run of RUNS) {
      const observed = results.get(run.name);
      const expected = run.expect === "started" ? [1, null] : [0, 1];
      expect([run.name, observed?.conversations, observed?.retry?.conversations ?? null]).toEqual([run.name, ...expected]);
    }
  });
});

/** One world for the tests of a describe block; the simulator must have refused nothing. */
function sharedWorld(): () => World {
  let current: World | undefined;
  beforeAll(async () => {
    current = await startWorld();
  });
  afterAll(async () => {
    expect(current?.chatwoot.violations).toEqual([]);
    await current?.close();
  });
  return () => {
    if (current === undefined) throw new Error("the world exists only inside a test");
    return current;
  };
}

describe("Chatwoot creating the conversation, losing the answer, and failing the lookup at handover", () => {
  const world = sharedWorld();

  it("the Error exit; the user's next request continues in that conversation, without a second one, and the agent's reply reaches the user", async () => {
    const w = world();
    const user = w.newUser({ firstname: "Jane", lastname: "Doe", email: "jane@example.com" });
    await w.say(user, "My router blinks red since this morning");
    w.chatwoot.fault(requestOf("conversation").template, "reset-after");
    w.chatwoot.fault(`GET ${ACCOUNT}/contacts/{id}/conversations`, { status: 503, body: "Service Unavailable" });
    const first = await w.endpoint.userSays(user, "I'd like to talk to a human, please");
    await w.settle();
    expect(first.map((output) => output.text)).toEqual([ERROR_SAY]);
    const failed = readRecord(user.context.chatwoot);
    expect(failed).toMatchObject({ status: "error", error: { operation: "create conversation", kind: "network", status: null } });
    expect(String(readRecord(failed.error).message)).toContain('looking for it failed too: Chatwoot request "list contact conversations" failed with HTTP 503: Service Unavailable.');
    expect(w.chatwoot.store.conversations).toHaveLength(1);
    const [lost] = w.chatwoot.store.conversations;
    const lostId = lost?.id ?? 0;

    const again = await w.endpoint.userSays(user, "A human, please");
    await w.settle();
    expect(again.map((output) => output.text)).toEqual([ACCEPTED_SAY]);
    expect(w.chatwoot.store.conversations).toHaveLength(1);
    expect(readRecord(user.context.chatwoot)).toMatchObject({ status: "live", error: null, conversation: { id: lostId } });
    expect(w.chatwoot.agent.view(lostId).filter((line) => line.from === "contact").map((line) => line.text)).toEqual(["I'd like to talk to a human, please", "A human, please"]);

    w.chatwoot.agent.reply(lostId, "Hi Jane, Anna here. Which router is it?");
    await w.settle();
    expect(w.endpoint.seenBy(user).filter((line) => line.kind === "injected").map((line) => line.text)).toContain("Hi Jane, Anna here. Which router is it?");
  });
});

describe("Chatwoot refusing the email once (422) at handover", () => {
  const world = sharedWorld();

  it("creates the contact without the email and hands over, with a warning: the email belongs to someone else", async () => {
    const w = world();
    w.chatwoot.fault(requestOf("contact").template, { status: 422, body: { message: "Email has already been taken", attributes: ["email"] } }, 1);
    const user = w.newUser({ firstname: "Jane", lastname: "Doe", email: "jane@example.com" });
    const outputs = await w.endpoint.userSays(user, "agent please");
    await w.settle();
    expect(outputs.map((output) => output.text)).toEqual([ACCEPTED_SAY]);
    expect(readRecord(user.context.chatwoot)).toMatchObject({ status: "live", warnings: [expect.stringContaining("email or phone number belongs to another Chatwoot contact")] });
    expect(w.chatwoot.store.findContactByIdentifier(user.userId)).toMatchObject([{ email: null, name: "Jane Doe" }]);
  });
});
