import type { SecretOrKeys } from "../core/derive-key";
import { MAX_SEALED_LENGTH, MAX_SOURCE_ID_LENGTH, openStampedRoute, type OpenStampedRouteResult, type RouteBinding } from "../core/route-seal";
import { tupleHash } from "./tuple-hash";

/** Opens sealed routes; the relay checks the same conversation's route with every webhook. */
export type RouteOpener = (sealed: unknown, binding: RouteBinding) => OpenStampedRouteResult;

/** What one entry costs, roughly: key, result strings (UTF-16) and the Map's own overhead. */
function entryBytes(key: string, result: OpenStampedRouteResult): number {
  const strings = result.ok ? result.route.userId.length + result.route.sessionId.length + result.route.urlToken.length : 0;
  return 2 * (key.length + strings) + 160;
}

/**
 * Remembers the routes it opened (binding and sealed value → result), so a
 * conversation's webhooks pay for AES-GCM once. Keyed on a hash of the
 * length-prefixed tuple, never on the sealed text itself, and capped by bytes
 * (`capacityBytes`): the entries least recently used go first. Values longer
 * than any seal, and source ids longer than MAX_SOURCE_ID_LENGTH, are refused
 * before hashing and never cached.
 */
export function createRouteCache(secret: SecretOrKeys, capacityBytes = 8 * 1024 * 1024): RouteOpener {
  const cache = new Map<string, { result: OpenStampedRouteResult; bytes: number }>();
  let used = 0;
  // The intake asks twice per webhook (its jobs, then the newest-route check): the last answer is kept apart, no hash needed.
  let last: { sealed: string; inboxId: number; sourceId: string; result: OpenStampedRouteResult } | undefined;
  return (sealed, binding) => {
    if (typeof sealed !== "string" || sealed.length > MAX_SEALED_LENGTH || binding.sourceId.length > MAX_SOURCE_ID_LENGTH) return openStampedRoute(sealed, binding, secret);
    if (last !== undefined && last.sealed === sealed && last.inboxId === binding.inboxId && last.sourceId === binding.sourceId) return last.result;
    const result = lookup(sealed, binding);
    last = { sealed, inboxId: binding.inboxId, sourceId: binding.sourceId, result };
    return result;
  };

  function lookup(sealed: string, binding: RouteBinding): OpenStampedRouteResult {
    const key = tupleHash([binding.inboxId, binding.sourceId, sealed]);
    const known = cache.get(key);
    if (known !== undefined) {
      cache.delete(key);
      cache.set(key, known);
      return known.result;
    }
    const result = openStampedRoute(sealed, binding, secret);
    const bytes = entryBytes(key, result);
    for (const [oldest, entry] of cache) {
      if (used + bytes <= capacityBytes) break;
      cache.delete(oldest);
      used -= entry.bytes;
    }
    cache.set(key, { result, bytes });
    used += bytes;
    return result;
  }
}
