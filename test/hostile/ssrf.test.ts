import { createServer, type Server } from "http";
import { AttachmentError, fetchAttachment, type FetchAttachmentOptions, type Resolver } from "../../src/attachments/fetch-attachment";
import { isPrivateAddress } from "../../src/attachments/private-address";
import { createDeadline } from "../../src/chatwoot/deadline";
import { loadAxios } from "../../src/vendor/load-axios";
import { writeHostileReport } from "../support/hostile-report";
import { listenOnFreePort } from "../support/listen";

/**
 * SSRF (issue 12, item 3). A user's attachment URL must never make the
 * extension fetch something inside the network: not through HTTP(S)_PROXY
 * (which resolves names itself), not through an IPv6 form that embeds an
 * IPv4 address, not through a name on the designer's allow-list that points
 * inside. Every attempt goes through the real download path (fetchAttachment,
 * axios) with a recording proxy set in the environment and a fake DNS; no
 * packet leaves the machine (unknown names fail, the proxy forwards nothing).
 */

const PROXY_VARIABLES = ["HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "NO_PROXY", "no_proxy"] as const;
const savedEnv = new Map<string, string | undefined>();

let internal: Server;
let internalPort: number;
const internalRequests: string[] = [];
let proxy: Server;
const proxyRequests: string[] = [];
const resolved: string[] = [];

/** The fake DNS: attacker names pointing inside; anything else does not exist. */
const DNS: Record<string, string[]> = {
  "metadata.google.internal": ["169.254.169.254"],
  "rebind.attacker.example": ["127.0.0.1"],
  "nat64.attacker.example": ["64:ff9b:1::a9fe:a9fe"],
  "nat64wk.attacker.example": ["64:ff9b::a9fe:a9fe"],
  "teredo.attacker.example": ["2001:0:4136:e378:8000:63bf:3fff:fdd2"],
  "sixtofour.attacker.example": ["2002:a9fe:a9fe::1"],
  "mapped.attacker.example": ["::ffff:7f00:1"],
  "ula.attacker.example": ["fd00::1"],
  "mixed.attacker.example": ["93.184.216.34", "10.0.0.1"],
  "allowed.files.example": ["127.0.0.1"],
  "cdn.files.example": ["10.1.2.3"],
  "files.public.example": ["127.0.0.1"],
};

const fakeDns: Resolver = async (hostname) => {
  resolved.push(hostname);
  const addresses = DNS[hostname.toLowerCase()];
  if (addresses === undefined) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: "ENOTFOUND" });
  return addresses.map((address) => ({ address, family: address.includes(":") ? 6 : 4 }));
};

beforeAll(async () => {
  internal = createServer((req, res) => {
    internalRequests.push(req.url ?? "");
    if (req.url === "/redirect-inside") return void res.writeHead(302, { location: `http://localhost.:${internalPort}/secret` }).end();
    if (req.url === "/redirect-metadata") return void res.writeHead(302, { location: "http://metadata.google.internal/computeMetadata/v1/" }).end();
    res.writeHead(200, { "content-type": "text/plain" }).end("internal secret");
  });
  internalPort = await listenOnFreePort(internal);
  // Records what it is asked for (absolute-URI requests and CONNECT) and forwards nothing.
  proxy = createServer((req, res) => {
    proxyRequests.push(`${req.method ?? ""} ${req.url ?? ""}`);
    res.writeHead(200, { "content-type": "text/plain" }).end("fetched by the proxy");
  });
  proxy.on("connect", (req: { url?: string }, socket: NodeJS.WritableStream & { destroy(): void }) => {
    proxyRequests.push(`CONNECT ${req.url ?? ""}`);
    socket.destroy();
  });
  const proxyUrl = `http://127.0.0.1:${await listenOnFreePort(proxy)}`;
  for (const name of PROXY_VARIABLES) savedEnv.set(name, process.env[name]);
  process.env.HTTP_PROXY = proxyUrl;
  process.env.HTTPS_PROXY = proxyUrl;
  process.env.http_proxy = proxyUrl;
  process.env.https_proxy = proxyUrl;
  delete process.env.NO_PROXY;
  delete process.env.no_proxy;
});

