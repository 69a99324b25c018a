import { createHmac } from "crypto";
import { pathTokenMatches, SIGNATURE_TOLERANCE_SECONDS, signChatwootPayload, verifyChatwootSignature, type SignedRequest } from "../../src/relay/webhook-signature";

const SECRET = "inbox-secret-abcdefghijklmnopqrstuvwxyz";
const OLD_SECRET = "old-inbox-secret-0123456789abcdef";
const OTHER_SECRET = "another-secret-0123456789abcdef";
const NOW = 1_781_691_342;
const BODY = Buffer.from(JSON.stringify({ event: "message_created", id: 4711, content: "Grüße von Anna – how can I help?" }), "utf8");

/** HMAC-SHA256 over "<timestamp>." and the raw bytes, computed without the relay's code. */
function independentHex(secret: string, timestamp: string, rawBody: Buffer): string {
  return createHmac("sha256", secret).update(Buffer.concat([Buffer.from(`${timestamp}.`, "utf8"), rawBody])).digest("hex");
}

function signed(options: { secret?: string; timestamp?: number; body?: Buffer } = {}): SignedRequest {
  const timestamp = String(options.timestamp ?? NOW);
  const rawBody = options.body ?? BODY;
  return { rawBody, timestamp, signature: `sha256=${independentHex(options.secret ?? SECRET, timestamp, rawBody)}` };
}

describe("verifyChatwootSignature", () => {
  it("accepts a signature computed independently with the inbox secret", () => {
    expect(verifyChatwootSignature(signed(), [SECRET], NOW)).toEqual({ ok: true });
  });

  it("verifies the raw bytes, including bytes that are not UTF-8", () => {
    const body = Buffer.from([0x7b, 0xff, 0xfe, 0x00, 0x7d]);
    expect(verifyChatwootSignature(signed({ body }), [SECRET], NOW)).toEqual({ ok: true });
    expect(verifyChatwootSignature({ ...signed({ body }), rawBody: Buffer.from(body.toString("utf8"), "utf8") }, [SECRET], NOW)).toEqual({ ok: false, failure: "mismatch" });
  });

  it("accepts an empty body signed correctly", () => {
    expect(verifyChatwootSignature(signed({ body: Buffer.alloc(0) }), [SECRET], NOW)).toEqual({ ok: true });
  });

  it("accepts upper-case hex and surrounding whitespace in the headers", () => {
    const request = signed();
    const upper = { ...request, signature: `sha256=${(request.signature ?? "").slice("sha256=".length).toUpperCase()}` };
    expect(upper.signature).not.toBe(request.signature);
    expect(verifyChatwootSignature(upper, [SECRET], NOW)).toEqual({ ok: true });
    expect(verifyChatwootSignature({ ...request, signature: ` ${request.signature ?? ""} `, timestamp: ` ${NOW} ` }, [SECRET], NOW)).toEqual({ ok: true });
  });

  describe("rotation", () => {
    it.each<[string, string, readonly string[], boolean]>([
      ["the first of two secrets", OLD_SECRET, [OLD_SECRET, SECRET], true],
      ["the second of two secrets", SECRET, [OLD_SECRET, SECRET], true],
      ["a secret not configured", OTHER_SECRET, [OLD_SECRET, SECRET], false],
      ["any secret when none is configured", SECRET, [], false],
    ])("with a signature by %s: accepted = %s", (_, signer, secrets, accepted) => {
      const verdict = verifyChatwootSignature(signed({ secret: signer }), secrets, NOW);
      expect(verdict).toEqual(accepted ? { ok: true } : { ok: false, failure: "mismatch" });
    });
  });

  describe("tolerance of ±300 s", () => {
    it("is five minutes", () => {
      expect(SIGNATURE_TOLERANCE_SECONDS).toBe(300);
    });

    it.each<[number, boolean]>([
      [0, true],
      [-1, true],
      [1, true],
      [-299, true],
      [299, true],
      [-300, true],
      [300, true],
      [-301, false],
      [301, false],
      [-3600, false],
      [3600, false],
      [-NOW, false],
    ])("a timestamp %i s from now is accepted = %s", (offset, accepted) => {
      const verdict = verifyChatwootSignature(signed({ timestamp: NOW + offset }), [SECRET], NOW);
      expect(verdict).toEqual(accepted ? { ok: true } : { ok: false, failure: "stale" });
    });

    it("reports a stale timestamp as stale even when the signature is wrong too", () => {
      expect(verifyChatwootSignature(signed({ secret: OTHER_SECRET, timestamp: NOW - 1000 }), [SECRET], NOW)).toEqual({ ok: false, failure: "stale" });
    });
  });

  describe("missing and malformed headers", () => {
    it.each<[string, Partial<SignedRequest>]>([
      ["no signature", { signature: undefined }],
      ["no timestamp", { timestamp: undefined }],
      ["neither header", { signature: undefined, timestamp: undefined }],
    ])("refuses %s as missing_header", (_, change) => {
      expect(verifyChatwootSignature({ ...signed(), ...change }, [SECRET], NOW)).toEqual({ ok: false, failure: "missing_header" });
    });

    const hex = independentHex(SECRET, String(NOW), BODY);
    it.each<[string, Partial<SignedRequest>]>([
      ["an empty signature", { signature: "" }],
      ["a bare hex digest without the sha256= prefix", { signature: hex }],
      ["another algorithm", { signature: `sha1=${hex}` }],
      ["a digest one hex digit short", { signature: `sha256=${hex.slice(1)}` }],
      ["a digest one hex digit long", { signature: `sha256=${hex}0` }],
      ["a non-hex digit", { signature: `sha256=${hex.slice(1)}g` }],
      ["two signatures in one header", { signature: `sha256=${hex},sha256=${hex}` }],
      ["an empty timestamp", { timestamp: "" }],
      ["a timestamp that is not a number", { timestamp: "yesterday" }],
      ["a negative timestamp", { timestamp: `-${NOW}` }],
      ["a fractional timestamp", { timestamp: `${NOW}.5` }],
      ["a timestamp of 13 digits", { timestamp: "1781691342000" }],
    ])("refuses %s as malformed", (_, change) => {
      expect(verifyChatwootSignature({ ...signed(), ...change }, [SECRET], NOW)).toEqual({ ok: false, failure: "malformed" });
    });
  });

  describe("tampering", () => {
    it.each<[string, (body: Buffer) => number]>([
      ["first", () => 0],
      ["middle", (body) => Math.floor(body.length / 2)],
      ["last", (body) => body.length - 1],
    ])("refuses the body with its %s byte changed", (_, position) => {
      const request = signed();
      const tampered = Buffer.from(request.rawBody);
      const index = position(tampered);
      tampered[index] = (tampered[index] ?? 0) ^ 0x01;
      expect(tampered.equals(request.rawBody)).toBe(false);
      expect(verifyChatwootSignature({ ...request, rawBody: tampered }, [SECRET], NOW)).toEqual({ ok: false, failure: "mismatch" });
    });

    it("refuses a body with one byte appended", () => {
      const request = signed();
      expect(verifyChatwootSignature({ ...request, rawBody: Buffer.concat([request.rawBody, Buffer.from(" ")]) }, [SECRET], NOW)).toEqual({ ok: false, failure: "mismatch" });
    });

    it("refuses a valid signature replayed under a new timestamp", () => {
      const request = signed({ timestamp: NOW - 100 });
      expect(verifyChatwootSignature({ ...request, timestamp: String(NOW) }, [SECRET], NOW)).toEqual({ ok: false, failure: "mismatch" });
    });

    it("refuses a signature with one hex digit changed", () => {
      const request = signed();
      const signature = request.signature ?? "";
      const last = signature.slice(-1) === "0" ? "1" : "0";
      expect(verifyChatwootSignature({ ...request, signature: `${signature.slice(0, -1)}${last}` }, [SECRET], NOW)).toEqual({ ok: false, failure: "mismatch" });
    });
  });
});

