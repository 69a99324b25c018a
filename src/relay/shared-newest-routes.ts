import { createNewestRoutes, type NewestRoutes, type NewestRoutesOptions } from "./newest-routes";

/**
 * The newest routes (C15) when replicas share one database: another replica
 * may have recorded a newer route since this one last saw the conversation, so
 * no verdict comes from memory; each check judges against the row the caller
 * read just before (see route-prefetch.ts). What is lost is only the memory of
 * which stale restore was already logged: each one is logged (its agent note
 * stays one per restore, by the outbox's dedupe key).
 */
export function createSharedNewestRoutes(options: NewestRoutesOptions): NewestRoutes {
  return { check: (seen, now) => createNewestRoutes(options).check(seen, now) };
}
