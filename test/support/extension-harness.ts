import { readPositiveInteger, readRecord } from "../../src/core/json-guards";
import { signRelayEvent } from "../../src/core/relay-event-signature";
import type { RelayEventBody } from "../../src/core/relay-event";
import { createCognigyRuntime, type CognigyRuntime, type FlowStep, type Session } from "./cognigy-runtime";
import { startChatwootSimulator, USER_TOKEN, type ChatwootSimulator } from "./chatwoot-simulator/server";
import { loadExtensionFromTarball } from "./load-extension";

export const RELAY_SECRET = "relay-secret-0123456789abcdef-RELAYRELAY";
export const INBOX_ID = 7;

export interface Harness {
  chatwoot: ChatwootSimulator;
  runtime: CognigyRuntime;
  close(): Promise<void>;
}

/** The built extension in a Cognigy-style runtime, with connection "cw" pointing at a fake Chatwoot. */
export async function startHarness(connection: Partial<Record<"baseUrl" | "accountId" | "apiKey" | "relaySecret", string>> = {}): Promise<Harness> {
  const chatwoot = await startChatwootSimulator();
  chatwoot.addInbox({ id: INBOX_ID });
  const runtime = createCognigyRuntime(loadExtensionFromTarball().extension);
  runtime.setConnection("cw", { baseUrl: `${chatwoot.baseUrl}/api/v1`, accountId: "1", apiKey: USER_TOKEN, relaySecret: RELAY_SECRET, ...connection });
  return { chatwoot, runtime, close: () => chatwoot.close() };
}

/**
 * A flow with the Session node first and a Handover node reached on the text
 * "agent" — the layout with "Wait for the agent here" off, where the Session
 * node handles the live handover. As the README recommends, the Resolved and
 * Cancelled branches end with a Stop Flow node, so the bot does not answer the
 * event itself.
 */
export function handoverFlow(handoverConfig: Record<string, unknown> = {}, sessionConfig: Record<string, unknown> = {}): (text: string) => FlowStep[] {
  return (text) => [
    { node: "chatwootSession", config: { connection: "cw", ...sessionConfig }, children: { onChatwootSessionResolved: [{ say: "Back with the bot." }, { stop: true }], onChatwootSessionCancelled: [{ stop: true }] } },
    ...(text.toLowerCase().includes("agent") ? [{ node: "chatwootHandover", config: { connection: "cw", inboxId: String(INBOX_ID), waitForAgent: false, ...handoverConfig } }] : [{ say: "Bot answers: {{input.text}}" }]),
  ];
}

let eventCounter = 0;

type EventDetails = RelayEventBody extends infer E ? (E extends RelayEventBody ? Omit<E, "v" | "id" | "sessionId" | "conversationId" | "ts"> : never) : never;

export interface EventOptions {
  secret?: string;
  ts?: number;
  id?: string;
  sessionId?: string;
  conversationId?: number;
}

/** The conversation id of the handover stored in the session's context (0 if none). */
export function storedConversationId(session: Session): number {
  const state = readRecord(session.context.chatwoot);
  return readPositiveInteger(readRecord(state.conversation).id) ?? 0;
}

/** A relay event for the session's stored conversation, signed as the relay signs it. */
export function relayEvent(session: Session, details: EventDetails, options: EventOptions = {}): Record<string, unknown> {
  eventCounter += 1;
  const base = {
    v: 1 as const,
    id: options.id ?? `evt-${eventCounter}`,
    sessionId: options.sessionId ?? session.sessionId,
    conversationId: options.conversationId ?? storedConversationId(session),
    ts: options.ts ?? Date.now(),
  };
  return { ...signRelayEvent({ ...base, ...details }, options.secret ?? RELAY_SECRET) };
}

/**
 * Registers a fresh harness for every test of the file and, after each, checks
 * that the fake Chatwoot refused nothing its spec would refuse.
 */
export function useHarness(): Pick<Harness, "chatwoot" | "runtime"> {
  let current: Harness | undefined;
  beforeEach(async () => {
    current = await startHarness();
  });
  afterEach(async () => {
    expect(current?.chatwoot.violations).toEqual([]);
    await current?.close();
  });
  const need = (): Harness => {
    if (current === undefined) throw new Error("useHarness: the harness exists only inside a test");
    return current;
  };
  return {
    get chatwoot() {
      return need().chatwoot;
    },
    get runtime() {
      return need().runtime;
    },
  };
}

/** The handover state the nodes stored in the session's context. */
export function handoverState(session: Session): Record<string, unknown> {
  return readRecord(session.context.chatwoot);
}
