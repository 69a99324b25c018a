import type { Descriptor } from "./cognigy-node-runner";

/**
 * A node of a flow, as a test writes it. `id` is the node id the flow gives it
 * (stable across inputs; default `<flow>:<path>`); `entrypoint: true` is the
 * designer's "Set Entrypoint" (DOC build/nodes/overview.md "Set Nodes as
 * Entrypoints"), which Go To, Execute Flow and setNextNode targets need.
 */
export type ProjectNode =
  | { id?: string; entrypoint?: boolean; node: string; config?: Record<string, unknown>; children?: Record<string, ProjectNode[]> }
  | { id?: string; entrypoint?: boolean; say: string }
  | { id?: string; entrypoint?: boolean; stop: true }
  | { id?: string; entrypoint?: boolean; goTo: { flow: string; node?: string; mode?: "continue" | "wait" } }
  | { id?: string; entrypoint?: boolean; executeFlow: { flow: string; node?: string } }
  | { question: { id: string; text: string; answerKey?: string } }
  | { optionalQuestion: { id: string; text: string; forgetAfter: number; condition?: string; answerKey?: string; onAnswer?: ProjectNode[]; onQuestion?: ProjectNode[] } }
  | { id?: string; entrypoint?: boolean; ifText: { pattern: string; then: ProjectNode[]; else?: ProjectNode[] } }
  | { id?: string; entrypoint?: boolean; setContext: { key: string; value: unknown } };

export interface GraphNode {
  id: string;
  flow: string;
  /** null for a child exit (the node a setNextNode(childId) goes to). */
  spec: ProjectNode | null;
  entrypoint: boolean;
  /** The list the node sits in and its place there (a child exit sits in none). */
  list: GraphNode[];
  index: number;
  /** The node whose branch this node is in; null at the flow's top level. For a child exit: its parent. */
  owner: GraphNode | null;
  /** The child exits, by exit type, each with the branch below it. */
  exits: Record<string, GraphNode>;
  branch: GraphNode[];
  descriptor: Descriptor | undefined;
}

export interface FlowGraph {
  name: string;
  top: GraphNode[];
  byId: Map<string, GraphNode>;
}

function ownId(spec: ProjectNode): string | undefined {
  if ("question" in spec) return spec.question.id;
  if ("optionalQuestion" in spec) return spec.optionalQuestion.id;
  return spec.id;
}

function branchesOf(spec: ProjectNode, descriptor: Descriptor | undefined): Record<string, ProjectNode[]> {
  if ("node" in spec) return Object.fromEntries((descriptor?.children ?? []).map((type) => [type, spec.children?.[type] ?? []]));
  if ("ifText" in spec) return { then: spec.ifText.then, else: spec.ifText.else ?? [] };
  if ("optionalQuestion" in spec) return { onAnswer: spec.optionalQuestion.onAnswer ?? [], onQuestion: spec.optionalQuestion.onQuestion ?? [] };
  return {};
}

/** Builds a flow's nodes with stable ids; an unknown extension node type or a duplicate id is refused at once. */
export function compileFlow(name: string, specs: readonly ProjectNode[], descriptors: ReadonlyMap<string, Descriptor>): FlowGraph {
  const byId = new Map<string, GraphNode>();
  const add = (node: GraphNode): void => {
    if (byId.has(node.id)) throw new Error(`flow ${name}: two nodes have the id ${node.id}`);
    byId.set(node.id, node);
  };
  const build = (list: readonly ProjectNode[], path: string, owner: GraphNode | null): GraphNode[] => {
    const nodes: GraphNode[] = [];
    list.forEach((spec, index) => {
      const descriptor = "node" in spec ? descriptors.get(spec.node) : undefined;
      if ("node" in spec && descriptor === undefined) throw new Error(`flow ${name}: the extension has no node type ${spec.node}`);
      const id = ownId(spec) ?? `${name}:${path}${index}`;
      const designerEntry = "entrypoint" in spec && spec.entrypoint === true;
      // Question and Optional Question are entrypoints by behaviour (rest-api-client question.js, optionalQuestion.js `behavior: { entrypoint: true }`).
      const entrypoint = designerEntry || "question" in spec || "optionalQuestion" in spec || descriptor?.entrypoint === true;
      const node: GraphNode = { id, flow: name, spec, entrypoint, list: nodes, index, owner, exits: {}, branch: [], descriptor };
      add(node);
      for (const [type, branch] of Object.entries(branchesOf(spec, descriptor))) {
        const exit: GraphNode = { id: `${id}/${type}`, flow: name, spec: null, entrypoint: false, list: [], index: 0, owner: node, exits: {}, branch: [], descriptor: undefined };
        add(exit);
        exit.branch = build(branch, `${path}${index}.${type}.`, node);
        node.exits[type] = exit;
      }
      nodes.push(node);
    });
    return nodes;
  };
  return { name, top: build(specs, "", null), byId };
}

/** Where execution goes after a node that named no next node: the next sibling, else below the branch's owner, else the flow's end (null). */
export function after(node: GraphNode): GraphNode | null {
  if (node.spec === null) return node.owner === null ? null : after(node.owner);
  const next = node.list[node.index + 1];
  if (next !== undefined) return next;
  return node.owner === null ? null : after(node.owner);
}

/** Into a child exit: its branch's first node, or on below its parent when the branch is empty. */
export function enter(exit: GraphNode): GraphNode | null {
  return exit.branch[0] ?? after(exit);
}
