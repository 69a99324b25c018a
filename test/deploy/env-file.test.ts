import { spawn } from "child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync, existsSync, readdirSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { loadEnvFile } from "../../src/relay/load-env-file";
import { parseEnvFile } from "../../src/relay/parse-env-file";
import { RELAY_SECRET } from "../support/extension-harness";
import { startFakeCognigyEndpoint, type FakeCognigyEndpoint } from "../support/fake-cognigy-endpoint";
import { REPO_ROOT } from "../support/load-extension";
import { WEBHOOK_SECRET } from "../support/relay-harness";

describe("parseEnvFile", () => {
  it.each<[string, string, Array<[string, string]>]>([
    ["plain", "A=1\nB=two words\n", [["A", "1"], ["B", "two words"]]],
    ["blank lines and comments", "\n# comment\n   # indented comment\nA=1\n\n", [["A", "1"]]],
    ["export prefix", "export A=1\n", [["A", "1"]]],
    ["spaces around = and the value", "A = 1  \n", [["A", "1"]]],
    ["inline comment after a space", "A=1 # the port\n", [["A", "1"]]],
    ["# without a space before it is part of the value", "A=abc#def\n", [["A", "abc#def"]]],
    ["empty value", "A=\n", [["A", ""]]],
    ["single quotes are literal", "A='x # y \\n $B'\n", [["A", "x # y \\n $B"]]],
    ["double quotes with escapes", 'A="line1\\nline2 \\"q\\" \\\\ # not a comment" # comment\n', [["A", 'line1\nline2 "q" \\ # not a comment']]],
    ["= inside the value", "RELAY_DATABASE_URL=postgres://u:p@h:5432/d?sslmode=verify-full\n", [["RELAY_DATABASE_URL", "postgres://u:p@h:5432/d?sslmode=verify-full"]]],
    ["CRLF line ends and a BOM", "\uFEFFA=1\r\nB=2\r\n", [["A", "1"], ["B", "2"]]],
    ["a later line for the same name comes later", "A=1\nA=2\n", [["A", "1"], ["A", "2"]]],
  ])("%s", (_name, text, values) => {
    expect(parseEnvFile(text)).toEqual({ ok: true, values });
  });

  it.each<[string, string, number, RegExp]>([
    ["no =", "A=1\nRELAY_SECRET\n", 2, /expected NAME=value/],
    ["words before =", "A=1\nB=2\nthis is not=an assignment\n", 3, /expected NAME=value/],
    ["a name starting with a digit", "1A=1\n", 1, /expected NAME=value/],
    ["unclosed double quote", 'A="open\nB=2"\n', 1, /A: the value's opening " is not closed/],
    ["unclosed single quote", "A='open\n", 1, /A: the value's opening ' is not closed/],
    ["text after the closing quote", 'A="x" y\n', 1, /A: only a # comment may follow/],
    ["NUL", "A=a\0b\n", 1, /NUL/],
  ])("refuses %s with the line's number", (_name, text, line, problem) => {
    const parsed = parseEnvFile(text);
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.line).toBe(line);
    expect(parsed.problem).toMatch(problem);
  });

  it("never quotes a malformed line, which may be a pasted secret", () => {
    const secret = "s3cr3t-value-that-must-not-leak-0123456789";
    for (const text of [`${secret}\n`, `A="${secret}\n`, `A='${secret}\n`, `A="x" ${secret}\n`, `export ${secret} more\n`]) {
      const parsed = parseEnvFile(text);
      expect(parsed.ok).toBe(false);
      expect(JSON.stringify(parsed)).not.toContain(secret);
    }
  });

  it("refuses a file over 1 MiB before splitting it", () => {
    const parsed = parseEnvFile(`A=${"x".repeat(1024 * 1024)}\n`);
    expect(parsed).toEqual({ ok: false, line: 0, problem: expect.stringMatching(/larger than/) });
  });
});

describe("loadEnvFile", () => {
  const dir = mkdtempSync(join(tmpdir(), "env-file-"));

  it("adds the file's variables; one already set in the environment wins, even when empty", () => {
    const path = join(dir, "precedence.env");
    writeFileSync(path, "FROM_FILE=file\nSET_BOTH=file\nSET_EMPTY=file\n");
    const env: NodeJS.ProcessEnv = { SET_BOTH: "environment", SET_EMPTY: "" };
    expect(loadEnvFile(path, env)).toEqual({ status: "loaded", path, set: ["FROM_FILE"], kept: ["SET_BOTH", "SET_EMPTY"] });
    expect(env).toEqual({ FROM_FILE: "file", SET_BOTH: "environment", SET_EMPTY: "" });
  });

  it("takes the last line when a name repeats", () => {
    const path = join(dir, "repeat.env");
    writeFileSync(path, "A=1\nA=2\n");
    const env: NodeJS.ProcessEnv = {};
    loadEnvFile(path, env);
    expect(env).toEqual({ A: "2" });
  });

  it("a missing file is not an error and changes nothing", () => {
    const env: NodeJS.ProcessEnv = { A: "1" };
    expect(loadEnvFile(join(dir, "missing.env"), env)).toEqual({ status: "missing", path: join(dir, "missing.env") });
    expect(env).toEqual({ A: "1" });
  });

  it("a malformed file names the file and the line, and sets nothing", () => {
    const path = join(dir, "bad.env");
    writeFileSync(path, "GOOD=1\n# comment\nRELAY_SECRET the-secret-value-0123456789abcdef\n");
    const env: NodeJS.ProcessEnv = {};
    const loaded = loadEnvFile(path, env);
    expect(loaded).toEqual({ status: "invalid", path, message: `${path} line 3: expected NAME=value (a name of letters, digits and _, then =)` });
    expect(env).toEqual({});
  });

  it("a directory where the file should be is an error naming it", () => {
    const path = join(dir, "a-directory.env");
    mkdirSync(path);
    expect(loadEnvFile(path, {})).toEqual({ status: "invalid", path, message: expect.stringMatching(/a-directory\.env cannot be read/) });
  });
});

interface RelayRun {
  /** The "relay listening" log line; rejects when the relay exits first or does not start within 10 s. */
  listening: Promise<string>;
  exited: Promise<number | null>;
  output(): string;
  stop(): void;
}

/** Runs the built relay (what `npm run relay` runs) in `cwd` with exactly `env` (plus PATH). */
function runRelay(cwd: string, env: Record<string, string>): RelayRun {
  const child = spawn(process.execPath, [join(REPO_ROOT, "dist", "relay.js")], { cwd, env: { PATH: process.env.PATH ?? "", ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const listening = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`relay did not start: ${output}`)), 10_000);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      const line = output.split("\n").find((candidate) => candidate.includes('"relay listening"'));
      if (line === undefined) return;
      clearTimeout(timer);
      resolve(line);
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`relay exited with ${String(code)}: ${output}`));
    });
  });
  listening.catch(() => undefined);
  return { listening, exited, output: () => output, stop: () => void child.kill("SIGTERM") };
}

