import { ChatwootApiError } from "../../src/chatwoot/chatwoot-api-error";
import { MAX_AGENT_NAME_LENGTH, MAX_LISTED_AGENTS, parseAgentList } from "../../src/chatwoot/chatwoot-responses";
import type { AgentName } from "../../src/chatwoot/chatwoot-types";
import { AGENT_LISTING_INTERVAL_MS, createAgentDirectory } from "../../src/relay/agent-directory";
import { createAgentNames } from "../../src/relay/agent-names";
import { createRelayMetrics } from "../../src/relay/relay-metrics";
import { metricValue } from "../support/prometheus-text";

describe("parseAgentList: GET /agents (agents/index.json.jbuilder, models/_agent.json.jbuilder)", () => {
  const agent = { id: 7, account_id: 1, availability_status: "online", auto_offline: true, confirmed: true, email: "anna@example.com", provider: "email", available_name: "Anna", name: "Anna Agent", role: "agent", thumbnail: "" };
  it.each<[string, unknown, AgentName[] | undefined]>([
    ["the display name (available_name)", [agent], [{ id: 7, availableName: "Anna" }]],
    ["the name when available_name is missing or blank", [{ ...agent, available_name: undefined }, { ...agent, id: 8, available_name: " " }], [{ id: 7, availableName: "Anna Agent" }, { id: 8, availableName: "Anna Agent" }]],
    ["an empty account", [], []],
    ["entries without an id or any name skipped", [{ ...agent, id: "x" }, { ...agent, id: 9, name: null, available_name: null }, "agent", { ...agent, id: 10 }], [{ id: 10, availableName: "Anna" }]],
    ["a name clipped to MAX_AGENT_NAME_LENGTH", [{ ...agent, available_name: "A".repeat(10_000) }], [{ id: 7, availableName: `${"A".repeat(MAX_AGENT_NAME_LENGTH - 1)}…` }]],
    ["no array: not Chatwoot's answer", { payload: [agent] }, undefined],
    ["more agents than any account has: not Chatwoot's answer", Array.from({ length: MAX_LISTED_AGENTS + 1 }, () => agent), undefined],
  ])("reads %s", (_, body, expected) => {
    expect(parseAgentList(body)).toEqual(expected);
  });
});

interface Harness {
  directory: ReturnType<typeof createAgentDirectory>;
  calls: number[];
  warnings: string[];
  infos: string[];
  metrics: ReturnType<typeof createRelayMetrics>;
  clock: { now: number };
}

/** A directory over a fake listing: `answer` decides what each call gives. */
function harness(answer: ((accountId: number, call: number) => Promise<AgentName[]>) | null): Harness {
  const calls: number[] = [];
  const warnings: string[] = [];
  const infos: string[] = [];
  const clock = { now: 1_000_000 };
  const metrics = createRelayMetrics(() => ({ pending: 0, dead: 0 }));
  const list =
    answer === null
      ? null
      : (accountId: number) => {
          calls.push(accountId);
          return answer(accountId, calls.length);
        };
  const log = { warn: (object: object, message: string) => void warnings.push(`${message} ${JSON.stringify(object)}`), info: (object: object, message: string) => void infos.push(`${message} ${JSON.stringify(object)}`) };
  const directory = createAgentDirectory({ names: createAgentNames(), list, metrics, log, now: () => clock.now });
  return { directory, calls, warnings, infos, metrics, clock };
}

const ACCOUNT_1: AgentName[] = [
  { id: 7, availableName: "Anna" },
  { id: 9, availableName: "Bobby" },
];

async function counter(h: Harness, name: string, labels: string): Promise<number> {
  return metricValue(await h.metrics.registry.metrics(), name, labels);
}

