import { sealRoute, type RouteBinding, type SessionRoute } from "../../src/core/route-seal";
import { createNewestRoutes, newestRouteKey, type NewestRoutes } from "../../src/relay/newest-routes";
import type { RouteRecord } from "../../src/relay/outbox";
import { createRouteCache } from "../../src/relay/route-cache";
import { createSharedNewestRoutes } from "../../src/relay/shared-newest-routes";
import type { RouteVerdict } from "../../src/relay/newest-routes";
import type { SeenRoute } from "../../src/relay/webhook-route";

const SECRET = "relay-secret-0123456789-abcdefghijklmnop";
const BINDING: RouteBinding = { inboxId: 7, sourceId: "source-jane" };
const EARLIER: SessionRoute = { userId: "jane", sessionId: "session-earlier", urlToken: "token" };
const CURRENT: SessionRoute = { userId: "jane", sessionId: "session-current", urlToken: "token" };
const T0 = 1_781_691_342_000;
const RETENTION = 7 * 24 * 3_600_000;

const earlier = sealRoute(EARLIER, BINDING, SECRET, T0);
const current = sealRoute(CURRENT, BINDING, SECRET, T0 + 60_000);
const key = newestRouteKey(BINDING, 42);
const seen = (sealed: string, issuedAt: number): SeenRoute => ({ sealed, binding: BINDING, accountId: 1, conversationId: 42, issuedAt, queueUpdates: false });

/** Two replicas over one table (a map standing in for relay_routes); what a verdict says to record is committed to it. */
function replicas(make: typeof createNewestRoutes) {
  const rows = new Map<string, RouteRecord & { seenAt: number }>();
  const replica = (): NewestRoutes => make({ lookup: (lookupKey) => rows.get(lookupKey), openRoute: createRouteCache(SECRET), retentionMs: RETENTION });
  const check = (routes: NewestRoutes, route: SeenRoute, now: number): RouteVerdict => {
    const verdict = routes.check(route, now);
    if (verdict.kind === "current" && verdict.record !== null) rows.set(verdict.record.key, { ...verdict.record, seenAt: now });
    return verdict;
  };
  return { a: replica(), b: replica(), check };
}

describe("newest routes shared by replicas (C15 on PostgreSQL)", () => {
  it("judges a stale restore on replica A against the newer route replica B recorded", () => {
    const { a, b, check } = replicas(createSharedNewestRoutes);
    expect(check(a, seen(earlier, T0), T0)).toMatchObject({ kind: "current" });
    expect(check(b, seen(current, T0 + 60_000), T0 + 60_000)).toMatchObject({ kind: "current" });
    expect(check(a, seen(earlier, T0), T0 + 120_000)).toEqual({ kind: "stale", newest: { key, issuedAt: T0 + 60_000, sealed: current }, firstTime: true });
  });

  it("(why: one replica's memory alone would take the stale route for the newest)", () => {
    const { a, b, check } = replicas(createNewestRoutes);
    check(a, seen(earlier, T0), T0);
    check(b, seen(current, T0 + 60_000), T0 + 60_000);
    expect(check(a, seen(earlier, T0), T0 + 120_000)).toMatchObject({ kind: "current" });
  });

  it("still records a newer route and leaves the same one unwritten", () => {
    const { a, check } = replicas(createSharedNewestRoutes);
    expect(check(a, seen(current, T0 + 60_000), T0 + 60_000)).toEqual({ kind: "current", record: { key, issuedAt: T0 + 60_000, sealed: current } });
    expect(check(a, seen(current, T0 + 60_000), T0 + 61_000)).toEqual({ kind: "current", record: null });
  });
});
