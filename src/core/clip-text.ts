/**
 * Cuts a text to at most `max` characters (code points, so never inside an
 * emoji's surrogate pair), marking a cut with "…". Reads at most `max` code
 * points, so clipping a huge text costs no more than clipping a short one.
 */
export function clipText(text: string, max: number): string {
  if (text.length <= max) return text;
  let index = 0;
  let cut = 0;
  for (let count = 0; index < text.length; count += 1) {
    if (count === Math.max(0, max - 1)) cut = index;
    if (count === max) return `${text.slice(0, cut)}…`;
    index += (text.codePointAt(index) ?? 0) > 0xffff ? 2 : 1;
  }
  return text;
}