describe("agent directory: display names from webhooks, else one listing per account per 5 minutes", () => {
  it("names an agent its webhooks' push data named, without asking Chatwoot", async () => {
    const h = harness(async () => ACCOUNT_1);
    h.directory.observe({ event: "conversation_updated", account: { id: 1 }, meta: { assignee: { id: 7, name: "Anna Agent", available_name: "Anna", type: "user" } } });
    expect(h.directory.known(1, 7)).toBe("Anna");
    expect(await h.directory.resolve(1, 7)).toBe("Anna");
    expect(h.directory.known(2, 7)).toBeUndefined();
    expect(h.calls).toEqual([]);
  });

  it("lists an account once for agents it does not know, shares a listing in flight, and keeps every agent listed", async () => {
    let release: () => void = () => undefined;
    const h = harness(() => new Promise((resolve) => (release = () => resolve(ACCOUNT_1))));
    const pending = [h.directory.resolve(1, 7), h.directory.resolve(1, 9), h.directory.resolve(1, 9)];
    release();
    expect(await Promise.all(pending)).toEqual(["Anna", "Bobby", "Bobby"]);
    expect(h.calls).toEqual([1]);
    expect(h.directory.known(1, 9)).toBe("Bobby");
    expect(await counter(h, "relay_agent_listings_total", '{result="ok"}')).toBe(1);
  });

  it("lists each account at most once in 5 minutes, whatever the number of unknown agents; again after", async () => {
    const h = harness(async (_, call) => (call === 1 ? ACCOUNT_1 : [...ACCOUNT_1, { id: 11, availableName: "Carla" }]));
    expect(await h.directory.resolve(1, 7)).toBe("Anna");
    // Agent 11 joined the account after the listing: not listed again within the interval.
    expect([await h.directory.resolve(1, 11), await h.directory.resolve(1, 11), await h.directory.resolve(1, 11)]).toEqual([undefined, undefined, undefined]);
    h.clock.now += AGENT_LISTING_INTERVAL_MS - 1;
    expect(await h.directory.resolve(1, 11)).toBeUndefined();
    expect(h.calls).toEqual([1]);
    // Another account has its own interval.
    await h.directory.resolve(2, 7);
    expect(h.calls).toEqual([1, 2]);
    h.clock.now += 1;
    expect(await h.directory.resolve(1, 11)).toBe("Carla");
    expect(h.calls).toEqual([1, 2, 1]);
    expect(await counter(h, "relay_agent_name_fallbacks_total", '{reason="listed_recently"}')).toBe(4);
  });

  it("keeps the full name when the listing is refused, logs that once per account (status and Chatwoot's words), and once when it works again", async () => {
    const refusal = new ChatwootApiError("list agents", "http", 'Chatwoot request "list agents" failed with HTTP 401: Access to this endpoint is not authorized for bots.', 401, "Access to this endpoint is not authorized for bots");
    const h = harness(async (_, call) => {
      if (call <= 2) throw refusal;
      return ACCOUNT_1;
    });
    expect(await h.directory.resolve(1, 7)).toBeUndefined();
    expect(await h.directory.resolve(1, 9)).toBeUndefined();
    h.clock.now += AGENT_LISTING_INTERVAL_MS;
    expect(await h.directory.resolve(1, 7)).toBeUndefined();
    expect(h.calls).toEqual([1, 1]);
    expect(h.warnings).toHaveLength(1);
    expect(h.warnings[0]).toContain("401");
    expect(h.warnings[0]).toContain("not authorized for bots");
    expect(await counter(h, "relay_agent_listings_total", '{result="401"}')).toBe(2);
    expect(await counter(h, "relay_agent_name_fallbacks_total", '{reason="listing_failed"}')).toBe(3);
    h.clock.now += AGENT_LISTING_INTERVAL_MS;
    expect(await h.directory.resolve(1, 7)).toBe("Anna");
    expect(h.infos.filter((line) => line.includes("works again"))).toHaveLength(1);
  });

  it("counts a timeout and an agent the listing does not have", async () => {
    const h = harness(async (accountId) => {
      if (accountId === 2) throw new ChatwootApiError("list agents", "timeout", 'Chatwoot request "list agents" to chat.example.com timed out after 3000 ms.', null, null, true);
      return ACCOUNT_1;
    });
    expect(await h.directory.resolve(2, 7)).toBeUndefined();
    expect(await h.directory.resolve(1, 404)).toBeUndefined();
    expect(await counter(h, "relay_agent_listings_total", '{result="timeout"}')).toBe(1);
    expect(await counter(h, "relay_agent_name_fallbacks_total", '{reason="not_listed"}')).toBe(1);
  });

  it("without a Chatwoot token: the full name, no request, logged once", async () => {
    const h = harness(null);
    expect([await h.directory.resolve(1, 7), await h.directory.resolve(1, 7), await h.directory.resolve(1, 7)]).toEqual([undefined, undefined, undefined]);
    expect(h.infos.filter((line) => line.includes("no Chatwoot token"))).toHaveLength(1);
    expect(await counter(h, "relay_agent_name_fallbacks_total", '{reason="no_token"}')).toBe(3);
  });
});
