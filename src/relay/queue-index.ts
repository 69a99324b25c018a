/** A pending job as the scheduler needs it; its payload stays in the database. */
export interface QueuedJob {
  id: number;
  conversationKey: string;
  orderTs: number;
  orderSeq: number;
  receivedAt: number;
  nextAttemptAt: number;
  attempts: number;
}

function before(a: QueuedJob, b: QueuedJob): boolean {
  return a.orderTs !== b.orderTs ? a.orderTs < b.orderTs : a.orderSeq !== b.orderSeq ? a.orderSeq < b.orderSeq : a.id < b.id;
}

/**
 * The outbox's pending jobs in memory, one queue per conversation in
 * Chatwoot's order (time, then id), so that finding what is due costs a walk
 * over the conversations with pending jobs, not a query over every job.
 * The database stays the durable copy; the index is rebuilt from it at start.
 */
export function createQueueIndex() {
  const queues = new Map<string, QueuedJob[]>();
  const byId = new Map<number, QueuedJob>();

  function remove(id: number): QueuedJob | undefined {
    const job = byId.get(id);
    if (job === undefined) return undefined;
    byId.delete(id);
    const queue = queues.get(job.conversationKey) ?? [];
    const index = queue.findIndex((item) => item.id === id);
    if (index >= 0) queue.splice(index, 1);
    if (queue.length === 0) queues.delete(job.conversationKey);
    return job;
  }

  return {
    add(job: QueuedJob): void {
      const queue = queues.get(job.conversationKey) ?? [];
      let index = queue.length;
      while (index > 0 && before(job, queue[index - 1] ?? job)) index -= 1;
      queue.splice(index, 0, job);
      queues.set(job.conversationKey, queue);
      byId.set(job.id, job);
    },
    remove,
    /** The pending jobs of one conversation, in order. */
    jobsOf: (conversationKey: string): readonly QueuedJob[] => [...(queues.get(conversationKey) ?? [])],
    retry(id: number, nextAttemptAt: number): void {
      const job = byId.get(id);
      if (job === undefined) return;
      job.nextAttemptAt = nextAttemptAt;
      job.attempts += 1;
    },
    /** Heads of conversations not in `busy`: those due now (at most `limit`), and when the next one is. */
    due(now: number, reorderWindowMs: number, busy: ReadonlySet<string>, limit: number): { jobs: QueuedJob[]; nextDueAt: number | null } {
      const jobs: QueuedJob[] = [];
      let nextDueAt: number | null = null;
      for (const [key, queue] of queues) {
        const head = queue[0];
        if (head === undefined || busy.has(key)) continue;
        const dueAt = Math.max(head.nextAttemptAt, head.receivedAt + reorderWindowMs);
        if (dueAt > now) nextDueAt = Math.min(nextDueAt ?? Infinity, dueAt);
        else if (jobs.length < limit) jobs.push(head);
      }
      jobs.sort((a, b) => a.nextAttemptAt - b.nextAttemptAt || a.id - b.id);
      return { jobs, nextDueAt };
    },
    size: (): number => byId.size,
  };
}

export type QueueIndex = ReturnType<typeof createQueueIndex>;
