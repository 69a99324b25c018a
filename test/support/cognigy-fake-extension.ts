import { isRecord, readRecord, readString } from "../../src/core/json-guards";

/**
 * A tiny extension package, valid against Cognigy's schema, whose nodes
 * exercise the runtime's execution control: a node that waits for inputs by
 * pinning itself (like Cognigy's Question node), one that pins itself without
 * being an entrypoint, one that jumps, one that registers a conditional
 * entrypoint, one that executes a flow, and ones that break limits.
 */

type Api = Record<string, unknown>;

function call(api: Api, name: string, ...args: unknown[]): unknown {
  const fn = api[name];
  if (typeof fn !== "function") throw new Error(`api.${name} is missing`);
  return fn(...args);
}

function parts(params: unknown): { api: Api; input: Record<string, unknown>; config: Record<string, unknown>; nodeId: string; childIds: Record<string, string> } {
  const record = readRecord(params);
  const cognigy = readRecord(record.cognigy);
  const childIds: Record<string, string> = {};
  for (const child of Array.isArray(record.childConfigs) ? record.childConfigs : []) {
    if (isRecord(child) && typeof child.type === "string" && typeof child.id === "string") childIds[child.type] = child.id;
  }
  return { api: readRecord(cognigy.api), input: readRecord(cognigy.input), config: readRecord(record.config), nodeId: readString(record.nodeId) ?? "", childIds };
}

const field = (key: string, type: string) => ({ key, type, label: key, defaultValue: type === "number" ? 0 : type === "toggle" ? false : "" });

const child = (type: string, parentType: string) => ({
  type,
  parentType,
  defaultLabel: type,
  constraints: { editable: false, deletable: false, creatable: false, movable: false, placement: { predecessor: { whitelist: [] } } },
  appearance: { color: "#61d188", textColor: "white", variant: "mini" },
});

/** Says what it got; pins itself (setNextNode(own id) + stopExecution) until the text is "done", then takes its onDone exit. */
async function waiter(params: unknown): Promise<void> {
  const { api, input, nodeId, childIds } = parts(params);
  call(api, "say", `waiter ${nodeId} got ${String(input.text)} in ${String(input.flowName)}`);
  if (input.text === "done") return void call(api, "setNextNode", childIds.onDone);
  call(api, "setNextNode", nodeId);
  call(api, "stopExecution");
}

/** setNextNode(config.target); with `swallow`, catches what the platform throws (the execution must fail anyway). */
async function jumper(params: unknown): Promise<void> {
  const { api, config, nodeId } = parts(params);
  const target = readString(config.target) === "self" ? nodeId : (readString(config.target) ?? "");
  try {
    call(api, "setNextNode", target);
    if (config.stop === true) call(api, "stopExecution");
  } catch (error: unknown) {
    if (config.swallow !== true) throw error;
  }
}

/** Registers a conditional entrypoint on itself; says "answered" when it fired, or that the api lacks it. */
async function registrar(params: unknown): Promise<void> {
  const { api, input, config, nodeId } = parts(params);
  if (input.conditionalEntrypointWasExecuted === true) return void call(api, "say", `answered ${String(input.text)}`);
  if (typeof api.addConditionalEntrypoint !== "function") return void call(api, "say", "no addConditionalEntrypoint");
  call(api, "addConditionalEntrypoint", { entrypoint: nodeId, condition: readString(config.condition) ?? "false", retentionTime: config.retention });
  call(api, "say", "registered");
}

async function caller(params: unknown): Promise<void> {
  const { api, config } = parts(params);
  await call(api, "executeFlow", { flowNode: { flow: readString(config.flow) ?? "", node: readString(config.node) || null, isGoto: config.isGoto === true } });
}

/** `count` says, each with `bytes` of data. */
async function chatty(params: unknown): Promise<void> {
  const { api, config } = parts(params);
  const count = typeof config.count === "number" ? config.count : 1;
  const bytes = typeof config.bytes === "number" ? config.bytes : 0;
  for (let index = 0; index < count; index += 1) call(api, "say", `say ${index + 1}`, bytes > 0 ? { blob: "x".repeat(bytes) } : undefined);
}

/** Stores `bytes` characters at context.hoard. */
async function hoarder(params: unknown): Promise<void> {
  const { api, config } = parts(params);
  call(api, "addToContext", "hoard", "x".repeat(typeof config.bytes === "number" ? config.bytes : 0), "simple");
}

export const FAKE_EXTENSION: Record<string, unknown> = {
  nodes: [
    { type: "waiter", defaultLabel: "Waiter", fields: [], behavior: { entrypoint: true }, dependencies: { children: ["onDone"] }, function: waiter },
    child("onDone", "waiter"),
    { type: "pinner", defaultLabel: "Pinner", fields: [], function: waiter },
    { type: "jumper", defaultLabel: "Jumper", fields: [field("target", "cognigyText"), field("stop", "toggle"), field("swallow", "toggle")], function: jumper },
    { type: "registrar", defaultLabel: "Registrar", fields: [field("condition", "text"), field("retention", "number")], behavior: { entrypoint: true }, function: registrar },
    { type: "caller", defaultLabel: "Caller", fields: [field("flow", "text"), field("node", "text"), field("isGoto", "toggle")], function: caller },
    { type: "chatty", defaultLabel: "Chatty", fields: [field("count", "number"), field("bytes", "number")], function: chatty },
    { type: "hoarder", defaultLabel: "Hoarder", fields: [field("bytes", "number")], function: hoarder },
  ],
  connections: [],
};