describe("npm run relay reads .env from its working directory", () => {
  let cognigy: FakeCognigyEndpoint;
  beforeAll(async () => {
    cognigy = await startFakeCognigyEndpoint();
  });
  afterAll(async () => {
    await cognigy.close();
  });

  function workDir(envFile: string | null): string {
    const cwd = mkdtempSync(join(tmpdir(), "relay-cwd-"));
    if (envFile !== null) writeFileSync(join(cwd, ".env"), envFile);
    return cwd;
  }

  async function startAndStop(cwd: string, env: Record<string, string>): Promise<{ listening: string; output: string }> {
    const run = runRelay(cwd, env);
    const listening = await run.listening;
    run.stop();
    expect(await run.exited).toBe(0);
    return { listening, output: run.output() };
  }

  it("starts on the file's variables; one set in the environment wins", async () => {
    const cwd = workDir(
      [
        "# the relay's configuration",
        `RELAY_SECRET='${RELAY_SECRET}'`,
        `CHATWOOT_WEBHOOK_SECRETS=${WEBHOOK_SECRET} # rotated in June`,
        `export COGNIGY_ENDPOINT_BASE_URL="${cognigy.baseUrl}"`,
        "RELAY_DATA_DIR=./from-file",
        "PORT=1",
        "",
      ].join("\n"),
    );
    const { listening, output } = await startAndStop(cwd, { RELAY_DATA_DIR: "./from-environment", PORT: "0", HOST: "127.0.0.1", METRICS_PORT: "off" });
    expect(JSON.parse(listening)).toMatchObject({ outbox: "sqlite", dataDir: "./from-environment" });
    expect(existsSync(join(cwd, "from-environment"))).toBe(true);
    expect(existsSync(join(cwd, "from-file"))).toBe(false);
    const loaded = output.split("\n").find((line) => line.includes('"envFile"'));
    expect(loaded).toBeDefined();
    expect(JSON.parse(loaded ?? "{}")).toMatchObject({ envFile: join(cwd, ".env"), fromFile: ["RELAY_SECRET", "CHATWOOT_WEBHOOK_SECRETS", "COGNIGY_ENDPOINT_BASE_URL"], keptFromEnvironment: ["RELAY_DATA_DIR", "PORT"] });
    // Names only: no value of the file is logged.
    expect(output).not.toContain(RELAY_SECRET);
    expect(output).not.toContain(WEBHOOK_SECRET);
  });

  it("without a .env file it starts on the environment alone", async () => {
    const cwd = workDir(null);
    const { listening, output } = await startAndStop(cwd, { RELAY_SECRET, CHATWOOT_WEBHOOK_SECRETS: WEBHOOK_SECRET, COGNIGY_ENDPOINT_BASE_URL: cognigy.baseUrl, RELAY_DATA_DIR: "./data", PORT: "0", HOST: "127.0.0.1", METRICS_PORT: "off" });
    expect(JSON.parse(listening)).toMatchObject({ dataDir: "./data" });
    expect(output).not.toContain('"envFile"');
    expect(readdirSync(cwd)).toEqual(["data"]);
  });

  it("a malformed line stops the start with exit code 78, the file and the line, and no value", async () => {
    const secretLine = "RELAY_SECRET: a-secret-pasted-with-a-colon-0123456789";
    const cwd = workDir(`CHATWOOT_WEBHOOK_SECRETS=${WEBHOOK_SECRET}\n\n${secretLine}\n`);
    const run = runRelay(cwd, { PORT: "0", HOST: "127.0.0.1", METRICS_PORT: "off" });
    expect(await run.exited).toBe(78);
    expect(run.output()).toContain(`Relay configuration: ${join(cwd, ".env")} line 3: expected NAME=value`);
    expect(run.output()).not.toContain("a-secret-pasted");
    expect(run.output()).not.toContain(WEBHOOK_SECRET);
  });
});

