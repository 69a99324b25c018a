import { createHash } from "crypto";

/**
 * A fixed-size key (SHA-256, base64url, 43 characters) for a tuple of values
 * that may come from outside: each part is length-prefixed, so no two tuples
 * share a key ("1", "2:x" is not "12", "x"), and a cache keyed on it holds no
 * attacker-chosen text of any length.
 */
export function tupleHash(parts: readonly (string | number)[]): string {
  const hash = createHash("sha256");
  for (const part of parts) {
    const text = typeof part === "number" ? `n${String(part)}` : `s${part}`;
    hash.update(`${Buffer.byteLength(text, "utf8")}:`);
    hash.update(text, "utf8");
  }
  return hash.digest("base64url");
}
