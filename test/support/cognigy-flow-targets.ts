import { FlowExecutionError } from "./cognigy-limits";
import type { TargetCheck } from "./cognigy-node-api";
import type { FlowGraph, GraphNode } from "./cognigy-flow-graph";

const ENTRYPOINT_RULE = 'Cognigy: "The target Node must be available as an Entrypoint in the Flow" (DOC execution-control/setNextNode.md:24)';

/**
 * Why the platform refuses a jump to `nodeId` in `flow`, or undefined. Go To,
 * Execute Flow, setNextNode and conditional entrypoints may target only a flow's
 * start or a node that is an entrypoint: Question-like nodes by behaviour, any
 * node by the designer's "Set Entrypoint" (DOC go-to.md:29, execute-flow.md:32,
 * setNextNode.md:24, executeFlow.md:27).
 */
export function refuseTarget(graphs: ReadonlyMap<string, FlowGraph>, flow: string, nodeId: string | null): string | undefined {
  const graph = graphs.get(flow);
  if (graph === undefined) return `there is no flow "${flow}" in the project (flows: ${[...graphs.keys()].join(", ")})`;
  if (nodeId === null) return undefined;
  const node = graph.byId.get(nodeId);
  if (node === undefined) return `flow "${flow}" has no node "${nodeId}"`;
  if (!node.entrypoint) return `node "${nodeId}" in flow "${flow}" is not an entrypoint (no behavior.entrypoint, no Set Entrypoint); ${ENTRYPOINT_RULE}`;
  return undefined;
}

/** The node a jump lands on (a flow's first node for its start; null for an empty flow); throws the platform's refusal. */
export function resolveTarget(graphs: ReadonlyMap<string, FlowGraph>, flow: string, nodeId: string | null, what: string): GraphNode | null {
  const why = refuseTarget(graphs, flow, nodeId);
  if (why !== undefined) throw new FlowExecutionError(`${what}: ${why}`);
  const graph = graphs.get(flow);
  if (graph === undefined) return null;
  return nodeId === null ? (graph.top[0] ?? null) : (graph.byId.get(nodeId) ?? null);
}

/** What an extension node running at `node` may name as its next node, conditional entrypoint or flow to execute. */
export function targetsFor(graphs: ReadonlyMap<string, FlowGraph>, node: GraphNode): TargetCheck {
  return {
    nextNode(nodeId, flow) {
      if ((flow === undefined || flow === node.flow) && Object.values(node.exits).some((exit) => exit.id === nodeId)) return undefined;
      if (nodeId === node.id && !node.entrypoint) {
        return `setNextNode("${nodeId}") names the node itself, which is not an entrypoint: a node that pins itself to wait for the next input needs behavior: { entrypoint: true } in its descriptor (as Cognigy's Question node has) or Set Entrypoint in the flow; ${ENTRYPOINT_RULE}`;
      }
      const why = refuseTarget(graphs, flow ?? node.flow, nodeId);
      return why === undefined ? undefined : `setNextNode("${nodeId}"${flow === undefined ? "" : `, "${flow}"`}): ${why}`;
    },
    conditionalEntrypoint(nodeId) {
      const why = refuseTarget(graphs, node.flow, nodeId);
      return why === undefined ? undefined : `addConditionalEntrypoint({ entrypoint: "${nodeId}" }): ${why}`;
    },
    flow(flow, nodeId) {
      const why = refuseTarget(graphs, flow, nodeId);
      return why === undefined ? undefined : `executeFlow: ${why}`;
    },
  };
}
