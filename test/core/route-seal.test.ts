import { createCipheriv, randomBytes, randomInt } from "crypto";
import { deriveKey } from "../../src/core/derive-key";
import { openRoute, openStampedRoute, ROUTE_ATTRIBUTE, sealRoute, type RouteBinding, type SessionRoute } from "../../src/core/route-seal";

const SECRET = "relay-secret-0123456789-abcdefghijklmnop";
const ROUTE: SessionRoute = { userId: "user-1", sessionId: "session-1", urlToken: "0f1e2d3c4b5a69788796a5b4c3d2e1f0" };
const BINDING: RouteBinding = { inboxId: 7, sourceId: "5c0b8d2e-1f3a-4b6c-9d7e-8f9a0b1c2d3e" };
const BASE64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

function randomText(maxLength: number): string {
  return randomBytes(randomInt(1, maxLength)).toString("base64url").slice(0, maxLength) || "x";
}

function randomRoute(): SessionRoute {
  return { userId: randomText(80), sessionId: randomText(60), urlToken: randomText(64) };
}

/** Changes one character so that the decoded bytes change too (the top bit of a base64 digit always carries data). */
function mutateAt(sealed: string, index: number): string {
  const char = sealed.charAt(index);
  const digit = BASE64URL.indexOf(char);
  const replacement = digit < 0 ? "A" : BASE64URL.charAt(digit ^ 32);
  return `${sealed.slice(0, index)}${replacement}${sealed.slice(index + 1)}`;
}

/** Seals arbitrary plaintext with the real key, as only someone holding the relay secret could. */
function sealPlaintext(plaintext: string, binding: RouteBinding): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", deriveKey(SECRET, "route-seal"), iv);
  cipher.setAAD(Buffer.from(`chatwoot-route:v1:${binding.inboxId}:${binding.sourceId}`, "utf8"));
  const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final(), cipher.getAuthTag()]);
  return `v1.${iv.toString("base64url")}.${body.toString("base64url")}`;
}

