import { createHmac, randomBytes } from "crypto";
import { deriveKey, type KeyPurpose } from "../../src/core/derive-key";

/** RFC 5869 HKDF-SHA256 written out step by step: the relay must derive exactly these keys. */
function rfc5869(secret: string, salt: string, info: string): Buffer {
  const prk = createHmac("sha256", salt).update(secret, "utf8").digest();
  return createHmac("sha256", prk).update(Buffer.concat([Buffer.from(info, "utf8"), Buffer.from([1])])).digest();
}

const SECRET = "correct horse battery staple, 32+ chars!";

describe("deriveKey", () => {
  it.each<KeyPurpose>(["route-seal", "relay-event"])("derives the %s key as HKDF-SHA256 with the package salt and a versioned purpose", (purpose) => {
    expect(deriveKey(SECRET, purpose).equals(rfc5869(SECRET, "chatwoot-handover", `chatwoot-handover/${purpose}/v1`))).toBe(true);
  });

  it("returns a 256-bit key", () => {
    expect(deriveKey(SECRET, "route-seal")).toHaveLength(32);
  });

  it("gives the same key for the same secret and purpose", () => {
    expect(deriveKey(SECRET, "relay-event").equals(deriveKey(SECRET, "relay-event"))).toBe(true);
  });

  it("gives each purpose its own key, and neither is the secret itself", () => {
    const seal = deriveKey(SECRET, "route-seal");
    const event = deriveKey(SECRET, "relay-event");
    expect(seal.equals(event)).toBe(false);
    expect(seal.equals(Buffer.from(SECRET).subarray(0, 32))).toBe(false);
  });

  it("gives different keys for different secrets (random secrets)", () => {
    const seen = new Set<string>();
    for (let run = 0; run < 50; run += 1) {
      seen.add(deriveKey(randomBytes(24).toString("base64"), "route-seal").toString("hex"));
    }
    expect(seen.size).toBe(50);
  });
});
