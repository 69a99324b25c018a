import { spawn, type ChildProcess } from "child_process";
import { mkdtempSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { REPO_ROOT } from "./load-extension";

export interface RelayProcess {
  child: ChildProcess;
  url: string;
  /** The metrics listener (`GET /metrics`), or null with METRICS_PORT=off. */
  metricsUrl: string | null;
  /** Resolves when the process has exited. */
  exited: Promise<void>;
}

/**
 * Starts `node dist/relay.js` (what `npm run relay` runs) and resolves with its
 * address, read from its JSON log. Every line it writes goes to `logs`. It runs
 * in an empty temporary directory: the relay reads `.env` from its working
 * directory, and a developer's own .env in the repository must not reach tests.
 */
export function startRelayProcess(env: Record<string, string>, logs: string[] = []): Promise<RelayProcess> {
  const level = env.LOG_LEVEL === undefined || env.LOG_LEVEL === "silent" ? "info" : env.LOG_LEVEL;
  const child = spawn(process.execPath, [join(REPO_ROOT, "dist", "relay.js")], { cwd: mkdtempSync(join(tmpdir(), "relay-process-cwd-")), env: { ...process.env, ...env, LOG_LEVEL: level }, stdio: ["ignore", "pipe", "pipe"] });
  child.stdout.on("data", (chunk: Buffer) => logs.push(chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => logs.push(chunk.toString()));
  const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
  return new Promise((resolve, reject) => {
    let output = "";
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`relay did not start: ${output}`));
    }, 10_000);
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      const match = /"address":"(http:\/\/[^"]+)"/.exec(output);
      if (match?.[1] !== undefined) {
        clearTimeout(timer);
        const metricsUrl = /"metricsAddress":"(http:\/\/[^"]+)"/.exec(output)?.[1] ?? null;
        resolve({ child, url: match[1], metricsUrl, exited });
      }
    });
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`relay exited with ${String(code)}: ${output}`));
    });
  });
}

/** Kills the relay with SIGKILL (no shutdown code runs) and waits for the exit. */
export async function killRelay(relay: RelayProcess): Promise<void> {
  relay.child.kill("SIGKILL");
  await relay.exited;
}
