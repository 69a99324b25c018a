import { ROUTE_ATTRIBUTE, sealRoute, type SessionRoute } from "../../src/core/route-seal";
import { parseQueueListing } from "../../src/chatwoot/chatwoot-responses";
import { createQueueObserver } from "../../src/relay/queue-observer";
import { queueRank, shouldSendUpdate } from "../../src/relay/queue-rank";
import { createRelayMetrics } from "../../src/relay/relay-metrics";
import { createRouteCache } from "../../src/relay/route-cache";
import { readQueueSignal } from "../../src/relay/queue-signal";
import { createQueueWatch, type QueueRoute } from "../../src/relay/queue-watch";
import { addSample, estimateWaitSeconds, MAX_SAMPLES, WINDOW_MS } from "../../src/relay/wait-estimate";
import { agentMessage, conversationCreated, conversationFor, conversationUpdated, DEFAULT_AGENT, messageEvent, statusChanged, type WebhookConversation } from "../support/chatwoot-webhooks";

const SECRET = "relay-secret-0123456789-abcdefghijklmnop";
const ROUTE: SessionRoute = { userId: "user-1", sessionId: "session-1", urlToken: "0f1e2d3c4b5a69788796a5b4c3d2e1f0" };
const T0 = 1_781_691_342_000;
const MINUTE = 60_000;

function conversation(id: number, overrides: Partial<WebhookConversation> = {}): WebhookConversation {
  return conversationFor(ROUTE, SECRET, { id, inboxId: 12, accountId: 1, sourceId: `source-${id}`, createdAt: T0 / 1000, updatedAt: T0 / 1000, ...overrides });
}

function route(id: number, queueUpdates = true, issuedAt: number | null = T0): QueueRoute {
  const binding = { inboxId: 12, sourceId: `source-${id}` };
  return { sealed: sealRoute(ROUTE, binding, SECRET, issuedAt ?? 0, { queueUpdates }), binding, accountId: 1, issuedAt, queueUpdates };
}

describe("queueRank", () => {
  it.each<[string, number[], number, number, ReturnType<typeof queueRank>]>([
    ["first in line", [5, 6, 7], 3, 5, { position: 1 }],
    ["third in line", [5, 6, 7], 3, 7, { position: 3 }],
    ["absent from a queue that fits the page: no longer waiting", [5, 6, 7], 3, 9, "absent"],
    ["absent from an empty queue", [], 0, 9, "absent"],
    ["absent from a full page of a longer queue: somewhere further back", [5, 6, 7], 40, 9, "beyond_page"],
    ["on page 1 of a longer queue", [5, 6, 7], 40, 6, { position: 2 }],
  ])("%s", (_, ids, total, conversationId, expected) => {
    expect(queueRank({ ids, total }, conversationId)).toEqual(expected);
  });
});

describe("parseQueueListing: Chatwoot's answer read once, at the edge", () => {
  const page = (payload: unknown, meta: unknown = { unassigned_count: 2 }) => ({ data: { meta, payload } });
  it.each<[string, unknown, ReturnType<typeof parseQueueListing>]>([
    ["ids in Chatwoot's order, and the whole queue's count", page([{ id: 9 }, { id: 4 }]), { ids: [9, 4], total: 2 }],
    ["an empty queue", page([], { unassigned_count: 0 }), { ids: [], total: 0 }],
    ["a count below the page (a race between the two queries) raised to the page", page([{ id: 9 }, { id: 4 }], { unassigned_count: 1 }), { ids: [9, 4], total: 2 }],
    ["no data", {}, undefined],
    ["no count", page([{ id: 1 }], {}), undefined],
    ["a negative or fractional count", page([{ id: 1 }], { unassigned_count: -1 }), undefined],
    ["an id that is not a positive integer", page([{ id: 1.5 }, { id: 0 }]), undefined],
    ["a page longer than any Chatwoot serves", page(Array.from({ length: 1_001 }, (_, index) => ({ id: index + 1 })), { unassigned_count: 2_000 }), undefined],
  ])("%s", (_, body, expected) => {
    expect(parseQueueListing(body)).toEqual(expected);
  });
});

describe("shouldSendUpdate", () => {
  it.each<[number | null, number, boolean]>([
    [null, 3, true],
    [3, 3, false],
    [3, 2, true],
    [2, 3, true],
  ])("last sent %p, now %p: %p", (lastSent, position, expected) => {
    expect(shouldSendUpdate(lastSent, position)).toBe(expected);
  });
});

