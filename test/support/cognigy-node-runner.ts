import { isRecord, readArray, readString } from "../../src/core/json-guards";
import { checkContextSize, FlowExecutionError, MAX_RUN_MS, PlatformLimitError } from "./cognigy-limits";
import { buildNodeApi, emptySignals, type ApiRecord, type NodeSignals, type TargetCheck } from "./cognigy-node-api";
import { renderValue, type ScriptScope } from "./cognigy-script";

/** An extension node as the platform reads its descriptor. */
export interface Descriptor {
  type: string;
  fn: (params: unknown) => Promise<void>;
  fields: { key: string; type: string; defaultValue: unknown }[];
  children: string[];
  /** `behavior.entrypoint`: the node may be a target of setNextNode / Go To, as Cognigy's Question node is (rest-api-client question.js `behavior: { entrypoint: true }`). */
  entrypoint: boolean;
}

export function readDescriptor(node: unknown): Descriptor | undefined {
  if (!isRecord(node) || typeof node.type !== "string") return undefined;
  const fn = node.function;
  const fields = readArray(node.fields).filter(isRecord).map((field) => ({ key: String(field.key), type: String(field.type), defaultValue: field.defaultValue }));
  const children = readArray(isRecord(node.dependencies) ? node.dependencies.children : []).map(String);
  const entrypoint = isRecord(node.behavior) && node.behavior.entrypoint === true;
  return { type: node.type, fn: typeof fn === "function" ? async (params) => fn(params) : async () => undefined, fields, children, entrypoint };
}

function clone<T>(value: T): T {
  return value === undefined ? value : JSON.parse(JSON.stringify(value));
}

/** The node's config as the function sees it: defaults filled, cognigyText and json fields rendered, connections resolved. */
export function nodeConfig(descriptor: Descriptor, given: Record<string, unknown>, scope: ScriptScope, connections: ReadonlyMap<string, Record<string, string>>): Record<string, unknown> {
  const config: Record<string, unknown> = {};
  for (const field of descriptor.fields) {
    const raw = field.key in given ? given[field.key] : clone(field.defaultValue);
    if (field.type === "connection") {
      const name = readString(raw);
      config[field.key] = name === undefined ? undefined : connections.get(name);
    } else {
      config[field.key] = field.type === "cognigyText" || field.type === "json" ? renderValue(raw, scope) : raw;
    }
  }
  return config;
}

export interface NodeInvocation {
  descriptor: Descriptor;
  given: Record<string, unknown>;
  scope: ScriptScope;
  connections: ReadonlyMap<string, Record<string, string>>;
  nodeId: string;
  /** The ids of the node's child exits, by exit type (`params.childConfigs`). */
  childIds: Record<string, string>;
  targets: TargetCheck;
  missingApi: ReadonlySet<string>;
}

export interface RawRun extends ApiRecord {
  signals: NodeSignals;
  durationMs: number;
}

/** Runs one extension node function within the platform's limits: 20 s, 10 actions, refusals, then the context size. */
export async function invokeNode(call: NodeInvocation): Promise<RawRun> {
  const run: RawRun = { type: call.descriptor.type, outputs: [], calls: [], logs: [], signals: emptySignals(), durationMs: 0 };
  const { input, context, profile } = call.scope;
  const params = {
    cognigy: { api: buildNodeApi(run, context, input, run.signals, call.targets, call.missingApi), input, context, profile },
    config: nodeConfig(call.descriptor, call.given, call.scope, call.connections),
    childConfigs: call.descriptor.children.map((type) => ({ id: call.childIds[type] ?? type, type, config: {} })),
    nodeId: call.nodeId,
  };
  const started = Date.now();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new PlatformLimitError(`${run.type} ran longer than ${MAX_RUN_MS} ms (Cognigy's maximum execution time for extension nodes is 20 s)`)), MAX_RUN_MS);
  });
  try {
    await Promise.race([call.descriptor.fn(params), timeout]);
  } finally {
    clearTimeout(timer);
  }
  run.durationMs = Date.now() - started;
  const refused = run.signals.refusals[0];
  if (refused !== undefined) throw new FlowExecutionError(refused);
  checkContextSize(context, `${run.type} (node ${call.nodeId})`);
  return run;
}
