import get from "lodash/get";
import set from "lodash/set";
import unset from "lodash/unset";
import { isRecord, readArray, readRecord, readString } from "../../src/core/json-guards";
import { FlowExecutionError, jsonBytes, MAX_API_CALLS, MAX_EXTENSION_MESSAGE_BYTES, PlatformLimitError } from "./cognigy-limits";

export interface Output {
  text: string;
  data: unknown;
}

/** What a node function asked the flow to do next, collected while it runs. */
export interface NodeSignals {
  /** `api.setNextNode(nodeId, flowId?)`; `api.resetNextNodes()` clears it. */
  nextNode: { nodeId: string; flow: string | undefined } | null;
  /** `api.stopExecution()`. */
  stopped: boolean;
  /** `api.executeFlow({ flowNode: { flow, node, isGoto } })`, run when the node function returns. */
  executeFlow: { flow: string; node: string | null; isGoto: boolean } | null;
  /** `api.addConditionalEntrypoint(...)`, registered when the node function returns. */
  conditionals: { entrypoint: string; condition: string; retentionTime: number }[];
  /** What the platform refused; kept even if the node function catches the error, so the execution still fails. */
  refusals: string[];
}

export interface ApiRecord {
  type: string;
  outputs: Output[];
  calls: string[];
  logs: { level: string; message: string }[];
}

/** How the flow around the node judges a target; a string is the platform's refusal. */
export interface TargetCheck {
  nextNode(nodeId: string, flow: string | undefined): string | undefined;
  conditionalEntrypoint(nodeId: string): string | undefined;
  flow(flow: string, node: string | null): string | undefined;
}

export const PERMISSIVE: TargetCheck = { nextNode: () => undefined, conditionalEntrypoint: () => undefined, flow: () => undefined };

function clone<T>(value: T): T {
  return value === undefined ? value : JSON.parse(JSON.stringify(value));
}

export function emptySignals(): NodeSignals {
  return { nextNode: null, stopped: false, executeFlow: null, conditionals: [], refusals: [] };
}

/**
 * The `cognigy.api` an extension node gets. Every call except `log` is an
 * extension action: at most 10 per execution (limitations.md "Extension
 * actions"); each crosses the untrusted child process as a message of at most
 * 300 KB (limitations.md). Functions named in `missing` are absent, as in a
 * Cognigy whose extension sandbox lacks them (platform-sources.md G2: whether
 * each works there is not documented).
 */
export function buildNodeApi(run: ApiRecord, context: Record<string, unknown>, input: Record<string, unknown>, signals: NodeSignals, targets: TargetCheck, missing: ReadonlySet<string>): Record<string, unknown> {
  const count = (name: string, args: unknown[]): void => {
    run.calls.push(name);
    if (run.calls.length > MAX_API_CALLS) throw new PlatformLimitError(`${run.type} made more than ${MAX_API_CALLS} api calls (Cognigy's limit of 10 extension actions per execution): ${run.calls.join(", ")}`);
    const bytes = jsonBytes(args);
    if (bytes > MAX_EXTENSION_MESSAGE_BYTES) throw new PlatformLimitError(`${run.type} passed ${bytes} bytes to api.${name}; Cognigy's maximum message size for untrusted extensions is 300 KB (${MAX_EXTENSION_MESSAGE_BYTES} bytes)`);
  };
  const refuse = (why: string | undefined): void => {
    if (why === undefined) return;
    signals.refusals.push(`${run.type}: ${why}`);
    throw new FlowExecutionError(`${run.type}: ${why}`);
  };
  const say = (text: unknown, data?: unknown): void => {
    count("say", [text, data]);
    run.outputs.push({ text: typeof text === "string" ? text : "", data: clone(data) ?? null });
  };
  const api: Record<string, unknown> = {
    say,
    output: say,
    addToContext(key: string, value: unknown, mode: string): void {
      count("addToContext", [key, value, mode]);
      if (mode === "array") set(context, key, [...readArray(get(context, key)), clone(value)]);
      else set(context, key, clone(value));
    },
    getContext(key: string): unknown {
      count("getContext", [key]);
      return clone(get(context, key));
    },
    deleteContext(key: string): void {
      count("deleteContext", [key]);
      unset(context, key);
    },
    addToInput(key: string, value: unknown): void {
      count("addToInput", [key, value]);
      set(input, key, clone(value));
    },
    setNextNode(nodeId: string, flowId?: string): void {
      count("setNextNode", flowId === undefined ? [nodeId] : [nodeId, flowId]);
      refuse(targets.nextNode(String(nodeId), flowId));
      signals.nextNode = { nodeId: String(nodeId), flow: flowId };
    },
    resetNextNodes(): void {
      count("resetNextNodes", []);
      signals.nextNode = null;
    },
    stopExecution(): void {
      count("stopExecution", []);
      signals.stopped = true;
    },
    async executeFlow(config: unknown): Promise<void> {
      count("executeFlow", [config]);
      // The platform's own Go To and Execute Flow nodes pass `{ flowNode: { flow, node, isGoto } }` (rest-api-client
      // logic/goTo.js, executeFlow.js; DOC execution-control/executeFlow.md); extension-tools 0.14 types `{ flowId, nodeId }`.
      const flowNode = readRecord(readRecord(config).flowNode);
      const flow = readString(flowNode.flow);
      if (flow === undefined) refuse(`api.executeFlow needs { flowNode: { flow, node } } as Cognigy's own Go To and Execute Flow nodes pass it (got ${JSON.stringify(config)})`);
      const node = readString(flowNode.node) ?? null;
      refuse(targets.flow(flow ?? "", node));
      signals.executeFlow = { flow: flow ?? "", node, isGoto: flowNode.isGoto === true };
    },
    addConditionalEntrypoint(params: unknown): void {
      count("addConditionalEntrypoint", [params]);
      const record = isRecord(params) ? params : {};
      const entrypoint = readString(record.entrypoint);
      const condition = readString(record.condition);
      const retentionTime = record.retentionTime;
      if (entrypoint === undefined || condition === undefined || typeof retentionTime !== "number" || !Number.isInteger(retentionTime) || retentionTime < 1) {
        refuse(`api.addConditionalEntrypoint needs { entrypoint: string, condition: string, retentionTime: positive integer } (got ${JSON.stringify(params)})`);
        return;
      }
      refuse(targets.conditionalEntrypoint(entrypoint));
      signals.conditionals.push({ entrypoint, condition, retentionTime });
    },
    log(level: string, message: string): void {
      run.logs.push({ level, message });
    },
  };
  return Object.fromEntries(Object.entries(api).filter(([name]) => !missing.has(name)));
}
