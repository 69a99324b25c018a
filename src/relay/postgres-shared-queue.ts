import type { Pool } from "pg";
import { isRecord, readPositiveInteger } from "../core/json-guards";
import type { SharedQueue, SharedWaiting } from "./shared-queue";

/** A stored row as a waiting conversation; undefined for a row that does not read as one. */
function waitingOf(row: unknown): SharedWaiting | undefined {
  if (!isRecord(row)) return undefined;
  const inboxId = readPositiveInteger(row.inbox_id);
  const conversationId = readPositiveInteger(row.conversation_id);
  const accountId = readPositiveInteger(row.account_id);
  const { handover, sealed, source_id: sourceId } = row;
  if (inboxId === undefined || conversationId === undefined || accountId === undefined) return undefined;
  if (typeof handover !== "string" || typeof sealed !== "string" || typeof sourceId !== "string") return undefined;
  const lastSent = row.last_sent === null ? null : (readPositiveInteger(row.last_sent) ?? null);
  return { accountId, inboxId, conversationId, handover, sealed, binding: { inboxId, sourceId }, lastSent };
}

/** The shared queue state (shared-queue.ts) in the outbox's PostgreSQL database (tables of migration 3). */
export function postgresSharedQueue(pool: Pool, ready: () => Promise<void>): SharedQueue {
  return {
    async watch(entry: SharedWaiting, now: number): Promise<void> {
      await ready();
      await pool.query(
        `INSERT INTO relay_queue_watch (inbox_id, conversation_id, account_id, handover, sealed, source_id, last_sent, seen_at)
         VALUES ($1, $2, $3, $4, $5, $6, NULL, $7)
         ON CONFLICT (inbox_id, conversation_id) DO UPDATE SET account_id = GREATEST(relay_queue_watch.account_id, excluded.account_id),
           handover = excluded.handover, sealed = excluded.sealed, source_id = excluded.source_id, seen_at = excluded.seen_at,
           last_sent = CASE WHEN relay_queue_watch.handover = excluded.handover THEN relay_queue_watch.last_sent END`,
        [entry.inboxId, entry.conversationId, entry.accountId, entry.handover, entry.sealed, entry.binding.sourceId, now],
      );
    },
    async forget(inboxId: number, conversationId: number): Promise<void> {
      await ready();
      await pool.query("DELETE FROM relay_queue_watch WHERE inbox_id = $1 AND conversation_id = $2", [inboxId, conversationId]);
    },
    async inboxes(): Promise<{ accountId: number; inboxId: number }[]> {
      await ready();
      const { rows } = await pool.query("SELECT inbox_id, MAX(account_id) AS account_id FROM relay_queue_watch WHERE account_id > 0 GROUP BY inbox_id");
      return rows.flatMap((row: unknown) => {
        if (!isRecord(row)) return [];
        const inboxId = readPositiveInteger(row.inbox_id);
        const accountId = readPositiveInteger(row.account_id);
        return inboxId === undefined || accountId === undefined ? [] : [{ accountId, inboxId }];
      });
    },
    async waiting(inboxId: number, limit: number): Promise<SharedWaiting[]> {
      await ready();
      const { rows } = await pool.query("SELECT * FROM relay_queue_watch WHERE inbox_id = $1 AND account_id > 0 ORDER BY conversation_id LIMIT $2", [inboxId, limit]);
      return rows.flatMap((row: unknown) => waitingOf(row) ?? []);
    },
    async sent(inboxId: number, conversationId: number, handover: string, position: number): Promise<void> {
      await ready();
      await pool.query("UPDATE relay_queue_watch SET last_sent = $4 WHERE inbox_id = $1 AND conversation_id = $2 AND handover = $3", [inboxId, conversationId, handover, position]);
    },
    async exit(inboxId: number, conversationId: number, handover: string, at: number): Promise<void> {
      await ready();
      await pool.query("INSERT INTO relay_queue_exits (inbox_id, conversation_id, handover, exited_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING", [inboxId, conversationId, handover, at]);
    },
    async exits(inboxId: number, since: number, limit: number): Promise<number[]> {
      await ready();
      const { rows } = await pool.query("SELECT exited_at FROM (SELECT exited_at FROM relay_queue_exits WHERE inbox_id = $1 AND exited_at >= $2 ORDER BY exited_at DESC LIMIT $3) recent ORDER BY exited_at", [inboxId, since, limit]);
      return rows.flatMap((row: unknown) => (isRecord(row) && row.exited_at !== null ? [Number(row.exited_at)] : []));
    },
  };
}
