import { hkdfSync } from "crypto";

/** What a key derived from the relay secret is used for; each purpose gets its own key. */
export type KeyPurpose = "route-seal" | "relay-event";

const SALT = "chatwoot-handover";

/**
 * Derives a 256-bit key for one purpose from the shared relay secret (HKDF-SHA256),
 * so the secret itself never keys two different algorithms.
 */
export function deriveKey(secret: string, purpose: KeyPurpose): Buffer {
  return Buffer.from(hkdfSync("sha256", secret, SALT, `chatwoot-handover/${purpose}/v1`, 32));
}

/** Both keys of a relay secret, derived once; a long-running process (the relay) keeps these instead of the secret. */
export interface DerivedKeys {
  "route-seal": Buffer;
  "relay-event": Buffer;
}

/** The relay secret itself, or its keys derived ahead of time. */
export type SecretOrKeys = string | DerivedKeys;

export function deriveKeys(secret: string): DerivedKeys {
  return { "route-seal": deriveKey(secret, "route-seal"), "relay-event": deriveKey(secret, "relay-event") };
}

export function keyFor(secret: SecretOrKeys, purpose: KeyPurpose): Buffer {
  return typeof secret === "string" ? deriveKey(secret, purpose) : secret[purpose];
}
