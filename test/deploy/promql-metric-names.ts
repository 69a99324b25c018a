const NOT_METRICS = new Set(["and", "or", "unless", "by", "without", "on", "ignoring", "group_left", "group_right", "offset", "bool", "inf", "nan"]);

/**
 * The metric names a PromQL expression selects: identifiers that are not
 * functions, keywords, label names (in matchers and in by/without/on/ignoring
 * lists) or dashboard variables ($instance, $__rate_interval).
 */
export function promqlMetricNames(expr: string): string[] {
  const text = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""')
    .replace(/\{[^{}]*\}/g, " ")
    .replace(/\[[^\]]*\]/g, " ")
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, " ")
    .replace(/\$\{?\w+\}?/g, " ");
  const names = new Set<string>();
  for (const match of text.matchAll(/[A-Za-z_:][\w:]*/g)) {
    const start = match.index;
    const before = start === 0 ? "" : text.charAt(start - 1);
    const after = text.slice(start + match[0].length);
    if (/[\d.]/.test(before) || /^\s*\(/.test(after) || NOT_METRICS.has(match[0])) continue;
    names.add(match[0]);
  }
  return [...names].sort();
}

/** The metric of a Grafana variable query `label_values(metric{…}, label)`; null for other queries. */
export function labelValuesMetric(query: string): string | null {
  return /^\s*label_values\(\s*([A-Za-z_:][\w:]*)\s*(?:\{[^}]*\})?\s*,\s*\w+\s*\)\s*$/.exec(query)?.[1] ?? null;
}

/** The families a `/metrics` text declares (`# TYPE name type`), with the series names each may have. */
export function exportedSeriesNames(metricsText: string): Set<string> {
  const names = new Set<string>();
  for (const match of metricsText.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    const [, name = "", type = ""] = match;
    names.add(name);
    if (type === "histogram") for (const suffix of ["_bucket", "_sum", "_count"]) names.add(`${name}${suffix}`);
    if (type === "summary") for (const suffix of ["_sum", "_count"]) names.add(`${name}${suffix}`);
  }
  return names;
}