describe(".env.example", () => {
  const example = readFileSync(join(REPO_ROOT, ".env.example"), "utf8");

  it("is a valid .env file", () => {
    expect(parseEnvFile(example)).toMatchObject({ ok: true });
  });

  it("names every variable the relay reads, and only those or the ones compose.yaml uses", () => {
    const parsed = parseEnvFile(example);
    if (!parsed.ok) throw new Error(`line ${parsed.line}: ${parsed.problem}`);
    const documented = new Set(parsed.values.map(([name]) => name));
    const config = readFileSync(join(REPO_ROOT, "src", "relay", "relay-config.ts"), "utf8");
    const read = new Set([...config.matchAll(/\(env, "([A-Z][A-Z0-9_]*)"/g)].map((match) => match[1] ?? ""));
    expect(read.size).toBeGreaterThan(20);
    expect([...read].filter((name) => !documented.has(name))).toEqual([]);
    const compose = readFileSync(join(REPO_ROOT, "compose.yaml"), "utf8");
    const composeVariables = new Set([...compose.matchAll(/\$\{([A-Z][A-Z0-9_]*)/g)].map((match) => match[1] ?? ""));
    expect([...documented].filter((name) => !read.has(name) && !composeVariables.has(name))).toEqual([]);
    expect([...composeVariables].filter((name) => !documented.has(name))).toEqual([]);
  });
});