describe("signChatwootPayload", () => {
  it("produces what Chatwoot sends: sha256= and the lower-case hex HMAC over '<ts>.<body>'", () => {
    expect(signChatwootPayload(BODY, SECRET, NOW)).toEqual({ signature: `sha256=${independentHex(SECRET, String(NOW), BODY)}`, timestamp: String(NOW) });
  });

  it("round-trips through verifyChatwootSignature", () => {
    const headers = signChatwootPayload(BODY, SECRET, NOW - 10);
    expect(verifyChatwootSignature({ rawBody: BODY, ...headers }, [SECRET], NOW)).toEqual({ ok: true });
    expect(verifyChatwootSignature({ rawBody: BODY, ...headers }, [OTHER_SECRET], NOW)).toEqual({ ok: false, failure: "mismatch" });
  });
});

describe("pathTokenMatches", () => {
  const TOKEN = "path_token-0123456789abcdefXYZ";

  it.each<[string, string, boolean]>([
    ["the same token", TOKEN, true],
    ["the last character changed", `${TOKEN.slice(0, -1)}z`, false],
    ["the first character changed", `q${TOKEN.slice(1)}`, false],
    ["different case", TOKEN.toLowerCase(), false],
    ["a prefix of the token", TOKEN.slice(0, -1), false],
    ["the token with a character appended", `${TOKEN}0`, false],
    ["an empty token", "", false],
    ["a token with a trailing space", `${TOKEN} `, false],
    ["the same number of characters but multi-byte", `${TOKEN.slice(0, -1)}é`, false],
  ])("with %s: %s", (_, given, expected) => {
    expect(pathTokenMatches(given, TOKEN)).toBe(expected);
  });

  it("compares tokens of different byte lengths without throwing (timingSafeEqual would)", () => {
    expect(() => pathTokenMatches("a", TOKEN)).not.toThrow();
    expect(pathTokenMatches("a", TOKEN)).toBe(false);
    expect(pathTokenMatches(TOKEN, "")).toBe(false);
  });
});