describe("sealRoute and openRoute", () => {
  it("names the Chatwoot custom attribute that carries the route", () => {
    expect(ROUTE_ATTRIBUTE).toBe("cognigy_route");
  });

  it("opens a route sealed for the same conversation binding", () => {
    expect(openRoute(sealRoute(ROUTE, BINDING, SECRET), BINDING, SECRET)).toEqual({ ok: true, route: ROUTE });
  });

  it("round-trips random routes and bindings", () => {
    for (let run = 0; run < 200; run += 1) {
      const route = randomRoute();
      const binding: RouteBinding = { inboxId: randomInt(1, 1_000_000), sourceId: randomText(40) };
      expect(openRoute(sealRoute(route, binding, SECRET), binding, SECRET)).toEqual({ ok: true, route });
    }
  });

  it("opens routes whose fields use the full 512 characters and non-ASCII text", () => {
    const route: SessionRoute = { userId: "ü".repeat(512), sessionId: "s".repeat(512), urlToken: "😀".repeat(256) };
    expect(openRoute(sealRoute(route, BINDING, SECRET), BINDING, SECRET)).toEqual({ ok: true, route });
  });

  it("writes a versioned value of three dot-separated parts that does not reveal the route", () => {
    const sealed = sealRoute(ROUTE, BINDING, SECRET);
    expect(sealed).toMatch(/^v1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+$/);
    expect(sealed).not.toContain(ROUTE.urlToken);
    expect(sealed).not.toContain(ROUTE.userId);
  });

  it("uses a fresh nonce for every seal, so the same route never seals to the same value", () => {
    const values = new Set(Array.from({ length: 20 }, () => sealRoute(ROUTE, BINDING, SECRET)));
    expect(values.size).toBe(20);
  });

  it("refuses a route copied onto another contact's conversation in the same inbox", () => {
    const sealed = sealRoute(ROUTE, BINDING, SECRET);
    expect(openRoute(sealed, { ...BINDING, sourceId: "another-contact-source-id" }, SECRET)).toEqual({ ok: false, reason: "unauthentic" });
  });

  it("refuses a route copied onto the same contact's conversation in another inbox", () => {
    const sealed = sealRoute(ROUTE, BINDING, SECRET);
    expect(openRoute(sealed, { ...BINDING, inboxId: BINDING.inboxId + 1 }, SECRET)).toEqual({ ok: false, reason: "unauthentic" });
  });

  it("keeps the inbox id and source id apart in the binding (inbox 1 + source '2:x' is not inbox 12 + source 'x')", () => {
    const sealed = sealRoute(ROUTE, { inboxId: 1, sourceId: "2:x" }, SECRET);
    expect(openRoute(sealed, { inboxId: 12, sourceId: "x" }, SECRET)).toEqual({ ok: false, reason: "unauthentic" });
  });

  it("refuses a route sealed with another relay secret", () => {
    const sealed = sealRoute(ROUTE, BINDING, `${SECRET}-other`);
    expect(openRoute(sealed, BINDING, SECRET)).toEqual({ ok: false, reason: "unauthentic" });
  });

  it("refuses a seal in which any single character was changed", () => {
    const sealed = sealRoute(ROUTE, BINDING, SECRET);
    for (let index = 0; index < sealed.length; index += 1) {
      const result = openRoute(mutateAt(sealed, index), BINDING, SECRET);
      expect({ index, ok: result.ok }).toEqual({ index, ok: false });
    }
  });

  it("refuses a seal that was cut short", () => {
    const sealed = sealRoute(ROUTE, BINDING, SECRET);
    for (const cut of [1, 2, 4, 10, 20]) {
      expect(openRoute(sealed.slice(0, sealed.length - cut), BINDING, SECRET).ok).toBe(false);
    }
  });

  it("refuses the ciphertext of one seal with the nonce of another", () => {
    const [, ivA] = sealRoute(ROUTE, BINDING, SECRET).split(".");
    const [, , bodyB] = sealRoute(ROUTE, BINDING, SECRET).split(".");
    expect(openRoute(`v1.${ivA ?? ""}.${bodyB ?? ""}`, BINDING, SECRET)).toEqual({ ok: false, reason: "unauthentic" });
  });

  it.each([
    { name: "JSON that is not an object", plaintext: "[1,2,3]" },
    { name: "text that is not JSON", plaintext: "not json" },
    { name: "a route without its URL token", plaintext: JSON.stringify({ u: "user", s: "session" }) },
    { name: "a route with an empty session id", plaintext: JSON.stringify({ u: "user", s: "", t: "token" }) },
    { name: "a route with a numeric user id", plaintext: JSON.stringify({ u: 5, s: "session", t: "token" }) },
    { name: "a route with a field over 512 characters", plaintext: JSON.stringify({ u: "u".repeat(513), s: "session", t: "token" }) },
  ])("refuses an authentic seal whose content is $name", ({ plaintext }) => {
    expect(openRoute(sealPlaintext(plaintext, BINDING), BINDING, SECRET)).toEqual({ ok: false, reason: "unauthentic" });
  });

  it.each([
    { name: "undefined", value: undefined },
    { name: "null", value: null },
    { name: "an empty string", value: "" },
  ])("reports $name as missing", ({ value }) => {
    expect(openRoute(value, BINDING, SECRET)).toEqual({ ok: false, reason: "missing" });
  });

  it.each([
    { name: "a number", value: 42 },
    { name: "an object", value: { sealed: "v1.a.b" } },
    { name: "two parts", value: "v1.AAAAAAAAAAAAAAAA" },
    { name: "four parts", value: "v1.AAAAAAAAAAAAAAAA.AAAA.AAAA" },
    { name: "another version", value: `v2.${"A".repeat(16)}.${"A".repeat(40)}` },
    { name: "a nonce of 11 bytes", value: `v1.${Buffer.alloc(11).toString("base64url")}.${"A".repeat(40)}` },
    { name: "a body no longer than the tag", value: `v1.${Buffer.alloc(12).toString("base64url")}.${Buffer.alloc(16).toString("base64url")}` },
    { name: "more than 4096 characters", value: `v1.${Buffer.alloc(12).toString("base64url")}.${"A".repeat(4096)}` },
  ])("reports $name as malformed", ({ value }) => {
    expect(openRoute(value, BINDING, SECRET)).toEqual({ ok: false, reason: "malformed" });
  });

  it("reports well-formed random bytes as unauthentic", () => {
    const forged = `v1.${randomBytes(12).toString("base64url")}.${randomBytes(80).toString("base64url")}`;
    expect(openRoute(forged, BINDING, SECRET)).toEqual({ ok: false, reason: "unauthentic" });
  });
});

