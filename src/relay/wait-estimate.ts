/**
 * Estimated wait (issue 13), from what the relay itself saw in one inbox: the
 * queue moves forward by one each time a waiting handover gets its agent
 * (assigned, or first answered, whichever comes first), so the typical time
 * between two such moments (the median gap) is how long each place in the
 * queue takes, and
 *
 *   waitSeconds = position × median gap between the inbox's recent queue exits
 *
 * Recent: the last MAX_SAMPLES exits, none older than WINDOW_MS. With fewer
 * than MIN_SAMPLES of them (a new relay, a quiet inbox) the relay does not
 * guess: waitSeconds is null. The median keeps one slow or burst pick-up from
 * swinging the estimate; the result is capped at a week.
 */
export const MAX_SAMPLES = 20;
export const MIN_SAMPLES = 4;
export const WINDOW_MS = 2 * 3_600_000;
const MAX_WAIT_SECONDS = 7 * 24 * 3600;

/** Adds a queue exit (ms) to an inbox's recent ones: sorted, at most MAX_SAMPLES, none older than the window. */
export function addSample(samples: readonly number[], at: number, now: number): number[] {
  return [...samples, at]
    .filter((time) => time >= now - WINDOW_MS)
    .sort((a, b) => a - b)
    .slice(-MAX_SAMPLES);
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

/** Seconds the user at `position` may wait, or null with too little history. */
export function estimateWaitSeconds(samples: readonly number[], position: number, now: number): number | null {
  const recent = samples.filter((time) => time >= now - WINDOW_MS && time <= now);
  if (recent.length < MIN_SAMPLES) return null;
  const gaps = recent.slice(1).map((time, index) => time - (recent[index] ?? time));
  return Math.min(MAX_WAIT_SECONDS, Math.round((position * median(gaps)) / 1000));
}
