/**
 * The estimated wait in words: "less than a minute", "about 4 minutes",
 * "about 1 hour 10 minutes", "about 2 hours" (rounded to the minute).
 */
export function describeWait(waitSeconds: number): string {
  if (waitSeconds < 60) return "less than a minute";
  const minutes = Math.round(waitSeconds / 60);
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  const unit = (count: number, word: string): string => `${count} ${word}${count === 1 ? "" : "s"}`;
  if (hours === 0) return `about ${unit(minutes, "minute")}`;
  return rest === 0 ? `about ${unit(hours, "hour")}` : `about ${unit(hours, "hour")} ${unit(rest, "minute")}`;
}

/** The wait in whole minutes, at least 1, for templates in other languages ("ca. {waitMinutes} Min."). */
export function waitMinutes(waitSeconds: number): number {
  return Math.max(1, Math.round(waitSeconds / 60));
}

const WAIT_TOKEN = /\{wait(Minutes)?\}/;

/**
 * The template cut into sentences, each with the white space after it: a
 * sentence ends at a line break, at a full-width 。！？, and at . ! ? followed
 * by white space and then the end or a character that starts no abbreviation's
 * continuation (not a lower-case letter, digit or "{": "ca. {waitMinutes} Min."
 * stays one sentence). One pass over the (bounded) template.
 */
function sentences(template: string): string[] {
  const parts: string[] = [];
  let start = 0;
  let index = 0;
  while (index < template.length) {
    const char = template.charAt(index);
    const next = template.charAt(index + 1);
    index += 1;
    if (".!?".includes(char) && (next === "" || /\s/.test(next))) {
      let after = index;
      while (after < template.length && /\s/.test(template.charAt(after))) after += 1;
      if (after < template.length && /[\p{Ll}\d{]/u.test(template.charAt(after))) continue;
    } else if (char !== "\n" && !"。！？".includes(char)) continue;
    while (index < template.length && /\s/.test(template.charAt(index))) index += 1;
    parts.push(template.slice(start, index));
    start = index;
  }
  if (start < template.length) parts.push(template.slice(start));
  return parts;
}

/**
 * Without an estimate (the relay has no first-response history yet), the
 * sentences that mention the wait are left out: "You are number {position}
 * in the queue. Estimated wait: {wait}." becomes "You are number 3 in the
 * queue." A template that is only about the wait then says nothing ("").
 */
function withoutWaitSentences(template: string): string {
  return sentences(template).filter((sentence) => !WAIT_TOKEN.test(sentence)).join("").trim();
}

/**
 * The queue update for the user: `{position}` (1 = next), `{wait}` (words)
 * and `{waitMinutes}` (a number) replaced in one pass; with no estimate
 * (null), the sentences that mention the wait are dropped.
 */
export function renderQueueUpdate(template: string, position: number, waitSeconds: number | null): string {
  const text = waitSeconds === null ? withoutWaitSentences(template) : template;
  return text.replace(/\{(position|wait|waitMinutes)\}/g, (_, token: string) => {
    if (token === "position") return String(position);
    if (waitSeconds === null) return "";
    return token === "wait" ? describeWait(waitSeconds) : String(waitMinutes(waitSeconds));
  });
}
