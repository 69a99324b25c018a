/** The value of one series in Prometheus' text format (`name{labels} value`), 0 when absent. */
export function metricValue(text: string, name: string, labels = ""): number {
  const line = text.split("\n").find((candidate) => candidate.startsWith(`${name}${labels} `));
  return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(" ") + 1));
}
