import { execFileSync, spawn } from "child_process";
import { builtinModules } from "module";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, symlinkSync } from "fs";
import { tmpdir } from "os";
import { basename, dirname, join } from "path";
import { RELAY_SECRET } from "../support/extension-harness";
import { startFakeCognigyEndpoint, type FakeCognigyEndpoint } from "../support/fake-cognigy-endpoint";
import { REPO_ROOT } from "../support/load-extension";
import { startTestPostgres, type TestPostgres } from "../support/postgres-server";
import { WEBHOOK_SECRET } from "../support/relay-harness";
import { dockerignorePatterns, execForm, keptByDockerignore, parseCopy, parseDockerfile, parseEnv, type Copy, type Stage } from "./dockerfile";
import { asList, asMap, parseYamlSubset, type Yaml, type YamlMap } from "./yaml-subset";

const stages = parseDockerfile(readFileSync(join(REPO_ROOT, "Dockerfile"), "utf8"));
const ignore = dockerignorePatterns(readFileSync(join(REPO_ROOT, ".dockerignore"), "utf8"));
function lastStage(): Stage {
  const stage = stages[stages.length - 1];
  if (stage === undefined) throw new Error("the Dockerfile has no stage");
  return stage;
}
const runtime = lastStage();

function instructions(stage: Stage, keyword: string) {
  return stage.instructions.filter((instruction) => instruction.keyword === keyword);
}

function stageNamed(name: string | null): Stage {
  const stage = stages.find((candidate) => candidate.name === name);
  if (stage === undefined) throw new Error(`no stage named ${String(name)}`);
  return stage;
}

function runtimeEnv(): Record<string, string> {
  return Object.assign({}, ...instructions(runtime, "ENV").map(parseEnv)) as Record<string, string>;
}

/** The packages `npm ci --omit=dev` installs, as top-level folders of node_modules (from package-lock.json). */
function productionPackages(): string[] {
  const lock = JSON.parse(readFileSync(join(REPO_ROOT, "package-lock.json"), "utf8")) as { packages: Record<string, { dev?: boolean; devOptional?: boolean }> };
  return Object.entries(lock.packages)
    .filter(([path, entry]) => path.startsWith("node_modules/") && !path.slice("node_modules/".length).includes("node_modules/") && entry.dev !== true && entry.devOptional !== true)
    .map(([path]) => path);
}

/** Where COPY puts `source` under the WORKDIR `root`: into a destination ending in / by its base name, else at the destination. */
function copyTarget(root: string, copy: Copy, source: string): string {
  if (copy.destination.endsWith("/")) return join(root, copy.destination, basename(source));
  if (copy.sources.length > 1) throw new Error(`COPY of several sources to ${copy.destination}: the destination must end with /`);
  return join(root, copy.destination);
}

describe("the Dockerfile", () => {
  it("copies from the build context only files that exist and that .dockerignore keeps", () => {
    const sources = stages.flatMap((stage) => instructions(stage, "COPY").map(parseCopy).filter((copy) => copy.from === null)).flatMap((copy) => copy.sources);
    expect(sources.length).toBeGreaterThan(0);
    for (const source of sources) {
      expect({ source, exists: existsSync(join(REPO_ROOT, source)) }).toEqual({ source, exists: true });
      expect({ source, kept: keptByDockerignore(ignore, source.split("/")[0] ?? source) }).toEqual({ source, kept: true });
    }
  });

  it("works in /app in every stage (the paths below and COPY --from sources assume it)", () => {
    for (const stage of stages) expect(instructions(stage, "WORKDIR").map((instruction) => instruction.args)).toEqual(["/app"]);
  });

  it("keeps secrets, local data and installed packages out of the build context", () => {
    for (const name of [".env", ".env.production", "data", "node_modules", "dist", ".git", "test", "bench", "chatwoot-handover-0.1.0.tar.gz"]) {
      expect({ name, kept: keptByDockerignore(ignore, name) }).toEqual({ name, kept: false });
    }
  });

  it("runs as a non-root user on a slim image, with the production dependencies of a stage that omits dev ones", () => {
    expect(runtime.base).toMatch(/^node:.*-slim$/);
    const user = instructions(runtime, "USER").map((instruction) => instruction.args);
    expect(user.length).toBeGreaterThan(0);
    expect(["root", "0"]).not.toContain(user[user.length - 1]);
    const copies = instructions(runtime, "COPY").map(parseCopy);
    const modules = copies.filter((copy) => copy.sources.some((source) => source.endsWith("node_modules")));
    expect(modules).toHaveLength(1);
    const deps = stageNamed(modules[0]?.from ?? null);
    expect(instructions(deps, "RUN").map((instruction) => instruction.args).join("\n")).toMatch(/npm ci --omit=dev/);
    expect(instructions(deps, "RUN").map((instruction) => instruction.args).join("\n")).not.toMatch(/npm ci(?! --omit=dev)/);
  });

  it("declares the data volume, both ports and a health check on /healthz", () => {
    const env = runtimeEnv();
    expect(instructions(runtime, "VOLUME").map((instruction) => instruction.args).join(" ")).toContain(`"${env.RELAY_DATA_DIR ?? "?"}"`);
    const exposed = instructions(runtime, "EXPOSE").flatMap((instruction) => instruction.args.split(" "));
    expect(exposed).toEqual(expect.arrayContaining([env.PORT, env.METRICS_PORT]));
    const healthcheck = instructions(runtime, "HEALTHCHECK");
    expect(healthcheck).toHaveLength(1);
    expect(execForm(healthcheck[0] ?? { keyword: "", args: "", line: 0 }).join(" ")).toContain("/healthz");
  });
});

