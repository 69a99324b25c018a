/**
 * Cuts a text to at most `max` characters (code points, so never inside an
 * emoji's surrogate pair), marking a cut with "…".
 */
export function clipText(text: string, max: number): string {
  if (text.length <= max) return text;
  const codePoints = Array.from(text);
  return codePoints.length <= max ? text : `${codePoints.slice(0, Math.max(0, max - 1)).join("")}…`;
}
