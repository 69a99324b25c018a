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