/** Builds the image's /app here: the build stage from copies of what it COPYs, then the runtime stage's COPYs. */
function assembleImage(): string {
  // Build stage: the context's copied files, node_modules standing for its `npm ci`, then its other RUN lines.
  const build = stageNamed("build");
  const context = mkdtempSync(join(tmpdir(), "image-build-"));
  for (const copy of instructions(build, "COPY").map(parseCopy)) {
    if (copy.from !== null) throw new Error("the build stage copies from the context only");
    for (const source of copy.sources) cpSync(join(REPO_ROOT, source), copyTarget(context, copy, source), { recursive: true });
  }
  symlinkSync(join(REPO_ROOT, "node_modules"), join(context, "node_modules"), "dir");
  const runs = instructions(build, "RUN").map((instruction) => instruction.args);
  if (!/^npm ci\b/.test(runs[0] ?? "")) throw new Error("the build stage starts with npm ci");
  for (const command of runs.slice(1)) execFileSync("sh", ["-c", command], { cwd: context, stdio: ["ignore", "ignore", "inherit"] });

  // Runtime stage: each COPY from the context, the deps stage (production packages) or the build stage.
  const app = mkdtempSync(join(tmpdir(), "image-app-"));
  for (const copy of instructions(runtime, "COPY").map(parseCopy)) {
    for (const source of copy.sources) {
      const target = copyTarget(app, copy, source);
      mkdirSync(dirname(target), { recursive: true });
      if (copy.from === null) {
        cpSync(join(REPO_ROOT, source), target, { recursive: true });
      } else if (source === "/app/node_modules") {
        for (const path of productionPackages()) cpSync(join(REPO_ROOT, path), join(target, path.slice("node_modules/".length)), { recursive: true });
      } else if (copy.from === "build" && source.startsWith("/app/")) {
        cpSync(join(context, source.slice("/app/".length)), target, { recursive: true });
      } else {
        throw new Error(`COPY --from=${copy.from} ${source}: this test does not know that source`);
      }
    }
  }
  return app;
}

interface Started {
  port: string;
  exited: Promise<number | null>;
  stop(): void;
}

