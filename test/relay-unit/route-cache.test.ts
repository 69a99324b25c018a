import { MAX_SOURCE_ID_LENGTH, sealRoute, type RouteBinding } from "../../src/core/route-seal";
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
    expect(open(sealed, BINDING)).toEqual({ ok: true, route: ROUTE, issuedAt: 1_000, options: { queueUpdates: false } });
    expect(open(sealed, BINDING)).toEqual({ ok: true, route: ROUTE, issuedAt: 1_000, options: { queueUpdates: false } });
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
    expect(open(sealed, BINDING)).toEqual({ ok: true, route: ROUTE, issuedAt: 5, options: { queueUpdates: false } });
  });

  it("refuses source ids longer than MAX_SOURCE_ID_LENGTH before hashing, and caches nothing for them", () => {
    const open = createRouteCache(SECRET, 1_000);
    const long = { inboxId: 7, sourceId: "s".repeat(MAX_SOURCE_ID_LENGTH + 1) };
    // A route really sealed for the long id is refused too: no Chatwoot source id is that long.
    expect(open(sealRoute(ROUTE, long, SECRET, 1), long)).toEqual({ ok: false, reason: "malformed" });
    const sealed = sealRoute(ROUTE, BINDING, SECRET, 5);
    expect(open(sealed, BINDING)).toEqual({ ok: true, route: ROUTE, issuedAt: 5, options: { queueUpdates: false } });
  });

  /**
   * Issue 12 item 4. The old key was `inbox\nsourceId\nsealed`, and base64url
   * decoding skips newlines. An agent puts a newline into the victim's
   * ciphertext (it still opens, and is cached), then posts in a conversation
   * of their own contact whose source id is the victim's source id, a newline
   * and the seal up to that newline, with the rest of the seal as its route:
   * the same old key, so the cache answered with the victim's route.
   */
  it("never answers a crafted source id with another conversation's route (newline collision of the old key)", () => {
    const open = createRouteCache(SECRET);
    const victim: RouteBinding = { inboxId: 7, sourceId: "source-jane" };
    const sealed = sealRoute(ROUTE, victim, SECRET, 1_000);
    const cut = sealed.length - 10;
    const edited = `${sealed.slice(0, cut)}\n${sealed.slice(cut)}`;
    const attacker: RouteBinding = { inboxId: 7, sourceId: `source-jane\n${sealed.slice(0, cut)}` };
    const attackerRoute = sealed.slice(cut);
    const oldKey = (binding: RouteBinding, value: string): string => `${binding.inboxId}\n${binding.sourceId}\n${value}`;
    expect(oldKey(attacker, attackerRoute)).toBe(oldKey(victim, edited));

    expect(open(edited, victim)).toEqual({ ok: true, route: ROUTE, issuedAt: 1_000, options: { queueUpdates: false } });
    expect(open(attackerRoute, attacker)).toEqual({ ok: false, reason: "malformed" });
    expect(open(edited, attacker)).toEqual({ ok: false, reason: "unauthentic" });
  });
});
