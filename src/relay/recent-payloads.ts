/**
 * The JSON text of recently enqueued payloads by job id, so a delivery need
 * not read them back from the database. Capped by count and by bytes (two a
 * character: what V8 takes at most for a flat string), oldest out first; an
 * evicted payload is still in the database and is read from there (issue 12
 * item 1: a cap by count alone let 150,000-character messages fill gigabytes).
 * Text is kept rather than the parsed object: an object's strings can be
 * slices that hold a whole webhook body alive, so their true cost is unknown.
 */
export function createRecentPayloads(capacity: number, capacityBytes: number) {
  const texts = new Map<number, string>();
  let used = 0;

  function forget(id: number): void {
    const text = texts.get(id);
    if (text === undefined) return;
    texts.delete(id);
    used -= 2 * text.length;
  }

  return {
    remember(id: number, text: string): void {
      forget(id);
      const bytes = 2 * text.length;
      if (bytes > capacityBytes) return;
      for (const [oldest, oldText] of texts) {
        if (texts.size < capacity && used + bytes <= capacityBytes) break;
        texts.delete(oldest);
        used -= 2 * oldText.length;
      }
      texts.set(id, text);
      used += bytes;
    },
    get: (id: number): string | undefined => texts.get(id),
    forget,
    /** How many payloads and bytes are held now. */
    size: (): { count: number; bytes: number } => ({ count: texts.size, bytes: used }),
  };
}
