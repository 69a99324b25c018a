import { randomUUID } from "crypto";
import get from "lodash/get";
import set from "lodash/set";
import unset from "lodash/unset";
import { isRecord, readArray, readString } from "../../src/core/json-guards";
import { validateExtensionPackage } from "./cognigy-schema";

/**
 * A Cognigy-style runtime for tests: runs the extension's node functions with
 * the `cognigy` object the platform gives them, renders CognigyScript in
 * cognigyText and json fields first, resolves connections, and fails loudly
 * when a node breaks a platform limit (10 api calls, 62 KB per payload, 20 s).
 */

export const MAX_API_CALLS = 10;
export const MAX_PAYLOAD_BYTES = 62 * 1024;
export const MAX_RUN_MS = 20_000;

export class PlatformLimitError extends Error {
  override readonly name = "PlatformLimitError";
}

export interface Session {
  userId: string;
  sessionId: string;
  URLToken: string;
  channel: string;
  context: Record<string, unknown>;
  profile: Record<string, unknown>;
}

export interface TurnInputSpec {
  text?: string;
  data?: Record<string, unknown>;
  intent?: string;
  inputId?: string;
  extra?: Record<string, unknown>;
}

export interface Output {
  text: string;
  data: unknown;
}

export type Next = { kind: "child"; type: string } | { kind: "stop" } | { kind: "continue" };

export interface NodeRun {
  type: string;
  outputs: Output[];
  next: Next;
  calls: string[];
  logs: { level: string; message: string }[];
  durationMs: number;
}

/** A node of the extension, Cognigy's Say node, or Cognigy's Stop Flow node. */
export type FlowStep = { node: string; config?: Record<string, unknown>; children?: Record<string, FlowStep[]> } | { say: string } | { stop: true };

interface Descriptor {
  type: string;
  fn: (params: unknown) => Promise<void>;
  fields: { key: string; type: string; defaultValue: unknown }[];
  children: string[];
}

function describe(node: unknown): Descriptor | undefined {
  if (!isRecord(node) || typeof node.type !== "string") return undefined;
  const fn = node.function;
  const fields = readArray(node.fields).filter(isRecord).map((field) => ({ key: String(field.key), type: String(field.type), defaultValue: field.defaultValue }));
  const children = readArray(isRecord(node.dependencies) ? node.dependencies.children : []).map(String);
  if (typeof fn !== "function") return { type: node.type, fn: async () => undefined, fields, children };
  return { type: node.type, fn: async (params) => fn(params), fields, children };
}

function renderText(text: string, scope: Record<string, unknown>): string {
  return text.replace(/\{\{\s*([\w$.[\]]+)\s*\}\}/g, (_, path: string) => {
    const [root = "", ...rest] = path.split(".");
    const alias: Record<string, string> = { ci: "input", cc: "context", cp: "profile" };
    const value = get(scope[alias[root] ?? root], rest.join("."));
    if (value === undefined || value === null) return "";
    return typeof value === "object" ? JSON.stringify(value) : String(value);
  });
}

function renderValue(value: unknown, scope: Record<string, unknown>): unknown {
  if (typeof value === "string") return renderText(value, scope);
  if (Array.isArray(value)) return value.map((item) => renderValue(item, scope));
  if (isRecord(value)) return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, renderValue(item, scope)]));
  return value;
}

function clone<T>(value: T): T {
  return value === undefined ? value : JSON.parse(JSON.stringify(value));
}

