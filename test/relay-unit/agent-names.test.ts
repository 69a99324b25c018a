import { MAX_AGENT_NAME_LENGTH } from "../../src/chatwoot/chatwoot-responses";
import { createAgentNames } from "../../src/relay/agent-names";

describe("agent names: the cache of what agents show customers, by account and user", () => {
  it("keys names by account and user: the same user id in two accounts are two agents", () => {
    const names = createAgentNames();
    names.remember(1, 7, "Anna");
    names.remember(2, 7, "Annette");
    names.remember(1, 17, "Bob");
    expect([names.get(1, 7), names.get(2, 7), names.get(1, 17), names.get(17, 1), names.get(11, 7)]).toEqual(["Anna", "Annette", "Bob", undefined, undefined]);
  });

  it("keeps the newest name of an agent (a changed display name), counted once", () => {
    const names = createAgentNames();
    names.remember(1, 7, "Anna Agent");
    const before = names.size();
    names.remember(1, 7, "Anna");
    expect(names.get(1, 7)).toBe("Anna");
    expect(names.size()).toEqual({ count: 1, bytes: before.bytes - 2 * "Anna Agent".length + 2 * "Anna".length });
  });

  it("stays within its byte cap, dropping the names least recently used first", () => {
    const names = createAgentNames(2_000);
    for (let user = 1; user <= 100; user += 1) {
      names.remember(1, user, `Agent number ${user}`);
      if (user > 3) names.get(1, 1);
      expect(names.size().bytes).toBeLessThanOrEqual(2_000);
    }
    const kept = Array.from({ length: 100 }, (_, index) => index + 1).filter((user) => names.get(1, user) !== undefined);
    expect(kept.length).toBeGreaterThan(5);
    expect(kept.length).toBeLessThan(100);
    // Agent 1 was read after every write: never the least recently used. The newest are kept, the oldest gone.
    expect(kept).toContain(1);
    expect(kept).toContain(100);
    expect(kept).not.toContain(2);
    expect(names.size().count).toBe(kept.length);
  });

  it("holds a million hostile names in the same bytes: each clipped to MAX_AGENT_NAME_LENGTH characters", () => {
    const names = createAgentNames(64 * 1024);
    const huge = "x".repeat(100_000);
    for (let user = 1; user <= 1_000; user += 1) names.remember(1, user, huge);
    expect(names.size().bytes).toBeLessThanOrEqual(64 * 1024);
    expect(names.get(1, 1_000)).toHaveLength(MAX_AGENT_NAME_LENGTH);
    expect(names.get(1, 1_000)?.endsWith("…")).toBe(true);
  });

  it.each<[string, number, number, string]>([
    ["account 0 (unknown)", 0, 7, "Anna"],
    ["a negative user id", 1, -7, "Anna"],
    ["a fractional user id", 1, 7.5, "Anna"],
    ["an unsafe integer", 1, 2 ** 60, "Anna"],
    ["a blank name", 1, 7, "   "],
  ])("remembers nothing for %s", (_, accountId, userId, name) => {
    const names = createAgentNames();
    names.remember(accountId, userId, name);
    expect(names.size()).toEqual({ count: 0, bytes: 0 });
  });

  it("keeps nothing when one entry alone is over the cap", () => {
    const names = createAgentNames(100);
    names.remember(1, 7, "Anna");
    expect(names.size()).toEqual({ count: 0, bytes: 0 });
    expect(names.get(1, 7)).toBeUndefined();
  });
});
