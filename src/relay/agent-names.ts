import { clipText } from "../core/clip-text";
import { MAX_AGENT_NAME_LENGTH } from "../chatwoot/chatwoot-responses";

/** What the relay keeps by default: about 10,000 agents of 20-character names. */
export const DEFAULT_AGENT_NAMES_BYTES = 2 * 1024 * 1024;

/** What one entry costs, roughly: key and name as UTF-16, and the Map's own overhead. */
function entryBytes(key: string, name: string): number {
  return 2 * (key.length + name.length) + 120;
}

/**
 * The name Chatwoot shows customers for each agent (`available_name`: the
 * display name, else the full name), by account and user id, as verified
 * webhooks and the agents listing tell it. Capped by bytes (`capacityBytes`):
 * the entries least recently used go first. Both ids are positive integers
 * (`"<account>:<user>"` cannot be forged into another key); names are clipped
 * to MAX_AGENT_NAME_LENGTH characters before they are stored.
 */
export function createAgentNames(capacityBytes = DEFAULT_AGENT_NAMES_BYTES) {
  const names = new Map<string, { name: string; bytes: number }>();
  let used = 0;
  const keyOf = (accountId: number, userId: number): string => `${accountId}:${userId}`;

  function forget(key: string): void {
    const entry = names.get(key);
    if (entry === undefined) return;
    names.delete(key);
    used -= entry.bytes;
  }

  return {
    remember(accountId: number, userId: number, availableName: string): void {
      if (!Number.isSafeInteger(accountId) || accountId <= 0 || !Number.isSafeInteger(userId) || userId <= 0) return;
      const key = keyOf(accountId, userId);
      const name = clipText(availableName, MAX_AGENT_NAME_LENGTH);
      if (name.trim() === "") return;
      forget(key);
      const bytes = entryBytes(key, name);
      if (bytes > capacityBytes) return;
      for (const [oldest, entry] of names) {
        if (used + bytes <= capacityBytes) break;
        names.delete(oldest);
        used -= entry.bytes;
      }
      names.set(key, { name, bytes });
      used += bytes;
    },
    /** The agent's name if known (and marks it recently used). */
    get(accountId: number, userId: number): string | undefined {
      const key = keyOf(accountId, userId);
      const entry = names.get(key);
      if (entry === undefined) return undefined;
      names.delete(key);
      names.set(key, entry);
      return entry.name;
    },
    /** How many names and bytes are held now. */
    size: (): { count: number; bytes: number } => ({ count: names.size, bytes: used }),
  };
}

export type AgentNames = ReturnType<typeof createAgentNames>;