/** The runtime accepts only what the platform would: the package is validated against Cognigy's schema first. */
export function createCognigyRuntime(extension: Record<string, unknown>) {
  const report = validateExtensionPackage(extension);
  if (!report.valid) throw new Error(`The platform would refuse this extension: ${report.errors.join("; ")}`);
  const descriptors = new Map<string, Descriptor>();
  for (const node of readArray(extension.nodes)) {
    const descriptor = describe(node);
    if (descriptor !== undefined) descriptors.set(descriptor.type, descriptor);
  }
  const connections = new Map<string, Record<string, string>>();
  /** What the platform would keep: every input after its run, every node log line, every error a node threw. */
  const journal: { inputs: unknown[]; logs: string[]; errors: string[] } = { inputs: [], logs: [], errors: [] };

  function nodeConfig(descriptor: Descriptor, given: Record<string, unknown>, scope: Record<string, unknown>): Record<string, unknown> {
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

  function buildApi(run: NodeRun, session: Session, input: Record<string, unknown>, signals: { next: Next }) {
    const count = (name: string, args: unknown[]): void => {
      run.calls.push(name);
      if (run.calls.length > MAX_API_CALLS) throw new PlatformLimitError(`${run.type} made more than ${MAX_API_CALLS} api calls: ${run.calls.join(", ")}`);
      const bytes = Buffer.byteLength(JSON.stringify(args) ?? "");
      if (bytes > MAX_PAYLOAD_BYTES) throw new PlatformLimitError(`${run.type} passed ${bytes} bytes to api.${name} (limit ${MAX_PAYLOAD_BYTES})`);
    };
    const say = (text: unknown, data?: unknown): void => {
      count("say", [text, data]);
      run.outputs.push({ text: typeof text === "string" ? text : "", data: clone(data) ?? null });
    };
    return {
      say,
      output: say,
      addToContext(key: string, value: unknown, mode: string): void {
        count("addToContext", [key, value, mode]);
        if (mode === "array") set(session.context, key, [...readArray(get(session.context, key)), clone(value)]);
        else set(session.context, key, clone(value));
      },
      getContext(key: string): unknown {
        count("getContext", [key]);
        return clone(get(session.context, key));
      },
      deleteContext(key: string): void {
        count("deleteContext", [key]);
        unset(session.context, key);
      },
      addToInput(key: string, value: unknown): void {
        count("addToInput", [key, value]);
        set(input, key, clone(value));
      },
      setNextNode(nodeId: string): void {
        count("setNextNode", [nodeId]);
        signals.next = { kind: "child", type: nodeId };
      },
      stopExecution(): void {
        count("stopExecution", []);
        signals.next = { kind: "stop" };
      },
      log(level: string, message: string): void {
        run.logs.push({ level, message });
      },
    };
  }

  async function runNode(session: Session, type: string, given: Record<string, unknown>, input: Record<string, unknown>): Promise<NodeRun> {
    const descriptor = descriptors.get(type);
    if (descriptor === undefined) throw new Error(`the extension has no node type ${type}`);
    const run: NodeRun = { type, outputs: [], next: { kind: "continue" }, calls: [], logs: [], durationMs: 0 };
    const signals: { next: Next } = { next: { kind: "continue" } };
    const scope = { input, context: session.context, profile: session.profile };
    const params = {
      cognigy: { api: buildApi(run, session, input, signals), input, context: session.context, profile: session.profile },
      config: nodeConfig(descriptor, given, scope),
      childConfigs: descriptor.children.map((child) => ({ id: child, type: child, config: {} })),
      nodeId: randomUUID(),
    };
    const started = Date.now();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new PlatformLimitError(`${type} ran longer than ${MAX_RUN_MS} ms`)), MAX_RUN_MS);
    });
    try {
      await Promise.race([descriptor.fn(params), timeout]);
    } finally {
      clearTimeout(timer);
    }
    run.durationMs = Date.now() - started;
    run.next = signals.next;
    return run;
  }

  function makeInput(session: Session, spec: TurnInputSpec): Record<string, unknown> {
    return {
      text: spec.text ?? "",
      data: spec.data ?? {},
      intent: spec.intent ?? null,
      userId: session.userId,
      sessionId: session.sessionId,
      URLToken: session.URLToken,
      inputId: spec.inputId ?? randomUUID(),
      channel: session.channel,
      ...spec.extra,
    };
  }

  /** Runs steps in order; a child exit runs the child's steps, then the steps after its parent; stop ends the input. */
  async function runSteps(session: Session, steps: readonly FlowStep[], input: Record<string, unknown>, runs: NodeRun[], outputs: Output[]): Promise<"stopped" | "done"> {
    for (const step of steps) {
      if ("stop" in step) return "stopped";
      if ("say" in step) {
        outputs.push({ text: renderText(step.say, { input, context: session.context, profile: session.profile }), data: null });
        continue;
      }
      const run = await runNode(session, step.node, step.config ?? {}, input);
      runs.push(run);
      outputs.push(...run.outputs);
      if (run.next.kind === "stop") return "stopped";
      if (run.next.kind === "child" && (await runSteps(session, step.children?.[run.next.type] ?? [], input, runs, outputs)) === "stopped") return "stopped";
    }
    return "done";
  }

  return {
    setConnection(name: string, values: Record<string, string>): void {
      connections.set(name, values);
    },
    createSession(overrides: Partial<Session> = {}): Session {
      return { userId: `user-${randomUUID()}`, sessionId: `session-${randomUUID()}`, URLToken: "url-token-0123456789", channel: "webchat3", context: {}, profile: {}, ...overrides };
    },
    makeInput,
    runNode(session: Session, type: string, config: Record<string, unknown>, spec: TurnInputSpec = {}): Promise<NodeRun> {
      return runNode(session, type, config, makeInput(session, spec));
    },
    async runFlow(session: Session, steps: readonly FlowStep[], spec: TurnInputSpec = {}): Promise<{ outputs: Output[]; runs: NodeRun[] }> {
      const runs: NodeRun[] = [];
      const outputs: Output[] = [];
      const input = makeInput(session, spec);
      try {
        await runSteps(session, steps, input, runs, outputs);
      } catch (error: unknown) {
        journal.errors.push(error instanceof Error ? `${error.message}\n${error.stack ?? ""}` : String(error));
        throw error;
      } finally {
        journal.inputs.push(clone(input));
        for (const run of runs) journal.logs.push(...run.logs.map((line) => `${line.level}: ${line.message}`));
      }
      return { outputs, runs };
    },
    journal,
  };
}

export type CognigyRuntime = ReturnType<typeof createCognigyRuntime>;
