import { mkdtempSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { parseRelayConfig } from "../../src/relay/relay-config";
import { createRelayService, type RelayService } from "../../src/relay/relay-service";
import { startChatwootSimulator, USER_TOKEN, type ChatwootSimulator, type ChatwootSimulatorOptions } from "./chatwoot-simulator/server";
import type { FakeInbox } from "./chatwoot-simulator/model";
import { createCognigyRuntime, type FlowStep, type ProjectSpec, type Session } from "./cognigy-runtime";
import { startCognigyEndpoint, type CognigyEndpoint } from "./cognigy-endpoint";
import { loadExtensionFromTarball } from "./load-extension";
import { findLeaks, relaySecretForms, signatureForms, type Haystack, type Leak, type Secret } from "./secret-scan";

// Recognisable secrets: after every test, none of them (nor a key derived from them, nor a signature) may appear in what the world kept.
export const WORLD_RELAY_SECRET = "world-relay-secret-RELAYSECRET-0123456789";
export const WORLD_WEBHOOK_SECRET = "world-webhook-secret-WEBHOOKSECRET-012345";
export const WORLD_INBOX_ID = 7;
export const WORLD_URL_TOKEN = "demo-endpoint-url-token-0123456789";

export interface WorldOptions {
  /** Extra relay environment (e.g. RETRY_MAX_DELAY_MS, REORDER_WINDOW_MS). */
  relayEnv?: Record<string, string>;
  handover?: Record<string, unknown>;
  session?: Record<string, unknown>;
  inbox?: Partial<FakeInbox>;
  simulator?: ChatwootSimulatorOptions;
  /** Connection fields over the defaults (e.g. an agent-bot token, the inbox's HMAC token). */
  connection?: Record<string, string>;
  /** The inbox's webhook goes to `/handover/chatwoot/<token>` (Chatwoot before 4.13, with CHATWOOT_WEBHOOK_PATH_TOKEN in relayEnv). */
  webhookPathToken?: string;
  /** The relay injects through Cognigy's legacy REST inject (60 kB bodies) instead of the Endpoint's. */
  injectMode?: "endpoint" | "rest";
  /** A Cognigy project of several flows (entrypoints that move: Go To, Execute Flow, Questions) instead of the one-flow world. */
  project?: ProjectSpec;
  /** The relay's queue-update interval in ms (QUEUE_UPDATE_INTERVAL_SECONDS takes whole seconds; tests and the demo go faster). */
  queueUpdateIntervalMs?: number;
}

/**
 * The flow of the tests and the demo: the Session node first; "agent"/"human"
 * hands over; "/resolve" and "/reopen" use the Resolve/Reopen node; anything
 * else the bot answers. Branches end with Stop Flow, as the README recommends.
 */
export function worldFlow(options: WorldOptions): (text: string) => FlowStep[] {
  const session: FlowStep = {
    node: "chatwootSession",
    config: { connection: "cw", attachmentHosts: ["127.0.0.1"], privateAttachmentHosts: true, cancelKeywords: ["cancel"], cancelledMessage: "OK, I cancelled your request.", passKeywords: ["/resolve", "/reopen"], ...options.session },
    children: {
      onChatwootSessionResolved: [{ say: "Welcome back! Is there anything else I can do for you?" }, { stop: true }],
      onChatwootSessionCancelled: [{ stop: true }],
      onChatwootSessionError: [{ say: "Sorry, your message could not be delivered. Please try again." }, { stop: true }],
    },
  };
  const handover: FlowStep = {
    node: "chatwootHandover",
    // The Session node first handles the live handover ("Wait for the agent here" off); the waiting layouts have scenarios of their own.
    config: { connection: "cw", inboxId: String(WORLD_INBOX_ID), teamId: "3", labels: ["cognigy"], waitForAgent: false, ...options.handover },
    children: {
      onChatwootHandoverStarted: [{ stop: true }],
      onChatwootHandoverUnavailable: [{ say: "No agent is available right now. {{context.chatwoot.unavailable.outOfOfficeMessage}}" }, { stop: true }],
      onChatwootHandoverError: [{ say: "Our agents cannot be reached right now. Please try again later." }, { stop: true }],
    },
  };
  const status = (action: string): FlowStep => ({ node: "chatwootResolveReopen", config: { connection: "cw", action } });
  return (text) => {
    const lower = text.trim().toLowerCase();
    if (lower === "/resolve") return [session, status("resolve"), { say: "The conversation with our team is closed." }];
    if (lower === "/reopen") return [session, status("reopen"), { say: "The conversation with our team is open again." }];
    if (/\b(agent|human|person)\b/.test(lower)) return [session, handover];
    return [session, { say: "Bot: I can help with routers, bills and contracts. You said: {{input.text}}" }];
  };
}

/** The whole loop on this machine: Chatwoot simulator → relay (real, embedded outbox) → Cognigy Endpoint → runtime with the built extension. */
export async function startWorld(options: WorldOptions = {}) {
  const chatwoot: ChatwootSimulator = await startChatwootSimulator(options.simulator ?? {});
  const runtime = createCognigyRuntime(loadExtensionFromTarball().extension);
  const connection: Record<string, string> = { baseUrl: chatwoot.baseUrl, accountId: "1", apiKey: USER_TOKEN, relaySecret: WORLD_RELAY_SECRET, ...options.connection };
  runtime.setConnection("cw", connection);
  const endpoint: CognigyEndpoint =
    options.project === undefined
      ? await startCognigyEndpoint(runtime, { urlToken: WORLD_URL_TOKEN, flow: worldFlow(options) })
      : await startCognigyEndpoint(runtime, { urlToken: WORLD_URL_TOKEN, project: runtime.createProject(options.project) });
  const parsed = parseRelayConfig({
    PORT: "0",
    HOST: "127.0.0.1",
    METRICS_PORT: "0",
    RELAY_SECRET: WORLD_RELAY_SECRET,
    CHATWOOT_WEBHOOK_SECRETS: WORLD_WEBHOOK_SECRET,
    COGNIGY_ENDPOINT_BASE_URL: endpoint.baseUrl,
    CHATWOOT_BASE_URL: chatwoot.baseUrl,
    CHATWOOT_API_TOKEN: USER_TOKEN,
    RELAY_DATA_DIR: mkdtempSync(join(tmpdir(), "relay-world-")),
    LOG_LEVEL: "debug",
    REORDER_WINDOW_MS: "50",
    RETRY_BASE_DELAY_MS: "50",
    RETRY_MAX_DELAY_MS: "1000",
    ...(options.injectMode === "rest" ? { COGNIGY_INJECT_MODE: "rest", COGNIGY_API_BASE_URL: endpoint.baseUrl, COGNIGY_API_KEY: endpoint.apiKey } : {}),
    ...options.relayEnv,
  });
  if (!parsed.ok) throw new Error(parsed.message);
  const relayLog: string[] = [];
  const relayConfig = options.queueUpdateIntervalMs === undefined ? parsed.config : { ...parsed.config, queueUpdateIntervalMs: options.queueUpdateIntervalMs };
  const relay: RelayService = createRelayService(relayConfig, { logStream: { write: (line: string) => void relayLog.push(line) } });
  const relayUrl = await relay.start();
  const webhookPath = options.webhookPathToken === undefined ? "/handover/chatwoot" : `/handover/chatwoot/${options.webhookPathToken}`;
  chatwoot.addInbox({ id: WORLD_INBOX_ID, name: "Support", webhookUrl: `${relayUrl}${webhookPath}`, webhookSecret: WORLD_WEBHOOK_SECRET, ...options.inbox });

  /** Waits until nothing is moving: webhooks answered, the outbox drained, every injected input run. */
  async function settle(timeoutMs = 10_000): Promise<void> {
    const started = Date.now();
    for (let quiet = 0; quiet < 3; ) {
      if (Date.now() - started > timeoutMs) throw new Error("the world did not settle in time");
      await chatwoot.webhooks.settled();
      await endpoint.idle();
      const busy = relay.outbox.depth().pending > 0 || relay.worker.inFlight() > 0;
      quiet = busy ? 0 : quiet + 1;
      await new Promise((resolve) => setTimeout(resolve, busy ? 20 : 60));
    }
  }

  const users: Session[] = [];

  /** The relay event signatures the relay sent (each input carries its own to the Session node: that is its transport). */
  function relayEventSignatures(): Secret[] {
    const found: Secret[] = [];
    for (const input of runtime.journal.inputs) {
      JSON.stringify(input, (key, value: unknown) => {
        if (key === "sig" && typeof value === "string") found.push({ name: "relay event signature", value });
        return value;
      });
    }
    return found;
  }

  /** The secrets of this world: the relay secret (and its derived keys), the webhook secret, the API key, every signature. */
  function secrets(): Secret[] {
    return [
      ...relaySecretForms("relay secret", WORLD_RELAY_SECRET),
      { name: "webhook secret", value: WORLD_WEBHOOK_SECRET },
      ...(options.webhookPathToken === undefined ? [] : [{ name: "webhook path token", value: options.webhookPathToken }]),
      { name: "Chatwoot API key", value: USER_TOKEN },
      ...(connection.apiKey === undefined || connection.apiKey === USER_TOKEN ? [] : [{ name: "the connection's API key", value: connection.apiKey }]),
      ...(connection.hmacToken === undefined || connection.hmacToken === "" ? [] : [{ name: "the inbox's HMAC token", value: connection.hmacToken }]),
      ...chatwoot.webhooks.deliveries.flatMap((delivery) => (delivery.signature === null ? [] : signatureForms(`webhook signature of ${delivery.event}`, delivery.signature))),
      ...relayEventSignatures(),
    ];
  }

  /** Everything kept that an operator, designer, agent or user can read: logs, errors, context, profile, inputs, outputs, relay answers, Chatwoot's messages and attributes. */
  function haystacks(): Haystack[] {
    // An input (and what the user typed) carries its own event signature, if any: that is its transport.
    const ownSignature = (key: string, value: unknown): unknown => (key === "sig" && typeof value === "string" ? "[the event's own signature]" : value);
    const inputs = runtime.journal.inputs.map((input) => JSON.stringify(input, ownSignature));
    const kept: Haystack[] = [
      { where: "relay log", text: relayLog.join("") },
      { where: "node logs", text: runtime.journal.logs.join("\n") },
      { where: "node errors", text: runtime.journal.errors.join("\n") },
      { where: "inputs", text: inputs.join("\n") },
      { where: "relay responses", text: chatwoot.webhooks.deliveries.map((delivery) => delivery.responseBody).join("\n") },
      { where: "Chatwoot messages", text: JSON.stringify(chatwoot.store.messages.map((message) => ({ content: message.content, files: message.attachments.map((file) => file.name) }))) },
      { where: "Chatwoot conversations", text: JSON.stringify(chatwoot.store.conversations) },
      { where: "Chatwoot contacts", text: JSON.stringify(chatwoot.store.contacts) },
    ];
    for (const user of users) {
      kept.push({ where: `context of ${user.sessionId}`, text: JSON.stringify(user.context) });
      kept.push({ where: `profile of ${user.sessionId}`, text: JSON.stringify(user.profile) });
      kept.push({ where: `what ${user.sessionId} typed`, text: JSON.stringify(endpoint.seenBy(user).filter((line) => line.kind === "user"), ownSignature) });
      kept.push({ where: `what ${user.sessionId} was shown`, text: JSON.stringify(endpoint.seenBy(user).filter((line) => line.kind !== "user")) });
    }
    return kept;
  }

  /** Where a secret or signature appears in what was kept (must be nowhere), and how much was searched. */
  function leaks(): { leaks: Leak[]; bytesSearched: number; secretsChecked: number } {
    const kept = haystacks();
    const all = secrets();
    return { leaks: findLeaks(kept, all), bytesSearched: kept.reduce((sum, haystack) => sum + haystack.text.length, 0), secretsChecked: all.length };
  }

  return {
    chatwoot,
    runtime,
    endpoint,
    relay,
    relayUrl,
    settle,
    newUser(profile: Record<string, unknown> = {}): Session {
      const user = endpoint.newSession({ profile });
      users.push(user);
      return user;
    },
    leaks,
    /** What the secret scan searches, by place. */
    kept: haystacks,
    /** The user types, then everything that follows (agent side included) is allowed to happen. */
    async say(session: Session, text: string, data: Record<string, unknown> = {}): Promise<void> {
      await endpoint.userSays(session, text, data);
      await settle();
    },
    /** The conversation id of the session's handover. */
    conversationOf(session: Session): number {
      const state = session.context.chatwoot;
      const conversation = typeof state === "object" && state !== null && "conversation" in state ? state.conversation : null;
      return typeof conversation === "object" && conversation !== null && "id" in conversation && typeof conversation.id === "number" ? conversation.id : 0;
    },
    async close(): Promise<void> {
      await relay.stop();
      await endpoint.close();
      await chatwoot.close();
    },
  };
}

export type World = Awaited<ReturnType<typeof startWorld>>;
