import type { SecretOrKeys } from "../core/derive-key";
import { openRoute, type OpenRouteResult, type RouteBinding } from "../core/route-seal";

/** Opens sealed routes; the relay checks the same conversation's route with every webhook. */
export type RouteOpener = (sealed: unknown, binding: RouteBinding) => OpenRouteResult;

/**
 * Remembers the last `capacity` routes it opened (sealed value and binding →
 * result), so a conversation's webhooks pay for AES-GCM once. The oldest entry
 * goes first.
 */
export function createRouteCache(secret: SecretOrKeys, capacity = 10_000): RouteOpener {
  const cache = new Map<string, OpenRouteResult>();
  return (sealed, binding) => {
    if (typeof sealed !== "string") return openRoute(sealed, binding, secret);
    const key = `${binding.inboxId}\n${binding.sourceId}\n${sealed}`;
    const known = cache.get(key);
    if (known !== undefined) return known;
    const result = openRoute(sealed, binding, secret);
    if (cache.size >= capacity) {
      const oldest = cache.keys().next().value;
      if (oldest !== undefined) cache.delete(oldest);
    }
    cache.set(key, result);
    return result;
  };
}
