import { accountKey, MIN_RELAY_SECRET_LENGTH, parseChatwootConnection } from "../../connections/parse-chatwoot-connection";
import { normaliseChatwootBaseUrl } from "../../src/chatwoot/chatwoot-base-url";

const API_KEY = "hT3xQ9vLk2PzW8mN";
const RELAY_SECRET = "s3cr3t-relay-value-with-enough-length-0123";
const VALID = { baseUrl: "https://chat.example.com", accountId: 3, apiKey: API_KEY, relaySecret: RELAY_SECRET };

describe("normaliseChatwootBaseUrl", () => {
  it.each([
    { raw: "https://chat.example.com", expected: "https://chat.example.com" },
    { raw: "https://chat.example.com/", expected: "https://chat.example.com" },
    { raw: "https://chat.example.com//", expected: "https://chat.example.com" },
    { raw: "  https://chat.example.com  ", expected: "https://chat.example.com" },
    { raw: "https://chat.example.com/api/v1", expected: "https://chat.example.com" },
    { raw: "https://chat.example.com/api/v1/", expected: "https://chat.example.com" },
    { raw: "https://chat.example.com/API/V1", expected: "https://chat.example.com" },
    { raw: "https://example.com/chatwoot", expected: "https://example.com/chatwoot" },
    { raw: "https://example.com/chatwoot/api/v1/", expected: "https://example.com/chatwoot" },
    { raw: "HTTPS://Chat.Example.COM", expected: "https://chat.example.com" },
    { raw: "https://chat.example.com:443/", expected: "https://chat.example.com" },
    { raw: "http://localhost:3000", expected: "http://localhost:3000" },
    { raw: "http://10.0.0.5:8080/api/v1", expected: "http://10.0.0.5:8080" },
    { raw: "https://chat.example.com/api/v10", expected: "https://chat.example.com/api/v10" },
  ])("normalises $raw to $expected", ({ raw, expected }) => {
    expect(normaliseChatwootBaseUrl(raw)).toBe(expected);
  });

  it.each([
    { name: "not a URL", raw: "chat.example.com" },
    { name: "empty", raw: "" },
    { name: "ftp", raw: "ftp://chat.example.com" },
    { name: "javascript", raw: "javascript:alert(1)" },
    { name: "credentials", raw: "https://admin:pw@chat.example.com" },
    { name: "a user name", raw: "https://admin@chat.example.com" },
    { name: "a query", raw: "https://chat.example.com?account=3" },
    { name: "a fragment", raw: "https://chat.example.com/#/app" },
  ])("refuses $name", ({ raw }) => {
    expect(normaliseChatwootBaseUrl(raw)).toBeUndefined();
  });
});

