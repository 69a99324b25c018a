import { execFileSync } from "child_process";
import { mkdtempSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { Client } from "pg";
import { openPostgresOutbox } from "../../src/relay/postgres-outbox";
import type { OutboxStore } from "../../src/relay/outbox-store";
import { startTestPostgres, type TestPostgres } from "../support/postgres-server";

/**
 * TLS to PostgreSQL is set in RELAY_DATABASE_URL, as libpq's parameters:
 * sslmode=verify-full checks the server's certificate and name against the CA
 * in sslrootcert (a file path). A server whose certificate the CA did not sign
 * is refused. The certificates are made here with the openssl command.
 */

let dir: string;
let postgres: TestPostgres;
let opened: OutboxStore[] = [];

function openssl(...args: string[]): void {
  execFileSync("openssl", args, { cwd: dir, stdio: ["ignore", "ignore", "pipe"] });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "relay-pg-tls-"));
  openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=relay test CA", "-keyout", "ca.key", "-out", "ca.crt");
  openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost", "-keyout", "server.key", "-out", "server.csr");
  writeFileSync(join(dir, "san.ext"), "subjectAltName=DNS:localhost\n");
  openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-days", "2", "-extfile", "san.ext", "-out", "server.crt");
  openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=another CA", "-keyout", "other.key", "-out", "other.crt");
  postgres = await startTestPostgres({ tls: { certFile: join(dir, "server.crt"), keyFile: join(dir, "server.key") } });
}, 90_000);

afterAll(async () => {
  await postgres.stop();
  rmSync(dir, { recursive: true, force: true });
});

afterEach(async () => {
  for (const outbox of opened) await outbox.close();
  opened = [];
});

function urlWith(parameters: string): string {
  return `${postgres.url.replace("@127.0.0.1:", "@localhost:")}?${parameters}`;
}

function open(url: string): OutboxStore {
  const outbox = openPostgresOutbox(url, { leaseMs: 30_000, connectTimeoutMs: 2_000 });
  opened.push(outbox);
  return outbox;
}

describe("PostgreSQL outbox over TLS (RELAY_DATABASE_URL parameters)", () => {
  it("connects with sslmode=verify-full and the CA in sslrootcert, over an encrypted connection", async () => {
    const url = urlWith(`sslmode=verify-full&sslrootcert=${encodeURIComponent(join(dir, "ca.crt"))}`);
    const outbox = open(url);
    await outbox.ready();
    expect(await outbox.healthy()).toBe(true);
    const client = new Client({ connectionString: url });
    await client.connect();
    try {
      expect((await client.query("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")).rows).toEqual([{ ssl: true }]);
    } finally {
      await client.end();
    }
  });

  it.each<[string, () => string]>([
    ["a CA that did not sign the server's certificate", () => `sslmode=verify-full&sslrootcert=${encodeURIComponent(join(dir, "other.crt"))}`],
    ["no CA given (the system's CAs do not know the server)", () => "sslmode=verify-full"],
  ])("refuses the server with %s", async (_case, parameters) => {
    await expect(open(urlWith(parameters())).ready()).rejects.toThrow(/PostgreSQL outbox: cannot connect/);
  });
});
