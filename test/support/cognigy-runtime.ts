import { readArray } from "../../src/core/json-guards";
import { initialEntrypoint } from "./cognigy-entrypoint";
import { compileFlow, type GraphNode, type ProjectNode } from "./cognigy-flow-graph";
import { runExecution, type Execution, type NodeRun } from "./cognigy-flow-execution";
import type { Output } from "./cognigy-node-api";
import { readDescriptor, type Descriptor } from "./cognigy-node-runner";
import { createProjectRunner, type ProjectSpec } from "./cognigy-project";
import { validateExtensionPackage } from "./cognigy-schema";
import { beginInput, createSession, makeInput, type Session, type TurnInputSpec } from "./cognigy-session";

/**
 * A Cognigy-style runtime for tests: runs the extension's node functions with
 * the `cognigy` object the platform gives them, renders CognigyScript in
 * cognigyText and json fields first, resolves connections, runs projects of
 * several flows whose entrypoint moves (Go To, Execute Flow, Question, Optional
 * Question, pinned extension nodes: cognigy-entrypoint.ts), and fails loudly when
 * an input or node breaks a documented platform limit (cognigy-limits.ts: 10
 * actions and 20 s per node, 65 kB input, 65 kB context, 300 KB per message).
 */

export { FlowExecutionError, MAX_API_CALLS, MAX_CONTEXT_BYTES, MAX_INPUT_BYTES, MAX_RUN_MS, PlatformLimitError } from "./cognigy-limits";
export type { EntrypointState } from "./cognigy-entrypoint";
export type { Next, NodeRun } from "./cognigy-flow-execution";
export type { ProjectNode } from "./cognigy-flow-graph";
export type { Output } from "./cognigy-node-api";
export type { CognigyProject, ProjectInputResult, ProjectSpec } from "./cognigy-project";
export type { Session, TurnInputSpec } from "./cognigy-session";

/** A node of the extension, Cognigy's Say node, or Cognigy's Stop Flow node: the one-input flows of the older tests. */
export type FlowStep = { node: string; config?: Record<string, unknown>; children?: Record<string, FlowStep[]> } | { say: string } | { stop: true };

export interface RuntimeOptions {
  /** api functions this Cognigy's extension sandbox lacks, e.g. ["addConditionalEntrypoint"]. */
  withoutApi?: string[];
}

/** The runtime accepts only what the platform would: the package is validated against Cognigy's schema first. */
export function createCognigyRuntime(extension: Record<string, unknown>, options: RuntimeOptions = {}) {
  const report = validateExtensionPackage(extension);
  if (!report.valid) throw new Error(`The platform would refuse this extension: ${report.errors.join("; ")}`);
  const descriptors = new Map<string, Descriptor>();
  for (const node of readArray(extension.nodes)) {
    const descriptor = readDescriptor(node);
    if (descriptor !== undefined) descriptors.set(descriptor.type, descriptor);
  }
  const connections = new Map<string, Record<string, string>>();
  const missing = new Set(options.withoutApi ?? []);
  /** What the platform would keep: every input after its run, every node log line, every error a node threw. */
  const journal: { inputs: unknown[]; logs: string[]; errors: string[] } = { inputs: [], logs: [], errors: [] };

  function record(input: Record<string, unknown>, runs: readonly NodeRun[], error: unknown, runtimeLogs: readonly string[] = []): void {
    if (error !== null) journal.errors.push(error instanceof Error ? `${error.message}\n${error.stack ?? ""}` : String(error));
    journal.inputs.push(JSON.parse(JSON.stringify(input)));
    journal.logs.push(...runtimeLogs.map((line) => `runtime: ${line}`));
    for (const run of runs) journal.logs.push(...run.logs.map((line) => `${line.level}: ${line.message}`));
  }

  /** An input through a one-off flow named "main" that starts at its first node (no entrypoint kept between inputs). */
  function oneOff(session: Session, steps: readonly ProjectNode[], spec: TurnInputSpec): { execution: Execution; start: GraphNode | null } {
    const count = beginInput(session, spec);
    const graph = compileFlow("main", steps, descriptors);
    const input = makeInput(session, spec, { flowName: "main", execution: count });
    const scope = { input, context: session.context, profile: session.profile };
    return { execution: { graphs: new Map([["main", graph]]), connections, missingApi: missing, scope, execution: count, state: initialEntrypoint("main"), outputs: [], runs: [], answering: null }, start: graph.top[0] ?? null };
  }

  return {
    setConnection(name: string, values: Record<string, string>): void {
      connections.set(name, values);
    },
    createSession,
    makeInput: (session: Session, spec: TurnInputSpec): Record<string, unknown> => makeInput(session, spec),
    /** From now on, this Cognigy's extension sandbox lacks these api functions (platform-sources.md G2). */
    withoutApi(names: readonly string[]): void {
      for (const name of names) missing.add(name);
    },
    /** One node alone (nodeId `runNode:<type>`), as in a one-node flow; its NodeRun. */
    async runNode(session: Session, type: string, config: Record<string, unknown>, spec: TurnInputSpec = {}): Promise<NodeRun> {
      const { execution, start } = oneOff(session, [{ id: `runNode:${type}`, node: type, config }], spec);
      await runExecution(execution, start);
      const run = execution.runs[0];
      if (run === undefined) throw new Error(`runNode: ${type} did not run`);
      return run;
    },
    /** One input through `steps`, from the first step, as the older tests use it; the session's entrypoint is neither read nor moved. */
    async runFlow(session: Session, steps: readonly FlowStep[], spec: TurnInputSpec = {}): Promise<{ outputs: Output[]; runs: NodeRun[] }> {
      const { execution, start } = oneOff(session, steps, spec);
      try {
        await runExecution(execution, start);
      } catch (error: unknown) {
        record(execution.scope.input, execution.runs, error);
        throw error;
      }
      record(execution.scope.input, execution.runs, null);
      return { outputs: execution.outputs, runs: execution.runs };
    },
    /** A project of several flows; `project.input(session, spec)` runs an input from the session's entrypoint. */
    createProject(spec: ProjectSpec) {
      return createProjectRunner({ descriptors, connections, missingApi: () => missing, record }, spec);
    },
    journal,
  };
}

export type CognigyRuntime = ReturnType<typeof createCognigyRuntime>;
