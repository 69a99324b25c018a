import { ChatwootApiError } from "../chatwoot/chatwoot-api-error";
import type { AgentName } from "../chatwoot/chatwoot-types";
import type { AgentNames } from "./agent-names";
import { pushedAgentNames } from "./pushed-agent-names";
import type { RelayMetrics } from "./relay-metrics";

/** At most one agents listing per account in this time, whatever it answered. */
export const AGENT_LISTING_INTERVAL_MS = 5 * 60_000;
/** The delivery waits this long at most for a listing (the relay's client for it has this timeout). */
export const AGENT_LISTING_TIMEOUT_MS = 3_000;
/** Accounts whose last listing time is remembered; beyond it, those listed longest ago are forgotten. */
const MAX_ACCOUNTS = 1_000;

export interface AgentDirectoryDeps {
  names: AgentNames;
  /** One listing of an account's agents (ChatwootClient#listAgents); null without a Chatwoot token. */
  list: ((accountId: number) => Promise<AgentName[]>) | null;
  metrics: RelayMetrics;
  log: { warn(object: object, message: string): void; info(object: object, message: string): void };
  intervalMs?: number;
  now?: () => number;
  /** The shared turn (OutboxStore#claimTurn): replicas list an account once per interval between them. Absent: this process only. */
  claimTurn?: (key: string, intervalMs: number, now: number) => Promise<boolean>;
}

function failureOf(error: unknown): string {
  if (error instanceof ChatwootApiError) return error.kind === "http" && error.status !== null ? String(error.status) : error.kind;
  return "failed";
}

/**
 * Which name an agent's message shows the user: the name Chatwoot's own widget
 * shows customers (`available_name`, the display name the agent chose), the
 * same the assignment ("… has joined") shows. Message webhooks carry the sender
 * as User#webhook_data, with the full name only (app/models/user.rb), so:
 * - every verified webhook's push data fills the cache (`observe`, see pushed-agent-names.ts);
 * - the intake names a message's sender from the cache (`known`);
 * - for a sender still unknown, the delivery (`resolve`) lists the account's
 *   agents (`GET /api/v1/accounts/{id}/agents`) at most once per account per
 *   AGENT_LISTING_INTERVAL_MS, with a short timeout, never while the webhook
 *   waits for its answer; concurrent deliveries share one listing.
 * Without a token, or when the listing fails, the message keeps the sender's
 * full name; that is logged once (per process without a token, per account
 * until a listing works again on failure; never the token).
 */
export function createAgentDirectory(deps: AgentDirectoryDeps) {
  const now = deps.now ?? Date.now;
  const intervalMs = deps.intervalMs ?? AGENT_LISTING_INTERVAL_MS;
  const listedAt = new Map<number, number>();
  const inFlight = new Map<number, Promise<AgentName[] | undefined>>();
  const failing = new Set<number>();
  let noTokenLogged = false;

  function noteListed(accountId: number, at: number): void {
    listedAt.delete(accountId);
    listedAt.set(accountId, at);
    for (const oldest of listedAt.keys()) {
      if (listedAt.size <= MAX_ACCOUNTS) break;
      listedAt.delete(oldest);
    }
  }

  async function list(accountId: number, fetch: (accountId: number) => Promise<AgentName[]>): Promise<AgentName[] | undefined> {
    try {
      const agents = await fetch(accountId);
      deps.metrics.agentListings.inc({ result: "ok" });
      for (const agent of agents) deps.names.remember(accountId, agent.id, agent.availableName);
      if (failing.delete(accountId)) deps.log.info({ account: accountId }, "agents listing works again");
      return agents;
    } catch (error: unknown) {
      const result = failureOf(error);
      deps.metrics.agentListings.inc({ result });
      if (!failing.has(accountId)) {
        failing.add(accountId);
        deps.log.warn(
          { account: accountId, result, error: error instanceof Error ? error.message : String(error) },
          "agents listing failed: agent messages whose webhook lacks the agent's display name show their full name (tried again at most every 5 minutes)",
        );
      }
      return undefined;
    }
  }

  /** Whether this replica lists the account now: another one did within the interval (or the store cannot answer: no listing). */
  async function takeTurn(accountId: number, at: number): Promise<boolean> {
    try {
      return await (deps.claimTurn ?? (async () => true))(`agents:${accountId}`, intervalMs, at);
    } catch (error: unknown) {
      deps.log.warn({ account: accountId, error: error instanceof Error ? error.message : String(error) }, "agents listing skipped: its turn could not be claimed");
      return false;
    }
  }

  /** The account's agents, listed now if no listing was asked for in the interval; shared while in flight. */
  function listOnce(accountId: number, fetch: (accountId: number) => Promise<AgentName[]>): Promise<AgentName[] | undefined> | undefined {
    const running = inFlight.get(accountId);
    if (running !== undefined) return running;
    const last = listedAt.get(accountId);
    const at = now();
    if (last !== undefined && at - last < intervalMs && at >= last) return undefined;
    noteListed(accountId, at);
    const listed = deps.claimTurn === undefined ? list(accountId, fetch) : takeTurn(accountId, at).then((won) => (won ? list(accountId, fetch) : undefined));
    const task = listed.finally(() => inFlight.delete(accountId));
    inFlight.set(accountId, task);
    return task;
  }

  return {
    /** A verified webhook: remembers the agents its push data names. Never throws. */
    observe(payload: unknown): void {
      const { accountId, agents } = pushedAgentNames(payload);
      if (accountId <= 0) return;
      for (const agent of agents) deps.names.remember(accountId, agent.id, agent.availableName);
    },
    /** What the relay knows now, without asking Chatwoot. */
    known(accountId: number, userId: number): string | undefined {
      return deps.names.get(accountId, userId);
    },
    /**
     * The agent's name for a message being delivered: known, else from a listing
     * (see above), else undefined (the caller keeps the sender's full name). Never throws.
     */
    async resolve(accountId: number, userId: number): Promise<string | undefined> {
      const known = deps.names.get(accountId, userId);
      if (known !== undefined) return known;
      if (deps.list === null) {
        deps.metrics.agentNameFallbacks.inc({ reason: "no_token" });
        if (!noTokenLogged) {
          noTokenLogged = true;
          deps.log.info({ account: accountId }, "no Chatwoot token (CHATWOOT_BASE_URL, CHATWOOT_API_TOKEN): agent messages whose webhook lacks the agent's display name show their full name");
        }
        return undefined;
      }
      const listing = await listOnce(accountId, deps.list);
      const found = listing?.find((agent) => agent.id === userId)?.availableName ?? deps.names.get(accountId, userId);
      if (found === undefined) deps.metrics.agentNameFallbacks.inc({ reason: listing === undefined ? (failing.has(accountId) ? "listing_failed" : "listed_recently") : "not_listed" });
      return found;
    },
  };
}

export type AgentDirectory = ReturnType<typeof createAgentDirectory>;
