import { checkAttachmentUrl } from "../../src/attachments/attachment-policy";

describe("checkAttachmentUrl without an allow-list", () => {
  it.each([
    "https://cdn.example.com/files/report.pdf",
    "http://files.example.com/a.png?sig=abc",
    "https://8.8.8.8/a.png",
    "https://[2606:4700:4700::1111]/a.png",
    "https://example.com:8443/a.png",
  ])("allows the public URL %s", (raw) => {
    const verdict = checkAttachmentUrl(raw, []);
    expect(verdict.ok).toBe(true);
    expect(verdict.ok && verdict.url.href).toBe(new URL(raw).href);
  });

  it.each([
    { raw: "http://localhost/a.png", reason: "host localhost is private" },
    { raw: "http://LOCALHOST:8080/a.png", reason: "host localhost is private" },
    { raw: "http://api.localhost/a.png", reason: "host api.localhost is private" },
    { raw: "http://localhost./a.png", reason: "host localhost. is private" },
    { raw: "http://metadata.google.internal/computeMetadata/v1/", reason: "host metadata.google.internal is private" },
    { raw: "http://METADATA.GOOGLE.INTERNAL./x", reason: "host metadata.google.internal. is private" },
    { raw: "http://db.internal/a.png", reason: "host db.internal is private" },
    { raw: "http://printer.local/a.png", reason: "host printer.local is private" },
    { raw: "http://nas.home.arpa/a.png", reason: "host nas.home.arpa is private" },
    { raw: "http://intranet/a.png", reason: "host intranet is private" },
    { raw: "http://metadata/computeMetadata/v1/", reason: "host metadata is private" },
    { raw: "http://127.0.0.1/a.png", reason: "host 127.0.0.1 is private" },
    { raw: "http://127.1/a.png", reason: "host 127.0.0.1 is private" },
    { raw: "http://2130706433/a.png", reason: "host 127.0.0.1 is private" },
    { raw: "http://0x7f.0.0.1/a.png", reason: "host 127.0.0.1 is private" },
    { raw: "http://169.254.169.254/latest/meta-data/", reason: "host 169.254.169.254 is private" },
    { raw: "http://10.0.0.8/a.png", reason: "host 10.0.0.8 is private" },
    { raw: "http://192.168.0.1/a.png", reason: "host 192.168.0.1 is private" },
    { raw: "http://0.0.0.0/a.png", reason: "host 0.0.0.0 is private" },
    { raw: "http://[::1]/a.png", reason: "host ::1 is private" },
    { raw: "http://[fd00::5]/a.png", reason: "host fd00::5 is private" },
    { raw: "http://[fe80::1]/a.png", reason: "host fe80::1 is private" },
  ])("refuses the private URL $raw", ({ raw, reason }) => {
    expect(checkAttachmentUrl(raw, [])).toEqual({ ok: false, reason });
  });

  it.each([
    { raw: "file:///etc/passwd", reason: "protocol file: is not allowed" },
    { raw: "ftp://files.example.com/a.png", reason: "protocol ftp: is not allowed" },
    { raw: "data:image/png;base64,AAAA", reason: "protocol data: is not allowed" },
    { raw: "javascript:alert(1)", reason: "protocol javascript: is not allowed" },
    { raw: "gopher://example.com/", reason: "protocol gopher: is not allowed" },
  ])("refuses the protocol of $raw", ({ raw, reason }) => {
    expect(checkAttachmentUrl(raw, [])).toEqual({ ok: false, reason });
  });

  it.each(["https://user:pw@cdn.example.com/a.png", "https://user@cdn.example.com/a.png"])("refuses %s, which carries credentials", (raw) => {
    expect(checkAttachmentUrl(raw, [])).toEqual({ ok: false, reason: "URLs with credentials are not allowed" });
  });

  it.each(["", "/relative/a.png", "cdn.example.com/a.png", "https://"])("refuses %p, which is not a URL", (raw) => {
    expect(checkAttachmentUrl(raw, [])).toEqual({ ok: false, reason: "not a URL" });
  });
});

