import { randomBytes } from "crypto";
import { chooseEntry, expire, initialEntrypoint, type Entry, type EntryVia } from "./cognigy-entrypoint";
import { compileFlow, type FlowGraph, type ProjectNode } from "./cognigy-flow-graph";
import { runExecution, type Execution, type NodeRun } from "./cognigy-flow-execution";
import { checkContextSize, FlowExecutionError } from "./cognigy-limits";
import type { Output } from "./cognigy-node-api";
import type { Descriptor } from "./cognigy-node-runner";
import { beginInput, makeInput, type Session, type TurnInputSpec } from "./cognigy-session";

export interface ProjectSpec {
  flows: Record<string, ProjectNode[]>;
  /** The flow every session starts in. */
  main: string;
  /** api functions this Cognigy's extension sandbox lacks (added to the runtime's `withoutApi`). */
  withoutApi?: string[];
}

export interface ProjectInputResult {
  outputs: Output[];
  runs: NodeRun[];
  /** Where the input started: the flow, the node (for "start": the flow's first node; null if empty) and why. */
  entry: { flow: string; nodeId: string | null; via: EntryVia };
}

/** What a project needs from its runtime. */
export interface ProjectHost {
  descriptors: ReadonlyMap<string, Descriptor>;
  connections: ReadonlyMap<string, Record<string, string>>;
  missingApi(): ReadonlySet<string>;
  /** Keeps what the platform keeps of an input: the input, the node logs (and the runtime's own lines), the error. */
  record(input: Record<string, unknown>, runs: readonly NodeRun[], error: unknown, runtimeLogs: readonly string[]): void;
}

function clone<T>(value: T): T {
  return JSON.parse(JSON.stringify(value));
}

function startNode(graphs: ReadonlyMap<string, FlowGraph>, entry: Entry) {
  const graph = graphs.get(entry.flow);
  if (graph === undefined) throw new FlowExecutionError(`the session's entrypoint is in flow "${entry.flow}", which this project does not have`);
  if (entry.nodeId === null) return graph.top[0] ?? null;
  const node = graph.byId.get(entry.nodeId);
  if (node === undefined) throw new FlowExecutionError(`the session's entrypoint node "${entry.nodeId}" is not in flow "${entry.flow}"`);
  return node;
}

/**
 * A Cognigy project: several flows, one main flow, and per session an
 * entrypoint that moves (cognigy-entrypoint.ts). `input(session, spec)` runs one
 * user message or injected input from where the session stands.
 */
export function createProjectRunner(host: ProjectHost, spec: ProjectSpec) {
  const graphs = new Map(Object.entries(spec.flows).map(([name, nodes]) => [name, compileFlow(name, nodes, host.descriptors)]));
  if (!graphs.has(spec.main)) throw new Error(`the main flow "${spec.main}" is not among the flows (${Object.keys(spec.flows).join(", ")})`);
  /** `input.entrypoint` is the project id (DOC input.md:60), not a node id. */
  const projectId = randomBytes(12).toString("hex");

  async function input(session: Session, turn: TurnInputSpec = {}): Promise<ProjectInputResult> {
    const count = beginInput(session, turn);
    const state = (session.entrypoint ??= initialEntrypoint(spec.main));
    expire(state, count);
    const platform: Record<string, unknown> = { flowName: state.flow, entrypoint: projectId, execution: count, conditionalEntrypointWasExecuted: false };
    if (state.activeOptionalQuestion !== null) platform.activeOptionalQuestion = clone(state.activeOptionalQuestion);
    const inputObject = makeInput(session, turn, platform);
    const scope = { input: inputObject, context: session.context, profile: session.profile };
    const logs: string[] = [];
    const entry = chooseEntry(state, scope, (line) => logs.push(line));
    // DOC input.md:78 `conditionalEntrypointWasExecuted` (the platform's own optionalQuestion.js reads this spelling; extension-tools 0.14 types `conditionalEntryPointWasExecuted`).
    if (entry.via === "conditional") inputObject.conditionalEntrypointWasExecuted = true;
    const runs: NodeRun[] = [];
    const outputs: Output[] = [];
    let failure: unknown = null;
    try {
      const start = startNode(graphs, entry);
      inputObject.flowName = start?.flow ?? entry.flow;
      const execution: Execution = { graphs, connections: host.connections, missingApi: new Set([...host.missingApi(), ...(spec.withoutApi ?? [])]), scope, execution: count, state, outputs, runs, answering: entry.via === "start" ? null : start };
      await runExecution(execution, start);
      checkContextSize(session.context, `input ${count} of session ${session.sessionId}`);
      return { outputs, runs, entry: { flow: entry.flow, nodeId: entry.nodeId ?? start?.id ?? null, via: entry.via } };
    } catch (error: unknown) {
      failure = error;
      throw error;
    } finally {
      host.record(inputObject, runs, failure, logs);
    }
  }

  return {
    input,
    /** The flows' node ids, e.g. to find a node's generated id (`<flow>:<path>`, path like `0` or `1.onAnswer.0`). */
    nodeIds: (flow: string): string[] => [...(graphs.get(flow)?.byId.keys() ?? [])],
    projectId,
  };
}

export type CognigyProject = ReturnType<typeof createProjectRunner>;