afterAll(async () => {
  for (const [name, value] of savedEnv) {
    if (value === undefined) Reflect.deleteProperty(process.env, name);
    else process.env[name] = value;
  }
  for (const server of [internal, proxy]) {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

function options(allowedHosts: readonly string[] = []): FetchAttachmentOptions {
  return { allowedHosts, deadline: createDeadline(10_000), timeoutMs: 2000, resolve: fakeDns };
}

interface Attack {
  form: string;
  url: () => string;
  allowedHosts?: string[];
}

const ATTACKS: Attack[] = [
  // Internal by name: refused before DNS, so the proxy never gets to resolve them.
  { form: "metadata.google.internal", url: () => "http://metadata.google.internal/computeMetadata/v1/instance/service-accounts/default/token" },
  { form: "metadata.google.internal. (trailing dot)", url: () => "http://metadata.google.internal./computeMetadata/v1/" },
  { form: "https metadata.google.internal", url: () => "https://metadata.google.internal/computeMetadata/v1/" },
  { form: "localhost", url: () => `http://localhost:${internalPort}/secret` },
  { form: "localhost. (trailing dot)", url: () => `http://localhost.:${internalPort}/secret` },
  { form: "*.localhost", url: () => `http://admin.localhost:${internalPort}/secret` },
  { form: "*.internal", url: () => `http://db.internal:${internalPort}/secret` },
  { form: "single-label intranet host", url: () => `http://intranet:${internalPort}/secret` },
  { form: "single-label metadata", url: () => "http://metadata/computeMetadata/v1/" },
  // Addresses written in the URL.
  { form: "169.254.169.254", url: () => "http://169.254.169.254/latest/meta-data/" },
  { form: "127.0.0.1", url: () => `http://127.0.0.1:${internalPort}/secret` },
  { form: "decimal 2130706433", url: () => `http://2130706433:${internalPort}/secret` },
  { form: "IPv4-mapped ::ffff:127.0.0.1", url: () => `http://[::ffff:127.0.0.1]:${internalPort}/secret` },
  { form: "IPv4-compatible ::127.0.0.1", url: () => `http://[::127.0.0.1]:${internalPort}/secret` },
  { form: "NAT64 64:ff9b::/96", url: () => "http://[64:ff9b::a9fe:a9fe]/latest/meta-data/" },
  { form: "NAT64 local use 64:ff9b:1::/48", url: () => "http://[64:ff9b:1::a9fe:a9fe]/latest/meta-data/" },
  { form: "Teredo 2001::/32", url: () => "http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/" },
  { form: "6to4 2002::/16 of 10.0.0.1", url: () => "http://[2002:a00:1::1]/" },
  { form: "ULA fd00::/8", url: () => "http://[fd00::1]/" },
  { form: "link-local fe80::/10", url: () => "http://[fe80::1]/" },
  // Public-looking names that resolve inside.
  { form: "name -> 127.0.0.1", url: () => `http://rebind.attacker.example:${internalPort}/secret` },
  { form: "https name -> 127.0.0.1", url: () => `https://rebind.attacker.example:${internalPort}/secret` },
  { form: "name -> NAT64 local use", url: () => "http://nat64.attacker.example/" },
  { form: "name -> NAT64 well-known", url: () => "http://nat64wk.attacker.example/" },
  { form: "name -> Teredo", url: () => "http://teredo.attacker.example/" },
  { form: "name -> 6to4 of 169.254.169.254", url: () => "http://sixtofour.attacker.example/" },
  { form: "name -> IPv4-mapped loopback", url: () => "http://mapped.attacker.example/" },
  { form: "name -> ULA", url: () => "http://ula.attacker.example/" },
  { form: "name -> one public, one private address", url: () => "http://mixed.attacker.example/" },
  { form: "name that does not resolve (the proxy might)", url: () => "http://only-the-proxy-knows.example/" },
  // The designer's allow-list narrows, it never lets a private target through.
  { form: "allowed name -> 127.0.0.1", url: () => `http://allowed.files.example:${internalPort}/secret`, allowedHosts: ["allowed.files.example"] },
  { form: "allowed *.files.example -> 10.1.2.3", url: () => "http://cdn.files.example/a.png", allowedHosts: ["*.files.example"] },
  { form: "allowed 127.0.0.1", url: () => `http://127.0.0.1:${internalPort}/secret`, allowedHosts: ["127.0.0.1"] },
  { form: "allowed localhost", url: () => `http://localhost:${internalPort}/secret`, allowedHosts: ["localhost"] },
  { form: "allowed *.google.internal", url: () => "http://metadata.google.internal/computeMetadata/v1/", allowedHosts: ["*.google.internal"] },
  { form: "allowed ::1", url: () => `http://[::1]:${internalPort}/secret`, allowedHosts: ["::1"] },
];

const report = { command: "npx jest test/hostile/ssrf.test.ts", forms: 0, refused: 0, fetched: 0, proxyRequests: 0, internalRequests: 0, redirectsRefused: 0, controlDownloadsDirect: 0, proxyHonouredByDefault: false };

afterAll(() => {
  writeHostileReport("ssrf", report);
});

describe("SSRF with HTTP(S)_PROXY set, through the real download path", () => {
  it("the recording proxy is live: a plain axios request with these variables goes to it", async () => {
    const axios = await loadAxios();
    const response = await axios.get<string>("http://metadata.google.internal/computeMetadata/v1/", { responseType: "text", timeout: 2000 });
    expect(response.data).toBe("fetched by the proxy");
    expect(proxyRequests).toEqual(["GET http://metadata.google.internal/computeMetadata/v1/"]);
    report.proxyHonouredByDefault = true;
    proxyRequests.length = 0;
  });

  it.each(ATTACKS)("refuses $form and asks neither the proxy nor the target", async ({ url, allowedHosts }) => {
    report.forms += 1;
    const before = { proxy: proxyRequests.length, internal: internalRequests.length };
    const attempt = fetchAttachment({ url: url(), name: "", contentType: null }, options(allowedHosts));
    await expect(attempt).rejects.toBeInstanceOf(AttachmentError);
    await attempt.catch(() => undefined);
    report.refused += 1;
    report.proxyRequests += proxyRequests.length - before.proxy;
    report.internalRequests += internalRequests.length - before.internal;
    expect(proxyRequests.length - before.proxy).toBe(0);
    expect(internalRequests.length - before.internal).toBe(0);
  });

  it("refuses every redirect that leads inside, from a host the test treats as public", async () => {
    const publicLoopback: FetchAttachmentOptions = { ...options(), isPrivate: (address) => address !== "127.0.0.1" && isPrivateAddress(address) };
    for (const path of ["/redirect-inside", "/redirect-metadata"]) {
      const attempt = fetchAttachment({ url: `http://files.public.example:${internalPort}${path}`, name: "", contentType: null }, publicLoopback);
      await expect(attempt).rejects.toThrow(/is private/);
      report.redirectsRefused += 1;
    }
    expect(internalRequests).toEqual(["/redirect-inside", "/redirect-metadata"]);
    expect(proxyRequests).toEqual([]);
    internalRequests.length = 0;
  });

  it("downloads an allowed public file directly, bypassing the proxy, at the address it checked", async () => {
    const publicLoopback: FetchAttachmentOptions = { ...options(["files.public.example"]), isPrivate: (address) => address !== "127.0.0.1" && isPrivateAddress(address) };
    const file = await fetchAttachment({ url: `http://files.public.example:${internalPort}/report.pdf`, name: "", contentType: null }, publicLoopback);
    expect(file.data.toString()).toBe("internal secret");
    expect(internalRequests).toEqual(["/report.pdf"]);
    expect(proxyRequests).toEqual([]);
    report.controlDownloadsDirect += 1;
    internalRequests.length = 0;
  });

  it("counts: every form refused, nothing asked of the proxy or the internal server", () => {
    report.fetched = report.forms - report.refused;
    expect(report).toMatchObject({ forms: ATTACKS.length, refused: ATTACKS.length, fetched: 0, proxyRequests: 0, internalRequests: 0, redirectsRefused: 2, controlDownloadsDirect: 1 });
    expect(resolved).not.toContain("metadata.google.internal");
  });
});
