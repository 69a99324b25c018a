import { spawn, type ChildProcess } from "child_process";
import { mkdtempSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { createServer, type Server } from "http";
import { listenOnFreePort } from "../../test/support/listen";

export interface RunningProcess {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

async function waitForHealth(url: string, timeoutMs: number): Promise<boolean> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    try {
      if ((await fetch(`${url}/healthz`)).ok) return true;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return false;
}

/** SIGTERM, resolved once the process has exited. */
function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((done) => {
    if (child.exitCode !== null) return done();
    child.once("exit", () => done());
    child.kill("SIGTERM");
  });
}

/**
 * Starts the relay on a known port and waits until /healthz answers. It runs in an empty temporary
 * directory: the relay reads `.env` from its working directory, and a developer's own must not change a figure.
 */
export async function startHealthChecked(file: string, env: Record<string, string> & { PORT: string }): Promise<RunningProcess> {
  const cwd = mkdtempSync(join(tmpdir(), "relay-bench-cwd-"));
  const child = spawn(process.execPath, [file], { cwd, env: { ...process.env, ...env }, stdio: ["ignore", "ignore", "pipe"] });
  let output = "";
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const url = `http://127.0.0.1:${env.PORT}`;
  if (!(await waitForHealth(url, 15_000))) {
    child.kill("SIGKILL");
    throw new Error(`${file} did not become healthy: ${output}`);
  }
  return { url, child, stop: () => stopChild(child) };
}

/** Starts a Node script that prints a line with its address ("…http://127.0.0.1:PORT…") once it listens. */
export function startProcess(file: string, env: Record<string, string>, args: string[] = []): Promise<RunningProcess> {
  const child = spawn(process.execPath, [file, ...args], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  return new Promise((resolve, reject) => {
    let output = "";
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${file} did not start: ${output}`));
    }, 15_000);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      const url = /(http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1];
      if (url === undefined) return;
      clearTimeout(timer);
      child.stdout?.off("data", onData);
      child.stdout?.resume();
      resolve({ url, child, stop: () => stopChild(child) });
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.once("exit", (code) => reject(new Error(`${file} exited with ${String(code)}: ${output}`)));
  });
}

/** An HTTP server in this process; `handler` sees each request's body. */
export async function startLocalServer(handler: (body: Buffer, url: string) => number): Promise<{ url: string; server: Server; close(): Promise<void> }> {
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      response.statusCode = handler(Buffer.concat(chunks), request.url ?? "/");
      response.end("{}");
    });
  });
  server.keepAliveTimeout = 60_000;
  const port = await listenOnFreePort(server);
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
