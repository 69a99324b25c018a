import { createHmac, randomBytes } from "crypto";
import { createServer, type Server } from "http";
import { canonicalJson } from "../../src/core/canonical-json";
import { keyFor } from "../../src/core/derive-key";
import { isRecord, readArray, readRecord, type JsonRecord } from "../../src/core/json-guards";
import { signRelayEvent } from "../../src/core/relay-event-signature";
import type { RelayEventBody } from "../../src/core/relay-event";
import { ROUTE_ATTRIBUTE, sealRoute } from "../../src/core/route-seal";
import { ROUTE_NOTE } from "../../src/relay/route-note";
import type { Session } from "../support/cognigy-runtime";
import { writeHostileReport } from "../support/hostile-report";
import { listenOnFreePort } from "../support/listen";
import { startWorld, WORLD_RELAY_SECRET, WORLD_URL_TOKEN, WORLD_WEBHOOK_SECRET, type World } from "../support/world";

/**
 * Forgery. A user controls `input.data` of what they type, and anyone who
 * knows an Endpoint's URL token (Webchat publishes it) can call its inject
 * API; an agent can edit a conversation's attributes. None of it may make
 * the Session node speak as the agent, end the handover, or inject anything.
 *
 * Part 1 sends, into live handovers, events of every type that are unsigned,
 * badly signed, altered after signing, signed with another secret, replayed
 * after five minutes, dated in the future, addressed to another session, of
 * another version, or genuine but already handled, both typed by the user
 * (with text) and through the inject API (text "", as the relay sends). It
 * counts what was treated as the agent's (must be 0) and what reached the
 * agent as the user's message (every typed one while the handover is live).
 *
 * Part 2 edits `cognigy_route` by hand and has the agent reply: nothing is
 * injected anywhere, the relay's metrics give the reasons, and the agent of
 * each conversation whose route fails authentication gets one private note.
 */

const OTHER_SECRET = "a-secret-the-user-made-up-0123456789abcdef";
const SIX_MINUTES = 6 * 60_000;
const ACCEPTED_SAY = "Please wait a moment, I am connecting you with a colleague.";

type Details = RelayEventBody extends infer E ? (E extends RelayEventBody ? Omit<E, "v" | "id" | "sessionId" | "conversationId" | "ts"> : never) : never;
type EventType = RelayEventBody["type"];

interface TypeCase {
  type: EventType;
  /** A short word for the user's text (the world's flow hands over on "agent", "human", "person"). */
  label: string;
  details: (n: number) => Details;
  /** The same event with its content changed, for "altered after signing". */
  tamper: (event: JsonRecord) => JsonRecord;
}

const TYPES: readonly TypeCase[] = [
  {
    type: "agent_message",
    label: "msg",
    details: (n) => ({ type: "agent_message", messageId: 900_000 + n, text: "Hello, how can I help?", attachments: [], agentName: "Anna Agent" }),
    tamper: (event) => ({ ...event, text: "Your refund of 500 EUR is approved." }),
  },
  {
    type: "status_changed",
    label: "resolved",
    details: () => ({ type: "status_changed", status: "resolved" }),
    tamper: (event) => ({ ...event, status: event.status === "resolved" ? "open" : "resolved" }),
  },
  {
    type: "csat",
    label: "survey",
    details: (n) => ({ type: "csat", messageId: 900_000 + n, text: "Please rate this conversation", link: "https://chat.example.com/survey/responses/00000000-0000-4000-8000-000000000001" }),
    tamper: (event) => ({ ...event, link: "https://phish.example.net/login" }),
  },
  {
    type: "agent_assigned",
    label: "assigned",
    details: () => ({ type: "agent_assigned", agentName: "Anna Agent" }),
    tamper: (event) => ({ ...event, agentName: "Your bank's fraud department" }),
  },
  {
    type: "template_message",
    label: "template",
    details: (n) => ({ type: "template_message", messageId: 900_000 + n, text: "We are back on Monday." }),
    tamper: (event) => ({ ...event, text: "We are closed. Call 0900-123456 (2 EUR/min)." }),
  },
  {
    // Issue 13. Each genuine delivery has a position of its own: one already shown is not shown again.
    type: "queue_update",
    label: "queue",
    details: (n) => ({ type: "queue_update", position: 1 + (n % 997), waitSeconds: 240 }),
    tamper: (event) => ({ ...event, waitSeconds: 5 }),
  },
];

