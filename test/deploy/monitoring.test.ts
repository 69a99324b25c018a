import { existsSync, readFileSync } from "fs";
import { join } from "path";
import { REPO_ROOT } from "../support/load-extension";
import { startTestPostgres, type TestPostgres } from "../support/postgres-server";
import { startRelayHarness, type RelayHarness } from "../support/relay-harness";
import { exportedSeriesNames, labelValuesMetric, promqlMetricNames } from "./promql-metric-names";
import { asList, asMap, parseYamlSubset, type Yaml } from "./yaml-subset";

const DEPLOY = join(REPO_ROOT, "deploy");
/** Series Prometheus itself writes for every scrape target. */
const PROMETHEUS_SERIES = new Set(["up"]);

interface Panel {
  title?: string;
  type?: string;
  targets?: Array<{ expr?: string }>;
  panels?: Panel[];
}

interface Dashboard {
  uid: string;
  panels: Panel[];
  templating: { list: Array<{ name: string; type: string; query?: unknown }> };
}

function readDashboard(): Dashboard {
  return JSON.parse(readFileSync(join(DEPLOY, "grafana", "relay-dashboard.json"), "utf8")) as Dashboard;
}

function allPanels(panels: Panel[]): Panel[] {
  return panels.flatMap((panel) => [panel, ...allPanels(panel.panels ?? [])]);
}

function dashboardExpressions(dashboard: Dashboard): Array<{ where: string; expr: string }> {
  return allPanels(dashboard.panels).flatMap((panel) => (panel.targets ?? []).map((target) => ({ where: `panel "${panel.title ?? "?"}"`, expr: target.expr ?? "" })));
}

function readAlertRules(): Array<{ alert: string; expr: string; map: Record<string, Yaml> }> {
  const rules = asMap(parseYamlSubset(readFileSync(join(DEPLOY, "prometheus", "relay-alerts.yml"), "utf8")), "relay-alerts.yml");
  return asList(rules.groups, "groups").flatMap((group) =>
    asList(asMap(group, "group").rules, "rules").map((rule) => {
      const map = asMap(rule, "rule");
      return { alert: String(map.alert), expr: String(map.expr), map };
    }),
  );
}

describe("promqlMetricNames", () => {
  it.each<[string, string[]]>([
    ["relay_webhooks_received_total", ["relay_webhooks_received_total"]],
    ['sum by (instance) (rate(relay_webhooks_received_total{job="$job", instance=~"$instance"}[$__rate_interval]))', ["relay_webhooks_received_total"]],
    ["histogram_quantile(0.99, sum by (le) (rate(relay_delivery_latency_seconds_bucket[5m])))", ["relay_delivery_latency_seconds_bucket"]],
    ['max by (job) (a{state="pending"}) > 0 unless on (job) sum(rate(b_total[10m])) > 0', ["a", "b_total"]],
    ['sum without (reason) (rate(x_total{reason!="by"}[1m] offset 5m)) / ignoring(reason) group_left y', ["x_total", "y"]],
    ["1e3 * up == bool 0", ["up"]],
  ])("%s", (expr, names) => {
    expect(promqlMetricNames(expr)).toEqual(names);
  });

  it("reads the metric of a Grafana label_values query", () => {
    expect(labelValuesMetric('label_values(relay_webhooks_received_total{job="$job"}, instance)')).toBe("relay_webhooks_received_total");
    expect(labelValuesMetric("label_values(relay_webhooks_received_total, job)")).toBe("relay_webhooks_received_total");
    expect(labelValuesMetric("prometheus")).toBeNull();
  });
});

describe.each(["SQLite", "PostgreSQL"])("the Grafana dashboard and the Prometheus alert rules use only metrics the relay exports (%s outbox)", (store) => {
  let postgres: TestPostgres | null = null;
  let relay: RelayHarness;
  let exported: Set<string>;
  beforeAll(async () => {
    const overrides: Record<string, string> = {};
    if (store === "PostgreSQL") {
      postgres = await startTestPostgres();
      overrides.RELAY_DATABASE_URL = await postgres.freshDatabase();
    }
    relay = await startRelayHarness(overrides);
    const response = await fetch(`${relay.metricsUrl}/metrics`);
    expect(response.status).toBe(200);
    exported = exportedSeriesNames(await response.text());
  }, 90_000);
  afterAll(async () => {
    await relay.close();
    await postgres?.stop();
  });

  it("reads the relay's own families, histograms with their series", () => {
    expect(exported).toContain("relay_outbox_depth");
    expect(exported).toContain("relay_delivery_latency_seconds_bucket");
    expect(exported).not.toContain("relay_outbox_depth_bucket");
  });

  it("every metric of every dashboard query and variable", () => {
    const dashboard = readDashboard();
    const uses = dashboardExpressions(dashboard).flatMap(({ where, expr }) => promqlMetricNames(expr).map((name) => ({ where, name })));
    for (const variable of dashboard.templating.list.filter((item) => item.type === "query")) {
      const metric = labelValuesMetric(String(variable.query));
      expect(metric).not.toBeNull();
      uses.push({ where: `variable $${variable.name}`, name: metric ?? "" });
    }
    expect(uses.length).toBeGreaterThan(25);
    expect(uses.filter(({ name }) => !exported.has(name) && !PROMETHEUS_SERIES.has(name))).toEqual([]);
  });

  it("every metric of every alert rule", () => {
    const uses = readAlertRules().flatMap(({ alert, expr }) => promqlMetricNames(expr).map((name) => ({ alert, name })));
    expect(uses.length).toBeGreaterThan(8);
    expect(uses.filter(({ name }) => !exported.has(name) && !PROMETHEUS_SERIES.has(name))).toEqual([]);
  });
});