describe("estimateWaitSeconds: position × median gap between the inbox's recent first responses", () => {
  const every = (gapMs: number, count: number, end = T0): number[] => Array.from({ length: count }, (_, index) => end - (count - 1 - index) * gapMs);
  it.each<[string, number[], number, number | null]>([
    ["no history", [], 1, null],
    ["three first responses are too few", every(MINUTE, 3), 1, null],
    ["four, a minute apart, position 1", every(MINUTE, 4), 1, 60],
    ["four, a minute apart, position 3", every(MINUTE, 4), 3, 180],
    ["one slow gap does not move the median", [T0 - 62 * MINUTE, T0 - 3 * MINUTE, T0 - 2 * MINUTE, T0 - MINUTE, T0], 2, 120],
    ["responses older than the window do not count", every(MINUTE, 4, T0 - WINDOW_MS - 1), 1, null],
    ["capped at a week", [T0 - 4 * 1_800_000, T0 - 3 * 1_800_000, T0 - 2 * 1_800_000, T0 - 1_800_000], 1_000, 7 * 24 * 3600],
  ])("%s", (_, samples, position, expected) => {
    expect(estimateWaitSeconds(samples, position, T0)).toBe(expected);
  });

  it("keeps at most MAX_SAMPLES recent first responses, oldest out, and none older than the window", () => {
    let samples: number[] = [T0 - WINDOW_MS - 1];
    for (let index = 0; index < 30; index += 1) samples = addSample(samples, T0 + index, T0);
    expect(samples).toHaveLength(MAX_SAMPLES);
    expect(samples[0]).toBe(T0 + 10);
  });
});

describe("readQueueSignal: what a webhook says about the queue", () => {
  const waiting = conversation(1);
  const assigned = conversation(1, { assignee: { id: 7, name: "Anna Agent" } });
  it.each<[string, unknown, Partial<ReturnType<typeof readQueueSignal>>]>([
    ["a new conversation: open, unassigned, not answered", conversationCreated(waiting), { status: "open", assigned: false, firstReplyAt: null, repliedBefore: false }],
    ["the user writing", messageEvent(waiting, { id: 5, messageType: "incoming", content: "hi", sender: { kind: "contact" } }), { status: "open", assigned: false, firstReplyAt: null }],
    ["an assignment", conversationUpdated(assigned, { assignee_id: { previous_value: null, current_value: 7 } }), { assigned: true }],
    ["an agent already assigned", statusChanged(assigned, "open"), { assigned: true }],
    ["an agent bot as assignee: still unassigned for the queue", { ...conversationCreated(waiting), meta: { assignee: { id: 1, name: "Bot", type: "agent_bot" } } }, { assigned: false }],
    ["an agent's first public reply", agentMessage(waiting, { id: 6, content: "Hello", createdAt: new Date(T0 + MINUTE) }), { firstReplyAt: T0 + MINUTE, repliedBefore: false }],
    ["a private note", agentMessage(waiting, { id: 6, content: "psst", private: true, createdAt: new Date(T0 + MINUTE) }), { firstReplyAt: null }],
    ["the relay's or node's own message", agentMessage(waiting, { id: 6, content: "x", sourceId: "cognigy:input:1", createdAt: new Date(T0 + MINUTE) }), { firstReplyAt: null }],
    ["an agent bot", messageEvent(waiting, { id: 6, messageType: "outgoing", content: "bot", sender: { kind: "agent_bot", id: 1, name: "Bot" } }), { firstReplyAt: null }],
    ["an automation rule", messageEvent(waiting, { id: 6, messageType: "outgoing", content: "auto", sender: null, contentAttributes: { automation_rule_id: 3 } }), { firstReplyAt: null }],
    ["a resolve", statusChanged(waiting, "resolved"), { status: "resolved" }],
  ])("%s", (_, payload, expected) => {
    expect(readQueueSignal(payload)).toEqual(expect.objectContaining({ inboxId: 12, conversationId: 1, ...expected }));
  });

  it("a reply after Chatwoot recorded an earlier first reply is not the first", () => {
    const payload = agentMessage(waiting, { id: 6, content: "again", createdAt: new Date(T0 + 10 * MINUTE) });
    const withFirst = { ...payload, conversation: { ...payload.conversation, first_reply_created_at: new Date(T0 + MINUTE).toISOString() } };
    expect(readQueueSignal(withFirst)).toEqual(expect.objectContaining({ firstReplyAt: null, repliedBefore: true }));
  });

  it.each<[string, unknown]>([
    ["not an object", "text"],
    ["no event", { id: 1, inbox_id: 12 }],
    ["no conversation id", { event: "conversation_created", inbox_id: 12 }],
  ])("ignores %s", (_, payload) => {
    expect(readQueueSignal(payload)).toBeUndefined();
  });
});