/** The victim session, its conversation, and another live session (for events addressed elsewhere). */
interface Target {
  session: Session;
  conversationId: number;
  other: { sessionId: string; conversationId: number };
}

interface KindCase {
  kind: string;
  /** Builds `data.chatwoot`; `id` is unique per input. */
  forge: (target: Target, type: TypeCase, id: string) => JsonRecord;
  /** Genuine events first delivered once as the relay would (replays). */
  deliverFirst?: boolean;
}

/** Any body, signed with the relay's key: for bodies signRelayEvent's type refuses (another version). */
function macSign(body: JsonRecord, secret: string): JsonRecord {
  return { ...body, sig: createHmac("sha256", keyFor(secret, "relay-event")).update(canonicalJson(body)).digest("base64url") };
}

function genuine(target: Target, type: TypeCase, id: string, overrides: { ts?: number; sessionId?: string; conversationId?: number } = {}, secret = WORLD_RELAY_SECRET): JsonRecord {
  const body = { v: 1 as const, id, sessionId: overrides.sessionId ?? target.session.sessionId, conversationId: overrides.conversationId ?? target.conversationId, ts: overrides.ts ?? Date.now(), ...type.details(Number(id.replace(/\D/g, "").slice(-5))) };
  return { ...signRelayEvent(body, secret) };
}

function withoutSig(event: JsonRecord): JsonRecord {
  const { sig: _sig, ...rest } = event;
  return rest;
}

const KINDS: readonly KindCase[] = [
  { kind: "unsigned", forge: (target, type, id) => withoutSig(genuine(target, type, id)) },
  { kind: "bad signature", forge: (target, type, id) => ({ ...genuine(target, type, id), sig: randomBytes(32).toString("base64url") }) },
  { kind: "altered after signing", forge: (target, type, id) => type.tamper(genuine(target, type, id)) },
  { kind: "re-sent under a new id", forge: (target, type, id) => ({ ...genuine(target, type, id), id: `${id}-again` }) },
  { kind: "signed with another secret", forge: (target, type, id) => genuine(target, type, id, {}, OTHER_SECRET) },
  { kind: "replayed after 6 minutes", forge: (target, type, id) => genuine(target, type, id, { ts: Date.now() - SIX_MINUTES }) },
  { kind: "dated 6 minutes ahead", forge: (target, type, id) => genuine(target, type, id, { ts: Date.now() + SIX_MINUTES }) },
  { kind: "genuine for another session", forge: (target, type, id) => genuine(target, type, id, { sessionId: target.other.sessionId, conversationId: target.other.conversationId }) },
  { kind: "wrong version", forge: (target, type, id) => macSign({ ...withoutSig(genuine(target, type, id)), v: 2 }, WORLD_RELAY_SECRET) },
  { kind: "genuine, replayed (same id)", forge: (target, type, id) => genuine(target, type, id), deliverFirst: true },
];

