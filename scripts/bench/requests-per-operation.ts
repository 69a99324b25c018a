import { agentResolves, handedOver, startExtensionWorld } from "./extension-world";

export interface RequestCounts {
  newContactHandover: number;
  knownContactHandover: number;
  textForwarded: number;
  imageForwarded: number;
  imageUploads: number;
}

/** How many requests Chatwoot receives per operation, counted at the simulator (which checks each against the spec). */
export async function benchRequests(validate: boolean): Promise<RequestCounts> {
  const world = await startExtensionWorld(validate);
  try {
    const { chatwoot, runtime } = world;
    const session = runtime.createSession({ profile: { firstname: "Bench", lastname: "User" } });
    await runtime.runNode(session, "chatwootSession", world.sessionConfig, { text: "My router blinks red" });
    chatwoot.clearRequests();
    await runtime.runNode(session, "chatwootHandover", world.handoverConfig, { text: "agent please" });
    const newContactHandover = chatwoot.requests.length;

    const known = await handedOver(world);
    await agentResolves(world, known, chatwoot.store.conversations.at(-1)?.id ?? 0);
    await runtime.runNode(known, "chatwootSession", world.sessionConfig, { text: "one more question" });
    chatwoot.clearRequests();
    await runtime.runNode(known, "chatwootHandover", world.handoverConfig, { text: "agent again" });
    const knownContactHandover = chatwoot.requests.length;

    chatwoot.clearRequests();
    await runtime.runNode(known, "chatwootSession", world.sessionConfig, { text: "hello agent" });
    const textForwarded = chatwoot.requests.length;

    chatwoot.clearRequests();
    await runtime.runNode(known, "chatwootSession", world.sessionConfig, { text: "", data: { attachments: [{ fileName: "photo.png", mimeType: "image/png", url: world.imageUrl }] } });
    const imageForwarded = chatwoot.requests.length;
    const imageUploads = chatwoot.requests.reduce((sum, request) => sum + request.files.length, 0);
    if (chatwoot.violations.length > 0) throw new Error(`the simulator refused requests: ${chatwoot.violations.join("; ")}`);
    return { newContactHandover, knownContactHandover, textForwarded, imageForwarded, imageUploads };
  } finally {
    await world.close();
  }
}