describe("parseChatwootConnection", () => {
  it("accepts a complete connection and normalises it", () => {
    expect(parseChatwootConnection({ ...VALID, baseUrl: "https://chat.example.com/api/v1/", accountId: "3", apiKey: ` ${API_KEY}\n` })).toEqual({
      ok: true,
      connection: { baseUrl: "https://chat.example.com", accountId: 3, apiKey: API_KEY, relaySecret: RELAY_SECRET },
    });
  });

  it.each([undefined, null, "my-connection", [VALID]])("asks for a connection when the node has %p", (value) => {
    expect(parseChatwootConnection(value)).toEqual({ ok: false, field: "connection", message: "No Chatwoot connection is selected on this node." });
  });

  it.each([
    { problem: "baseUrl missing", change: { baseUrl: undefined }, field: "baseUrl", says: "is missing" },
    { problem: "baseUrl blank", change: { baseUrl: "   " }, field: "baseUrl", says: "is missing" },
    { problem: "baseUrl a number", change: { baseUrl: 443 }, field: "baseUrl", says: "is missing" },
    { problem: "baseUrl without scheme", change: { baseUrl: "chat.example.com" }, field: "baseUrl", says: "must be an http(s) URL" },
    { problem: "baseUrl with a query", change: { baseUrl: "https://chat.example.com/?x=1" }, field: "baseUrl", says: "must be an http(s) URL" },
    { problem: "accountId missing", change: { accountId: undefined }, field: "accountId", says: "is missing" },
    { problem: "accountId null", change: { accountId: null }, field: "accountId", says: "is missing" },
    { problem: "accountId empty", change: { accountId: "" }, field: "accountId", says: "is missing" },
    { problem: "accountId 0", change: { accountId: 0 }, field: "accountId", says: "must be a positive whole number" },
    { problem: "accountId negative", change: { accountId: "-3" }, field: "accountId", says: "must be a positive whole number" },
    { problem: "accountId fractional", change: { accountId: 1.5 }, field: "accountId", says: "must be a positive whole number" },
    { problem: "accountId not a number", change: { accountId: "three" }, field: "accountId", says: "must be a positive whole number" },
    { problem: "apiKey missing", change: { apiKey: undefined }, field: "apiKey", says: "is missing" },
    { problem: "apiKey blank", change: { apiKey: "  " }, field: "apiKey", says: "is missing" },
    { problem: "apiKey with a space inside", change: { apiKey: "hT3xQ9vL k2PzW8mN" }, field: "apiKey", says: "is malformed" },
    { problem: "apiKey too short", change: { apiKey: "abc1234" }, field: "apiKey", says: "is malformed" },
    { problem: "relaySecret missing", change: { relaySecret: undefined }, field: "relaySecret", says: "is missing" },
    { problem: "relaySecret empty", change: { relaySecret: "" }, field: "relaySecret", says: "is missing" },
    { problem: "relaySecret a number", change: { relaySecret: 12345 }, field: "relaySecret", says: "is missing" },
    { problem: "relaySecret too short", change: { relaySecret: "x".repeat(MIN_RELAY_SECRET_LENGTH - 1) }, field: "relaySecret", says: `must be at least ${MIN_RELAY_SECRET_LENGTH} characters long` },
  ])("names the field when $problem", ({ change, field, says }) => {
    const result = parseChatwootConnection({ ...VALID, ...change });
    expect(result).toEqual({ ok: false, field, message: expect.stringContaining(`field "${field}" ${says}`) });
  });

  it(`accepts a relay secret of exactly ${MIN_RELAY_SECRET_LENGTH} characters`, () => {
    expect(parseChatwootConnection({ ...VALID, relaySecret: "x".repeat(MIN_RELAY_SECRET_LENGTH) }).ok).toBe(true);
  });

  it("reports the first problem in field order", () => {
    expect(parseChatwootConnection({ accountId: "x" })).toMatchObject({ ok: false, field: "baseUrl" });
    expect(parseChatwootConnection({ baseUrl: VALID.baseUrl, apiKey: "" })).toMatchObject({ ok: false, field: "accountId" });
  });

  it.each([
    { name: "a malformed API key", change: { apiKey: "secret token value" }, secret: "secret token value" },
    { name: "a short relay secret", change: { relaySecret: "short-relay-secret" }, secret: "short-relay-secret" },
    { name: "a URL with a password", change: { baseUrl: "https://admin:hunter2-password@chat.example.com" }, secret: "hunter2-password" },
  ])("never echoes a secret in the message for $name", ({ change, secret }) => {
    const result = parseChatwootConnection({ ...VALID, ...change });
    expect(result.ok).toBe(false);
    expect(JSON.stringify(result)).not.toContain(secret);
  });
});

describe("accountKey", () => {
  it("identifies the account by base URL and id", () => {
    expect(accountKey({ baseUrl: "https://chat.example.com", accountId: 3, apiKey: API_KEY, relaySecret: RELAY_SECRET })).toBe("https://chat.example.com#3");
  });

  it("tells apart the same account id on two Chatwoot installations", () => {
    const a = accountKey({ baseUrl: "https://a.example.com", accountId: 3, apiKey: API_KEY, relaySecret: RELAY_SECRET });
    const b = accountKey({ baseUrl: "https://b.example.com", accountId: 3, apiKey: API_KEY, relaySecret: RELAY_SECRET });
    expect(a).not.toBe(b);
  });
});

describe("parseChatwootConnection: the inbox's HMAC token (identity validation, C4)", () => {
  it.each([
    { name: "absent", hmacToken: undefined, expected: undefined },
    { name: "null", hmacToken: null, expected: undefined },
    { name: "empty", hmacToken: "", expected: undefined },
    { name: "blank", hmacToken: "   ", expected: undefined },
    { name: "set", hmacToken: "Xy9hmacTOKENabc", expected: "Xy9hmacTOKENabc" },
    { name: "set, with spaces around", hmacToken: "  Xy9hmacTOKENabc \n", expected: "Xy9hmacTOKENabc" },
  ])("$name → identityToken $expected", ({ hmacToken, expected }) => {
    const parsed = parseChatwootConnection({ ...VALID, hmacToken });
    expect(parsed.ok && parsed.connection.identityToken).toBe(expected === undefined ? undefined : expected);
  });

  it.each([
    { name: "a number", hmacToken: 42, problem: "must be text" },
    { name: "with a space inside", hmacToken: "abc def", problem: "is malformed" },
  ])("refuses $name, without echoing it", ({ hmacToken, problem }) => {
    const parsed = parseChatwootConnection({ ...VALID, hmacToken });
    expect(parsed).toMatchObject({ ok: false, field: "hmacToken" });
    expect(parsed.ok ? "" : parsed.message).toContain(problem);
    expect(parsed.ok ? "" : parsed.message).not.toContain("abc def");
  });
});
