import set from "lodash/set";
import { FlowExecutionError, MAX_SAME_NODE_PER_INPUT, PlatformLimitError } from "./cognigy-limits";
import type { EntrypointState } from "./cognigy-entrypoint";
import { after, enter, type FlowGraph, type GraphNode } from "./cognigy-flow-graph";
import { resolveTarget, targetsFor } from "./cognigy-flow-targets";
import type { Output } from "./cognigy-node-api";
import { invokeNode, type RawRun } from "./cognigy-node-runner";
import { exitMove, optionalQuestion, question, say } from "./cognigy-question-nodes";
import type { ScriptScope } from "./cognigy-script";

export type Next =
  | { kind: "child"; type: string }
  | { kind: "stop" }
  | { kind: "continue" }
  /** setNextNode to another entrypoint node (in this flow, or `flow`). */
  | { kind: "node"; nodeId: string; flow: string }
  /** setNextNode(id) then stopExecution(): the next input starts at `nodeId` (a pin). */
  | { kind: "wait"; nodeId: string; flow: string }
  | { kind: "executeFlow"; flow: string; nodeId: string | null; isGoto: boolean };

export interface NodeRun {
  type: string;
  nodeId: string;
  flow: string;
  outputs: Output[];
  next: Next;
  calls: string[];
  logs: { level: string; message: string }[];
  durationMs: number;
}

/** One input's execution: the graphs, the session's memory, the input, and where its results go. */
export interface Execution {
  graphs: ReadonlyMap<string, FlowGraph>;
  connections: ReadonlyMap<string, Record<string, string>>;
  missingApi: ReadonlySet<string>;
  scope: ScriptScope;
  execution: number;
  state: EntrypointState;
  outputs: Output[];
  runs: NodeRun[];
  /** The node this input entered by its pin or its conditional entrypoint: a Question there takes the input as its answer. */
  answering: GraphNode | null;
}

export type Move =
  | { kind: "to"; node: GraphNode | null }
  | { kind: "stop"; pin: GraphNode | null }
  | { kind: "call"; node: GraphNode | null }
  | { kind: "goto"; flow: string; node: GraphNode | null }
  | { kind: "wait"; flow: string; node: GraphNode | null };

function nextOf(raw: RawRun, node: GraphNode): Next {
  const { signals } = raw;
  if (signals.executeFlow !== null) return { kind: "executeFlow", flow: signals.executeFlow.flow, nodeId: signals.executeFlow.node, isGoto: signals.executeFlow.isGoto };
  const named = signals.nextNode;
  if (signals.stopped) return named === null ? { kind: "stop" } : { kind: "wait", nodeId: named.nodeId, flow: named.flow ?? node.flow };
  if (named === null) return { kind: "continue" };
  const exit = Object.entries(node.exits).find(([, child]) => child.id === named.nodeId);
  return exit !== undefined ? { kind: "child", type: exit[0] } : { kind: "node", nodeId: named.nodeId, flow: named.flow ?? node.flow };
}

function landing(execution: Execution, node: GraphNode, flow: string, nodeId: string, what: string): GraphNode | null {
  const exit = Object.values(node.exits).find((child) => child.id === nodeId);
  return exit ?? resolveTarget(execution.graphs, flow, nodeId, what);
}

async function runExtension(execution: Execution, node: GraphNode, spec: { node: string; config?: Record<string, unknown> }): Promise<Move> {
  if (node.descriptor === undefined) throw new FlowExecutionError(`flow ${node.flow}: no node type ${spec.node}`);
  const childIds = Object.fromEntries(Object.entries(node.exits).map(([type, exit]) => [type, exit.id]));
  const raw = await invokeNode({ descriptor: node.descriptor, given: spec.config ?? {}, scope: execution.scope, connections: execution.connections, nodeId: node.id, childIds, targets: targetsFor(execution.graphs, node), missingApi: execution.missingApi });
  const next = nextOf(raw, node);
  execution.runs.push({ type: raw.type, nodeId: node.id, flow: node.flow, outputs: raw.outputs, next, calls: raw.calls, logs: raw.logs, durationMs: raw.durationMs });
  execution.outputs.push(...raw.outputs);
  for (const conditional of raw.signals.conditionals) execution.state.conditionals.push({ flow: node.flow, nodeId: conditional.entrypoint, condition: conditional.condition, retentionTime: conditional.retentionTime, registeredAt: execution.execution });
  if (next.kind === "executeFlow") {
    const target = resolveTarget(execution.graphs, next.flow, next.nodeId, `${raw.type} api.executeFlow`);
    return next.isGoto ? { kind: "goto", flow: next.flow, node: target } : { kind: "call", node: target };
  }
  if (next.kind === "stop") return { kind: "stop", pin: null };
  if (next.kind === "wait") return { kind: "stop", pin: landing(execution, node, next.flow, next.nodeId, `${raw.type} setNextNode`) };
  if (next.kind === "child") return { kind: "to", node: node.exits[next.type] ?? null };
  if (next.kind === "node") return { kind: "to", node: landing(execution, node, next.flow, next.nodeId, `${raw.type} setNextNode`) };
  return { kind: "to", node: after(node) };
}