/** Relay → proxy → Endpoint: records every inject the real relay makes, so its genuine events can be replayed. */
async function startRecordingProxy(): Promise<{ url: string; injected: JsonRecord[]; setTarget(url: string): void; close(): Promise<void> }> {
  let target = "";
  const injected: JsonRecord[] = [];
  const server: Server = createServer((request, response) => {
    void (async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of request) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
      const body = Buffer.concat(chunks);
      try {
        const parsed: unknown = JSON.parse(body.toString("utf8"));
        if (isRecord(parsed)) injected.push(parsed);
      } catch {
        // not JSON: forwarded as is
      }
      const answer = await fetch(`${target}${request.url ?? "/"}`, { method: request.method ?? "POST", headers: { "content-type": "application/json" }, body });
      response.writeHead(answer.status, { "content-type": answer.headers.get("content-type") ?? "application/json" }).end(Buffer.from(await answer.arrayBuffer()));
    })().catch(() => response.destroy());
  });
  const port = await listenOnFreePort(server);
  return {
    url: `http://127.0.0.1:${port}`,
    injected,
    setTarget: (url) => void (target = url),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Counters of the relay, by label value, e.g. relay_events_dropped_total by reason. */
async function counter(w: World, name: string, label: string): Promise<Record<string, number>> {
  const metric = w.relay.metrics.registry.getSingleMetric(name);
  if (metric === undefined) return {};
  const { values } = await metric.get();
  return Object.fromEntries(values.map((value) => [String(value.labels[label] ?? ""), value.value]));
}

function delta(after: Record<string, number>, before: Record<string, number>): Record<string, number> {
  const result: Record<string, number> = {};
  for (const [key, value] of Object.entries(after)) if (value - (before[key] ?? 0) !== 0) result[key] = value - (before[key] ?? 0);
  return result;
}

function status(session: Session): unknown {
  return readRecord(session.context.chatwoot).status;
}

function handledEvents(session: Session): string[] {
  return readArray(readRecord(session.context.chatwoot).handledEvents).map(String);
}

interface InputResult {
  kind: string;
  type: EventType;
  channel: "typed" | "inject API";
  text: string;
  /** Outputs this input caused. */
  outputs: string[];
  statusBefore: unknown;
  statusAfter: unknown;
  /** The Session node recorded the forged event's id as handled. */
  handled: boolean;
  /** Incoming messages with this text in the user's conversation. */
  forwarded: number;
}

/** What the file measured, written to .stage/hostile-forgery.json. */
const report: Record<string, unknown> = {};

afterAll(() => {
  writeHostileReport("forgery", { command: "npx jest test/hostile/forgery.test.ts", ...report });
});

describe("forged relay events reaching the Session node", () => {
  let w: World;
  let proxy: Awaited<ReturnType<typeof startRecordingProxy>>;
  let logs: string[];

  beforeAll(async () => {
    proxy = await startRecordingProxy();
    w = await startWorld({
      relayEnv: { COGNIGY_ENDPOINT_BASE_URL: proxy.url, FORWARD_ASSIGNMENTS: "true", QUEUE_UPDATE_INTERVAL_SECONDS: "0" },
      session: { agentJoinedMessage: "{agent} has joined the chat." },
      // Queue updates on, so a genuine queue_update shows; the relay's own polling off (0), so only this test's events arrive.
      handover: { queueUpdates: true },
      inbox: { csatSurveyEnabled: true },
    });
    proxy.setTarget(w.endpoint.baseUrl);
    logs = w.runtime.journal.logs;
  });

  afterAll(async () => {
    expect(w.chatwoot.violations).toEqual([]);
    await w.close();
    await proxy.close();
  });

  /** As the relay (or anyone with the URL token) injects: text "", the event in data.chatwoot. */
  async function inject(session: Session, event: JsonRecord): Promise<void> {
    const response = await fetch(`${w.endpoint.baseUrl}/inject/${WORLD_URL_TOKEN}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ userId: session.userId, sessionId: session.sessionId, text: "", data: { chatwoot: event } }),
    });
    expect(response.status).toBe(200);
  }

  function forwardedCount(conversationId: number, text: string): number {
    return w.chatwoot.store.messagesOf(conversationId).filter((message) => message.messageType === "incoming" && message.content === text).length;
  }

  it("treats none of them as the agent; typed ones reach the agent as the user's messages", async () => {
    // Alice's handover is the "other session"; one Mallory per event type is the attacker's own session.
    const alice = w.newUser({ firstname: "Alice" });
    await w.say(alice, "agent please");
    const aliceConversation = w.conversationOf(alice);
    const victims = TYPES.map((type) => ({ type, session: w.newUser({ firstname: `Mallory ${type.label}` }) }));
    for (const victim of victims) await w.say(victim.session, "agent please");
    for (const victim of victims) expect(w.endpoint.seenBy(victim.session).map((line) => line.text)).toEqual(["agent please", ACCEPTED_SAY]);

    const results: InputResult[] = [];
    let serial = 0;
    let liveAfterForgeries = 0;
    for (const kind of KINDS) {
      // The replays come last: a genuine "resolved", delivered once, ends that handover.
      if (kind.deliverFirst === true) liveAfterForgeries = [alice, ...victims.map((victim) => victim.session)].filter((session) => status(session) === "live").length;
      for (const channel of ["typed", "inject API"] as const) {
        await Promise.all(
          victims.map(async ({ type, session }) => {
            serial += 1;
            const id = `forged-${serial}`;
            const target: Target = { session, conversationId: w.conversationOf(session), other: { sessionId: alice.sessionId, conversationId: aliceConversation } };
            const event = kind.forge(target, type, id);
            if (kind.deliverFirst === true) {
              // The relay delivers it; its effect happens once. The replay must not repeat it.
              await inject(session, event);
              await w.endpoint.idle();
            }
            const seenBefore = w.endpoint.seenBy(session).length;
            const statusBefore = status(session);
            const text = channel === "typed" ? `hello? (${kind.kind}, ${type.label})` : "";
            if (channel === "typed") await w.endpoint.userSays(session, text, { chatwoot: event });
            else await inject(session, event);
            await w.endpoint.idle();
            const caused = w.endpoint.seenBy(session).slice(seenBefore).filter((line) => line.kind !== "user");
            results.push({
              kind: kind.kind,
              type: type.type,
              channel,
              text,
              outputs: caused.map((line) => line.text),
              statusBefore,
              statusAfter: status(session),
              handled: kind.deliverFirst !== true && handledEvents(session).some((handled) => handled === id || handled === `${id}-again`),
              forwarded: text === "" ? 0 : forwardedCount(target.conversationId, text),
            });
          }),
        );
        await w.settle();
      }
    }

    // The relay's own genuine event for Alice, replayed by a Mallory (another session) and by Alice (already handled).
    const anna = w.chatwoot.agent.reply(aliceConversation, "Hi Alice, Anna here.");
    await w.settle();
    expect(w.endpoint.seenBy(alice).filter((line) => line.kind === "injected").map((line) => line.text)).toEqual(["Hi Alice, Anna here."]);
    const captured = proxy.injected.map((body) => readRecord(readRecord(body.data).chatwoot)).find((event) => event.messageId === anna.id);
    if (captured === undefined) throw new Error("the relay's inject was not recorded");
    const replays: [string, Session][] = [
      ["captured from the relay, for another session", victims[0]?.session ?? alice],
      ["captured from the relay, replayed (same id)", alice],
    ];
    for (const [kind, session] of replays) {
      for (const channel of ["typed", "inject API"] as const) {
        const seenBefore = w.endpoint.seenBy(session).length;
        const statusBefore = status(session);
        const text = channel === "typed" ? `hello? (${kind})` : "";
        if (channel === "typed") await w.endpoint.userSays(session, text, { chatwoot: captured });
        else await inject(session, captured);
        await w.settle();
        results.push({
          kind,
          type: "agent_message",
          channel,
          text,
          outputs: w.endpoint.seenBy(session).slice(seenBefore).filter((line) => line.kind !== "user").map((line) => line.text),
          statusBefore,
          statusAfter: status(session),
          handled: session !== alice && handledEvents(session).includes(String(captured.id)),
          forwarded: text === "" ? 0 : forwardedCount(w.conversationOf(session), text),
        });
      }
    }

    const treatedAsAgent = results.filter((result) => result.handled || result.statusAfter !== result.statusBefore || result.outputs.some((output) => !output.startsWith("Bot: ")));
    const typedWhileLive = results.filter((result) => result.channel === "typed" && result.statusBefore === "live");
    const rejections: Record<string, number> = {};
    for (const line of logs) {
      const reason = /not accepted as a relay event \((\w+)\)/.exec(line)?.[1];
      if (reason !== undefined) rejections[reason] = (rejections[reason] ?? 0) + 1;
    }
    Object.assign(report, {
      forgedInputs: results.length,
      typed: results.filter((result) => result.channel === "typed").length,
      throughInjectApi: results.filter((result) => result.channel === "inject API").length,
      kinds: [...new Set(results.map((result) => result.kind))],
      types: TYPES.map((type) => type.type),
      treatedAsAgent: treatedAsAgent.length,
      typedWhileLive: typedWhileLive.length,
      forwardedAsUserMessage: typedWhileLive.filter((result) => result.forwarded === 1).length,
      injectedForwardedOrAnswered: results.filter((result) => result.channel === "inject API" && (result.forwarded > 0 || result.outputs.length > 0)).length,
      handoversStillLiveAfterForgeries: liveAfterForgeries,
      handovers: 1 + victims.length,
      sessionNodeRejections: rejections,
    });

    expect(treatedAsAgent).toEqual([]);
    // Every typed forgery reached the agent once, as the user's own message.
    expect(typedWhileLive.filter((result) => result.forwarded !== 1 || result.outputs.length > 0)).toEqual([]);
    // The one typed input after a handover ended (the genuine "resolved" was delivered just before its replay) goes to the bot.
    expect(results.filter((result) => result.channel === "typed" && result.statusBefore !== "live")).toEqual([
      expect.objectContaining({ kind: "genuine, replayed (same id)", type: "status_changed", statusBefore: "ended", statusAfter: "ended", forwarded: 0, outputs: [expect.stringMatching(/^Bot: /)] }),
    ]);
    // Through the inject API (no text), a forgery causes nothing: no output, no message to the agent.
    expect(results.filter((result) => result.channel === "inject API" && (result.forwarded > 0 || result.outputs.length > 0))).toEqual([]);
    expect(liveAfterForgeries).toBe(1 + victims.length);
    // The genuine first deliveries (one per channel) took effect exactly once each; the replays repeated none.
    // Only a genuine "resolved" ends its handover: the second one, and every replay, change nothing.
    expect(status(alice)).toBe("live");
    const effect: Record<EventType, unknown[]> = {
      queue_update: [expect.stringMatching(/^You are number \d+ in the queue\. Estimated wait: about 4 minutes\.$/)],
      agent_message: ["Hello, how can I help?"],
      csat: ["Please rate this conversation https://chat.example.com/survey/responses/00000000-0000-4000-8000-000000000001"],
      agent_assigned: ["Anna Agent has joined the chat."],
      template_message: ["We are back on Monday."],
      status_changed: ["The agent has closed the conversation. You are back with the assistant.", "Welcome back! Is there anything else I can do for you?"],
    };
    for (const { session, type } of victims) {
      const agentLines = w.endpoint.seenBy(session).filter((line) => line.kind === "injected").map((line) => line.text);
      const resolved = type.type === "status_changed";
      const expected = resolved ? effect[type.type] : [...effect[type.type], ...effect[type.type]];
      expect([type.type, agentLines, status(session)]).toEqual([type.type, expected, resolved ? "ended" : "live"]);
    }
    // Each rejection is logged with its reason; never with the secret.
    expect(Object.keys(rejections).sort()).toEqual(["bad_signature", "malformed", "stale", "with_user_input", "wrong_session"]);
    expect(logs.join("\n")).not.toContain(WORLD_RELAY_SECRET);
  }, 60_000);
});

describe("cognigy_route altered by hand", () => {
  let w: World;

  beforeAll(async () => {
    w = await startWorld({ handover: { inboxId: "{{profile.inbox}}" } });
    w.chatwoot.addInbox({ id: 8, name: "Billing", webhookUrl: `${w.relayUrl}/handover/chatwoot`, webhookSecret: WORLD_WEBHOOK_SECRET });
  });

  afterAll(async () => {
    expect(w.chatwoot.violations).toEqual([]);
    await w.close();
  });

  it("injects nothing anywhere, and the relay counts why", async () => {
    const names = ["alice", "bob", "carol", "dave", "erin", "frank", "gina", "hank", "ivan", "judy", "zoe"];
    const users = new Map<string, Session>();
    for (const name of names) {
      const session = w.newUser({ firstname: name, inbox: name === "judy" ? "8" : "7" });
      users.set(name, session);
      await w.say(session, "agent please");
    }
    const user = (name: string): Session => {
      const found = users.get(name);
      if (found === undefined) throw new Error(`no user ${name}`);
      return found;
    };
    const conversation = (name: string) => w.chatwoot.store.conversation(w.conversationOf(user(name)));
    const routeOf = (name: string): string => String(conversation(name).customAttributes[ROUTE_ATTRIBUTE]);
    const setRoute = (name: string, route: unknown): void => w.chatwoot.agent.setAttributes(conversation(name).id, { ...conversation(name).customAttributes, [ROUTE_ATTRIBUTE]: route });
    expect(conversation("judy").inboxId).toBe(8);

    const flip = (text: string, at: number): string => `${text.slice(0, at)}${text[at] === "A" ? "B" : "A"}${text.slice(at + 1)}`;
    const edits: { name: string; edit: string; expected: "route_unauthentic" | "no_route" }[] = [];
    const edit = (name: string, description: string, expected: "route_unauthentic" | "no_route", apply: () => void): void => {
      apply();
      edits.push({ name, edit: description, expected });
    };
    const droppedBeforeEdits = await counter(w, "relay_events_dropped_total", "reason");
    const carol = user("carol");
    const routes = { erin: routeOf("erin"), ivan: routeOf("ivan"), judy: routeOf("judy") };
    edit("alice", "garbled: one character of the ciphertext changed", "route_unauthentic", () => setRoute("alice", flip(routeOf("alice"), routeOf("alice").length - 10)));
    edit("bob", "garbled: cut in half", "route_unauthentic", () => setRoute("bob", routeOf("bob").slice(0, Math.floor(routeOf("bob").length / 2))));
    edit("dave", "replaced by Carol's route in plain JSON", "route_unauthentic", () => setRoute("dave", JSON.stringify({ u: carol.userId, s: carol.sessionId, t: carol.URLToken })));
    edit("frank", "copied from another contact's (Erin's) conversation", "route_unauthentic", () => setRoute("frank", routes.erin));
    edit("gina", "removed", "no_route", () => {
      const { [ROUTE_ATTRIBUTE]: _removed, ...rest } = conversation("gina").customAttributes;
      w.chatwoot.agent.setAttributes(conversation("gina").id, rest);
    });
    edit("hank", "sealed again, same route and contact, with another secret", "route_unauthentic", () =>
      setRoute("hank", sealRoute({ userId: user("hank").userId, sessionId: user("hank").sessionId, urlToken: user("hank").URLToken }, { inboxId: conversation("hank").inboxId, sourceId: conversation("hank").sourceId }, OTHER_SECRET)),
    );
    edit("ivan", "swapped with Judy's, whose conversation is in another inbox", "route_unauthentic", () => setRoute("ivan", routes.judy));
    edit("judy", "swapped with Ivan's, whose conversation is in another inbox", "route_unauthentic", () => setRoute("judy", routes.ivan));
    await w.settle();
    const droppedByEdits = delta(await counter(w, "relay_events_dropped_total", "reason"), droppedBeforeEdits);

    const droppedBefore = await counter(w, "relay_events_dropped_total", "reason");
    const deliveredBefore = (await counter(w, "relay_injects_delivered_total", ""))[""] ?? 0;
    for (const { name } of edits) {
      w.chatwoot.agent.reply(conversation(name).id, `Hi ${name}, your refund is approved.`);
      w.chatwoot.agent.resolve(conversation(name).id);
    }
    // The control: an untouched conversation still works.
    w.chatwoot.agent.reply(conversation("zoe").id, "Hi zoe, Anna here.");
    await w.settle();
    const dropped = delta(await counter(w, "relay_events_dropped_total", "reason"), droppedBefore);
    const delivered = ((await counter(w, "relay_injects_delivered_total", ""))[""] ?? 0) - deliveredBefore;

    const injectedTo = Object.fromEntries(names.map((name) => [name, w.endpoint.seenBy(user(name)).filter((line) => line.kind === "injected").map((line) => line.text)]));
    // What the agent sees: the relay's private note that their replies cannot reach the user (no_route: no handover, no note).
    const routeNotes = Object.fromEntries(
      names.map((name) => [name, w.chatwoot.agent.view(conversation(name).id).filter((line) => line.from === "note" && line.text === ROUTE_NOTE).length]),
    );
    const perEdit = 3; // the reply, and the resolve as conversation_status_changed and conversation_updated
    report.routeEdits = {
      edits: edits.map((item) => `${item.name}: ${item.edit}`),
      agentActions: edits.length * 2,
      injected: Object.entries(injectedTo).filter(([name]) => name !== "zoe").reduce((sum, [, lines]) => sum + lines.length, 0),
      controlDelivered: injectedTo.zoe?.length ?? 0,
      relayEventsDroppedForTheEdits: droppedByEdits,
      relayEventsDropped: dropped,
      relayInjectsDelivered: delivered,
      routeNotes,
      handoversStillLive: names.filter((name) => status(user(name)) === "live").length,
      handovers: names.length,
    };

    expect(injectedTo).toEqual({ ...Object.fromEntries(names.map((name) => [name, []])), zoe: ["Hi zoe, Anna here."] });
    expect(delivered).toBe(1);
    const unauthentic = edits.filter((item) => item.expected === "route_unauthentic");
    expect(dropped).toEqual({
      route_unauthentic: perEdit * unauthentic.length,
      no_route: perEdit * edits.filter((item) => item.expected === "no_route").length,
      // The relay's own notes, which Chatwoot sends back as webhooks.
      private_note: unauthentic.length,
    });
    // One note in each conversation whose route fails authentication; none where it was removed, none in the control.
    expect(routeNotes).toEqual(Object.fromEntries(names.map((name) => [name, unauthentic.some((item) => item.name === name) ? 1 : 0])));
    for (const name of names) expect([name, status(user(name))]).toEqual([name, "live"]);
    // The edits themselves (conversation_updated with custom_attributes) are no event for anyone.
    expect(droppedByEdits).toEqual({ irrelevant_update: edits.length });
  }, 60_000);
});