/** Runs the image's CMD in `app` with `env`; resolves once the relay listens. */
function startCommand(app: string, env: Record<string, string>): Promise<Started> {
  const argv = execForm(instructions(runtime, "CMD")[0] ?? { keyword: "CMD", args: "null", line: 0 });
  if (argv[0] !== "node") throw new Error(`CMD runs ${String(argv[0])}, not node`);
  const child = spawn(process.execPath, argv.slice(1), { cwd: app, env, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return new Promise<Started>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the relay did not start: ${output}`)), 20_000);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      const match = /"address":"(http:\/\/[^"]+)"/.exec(output);
      if (match?.[1] === undefined) return;
      clearTimeout(timer);
      resolve({ port: new URL(match[1]).port, exited, stop: () => void child.kill("SIGTERM") });
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    void exited.then((code) => reject(new Error(`the relay exited with ${String(code)}: ${output}`)));
  });
}

describe("the image's build and command, run here from clean copies", () => {
  let cognigy: FakeCognigyEndpoint;
  let app: string;
  let postgres: TestPostgres | null = null;
  beforeAll(async () => {
    cognigy = await startFakeCognigyEndpoint();
    app = assembleImage();
  }, 60_000);
  afterAll(async () => {
    await cognigy.close();
    await postgres?.stop();
  });

  /** The image's ENV and the required secrets; free ports and a writable data directory instead of 8080, 9464 and /data. */
  function env(overrides: Record<string, string> = {}): Record<string, string> {
    return { PATH: process.env.PATH ?? "", ...runtimeEnv(), PORT: "0", METRICS_PORT: "0", RELAY_DATA_DIR: join(app, "data"), RELAY_SECRET, CHATWOOT_WEBHOOK_SECRETS: WEBHOOK_SECRET, COGNIGY_ENDPOINT_BASE_URL: cognigy.baseUrl, ...overrides };
  }

  it("the build stage makes dist/relay.js, which requires only Node built-ins and production dependencies", () => {
    expect(statSync(join(app, "dist", "relay.js")).isFile()).toBe(true);
    const bundle = readFileSync(join(app, "dist", "relay.js"), "utf8");
    const required = new Set([...bundle.matchAll(/require\("([^".][^"]*)"\)/g)].map((match) => match[1] ?? ""));
    expect(required).toContain("fastify");
    const dependencies = Object.keys((JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as { dependencies: Record<string, string> }).dependencies);
    const packageOf = (specifier: string): string => specifier.split("/").slice(0, specifier.startsWith("@") ? 2 : 1).join("/");
    expect([...required].filter((specifier) => !builtinModules.includes(specifier.replace(/^node:/, "")) && !dependencies.includes(packageOf(specifier)))).toEqual([]);
  });

  it("the command starts the relay (SQLite outbox) with production dependencies only; the health check passes, and fails once it stopped", async () => {
    const started = await startCommand(app, env());
    expect((await fetch(`http://127.0.0.1:${started.port}/healthz`)).status).toBe(200);
    const healthcheck = execForm(instructions(runtime, "HEALTHCHECK")[0] ?? { keyword: "HEALTHCHECK", args: "", line: 0 });
    expect(healthcheck[0]).toBe("node");
    const check = (): number => {
      try {
        execFileSync(process.execPath, healthcheck.slice(1), { env: env({ PORT: started.port }), stdio: "ignore", timeout: 5_000 });
        return 0;
      } catch (error: unknown) {
        return typeof error === "object" && error !== null && "status" in error && typeof error.status === "number" ? error.status : -1;
      }
    };
    expect(check()).toBe(0);
    started.stop();
    expect(await started.exited).toBe(0);
    expect(check()).toBe(1);
  }, 60_000);

  it("with compose's environment for a relay (RELAY_DATABASE_URL) it is ready on PostgreSQL", async () => {
    postgres = await startTestPostgres();
    const compose = asMap(parseYamlSubset(readFileSync(join(REPO_ROOT, "compose.yaml"), "utf8")), "compose.yaml");
    const composeEnv = asMap(asMap(asMap(compose.services, "services")["relay-1"], "relay-1").environment, "environment");
    const fromCompose = Object.fromEntries(Object.entries(composeEnv).map(([name, value]) => [name, String(value)]));
    const started = await startCommand(app, env({ ...fromCompose, RELAY_DATABASE_URL: await postgres.freshDatabase(), HOST: "127.0.0.1", PORT: "0", METRICS_PORT: "0", RELAY_DATA_DIR: join(app, "data-postgres") }));
    const ready = await fetch(`http://127.0.0.1:${started.port}/readyz`);
    expect({ status: ready.status, body: await ready.text() }).toEqual({ status: 200, body: JSON.stringify({ status: "ready" }) });
    started.stop();
    expect(await started.exited).toBe(0);
  }, 90_000);
});

