import { performance } from "perf_hooks";
import { handedOver, startExtensionWorld } from "./extension-world";
import { median, round } from "./stats";

export interface NodeTimings {
  requestLatencyMs: number;
  runs: number;
  handoverMs: number;
  handoverRequests: number;
  handoverBudgetMs: number;
  forwardMs: number;
  forwardBudgetMs: number;
}

/**
 * Wall time of the Handover node (new contact: contact, conversation,
 * history) and of the Session node forwarding a text, in the Cognigy-style
 * runtime, with the simulator adding `latencyMs` to every request; medians of
 * `runs`, against the budgets 3 × latency + 15 ms and 1 × latency + 10 ms.
 */
export async function benchNodeExecution(latencyMs: number, runs: number, validate: boolean): Promise<NodeTimings> {
  const world = await startExtensionWorld(validate);
  try {
    await handedOver(world);
    world.chatwoot.setLatency(latencyMs);
    const handover: number[] = [];
    const forward: number[] = [];
    let handoverRequests = 0;
    for (let run = 0; run < runs; run += 1) {
      const session = world.runtime.createSession({ profile: { firstname: "Bench", lastname: `User ${run}` } });
      await world.runtime.runNode(session, "chatwootSession", world.sessionConfig, { text: "My router blinks red" });
      world.chatwoot.clearRequests();
      let started = performance.now();
      await world.runtime.runNode(session, "chatwootHandover", world.handoverConfig, { text: "agent please" });
      handover.push(performance.now() - started);
      handoverRequests = world.chatwoot.requests.length;
      started = performance.now();
      await world.runtime.runNode(session, "chatwootSession", world.sessionConfig, { text: `message ${run}` });
      forward.push(performance.now() - started);
    }
    return {
      requestLatencyMs: latencyMs,
      runs,
      handoverMs: round(median(handover)),
      handoverRequests,
      handoverBudgetMs: 3 * latencyMs + 15,
      forwardMs: round(median(forward)),
      forwardBudgetMs: latencyMs + 10,
    };
  } finally {
    await world.close();
  }
}