async function step(execution: Execution, node: GraphNode): Promise<Move> {
  const spec = node.spec;
  if (spec === null) return { kind: "to", node: enter(node) };
  if ("node" in spec) return runExtension(execution, node, spec);
  if ("say" in spec) {
    say(execution, spec.say);
    return { kind: "to", node: after(node) };
  }
  if ("stop" in spec) return { kind: "stop", pin: null };
  if ("goTo" in spec) {
    const target = resolveTarget(execution.graphs, spec.goTo.flow, spec.goTo.node ?? null, `Go To in flow ${node.flow}`);
    return spec.goTo.mode === "wait" ? { kind: "wait", flow: spec.goTo.flow, node: target } : { kind: "goto", flow: spec.goTo.flow, node: target };
  }
  if ("executeFlow" in spec) return { kind: "call", node: resolveTarget(execution.graphs, spec.executeFlow.flow, spec.executeFlow.node ?? null, `Execute Flow in flow ${node.flow}`) };
  if ("question" in spec) return question(execution, node, spec.question);
  if ("optionalQuestion" in spec) return optionalQuestion(execution, node, spec.optionalQuestion);
  if ("ifText" in spec) {
    const text = typeof execution.scope.input.text === "string" ? execution.scope.input.text : "";
    return exitMove(node, new RegExp(spec.ifText.pattern, "i").test(text) ? "then" : "else");
  }
  set(execution.scope.context, spec.setContext.key, JSON.parse(JSON.stringify(spec.setContext.value ?? null)));
  return { kind: "to", node: after(node) };
}

/**
 * Runs one input from `start`. An Execute Flow pushes its node and, when the
 * executed flow ends, execution goes on below it (execute-flow.md:19-21); a Go
 * To drops those returns and moves the entrypoint flow (go-to.md:19-22). The
 * input's `flowName` is the flow of the node running — assumption: input.md:64
 * says only "The name of the Flow in execution".
 */
export async function runExecution(execution: Execution, start: GraphNode | null): Promise<void> {
  const callers: GraphNode[] = [];
  const visits = new Map<string, number>();
  let current = start;
  for (;;) {
    if (current === null) {
      const caller = callers.pop();
      if (caller === undefined) return;
      current = after(caller);
      continue;
    }
    if (current.spec !== null) {
      const count = (visits.get(current.id) ?? 0) + 1;
      visits.set(current.id, count);
      if (count > MAX_SAME_NODE_PER_INPUT) throw new PlatformLimitError(`Infinite Loop Detected: node ${current.id} in flow ${current.flow} ran ${count} times in one input (Cognigy stops a flow that runs the same path more than ${MAX_SAME_NODE_PER_INPUT} times per input, limitations.md)`);
      execution.scope.input.flowName = current.flow;
    }
    const node = current;
    const move = await step(execution, node);
    if (execution.answering === node) execution.answering = null;
    if (move.kind === "to") current = move.node;
    else if (move.kind === "call") {
      callers.push(node);
      current = move.node;
    } else if (move.kind === "goto") {
      callers.length = 0;
      execution.state.flow = move.flow;
      current = move.node;
    } else {
      if (move.kind === "wait") execution.state.flow = move.flow;
      const pin = move.kind === "wait" ? move.node : move.pin;
      execution.state.pinned = pin === null ? null : { flow: pin.flow, nodeId: pin.id };
      return;
    }
  }
}