/** Seals issued since C15 carry their issue time inside the authenticated plaintext, in the same "v1" envelope. */
describe("the issue time sealed into a route (C15)", () => {
  const ISSUED = 1_781_691_342_123;

  it("opens with the time it was issued at, and openRoute still gives only the route", () => {
    const sealed = sealRoute(ROUTE, BINDING, SECRET, ISSUED);
    expect(openStampedRoute(sealed, BINDING, SECRET)).toEqual({ ok: true, route: ROUTE, issuedAt: ISSUED, options: { queueUpdates: false } });
    expect(openRoute(sealed, BINDING, SECRET)).toEqual({ ok: true, route: ROUTE });
  });

  it("is issued now unless told otherwise", () => {
    const before = Date.now();
    const opened = openStampedRoute(sealRoute(ROUTE, BINDING, SECRET), BINDING, SECRET);
    expect(opened.ok && opened.issuedAt !== null && opened.issuedAt >= before && opened.issuedAt <= Date.now()).toBe(true);
  });

  it("opens a seal made before issue times (no `i`) with no issue time: nobody can tell its age", () => {
    const legacy = sealPlaintext(JSON.stringify({ u: ROUTE.userId, s: ROUTE.sessionId, t: ROUTE.urlToken }), BINDING);
    expect(openStampedRoute(legacy, BINDING, SECRET)).toEqual({ ok: true, route: ROUTE, issuedAt: null, options: { queueUpdates: false } });
    expect(openRoute(legacy, BINDING, SECRET)).toEqual({ ok: true, route: ROUTE });
  });

  it("is authenticated: no single character of a stamped seal can change, and its binding still holds", () => {
    const sealed = sealRoute(ROUTE, BINDING, SECRET, ISSUED);
    for (let index = 0; index < sealed.length; index += 1) expect({ index, ok: openStampedRoute(mutateAt(sealed, index), BINDING, SECRET).ok }).toEqual({ index, ok: false });
    expect(openStampedRoute(sealed, { ...BINDING, sourceId: "another-contact-source-id" }, SECRET)).toEqual({ ok: false, reason: "unauthentic" });
  });

  it.each([
    { name: "a negative time", i: -1 },
    { name: "a fraction", i: 1.5 },
    { name: "a string", i: "1781691342123" },
    { name: "null", i: null },
    { name: "beyond a safe integer", i: 2 ** 53 },
  ])("refuses an authentic seal whose issue time is $name", ({ i }) => {
    const sealed = sealPlaintext(JSON.stringify({ u: ROUTE.userId, s: ROUTE.sessionId, t: ROUTE.urlToken, i }), BINDING);
    expect(openStampedRoute(sealed, BINDING, SECRET)).toEqual({ ok: false, reason: "unauthentic" });
  });

  it.each([
    { name: "now", issuedAt: ISSUED },
    { name: "the largest safe time", issuedAt: Number.MAX_SAFE_INTEGER },
  ])("keeps a route of three 256-character ids (Cognigy's own limit) well under Chatwoot's 1,500 characters, issued $name", ({ issuedAt }) => {
    const route: SessionRoute = { userId: "u".repeat(256), sessionId: "s".repeat(256), urlToken: "t".repeat(256) };
    const legacy = sealPlaintext(JSON.stringify({ u: route.userId, s: route.sessionId, t: route.urlToken }), BINDING);
    const stamped = sealRoute(route, BINDING, SECRET, issuedAt);
    expect(stamped.length - legacy.length).toBeLessThanOrEqual(32);
    expect(stamped.length).toBeLessThan(1_200);
  });
});

/** Issue 13: what the handover asked of the relay is sealed with the route (plaintext `q`), so nobody else can ask it. */
describe("the route options sealed into a route (issue 13)", () => {
  const ISSUED = 1_781_691_342_123;

  it.each([
    { name: "queue updates on", options: { queueUpdates: true } },
    { name: "queue updates off", options: { queueUpdates: false } },
  ])("opens with the options it was sealed with: $name", ({ options }) => {
    const sealed = sealRoute(ROUTE, BINDING, SECRET, ISSUED, options);
    expect(openStampedRoute(sealed, BINDING, SECRET)).toEqual({ ok: true, route: ROUTE, issuedAt: ISSUED, options });
    expect(openRoute(sealed, BINDING, SECRET)).toEqual({ ok: true, route: ROUTE });
  });

  it("reads a seal made before options (no `q`) as queue updates off", () => {
    const older = sealPlaintext(JSON.stringify({ u: ROUTE.userId, s: ROUTE.sessionId, t: ROUTE.urlToken, i: ISSUED }), BINDING);
    expect(openStampedRoute(older, BINDING, SECRET)).toEqual({ ok: true, route: ROUTE, issuedAt: ISSUED, options: { queueUpdates: false } });
  });

  it.each([
    { name: "true", q: true },
    { name: "0", q: 0 },
    { name: "2", q: 2 },
    { name: "a string", q: "1" },
    { name: "null", q: null },
  ])("refuses an authentic seal whose option q is $name", ({ q }) => {
    const sealed = sealPlaintext(JSON.stringify({ u: ROUTE.userId, s: ROUTE.sessionId, t: ROUTE.urlToken, i: ISSUED, q }), BINDING);
    expect(openStampedRoute(sealed, BINDING, SECRET).ok).toBe(false);
  });

  it("adds at most 8 characters for queue updates (6 bytes of plaintext)", () => {
    expect(sealRoute(ROUTE, BINDING, SECRET, ISSUED, { queueUpdates: true }).length - sealRoute(ROUTE, BINDING, SECRET, ISSUED).length).toBeLessThanOrEqual(8);
  });
});