describe("queue watch", () => {
  const INTERVAL = MINUTE;
  const signal = (payload: unknown) => {
    const read = readQueueSignal(payload);
    if (read === undefined) throw new Error("fixture is no signal");
    return read;
  };

  it("watches only handovers that asked for updates, lists each inbox at most once per interval, and sends a position when it changes", () => {
    const watch = createQueueWatch({ intervalMs: INTERVAL });
    for (const id of [1, 2, 3]) watch.observe(signal(conversationCreated(conversation(id))), route(id), T0);
    watch.observe(signal(conversationCreated(conversation(4))), route(4, false), T0);
    expect(watch.size()).toBe(3);
    expect(watch.due(T0)).toEqual([{ accountId: 1, inboxId: 12 }]);
    expect(watch.due(T0 + INTERVAL - 1)).toEqual([]);
    const first = watch.apply(12, { ids: [1, 2, 3, 4], total: 4 }, T0);
    expect(first.map((update) => [update.watched.conversationId, update.position, update.waitSeconds])).toEqual([
      [1, 1, null],
      [2, 2, null],
      [3, 3, null],
    ]);
    // The same positions again: nothing to send.
    expect(watch.due(T0 + INTERVAL)).toEqual([{ accountId: 1, inboxId: 12 }]);
    expect(watch.apply(12, { ids: [1, 2, 3, 4], total: 4 }, T0 + INTERVAL)).toEqual([]);
    // Conversation 1 is assigned: forgotten at once; the others move up.
    watch.observe(signal(conversationUpdated(conversation(1, { assignee: { id: 7, name: "Anna Agent" } }), { assignee_id: { previous_value: null, current_value: 7 } })), route(1), T0 + INTERVAL);
    expect(watch.size()).toBe(2);
    const second = watch.apply(12, { ids: [2, 3, 4], total: 3 }, T0 + 2 * INTERVAL);
    expect(second.map((update) => [update.watched.conversationId, update.position])).toEqual([
      [2, 1],
      [3, 2],
    ]);
  });

  it("forgets a conversation when answered, resolved, or absent from a listing that holds the whole queue; keeps one beyond page 1 without a number", () => {
    const watch = createQueueWatch({ intervalMs: INTERVAL });
    for (const id of [1, 2, 3, 4]) watch.observe(signal(conversationCreated(conversation(id))), route(id), T0);
    watch.observe(signal(agentMessage(conversation(1), { id: 9, content: "Hi", createdAt: new Date(T0 + MINUTE) })), route(1), T0 + MINUTE);
    watch.observe(signal(statusChanged(conversation(2), "resolved")), route(2), T0 + MINUTE);
    expect(watch.size()).toBe(2);
    expect(watch.apply(12, { ids: [7, 8], total: 30 }, T0)).toEqual([]);
    expect(watch.size()).toBe(2);
    expect(watch.apply(12, { ids: [4], total: 1 }, T0).map((update) => update.position)).toEqual([1]);
    expect(watch.size()).toBe(1);
    // The user writing again does not bring an answered conversation back.
    watch.observe(signal(messageEvent(conversation(1), { id: 10, messageType: "incoming", content: "thanks", sender: { kind: "contact" } })), route(1), T0 + 2 * MINUTE);
    expect(watch.size()).toBe(1);
  });

  it("observes each handover's first response and duration once, and estimates the wait from the inbox's first responses", () => {
    const watch = createQueueWatch({ intervalMs: INTERVAL });
    const firsts: number[] = [];
    for (const id of [1, 2, 3, 4]) {
      const reply = agentMessage(conversation(id), { id: 100 + id, content: "Hi", agent: DEFAULT_AGENT, createdAt: new Date(T0 + id * MINUTE) });
      for (let delivery = 0; delivery < 2; delivery += 1) {
        const observed = watch.observe(signal(reply), route(id), T0 + id * MINUTE);
        if (observed.firstResponseSeconds !== undefined) firsts.push(observed.firstResponseSeconds);
      }
    }
    expect(firsts).toEqual([60, 120, 180, 240]);
    const resolve = statusChanged(conversation(1, { updatedAt: (T0 + 30 * MINUTE) / 1000 }), "resolved");
    expect(watch.observe(signal(resolve), route(1), T0 + 30 * MINUTE)).toEqual({ durationSeconds: 1800, handover: `12:1:t${T0}` });
    expect(watch.observe(signal(resolve), route(1), T0 + 30 * MINUTE)).toEqual({});
    watch.observe(signal(conversationCreated(conversation(5))), route(5), T0 + 5 * MINUTE);
    watch.due(T0 + 5 * MINUTE);
    expect(watch.apply(12, { ids: [5], total: 1 }, T0 + 5 * MINUTE)).toEqual([expect.objectContaining({ position: 1, waitSeconds: 60 })]);
  });

  it("counts an assignment as the queue moving on, once per handover, for the estimate", () => {
    const watch = createQueueWatch({ intervalMs: INTERVAL });
    for (const id of [1, 2, 3, 4]) {
      const at = T0 + id * 2 * MINUTE;
      const assigned = conversation(id, { assignee: { id: 7, name: "Anna Agent" }, updatedAt: at / 1000 });
      expect(watch.observe(signal(conversationUpdated(assigned, { assignee_id: { previous_value: null, current_value: 7 } })), route(id), at)).toEqual({});
      // The reply after the assignment: a first response for the histogram, not a second exit.
      watch.observe(signal(agentMessage(assigned, { id: 200 + id, content: "Hi", createdAt: new Date(at + 30_000) })), route(id), at + 30_000);
    }
    watch.observe(signal(conversationCreated(conversation(5))), route(5), T0 + 9 * MINUTE);
    watch.due(T0 + 9 * MINUTE);
    expect(watch.apply(12, { ids: [5], total: 1 }, T0 + 9 * MINUTE)).toEqual([expect.objectContaining({ position: 1, waitSeconds: 120 })]);
  });

  it("caps the watch list by bytes and reports the conversations it could not watch", () => {
    const one = route(1);
    const bytesOfOne = 2 * (one.sealed.length + one.binding.sourceId.length) + 200;
    const watch = createQueueWatch({ intervalMs: INTERVAL, capacityBytes: bytesOfOne * 2 + 10 });
    const refused = [1, 2, 3, 4].map((id) => watch.observe(signal(conversationCreated(conversation(id))), route(id), T0).refused === true);
    expect(refused).toEqual([false, false, true, true]);
    expect(watch.size()).toBe(2);
    expect(watch.bytes()).toBeLessThanOrEqual(bytesOfOne * 2 + 10);
  });

  it("does not list an inbox whose account is not known yet (conversation payloads before Chatwoot 4.14.2)", () => {
    const watch = createQueueWatch({ intervalMs: INTERVAL });
    watch.observe(signal(conversationCreated(conversation(1))), { ...route(1), accountId: 0 }, T0);
    expect(watch.due(T0)).toEqual([]);
    watch.observe(signal(messageEvent(conversation(1), { id: 3, messageType: "incoming", content: "hi", sender: { kind: "contact" } })), route(1), T0);
    expect(watch.due(T0)).toEqual([{ accountId: 1, inboxId: 12 }]);
  });

  it("reads the option from the sealed route: a handover sealed without it is not watched, and only authentic routes count", () => {
    const watch = createQueueWatch({ intervalMs: INTERVAL });
    const metrics = createRelayMetrics(() => ({ pending: 0, dead: 0 }));
    const observer = createQueueObserver({ watch, metrics, relaySecret: SECRET, openRoute: createRouteCache(SECRET), inboxIds: null });
    observer.observe(conversationCreated(conversation(1)), T0);
    expect(watch.size()).toBe(0);
    const asked = conversation(2, { customAttributes: { [ROUTE_ATTRIBUTE]: route(2).sealed } });
    observer.observe(conversationCreated(asked), T0);
    expect(watch.size()).toBe(1);
    const forged = conversation(3, { customAttributes: { [ROUTE_ATTRIBUTE]: route(2).sealed } });
    observer.observe(conversationCreated(forged), T0);
    expect(watch.size()).toBe(1);
  });
});
