import { sealRoute, type RouteBinding, type SessionRoute } from "../../src/core/route-seal";
import { createNewestRoutes, newestRouteKey, type RouteVerdict } from "../../src/relay/newest-routes";
import type { RouteRecord } from "../../src/relay/outbox";
import { createRouteCache } from "../../src/relay/route-cache";
import type { SeenRoute } from "../../src/relay/webhook-route";

const SECRET = "relay-secret-0123456789-abcdefghijklmnop";
const BINDING: RouteBinding = { inboxId: 7, sourceId: "source-jane" };
const EARLIER: SessionRoute = { userId: "jane", sessionId: "session-earlier", urlToken: "token" };
const CURRENT: SessionRoute = { userId: "jane", sessionId: "session-current", urlToken: "token" };
const T0 = 1_781_691_342_000;
const DAY = 24 * 3_600_000;
const RETENTION = 7 * DAY;

function seen(sealed: string, issuedAt: number | null, overrides: Partial<SeenRoute> = {}): SeenRoute {
  return { sealed, binding: BINDING, accountId: 1, conversationId: 42, issuedAt, queueUpdates: false, ...overrides };
}

/** A store over a plain map standing in for the outbox's table (tests of the table itself are in outbox.test.ts). */
function world(rows = new Map<string, RouteRecord & { seenAt: number }>()) {
  const routes = createNewestRoutes({ lookup: (key) => rows.get(key), openRoute: createRouteCache(SECRET), retentionMs: RETENTION });
  return { routes, rows };
}

const earlier = sealRoute(EARLIER, BINDING, SECRET, T0);
const current = sealRoute(CURRENT, BINDING, SECRET, T0 + 60_000);
const key = newestRouteKey(BINDING, 42);
const record = (sealed: string, issuedAt: number): RouteRecord => ({ key, issuedAt, sealed });

describe("newest routes: the verdict for a webhook's route (C15)", () => {
  it.each<{ name: string; before: SeenRoute[]; route: SeenRoute; at?: number; verdict: RouteVerdict }>([
    { name: "the first route of a conversation is current, to record", before: [], route: seen(current, T0 + 60_000), verdict: { kind: "current", record: record(current, T0 + 60_000) } },
    { name: "the same route again is current, nothing to write", before: [seen(current, T0 + 60_000)], route: seen(current, T0 + 60_000), verdict: { kind: "current", record: null } },
    { name: "the same route a day later is recorded again (its age refreshed)", before: [seen(current, T0 + 60_000)], route: seen(current, T0 + 60_000), at: T0 + 60_000 + DAY, verdict: { kind: "current", record: record(current, T0 + 60_000) } },
    { name: "a newer route replaces the known one", before: [seen(earlier, T0)], route: seen(current, T0 + 60_000), verdict: { kind: "current", record: record(current, T0 + 60_000) } },
    { name: "an older route is stale: the newest instead, reported once", before: [seen(current, T0 + 60_000)], route: seen(earlier, T0), verdict: { kind: "stale", newest: record(current, T0 + 60_000), firstTime: true } },
    { name: "a route without an issue time is never judged", before: [seen(current, T0 + 60_000)], route: seen(earlier, null), verdict: { kind: "unstamped" } },
    { name: "another route issued in the same millisecond is used as it is", before: [seen(current, T0 + 60_000)], route: seen(sealRoute(EARLIER, BINDING, SECRET, T0 + 60_000), T0 + 60_000), verdict: { kind: "current", record: null } },
    { name: "another conversation has its own newest route", before: [seen(current, T0 + 60_000)], route: seen(earlier, T0, { conversationId: 43 }), verdict: { kind: "current", record: { key: newestRouteKey(BINDING, 43), issuedAt: T0, sealed: earlier } } },
    {
      name: "another contact (source id) in the same conversation has its own newest route",
      before: [seen(current, T0 + 60_000)],
      route: seen(sealRoute(EARLIER, { ...BINDING, sourceId: "source-other" }, SECRET, T0), T0, { binding: { ...BINDING, sourceId: "source-other" } }),
      verdict: { kind: "current", record: expect.objectContaining({ key: newestRouteKey({ ...BINDING, sourceId: "source-other" }, 42), issuedAt: T0 }) },
    },
    { name: "a newest route not seen for longer than the retention is forgotten", before: [seen(current, T0 + 60_000)], route: seen(earlier, T0), at: T0 + 60_000 + RETENTION + 1, verdict: { kind: "current", record: record(earlier, T0) } },
  ])("$name", ({ before, route, at, verdict }) => {
    const { routes } = world();
    for (const item of before) routes.check(item, T0 + 60_000);
    expect(routes.check(route, at ?? T0 + 120_000)).toEqual(verdict);
  });

  it("reports a stale restore once, and a restore of another earlier route again", () => {
    const { routes } = world();
    const older = sealRoute(EARLIER, BINDING, SECRET, T0 - 60_000);
    routes.check(seen(current, T0 + 60_000), T0);
    expect(routes.check(seen(earlier, T0), T0)).toMatchObject({ kind: "stale", firstTime: true });
    expect(routes.check(seen(earlier, T0), T0)).toMatchObject({ kind: "stale", firstTime: false });
    expect(routes.check(seen(older, T0 - 60_000), T0)).toMatchObject({ kind: "stale", firstTime: true });
  });

  it("reads the durable copy on a miss (after a restart), and judges against it", () => {
    const rows = new Map([[key, { ...record(current, T0 + 60_000), seenAt: T0 }]]);
    const { routes } = world(rows);
    expect(routes.check(seen(earlier, T0), T0 + 1_000)).toEqual({ kind: "stale", newest: record(current, T0 + 60_000), firstTime: true });
  });

  it("never hands out a stored route that does not open for the webhook's contact", () => {
    const forOther = sealRoute(CURRENT, { ...BINDING, sourceId: "source-other" }, SECRET, T0 + 60_000);
    const rows = new Map([[key, { ...record(forOther, T0 + 60_000), seenAt: T0 }]]);
    const { routes } = world(rows);
    expect(routes.check(seen(earlier, T0), T0 + 1_000)).toEqual({ kind: "current", record: null });
  });

  it("stays within its byte cap, the least recently used first out, and still answers from the durable copy", () => {
    const rows = new Map<string, RouteRecord & { seenAt: number }>();
    const routes = createNewestRoutes({ lookup: (k) => rows.get(k), openRoute: createRouteCache(SECRET), retentionMs: RETENTION, capacityBytes: 4_000 });
    for (let conversationId = 1; conversationId <= 50; conversationId += 1) {
      const verdict = routes.check(seen(current, T0 + 60_000, { conversationId }), T0);
      if (verdict.kind === "current" && verdict.record !== null) rows.set(verdict.record.key, { ...verdict.record, seenAt: T0 });
    }
    let lookups = 0;
    const counted = createNewestRoutes({ lookup: (k) => (lookups += 1, rows.get(k)), openRoute: createRouteCache(SECRET), retentionMs: RETENTION, capacityBytes: 4_000 });
    for (let conversationId = 1; conversationId <= 50; conversationId += 1) expect(counted.check(seen(earlier, T0, { conversationId }), T0)).toMatchObject({ kind: "stale" });
    expect(lookups).toBe(50);
    for (let conversationId = 1; conversationId <= 50; conversationId += 1) counted.check(seen(earlier, T0, { conversationId }), T0);
    expect(lookups).toBeGreaterThan(50);
  });
});
