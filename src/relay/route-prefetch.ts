import type { RouteRecord } from "./outbox";

type Row = (RouteRecord & { seenAt: number }) | undefined;

/** More than the webhooks one relay has between prefetch and check at once; the oldest goes first. */
const CAPACITY = 1_000;

/**
 * Bridges the store's asynchronous read of a conversation's newest route and
 * the synchronous lookup of newest-routes.ts: intake awaits `prefetch(key)`
 * just before `check`, whose `lookup(key)` then takes the row read (once).
 */
export function createRoutePrefetch(read: (key: string) => Promise<Row>) {
  const rows = new Map<string, Row>();
  return {
    async prefetch(key: string): Promise<void> {
      const row = await read(key);
      rows.delete(key);
      if (rows.size >= CAPACITY) {
        const oldest = rows.keys().next().value;
        if (oldest !== undefined) rows.delete(oldest);
      }
      rows.set(key, row);
    },
    lookup(key: string): Row {
      const row = rows.get(key);
      rows.delete(key);
      return row;
    },
  };
}
