import set from "lodash/set";
import { FlowExecutionError } from "./cognigy-limits";
import type { Execution, Move } from "./cognigy-flow-execution";
import { after, enter, type GraphNode } from "./cognigy-flow-graph";
import { renderText } from "./cognigy-script";

/** Cognigy's Say, Question and Optional Question nodes, as the stand-in plays them. */

function store(execution: Execution, answerKey: string | undefined, value: unknown): void {
  const { input, context } = execution.scope;
  // Like Cognigy's Question nodes: the result goes to input.result, and to the context when asked (optionalQuestion.js storeResultInContext).
  input.result = value;
  if (answerKey === undefined) return;
  const [root, ...rest] = answerKey.split(".");
  if (rest.length === 0 || (root !== "context" && root !== "input")) throw new FlowExecutionError(`answerKey "${answerKey}" must start with context. or input.`);
  set(root === "context" ? context : input, rest.join("."), value);
}

export function exitMove(node: GraphNode, type: string): Move {
  const exit = node.exits[type];
  return { kind: "to", node: exit === undefined ? after(node) : enter(exit) };
}

export function say(execution: Execution, text: string): void {
  execution.outputs.push({ text: renderText(text, execution.scope), data: null });
}

/** Cognigy's Question node: asks, pins itself and stops; the next input is its answer (question.js:1984-85). */
export function question(execution: Execution, node: GraphNode, spec: { text: string; answerKey?: string }): Move {
  if (execution.answering !== node) {
    say(execution, spec.text);
    return { kind: "stop", pin: node };
  }
  store(execution, spec.answerKey, execution.scope.input.text);
  return { kind: "to", node: after(node) };
}

/** Cognigy's Optional Question: asks, registers a conditional entrypoint on itself and goes on (optionalQuestion.js). */
export function optionalQuestion(execution: Execution, node: GraphNode, spec: { text: string; forgetAfter: number; condition?: string; answerKey?: string }): Move {
  if (execution.answering === node) {
    store(execution, spec.answerKey, execution.scope.input.text);
    execution.state.activeOptionalQuestion = null;
    return exitMove(node, "onAnswer");
  }
  execution.state.activeOptionalQuestion = { nodeId: node.id, lastExecutedAt: execution.execution, forgetQuestionThreshold: spec.forgetAfter };
  // Type "Text" builds no condition in optionalQuestion.js; the stand-in's default is "any text".
  execution.state.conditionals.push({ flow: node.flow, nodeId: node.id, condition: spec.condition ?? "input.text !== ''", retentionTime: spec.forgetAfter, registeredAt: execution.execution });
  say(execution, spec.text);
  return exitMove(node, "onQuestion");
}

