import { mkdtempSync } from "fs";
import { request } from "http";
import { connect } from "net";
import { tmpdir } from "os";
import { join } from "path";
import { parseRelayConfig } from "../../src/relay/relay-config";
import { createRelayService, type RelayService } from "../../src/relay/relay-service";
import { startFakeCognigyEndpoint, type FakeCognigyEndpoint } from "../support/fake-cognigy-endpoint";
import { writeHostileReport } from "../support/hostile-report";
import { relayEnv } from "../support/relay-harness";

/**
 * The path token of `POST /handover/chatwoot/<token>` is a secret in the URL.
 * At trace level (more than debug), requests with the token in every spelling
 * a client or proxy may use — percent-encoded (upper, lower, twice), `%2F` for
 * the slashes, doubled slashes, other case, a proxy's prefix, a query string,
 * broken escapes, other methods, a malformed request — leave no log line with
 * the token or any of its encodings.
 */

const TOKEN = "pathTokenSecret_0123456789-ABCDEFxyz";

const percent = (text: string, hex: (byte: number) => string): string => [...Buffer.from(text)].map((byte) => `%${hex(byte)}`).join("");
const upper = (byte: number): string => byte.toString(16).toUpperCase().padStart(2, "0");
const lower = (byte: number): string => byte.toString(16).padStart(2, "0");

/** Every form of the token a log line could hold. */
const FORMS: Record<string, string> = {
  plain: TOKEN,
  "percent-encoded (upper)": percent(TOKEN, upper),
  "percent-encoded (lower)": percent(TOKEN, lower),
  "percent-encoded twice": percent(TOKEN, (byte) => `25${upper(byte)}`),
  "half encoded": TOKEN.slice(0, 10),
  "base64": Buffer.from(TOKEN).toString("base64"),
  "bytes as JSON numbers": [...Buffer.from(TOKEN)].join(","),
};

const PATHS: string[] = [
  `/handover/chatwoot/${TOKEN}`,
  `/handover/chatwoot/${TOKEN}?x=1`,
  `/handover/chatwoot/${TOKEN}/more`,
  `/handover/chatwoot/${TOKEN}#frag`,
  `/handover//chatwoot/${TOKEN}`,
  `//handover/chatwoot/${TOKEN}`,
  `/handover/chatwoot//${TOKEN}`,
  `/handover/chatwoot%2F${TOKEN}`,
  `/handover%2Fchatwoot%2F${TOKEN}`,
  `/handover%2fchatwoot%2f${TOKEN}`,
  `/handover/chatwoot/${percent(TOKEN, upper)}`,
  `/handover/chatwoot/${percent(TOKEN, lower)}`,
  `/handover/chatwoot/${percent(TOKEN, (byte) => `25${upper(byte)}`)}`,
  `/handover/chatwoot/${TOKEN.slice(0, 10)}${percent(TOKEN.slice(10), upper)}`,
  `${percent("/handover/chatwoot/", upper)}${TOKEN}`,
  `/HANDOVER/CHATWOOT/${TOKEN}`,
  `/relay/handover/chatwoot/${TOKEN}`,
  `/handover/chatwoot/${TOKEN}%`,
  `/handover/chatwoot/${TOKEN}%zz`,
  `/handover/chatwoot/%E0%A4%A${TOKEN}`,
  `/handover/chatwoot/${TOKEN}${"x".repeat(200)}`,
  `/handover/chatwoot?token=${TOKEN}`,
  `/handover/chatwoot;${TOKEN}`,
];
const METHODS = ["POST", "GET", "PUT", "DELETE", "OPTIONS", "HEAD"];

let cognigy: FakeCognigyEndpoint;
let relay: RelayService;
let url: URL;
const lines: string[] = [];

beforeAll(async () => {
  cognigy = await startFakeCognigyEndpoint();
  const parsed = parseRelayConfig(relayEnv(cognigy, mkdtempSync(join(tmpdir(), "relay-token-logs-")), { LOG_LEVEL: "trace", CHATWOOT_WEBHOOK_PATH_TOKEN: TOKEN, ALLOW_UNSIGNED_PATH_TOKEN: "true" }));
  if (!parsed.ok) throw new Error(parsed.message);
  relay = createRelayService(parsed.config, { logStream: { write: (line: string) => void lines.push(line) } });
  url = new URL(await relay.start());
});

afterAll(async () => {
  await relay.stop();
  await cognigy.close();
});

function send(method: string, path: string): Promise<number> {
  return new Promise((resolve) => {
    const body = method === "GET" || method === "HEAD" ? undefined : "{}";
    const outgoing = request({ host: url.hostname, port: url.port, method, path, headers: { "content-type": "application/json", ...(body === undefined ? {} : { "content-length": "2" }) } }, (response) => {
      response.resume();
      response.on("end", () => resolve(response.statusCode ?? 0));
    });
    outgoing.on("error", () => resolve(0));
    outgoing.end(body);
  });
}

/** A request Node's parser refuses (a header line without a colon): the client error carries the raw bytes. */
function sendMalformed(path: string): Promise<void> {
  return new Promise((resolve) => {
    const socket = connect(Number(url.port), url.hostname, () => socket.write(`POST ${path} HTTP/1.1\r\nHost: x\r\nbroken header line\r\n\r\n`));
    socket.on("data", () => socket.end());
    socket.on("close", () => resolve());
    socket.on("error", () => resolve());
  });
}

describe("hostile: the path token never reaches a log line", () => {
  it("logs every request to the token route with the token cut, in every spelling", async () => {
    const statuses: Record<string, number> = {};
    for (const method of METHODS) {
      for (const path of PATHS) {
        const status = await send(method, path);
        statuses[status] = (statuses[status] ?? 0) + 1;
      }
    }
    for (const path of PATHS) await sendMalformed(path);
    await new Promise((resolve) => setTimeout(resolve, 200));

    const output = lines.join("");
    const found = Object.entries(FORMS).filter(([, form]) => output.includes(form)).map(([name]) => name);
    const redacted = lines.filter((line) => line.includes("handover/chatwoot/[redacted]")).length;
    const requests = METHODS.length * PATHS.length + PATHS.length;
    writeHostileReport("path-token-logs", { requests, statuses, logLines: lines.length, linesWithTheRouteRedacted: redacted, formsChecked: Object.keys(FORMS).length, bytesSearched: output.length, found });

    expect(statuses[200]).toBeGreaterThanOrEqual(1);
    // Each request Fastify routed (200, 401, 404) was logged, with the route cut.
    expect(redacted).toBeGreaterThanOrEqual((statuses[200] ?? 0) + (statuses[401] ?? 0) + (statuses[404] ?? 0));
    expect(found).toEqual([]);
  });
});
