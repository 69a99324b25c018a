import { PNG } from "pngjs";
import { signRelayEvent } from "../../src/core/relay-event-signature";
import { createServer } from "http";
import { startChatwootSimulator, USER_TOKEN, type ChatwootSimulator } from "../../test/support/chatwoot-simulator/server";
import { createCognigyRuntime, type CognigyRuntime, type Session } from "../../test/support/cognigy-runtime";
import { listenOnFreePort } from "../../test/support/listen";
import { loadExtensionFromTarball } from "../../test/support/load-extension";

export const BENCH_INBOX = 7;
export const RELAY_SECRET = "bench-relay-secret-0123456789abcdefghijkl";

export interface ExtensionWorld {
  chatwoot: ChatwootSimulator;
  runtime: CognigyRuntime;
  /** A 2×2 PNG served at this URL, as Cognigy's file storage would serve a user's upload. */
  imageUrl: string;
  handoverConfig: Record<string, unknown>;
  sessionConfig: Record<string, unknown>;
  close(): Promise<void>;
}

/** The built extension in the Cognigy-style runtime, talking to the Chatwoot simulator (no relay needed). */
export async function startExtensionWorld(validate: boolean): Promise<ExtensionWorld> {
  const chatwoot = await startChatwootSimulator({ validate });
  chatwoot.addInbox({ id: BENCH_INBOX });
  const runtime = createCognigyRuntime(loadExtensionFromTarball().extension);
  runtime.setConnection("cw", { baseUrl: chatwoot.baseUrl, accountId: "1", apiKey: USER_TOKEN, relaySecret: RELAY_SECRET });
  const png = PNG.sync.write(new PNG({ width: 2, height: 2 }));
  const files = createServer((_, response) => response.writeHead(200, { "content-type": "image/png" }).end(png));
  const port = await listenOnFreePort(files);
  return {
    chatwoot,
    runtime,
    imageUrl: `http://127.0.0.1:${port}/photo.png`,
    handoverConfig: { connection: "cw", inboxId: String(BENCH_INBOX), teamId: "3" },
    sessionConfig: { connection: "cw", attachmentHosts: ["127.0.0.1"], privateAttachmentHosts: true },
    async close() {
      files.closeAllConnections();
      await new Promise((resolve) => files.close(resolve));
      await chatwoot.close();
    },
  };
}

/** A session that has said something (so there is history) and is now handed over. */
export async function handedOver(world: ExtensionWorld): Promise<Session> {
  const session = world.runtime.createSession({ profile: { firstname: "Bench", lastname: "User" } });
  await world.runtime.runNode(session, "chatwootSession", world.sessionConfig, { text: "My router blinks red" });
  await world.runtime.runNode(session, "chatwootHandover", world.handoverConfig, { text: "agent please" });
  return session;
}

/** The agent resolves: the relay's signed event reaches the Session node. */
export async function agentResolves(world: ExtensionWorld, session: Session, conversationId: number): Promise<void> {
  world.chatwoot.agent.resolve(conversationId);
  const event = signRelayEvent({ v: 1, id: `resolved-${conversationId}`, sessionId: session.sessionId, conversationId, ts: Date.now(), type: "status_changed", status: "resolved" }, RELAY_SECRET);
  await world.runtime.runNode(session, "chatwootSession", world.sessionConfig, { data: { chatwoot: { ...event } } });
}
