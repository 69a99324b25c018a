import { sealRoute, type RouteBinding } from "../../src/core/route-seal";
import { createRouteCache } from "../../src/relay/route-cache";
import { tupleHash } from "../../src/relay/tuple-hash";

const SECRET = "relay-secret-0123456789-abcdefghijklmnop";
const BINDING: RouteBinding = { inboxId: 7, sourceId: "source-jane" };
const ROUTE = { userId: "jane", sessionId: "session-1", urlToken: "token" };

describe("tupleHash", () => {
  it.each([
    { a: [1, "2:x"], b: [12, "x"] },
    { a: ["ab", "c"], b: ["a", "bc"] },
    { a: [1], b: ["1"] },
    { a: ["a\n", "b"], b: ["a", "\nb"] },
    { a: [], b: [""] },
  ])("keeps $a and $b apart", ({ a, b }) => {
    expect(tupleHash(a)).not.toBe(tupleHash(b));
  });

  it("is a fixed 43 characters, whatever the input's length", () => {
    expect(tupleHash(["x".repeat(1_000_000)])).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(tupleHash([1, "a"])).toBe(tupleHash([1, "a"]));
  });
});

describe("route cache", () => {
  it("opens routes with their issue time, and gives the same answer from the cache", () => {
    const open = createRouteCache(SECRET);
    const sealed = sealRoute(ROUTE, BINDING, SECRET, 1_000);
    expect(open(sealed, BINDING)).toEqual({ ok: true, route: ROUTE, issuedAt: 1_000 });
    expect(open(sealed, BINDING)).toEqual({ ok: true, route: ROUTE, issuedAt: 1_000 });
    expect(open(sealed, { ...BINDING, sourceId: "source-other" })).toEqual({ ok: false, reason: "unauthentic" });
  });

  it("refuses values longer than any seal without caching them", () => {
    const open = createRouteCache(SECRET, 1_000);
    expect(open("v1." + "A".repeat(5_000), BINDING)).toEqual({ ok: false, reason: "malformed" });
  });

  it("keeps answering right after many distinct hostile values (evicted by bytes, none kept by its text)", () => {
    const open = createRouteCache(SECRET, 10_000);
    for (let index = 0; index < 2_000; index += 1) expect(open(`v1.${"A".repeat(16)}.${String(index).padStart(4_000, "B")}`, BINDING).ok).toBe(false);
    const sealed = sealRoute(ROUTE, BINDING, SECRET, 5);
    expect(open(sealed, BINDING)).toEqual({ ok: true, route: ROUTE, issuedAt: 5 });
  });
});