describe("the dashboard", () => {
  const dashboard = readDashboard();
  const expressions = dashboardExpressions(dashboard).map(({ expr }) => expr);

  it.each([
    ["intake", "relay_webhooks_received_total"],
    ["refusals by reason", "relay_webhooks_rejected_total"],
    ["drops by reason", "relay_events_dropped_total"],
    ["outbox depth", "relay_outbox_depth"],
    ["delivery latency", "relay_delivery_latency_seconds_bucket"],
    ["deliveries", "relay_injects_delivered_total"],
    ["retries", "relay_injects_retried_total"],
    ["dead letters", "relay_jobs_dead_lettered_total"],
  ])("shows %s (%s)", (_topic, metric) => {
    expect(expressions.some((expr) => promqlMetricNames(expr).includes(metric))).toBe(true);
  });

  it("splits by reason where the metric has one, and shows replicas side by side", () => {
    for (const metric of ["relay_webhooks_rejected_total", "relay_events_dropped_total", "relay_injects_retried_total"]) {
      expect(expressions.some((expr) => expr.includes(metric) && /by \(reason\)/.test(expr))).toBe(true);
    }
    expect(expressions.filter((expr) => /by \((?:[\w, ]*\b)?instance\b/.test(expr)).length).toBeGreaterThanOrEqual(5);
  });

  it("filters every relay query on the selected job and replicas, and reads its data source from a variable", () => {
    for (const expr of expressions.filter((candidate) => candidate.includes("relay_"))) expect(expr).toContain('{job="$job", instance=~"$instance"');
    expect(dashboard.templating.list.map((variable) => variable.name)).toEqual(["datasource", "job", "instance"]);
    for (const panel of allPanels(dashboard.panels).filter((candidate) => candidate.type !== "row")) expect(JSON.stringify(panel)).toContain('"uid":"${datasource}"');
  });

  it("has panel ids that are unique", () => {
    const ids = allPanels(dashboard.panels).map((panel) => (panel as { id?: number }).id);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe("the Prometheus configuration", () => {
  const prometheus = asMap(parseYamlSubset(readFileSync(join(DEPLOY, "prometheus", "prometheus.yml"), "utf8")), "prometheus.yml");
  const rules = readAlertRules();

  it("loads the alert rules from a file next to it", () => {
    for (const file of asList(prometheus.rule_files, "rule_files")) expect(existsSync(join(DEPLOY, "prometheus", String(file)))).toBe(true);
  });

  it("alert rules select the job prometheus.yml scrapes", () => {
    const jobs = asList(prometheus.scrape_configs, "scrape_configs").map((config) => String(asMap(config, "scrape config").job_name));
    expect(jobs).toEqual(["chatwoot-relay"]);
    for (const { alert, expr } of rules) {
      for (const match of expr.matchAll(/job="([^"]*)"/g)) expect({ alert, job: match[1] }).toEqual({ alert, job: "chatwoot-relay" });
    }
  });

  it("every rule has a severity, a summary and a unique name; a growing outbox, dead letters and a relay that is down are covered", () => {
    const names = rules.map(({ alert }) => alert);
    expect(new Set(names).size).toBe(names.length);
    for (const { map } of rules) {
      expect(["warning", "critical"]).toContain(asMap(map.labels, "labels").severity);
      expect(typeof asMap(map.annotations, "annotations").summary).toBe("string");
      if (map.for !== undefined) expect(String(map.for)).toMatch(/^\d+[smh]$/);
    }
    const byName = new Map(rules.map((rule) => [rule.alert, rule.expr]));
    expect(byName.get("RelayOutboxGrowing")).toMatch(/relay_outbox_depth\{[^}]*state="pending"/);
    expect(byName.get("RelayDeadLetters")).toContain("relay_jobs_dead_lettered_total");
    expect(byName.get("RelayDown")).toMatch(/^up\{/);
  });
});
