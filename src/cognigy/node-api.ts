import type { INodeExecutionAPI } from "@cognigy/extension-tools/build/interfaces/descriptor";

export type LogLevel = "error" | "warn" | "info" | "debug";

/**
 * The part of Cognigy's node API the nodes use, checked once at the top of a
 * node function. extension-tools 0.14 types every member as optional; after
 * this check the nodes work with definite functions.
 */
export interface NodeApi {
  say(text: string, data?: object): void;
  addToContext(key: string, value: unknown): void;
  setNextNode(nodeId: string): void;
  stopExecution(): void;
  log(level: LogLevel, message: string): void;
}

export class MissingApiError extends Error {
  override readonly name = "MissingApiError";
}

export function requireApi(api: INodeExecutionAPI | undefined): NodeApi {
  if (api === undefined) throw new MissingApiError("The Cognigy node API is not available to this node.");
  const { say, addToContext, setNextNode, stopExecution, log } = api;
  if (typeof say !== "function" || typeof addToContext !== "function" || typeof setNextNode !== "function" || typeof stopExecution !== "function") {
    const missing = Object.entries({ say, addToContext, setNextNode, stopExecution }).filter(([, fn]) => typeof fn !== "function");
    throw new MissingApiError(`The Cognigy node API lacks ${missing.map(([name]) => name).join(", ")}; this runtime cannot run the Chatwoot nodes.`);
  }
  return {
    say: (text, data) => say.call(api, text, data),
    addToContext: (key, value) => addToContext.call(api, key, value, "simple"),
    setNextNode: (nodeId) => setNextNode.call(api, nodeId),
    stopExecution: () => stopExecution.call(api),
    log: (level, message) => (typeof log === "function" ? log.call(api, level, `[chatwoot] ${message}`) : undefined),
  };
}