describe("checkAttachmentUrl with an allow-list", () => {
  const ALLOWED = ["files.example.com", " *.CDN.example.com "];

  it.each([
    { raw: "https://files.example.com/a.png", ok: true },
    { raw: "https://FILES.example.com/a.png", ok: true },
    { raw: "https://eu.cdn.example.com/a.png", ok: true },
    { raw: "https://a.b.cdn.example.com/a.png", ok: true },
    { raw: "https://cdn.example.com/a.png", ok: false },
    { raw: "https://evilcdn.example.com/a.png", ok: false },
    { raw: "https://cdn.example.com.evil.com/a.png", ok: false },
    { raw: "https://sub.files.example.com/a.png", ok: false },
    { raw: "https://files.example.com.evil.com/a.png", ok: false },
    { raw: "https://other.example.com/a.png", ok: false },
  ])("decides $raw: $ok", ({ raw, ok }) => {
    const verdict = checkAttachmentUrl(raw, ALLOWED);
    expect(verdict.ok).toBe(ok);
    if (!verdict.ok) expect(verdict.reason).toMatch(/is not in the allowed attachment hosts$/);
  });

  it.each([
    { raw: "http://10.0.0.8:9000/bucket/a.png", allowed: ["10.0.0.8"], reason: "host 10.0.0.8 is private" },
    { raw: "http://[::1]:9000/a.png", allowed: ["::1"], reason: "host ::1 is private" },
    { raw: "http://localhost/a.png", allowed: ["localhost"], reason: "host localhost is private" },
    { raw: "http://localhost./a.png", allowed: ["localhost"], reason: "host localhost. is private" },
    { raw: "http://metadata.google.internal/computeMetadata/v1/", allowed: ["*.google.internal"], reason: "host metadata.google.internal is private" },
    { raw: "http://files/a.png", allowed: ["files"], reason: "host files is private" },
  ])("refuses $raw even when the designer listed it (issue 12: the allow-list narrows, never widens)", ({ raw, allowed, reason }) => {
    expect(checkAttachmentUrl(raw, allowed)).toEqual({ ok: false, reason });
  });

  it("still refuses other protocols and credentials for a listed host", () => {
    expect(checkAttachmentUrl("ftp://files.example.com/a.png", ALLOWED).ok).toBe(false);
    expect(checkAttachmentUrl("https://u:p@files.example.com/a.png", ALLOWED).ok).toBe(false);
  });

  it("does not let a bare '*.' pattern match every host", () => {
    expect(checkAttachmentUrl("https://example.com/a.png", ["*."]).ok).toBe(false);
  });
});

describe("checkAttachmentUrl: listed hosts the designer trusts as private (on-premises)", () => {
  it.each([
    ["a listed loopback address, trusted", "http://127.0.0.1/f.png", ["127.0.0.1"], true, true],
    ["a listed loopback address, not trusted", "http://127.0.0.1/f.png", ["127.0.0.1"], false, false],
    ["an internal name, listed and trusted", "https://files.corp/f.png", ["files.corp"], true, true],
    ["trust without a list opens nothing", "http://127.0.0.1/f.png", [], true, false],
    ["trust never reaches an unlisted host", "http://10.0.0.5/f.png", ["127.0.0.1"], true, false],
  ] as const)("%s", (_, url, hosts, trust, ok) => {
    expect(checkAttachmentUrl(url, hosts, undefined, trust).ok).toBe(ok);
  });
});

describe("checkAttachmentUrl: bounded before parsing", () => {
  it("refuses a URL over 8,192 characters without parsing it", () => {
    expect(checkAttachmentUrl(`https://cdn.example.com/${"a".repeat(8_200)}`, [])).toEqual({ ok: false, reason: "URL longer than 8192 characters" });
    expect(checkAttachmentUrl(`https://cdn.example.com/${"a".repeat(8_000)}`, []).ok).toBe(true);
  });
});
