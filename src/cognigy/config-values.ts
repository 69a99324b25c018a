/**
 * Readers for rendered node fields. CognigyScript can turn any field into a
 * number or an empty string, so both nodes read their fields the same way.
 */

/** A text field: strings as they are, numbers as text, anything else empty. */
export function configString(value: unknown): string {
  return typeof value === "string" ? value : typeof value === "number" && Number.isFinite(value) ? String(value) : "";
}

/** A list field (chip input, or text separated by commas): trimmed, without empties and repeats. */
export function configList(value: unknown): string[] {
  const items = Array.isArray(value) ? value : typeof value === "string" ? value.split(",") : [];
  return [...new Set(items.map((item) => configString(item).trim()).filter((item) => item !== ""))];
}
