import { createServer, type IncomingMessage, type Server, type ServerResponse } from "http";
import { promises as dns } from "dns";
import { hostname } from "os";
import { AttachmentError, fetchAttachment, MAX_ATTACHMENT_BYTES, type FetchAttachmentOptions } from "../../src/attachments/fetch-attachment";
import { isPrivateAddress } from "../../src/attachments/private-address";
import { createDeadline } from "../../src/chatwoot/deadline";
import { listenOnFreePort } from "../support/listen";

const PNG_BYTES = Buffer.from("89504e470d0a1a0a0000000d49484452", "hex");

function route(req: IncomingMessage, res: ServerResponse): void {
  const path = new URL(req.url ?? "/", "http://localhost").pathname;
  switch (path) {
    case "/files/photo.png":
      res.writeHead(200, { "content-type": "image/png; charset=binary" });
      res.end(PNG_BYTES);
      return;
    case "/files/no-type":
      res.writeHead(200);
      res.end("plain bytes");
      return;
    case "/files/my%20report.pdf":
    case "/files/":
      res.writeHead(200, { "content-type": "application/pdf" });
      res.end("%PDF-1.7");
      return;
    case "/files/big.bin":
      res.writeHead(200, { "content-type": "application/octet-stream" });
      res.end(Buffer.alloc(4096, 1));
      return;
    case "/redirect":
      res.writeHead(302, { location: "/files/photo.png" });
      res.end();
      return;
    case "/redirect-out":
      res.writeHead(302, { location: `http://localhost:${port}/files/photo.png` });
      res.end();
      return;
    case "/redirect-loop":
      res.writeHead(302, { location: "/redirect-loop" });
      res.end();
      return;
    case "/files/100%.pdf":
      res.writeHead(200, { "content-type": "application/pdf" });
      res.end("%PDF-1.7");
      return;
    case "/slow":
      return;
    case "/slow-redirect":
      setTimeout(() => res.writeHead(302, { location: "/slow-redirect" }).end(), 300);
      return;
    default:
      res.writeHead(404, { "content-type": "text/plain" });
      res.end("not found");
  }
}

let server: Server;
let port: number;
const requested: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    requested.push(req.url ?? "");
    route(req, res);
  });
  port = await listenOnFreePort(server);
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
  requested.length = 0;
});

/** The test server runs on 127.0.0.1, which these tests treat as public (the product never does, allow-list or not). */
const LOCAL: FetchAttachmentOptions = {
  allowedHosts: ["127.0.0.1"],
  deadline: createDeadline(60_000),
  timeoutMs: 5000,
  isPrivate: (address) => address !== "127.0.0.1" && isPrivateAddress(address),
};

function url(path: string): string {
  return `http://127.0.0.1:${port}${path}`;
}