describe("compose.yaml", () => {
  const compose = asMap(parseYamlSubset(readFileSync(join(REPO_ROOT, "compose.yaml"), "utf8")), "compose.yaml");
  const services = asMap(compose.services, "services");
  const service = (name: string): YamlMap => asMap(services[name], `service ${name}`);
  const relays = Object.keys(services).filter((name) => /^relay-\d+$/.test(name));
  const haproxy = readFileSync(join(REPO_ROOT, "deploy", "haproxy.cfg"), "utf8");
  const env = runtimeEnv();

  it("runs two relays built from this Dockerfile, PostgreSQL, a load balancer, and Prometheus and Grafana on a profile", () => {
    expect(Object.keys(services).sort()).toEqual(["grafana", "lb", "postgres", "prometheus", "relay-1", "relay-2"]);
    for (const name of relays) {
      expect(service(name).build).toBe(".");
      expect(existsSync(join(REPO_ROOT, "Dockerfile"))).toBe(true);
    }
    for (const name of ["prometheus", "grafana"]) expect(service(name).profiles).toEqual(["monitoring"]);
    for (const name of ["postgres", "lb", ...relays]) expect(service(name).profiles).toBeUndefined();
  });

  it("references only files that exist, volumes it declares and services it defines", () => {
    const volumes = Object.keys(asMap(compose.volumes, "volumes"));
    for (const [name, raw] of Object.entries(services)) {
      const definition = asMap(raw, name);
      for (const mount of definition.volumes === undefined ? [] : asList(definition.volumes, `${name}.volumes`)) {
        const source = String(mount).split(":")[0] ?? "";
        if (source.startsWith("./")) expect({ name, source, exists: existsSync(join(REPO_ROOT, source)) }).toEqual({ name, source, exists: true });
        else expect(volumes).toContain(source);
      }
      const dependsOn: Yaml = definition.depends_on ?? [];
      for (const dependency of Array.isArray(dependsOn) ? dependsOn : Object.keys(asMap(dependsOn, `${name}.depends_on`))) expect(Object.keys(services)).toContain(String(dependency));
      // .env is the operator's copy of .env.example, which must exist; .dockerignore keeps it out of the image.
      if (definition.env_file !== undefined) {
        expect(definition.env_file).toBe(".env");
        expect(existsSync(join(REPO_ROOT, ".env.example"))).toBe(true);
      }
    }
  });

  it("the relays share PostgreSQL once it is healthy, listen on the image's ports and publish none", () => {
    const postgres = service("postgres");
    expect(asList(asMap(postgres.healthcheck, "healthcheck").test, "test").join(" ")).toContain("pg_isready");
    expect(String(asList(postgres.volumes, "postgres.volumes")[0])).toMatch(/^postgres-data:\/var\/lib\/postgresql$/);
    for (const name of relays) {
      const relay = service(name);
      const environment = asMap(relay.environment, `${name}.environment`);
      expect(String(environment.RELAY_DATABASE_URL)).toMatch(/^postgres:\/\/relay:\$\{POSTGRES_PASSWORD:\?[^}]*\}@postgres:5432\/relay$/);
      expect(environment).toMatchObject({ HOST: "0.0.0.0", PORT: env.PORT, METRICS_HOST: "0.0.0.0", METRICS_PORT: env.METRICS_PORT });
      expect(asMap(asMap(relay.depends_on, "depends_on").postgres, "postgres")).toEqual({ condition: "service_healthy" });
      expect(relay.ports).toBeUndefined();
    }
  });

  it("the load balancer sends to every relay, checks /readyz, and is the only service published on every interface", () => {
    const servers = [...haproxy.matchAll(/^\s*server (\S+) (\S+) check/gm)].map((match) => match[2]);
    expect(servers.sort()).toEqual(relays.map((name) => `${name}:${env.PORT ?? "?"}`).sort());
    expect(haproxy).toMatch(/http-check send meth GET uri \/readyz/);
    expect(haproxy).toMatch(/balance roundrobin/);
    const lb = service("lb");
    expect(asList(lb.volumes, "lb.volumes")).toContain("./deploy/haproxy.cfg:/usr/local/etc/haproxy/haproxy.cfg:ro");
    expect(asList(lb.ports, "lb.ports")).toEqual([`\${RELAY_PUBLIC_PORT:-8080}:${env.PORT ?? "?"}`]);
    for (const name of ["prometheus", "grafana"]) for (const port of asList(service(name).ports, `${name}.ports`)) expect(String(port)).toMatch(/^127\.0\.0\.1:/);
  });

  it("Prometheus scrapes every relay's metrics port; Grafana finds the dashboard and Prometheus where they are mounted", () => {
    const prometheus = asMap(parseYamlSubset(readFileSync(join(REPO_ROOT, "deploy", "prometheus", "prometheus.yml"), "utf8")), "prometheus.yml");
    const scrape = asMap(asList(prometheus.scrape_configs, "scrape_configs")[0], "scrape config");
    const targets = asList(asMap(asList(scrape.static_configs, "static_configs")[0], "static config").targets, "targets").map(String);
    expect(targets.sort()).toEqual(relays.map((name) => `${name}:${env.METRICS_PORT ?? "?"}`).sort());
    const prometheusMounts = asList(service("prometheus").volumes, "prometheus.volumes").map(String);
    for (const file of asList(prometheus.rule_files, "rule_files")) expect(prometheusMounts).toContain(`./deploy/prometheus/${String(file)}:/etc/prometheus/${String(file)}:ro`);

    const grafanaMounts = asList(service("grafana").volumes, "grafana.volumes").map(String);
    const dashboardMount = grafanaMounts.find((mount) => mount.startsWith("./deploy/grafana/relay-dashboard.json:"));
    expect(dashboardMount).toBeDefined();
    const provisioning = join(REPO_ROOT, "deploy", "grafana", "provisioning");
    const provider = asMap(asList(asMap(parseYamlSubset(readFileSync(join(provisioning, "dashboards", "relay.yml"), "utf8")), "dashboards").providers, "providers")[0], "provider");
    expect(dirname(String(dashboardMount).split(":")[1] ?? "")).toBe(asMap(provider.options, "options").path);
    expect(grafanaMounts).toContain("./deploy/grafana/provisioning:/etc/grafana/provisioning:ro");
    const datasource = asMap(asList(asMap(parseYamlSubset(readFileSync(join(provisioning, "datasources", "prometheus.yml"), "utf8")), "datasources").datasources, "datasources")[0], "datasource");
    expect(datasource).toMatchObject({ type: "prometheus", url: "http://prometheus:9090" });
  });
});
