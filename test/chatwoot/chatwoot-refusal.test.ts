import { classifyRefusal, refusalHint } from "../../src/chatwoot/chatwoot-refusal";

describe("classifyRefusal: Chatwoot's 401 texts (platform-sources.md C10)", () => {
  it.each([
    [401, "Invalid Access Token", "invalid_token"],
    [401, "Access to this endpoint is not authorized for bots", "bot_not_allowed"],
    [401, "You are not authorized to do this action", "not_permitted"],
    [401, "You are not authorized to access this account", "no_account_access"],
    [401, "You need to sign in or sign up before continuing.", null],
    [401, null, null],
    [403, "You are not authorized to do this action", null],
    [404, "Resource could not be found", null],
  ] as const)("%i %p → %p", (status, text, expected) => {
    expect(classifyRefusal(status, text)).toBe(expected);
  });

  it("reads at most 300 characters of a hostile text", () => {
    expect(classifyRefusal(401, `${"x".repeat(1_000_000)}Invalid Access Token`)).toBeNull();
  });
});

describe("refusalHint: what the designer can do", () => {
  it.each([
    ["invalid_token", undefined, "does not know the token"],
    ["no_account_access", undefined, "check the connection's account ID"],
    ["not_permitted", undefined, 'lacks permission for "set labels"'],
    ["bot_not_allowed", "4.14.2", "only from version 4.14.2 on"],
    ["bot_not_allowed", "4.2", "only from version 4.2 on"],
    ["bot_not_allowed", "never", "never lets agent-bot tokens make this call"],
    [null, undefined, "Check the connection's API key (agent-bot tokens may call only some endpoints)."],
  ] as const)("%p (bot access %p) says %p", (refusal, bot, expected) => {
    expect(refusalHint("set labels", refusal, bot)).toContain(expected);
  });

  it("never blames the key for a permission or version refusal", () => {
    expect(refusalHint("x", "not_permitted", undefined)).not.toContain("API key");
    expect(refusalHint("x", "bot_not_allowed", "4.2")).not.toContain("Check the connection's API key");
  });
});