describe("fetchAttachment from an allowed host", () => {
  it("downloads the bytes under the name and type the input gave", async () => {
    const file = await fetchAttachment({ url: url("/files/photo.png"), name: "Holiday.png", contentType: "image/x-custom" }, LOCAL);
    expect(file).toEqual({ name: "Holiday.png", contentType: "image/x-custom", data: PNG_BYTES });
    expect(requested).toEqual(["/files/photo.png"]);
  });

  it("takes the content type from the response, without parameters, when the input has none", async () => {
    const file = await fetchAttachment({ url: url("/files/photo.png"), name: "", contentType: null }, LOCAL);
    expect(file.contentType).toBe("image/png");
    expect(file.name).toBe("photo.png");
  });

  it("falls back to application/octet-stream when neither gives a type", async () => {
    const file = await fetchAttachment({ url: url("/files/no-type"), name: "x.bin", contentType: null }, LOCAL);
    expect(file.contentType).toBe("application/octet-stream");
    expect(file.data.toString()).toBe("plain bytes");
  });

  it("names the file after the decoded last path segment", async () => {
    const file = await fetchAttachment({ url: url("/files/my%20report.pdf"), name: "", contentType: null }, LOCAL);
    expect(file.name).toBe("my report.pdf");
  });

  it("names a file without name or path segment 'attachment'", async () => {
    const file = await fetchAttachment({ url: url("/files/"), name: "", contentType: null }, LOCAL);
    expect(file.name).toBe("attachment");
  });

  it("replaces line breaks and quotes in the name and keeps it within 200 characters", async () => {
    const file = await fetchAttachment({ url: url("/files/photo.png"), name: `a"b\r\nc${"x".repeat(300)}.png`, contentType: null }, LOCAL);
    expect(file.name.startsWith('a_b__c')).toBe(true);
    expect(file.name).toHaveLength(200);
    expect(file.name).not.toMatch(/[\r\n"]/);
  });

  it("reports an HTTP error with the host and path but not the query, which may hold a token", async () => {
    const attempt = fetchAttachment({ url: url("/files/missing.png?token=s3cr3t-signature"), name: "", contentType: null }, LOCAL);
    await expect(attempt).rejects.toThrow(new AttachmentError(`could not download 127.0.0.1:${port}/files/missing.png: HTTP 404`));
  });

  it("follows a redirect to an allowed host", async () => {
    const file = await fetchAttachment({ url: url("/redirect"), name: "", contentType: null }, LOCAL);
    expect(file.data).toEqual(PNG_BYTES);
    expect(requested).toEqual(["/redirect", "/files/photo.png"]);
  });

  it("checks every redirect target like the first URL and refuses one outside the allow-list", async () => {
    await expect(fetchAttachment({ url: url("/redirect-out"), name: "", contentType: null }, LOCAL)).rejects.toThrow(new AttachmentError("host localhost is not in the allowed attachment hosts"));
    expect(requested).toEqual(["/redirect-out"]);
  });

  it("gives up after three redirects", async () => {
    await expect(fetchAttachment({ url: url("/redirect-loop"), name: "", contentType: null }, LOCAL)).rejects.toThrow("more than 3 redirects");
    expect(requested).toHaveLength(4);
  });

  it("keeps the given name when the URL path has a lone percent sign", async () => {
    const file = await fetchAttachment({ url: url("/files/100%.pdf"), name: "report.pdf", contentType: null }, LOCAL);
    expect(file.name).toBe("report.pdf");
  });

  it("refuses a file larger than the byte limit", async () => {
    const attempt = fetchAttachment({ url: url("/files/big.bin"), name: "", contentType: null }, { ...LOCAL, maxBytes: 1000 });
    await expect(attempt).rejects.toBeInstanceOf(AttachmentError);
    await expect(attempt).rejects.toThrow(`could not download 127.0.0.1:${port}/files/big.bin: larger than 1000 bytes`);
  });

  it("accepts a file exactly at the byte limit", async () => {
    const file = await fetchAttachment({ url: url("/files/big.bin"), name: "", contentType: null }, { ...LOCAL, maxBytes: 4096 });
    expect(file.data).toHaveLength(4096);
  });

  it("keeps Chatwoot's 40 MB limit by default", () => {
    expect(MAX_ATTACHMENT_BYTES).toBe(40 * 1024 * 1024);
  });

  it("gives up on a server that does not answer within the timeout", async () => {
    const started = Date.now();
    await expect(fetchAttachment({ url: url("/slow"), name: "", contentType: null }, { ...LOCAL, timeoutMs: 300 })).rejects.toBeInstanceOf(AttachmentError);
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it("keeps every redirect hop within the overall download deadline", async () => {
    const started = Date.now();
    const attempt = fetchAttachment({ url: url("/slow-redirect"), name: "", contentType: null }, { ...LOCAL, deadline: createDeadline(800), timeoutMs: 5000 });
    await expect(attempt).rejects.toBeInstanceOf(AttachmentError);
    expect(Date.now() - started).toBeLessThan(1_500);
  });

  it("reports a refused connection as an AttachmentError", async () => {
    const closed = createServer();
    const closedPort = await listenOnFreePort(closed);
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const attempt = fetchAttachment({ url: `http://127.0.0.1:${closedPort}/a.png`, name: "", contentType: null }, LOCAL);
    await expect(attempt).rejects.toThrow(`could not download 127.0.0.1:${closedPort}/a.png: ECONNREFUSED`);
  });
});

describe("fetchAttachment refusing a URL", () => {
  it.each([
    { name: "a loopback address without allow-list", raw: () => url("/files/photo.png"), allowedHosts: [], reason: "host 127.0.0.1 is private" },
    { name: "localhost without allow-list", raw: () => `http://localhost:${port}/files/photo.png`, allowedHosts: [], reason: "host localhost is private" },
    { name: "a host outside the allow-list", raw: () => `http://localhost:${port}/files/photo.png`, allowedHosts: ["127.0.0.1"], reason: "host localhost is not in the allowed attachment hosts" },
    { name: "a file: URL", raw: () => "file:///etc/passwd", allowedHosts: [], reason: "protocol file: is not allowed" },
    { name: "an allowed host that is a loopback address", raw: () => url("/files/photo.png"), allowedHosts: ["127.0.0.1"], reason: "host 127.0.0.1 is private" },
    { name: "localhost. with a trailing dot", raw: () => `http://localhost.:${port}/files/photo.png`, allowedHosts: [], reason: "host localhost. is private" },
    { name: "loopback written as IPv4-mapped IPv6", raw: () => `http://[::ffff:127.0.0.1]:${port}/files/photo.png`, allowedHosts: [], reason: "host ::ffff:7f00:1 is private" },
  ])("refuses $name before any request", async ({ raw, allowedHosts, reason }) => {
    await expect(fetchAttachment({ url: raw(), name: "", contentType: null }, { allowedHosts, deadline: createDeadline(5_000), timeoutMs: 2000 })).rejects.toThrow(new AttachmentError(reason));
    expect(requested).toEqual([]);
  });

  it("refuses a host name that resolves to a private address (the machine's own name)", async () => {
    const own = hostname().toLowerCase();
    const addresses = await dns.lookup(own, { all: true });
    expect(addresses.length).toBeGreaterThan(0);
    const attempt = fetchAttachment({ url: `http://${own}:${port}/files/photo.png`, name: "", contentType: null }, { allowedHosts: [], deadline: createDeadline(5_000), timeoutMs: 2000 });
    // A single-label name is refused by its spelling, before DNS; a dotted one after.
    await expect(attempt).rejects.toThrow(new AttachmentError(own.includes(".") ? `host ${own} resolves to a private address` : `host ${own} is private`));
    expect(requested).toEqual([]);
  });
});
