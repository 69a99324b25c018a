import { evaluateCondition, type ScriptScope } from "./cognigy-script";

/**
 * Where a session's next input starts (platform-sources.md G1, G2). Cognigy
 * checks, in this order:
 * 1. a conditional entrypoint whose condition holds, "before regular execution"
 *    (DOC optional-question.md:22; execution-control/addConditionalEntrypoint.md:20-22:
 *    "If {condition} is met within the next {retentionTime} inputs, Flow execution starts at {entrypoint}");
 * 2. the node the previous execution left pinned with `setNextNode(id)` then
 *    `stopExecution()`, as the Question node waits for its answer
 *    (rest-api-client message/question/question.js:1984-85; DOC question.md:21
 *    "the Entrypoint shifts to this Node");
 * 3. the start of the entrypoint flow, which a Go To moves (DOC go-to.md:19) and
 *    an Execute Flow does not (execute-flow.md:19).
 */
export interface EntrypointState {
  flow: string;
  pinned: { flow: string; nodeId: string } | null;
  conditionals: ConditionalEntrypoint[];
  /** Cognigy's Optional Question keeps this in the system context and the platform copies it to `input.activeOptionalQuestion` (optional-question.md:69-80; optionalQuestion.js). */
  activeOptionalQuestion: { nodeId: string; lastExecutedAt: number; forgetQuestionThreshold: number } | null;
}

export interface ConditionalEntrypoint {
  /** The flow that registered it: the node id is looked up there. */
  flow: string;
  nodeId: string;
  condition: string;
  retentionTime: number;
  /** `input.execution` of the input that registered it. */
  registeredAt: number;
}

export type EntryVia = "conditional" | "pinned" | "start";

export interface Entry {
  flow: string;
  nodeId: string | null;
  via: EntryVia;
}

export function initialEntrypoint(main: string): EntrypointState {
  return { flow: main, pinned: null, conditionals: [], activeOptionalQuestion: null };
}

/**
 * Forgets what expired: a conditional registered at input k holds for inputs
 * k+1 … k+retentionTime; an Optional Question is active while
 * `execution - lastExecutedAt <= forgetQuestionThreshold`.
 */
export function expire(state: EntrypointState, execution: number): void {
  state.conditionals = state.conditionals.filter((entry) => execution - entry.registeredAt <= entry.retentionTime);
  const active = state.activeOptionalQuestion;
  if (active !== null && execution - active.lastExecutedAt > active.forgetQuestionThreshold) state.activeOptionalQuestion = null;
}

/**
 * Picks this input's entry and consumes it: a fired conditional is removed (the
 * newest registered is checked first); the pin is cleared whatever the entry,
 * because each execution sets the next one anew. Conditions that throw are false
 * and reported through `onConditionError`.
 */
export function chooseEntry(state: EntrypointState, scope: ScriptScope, onConditionError: (message: string) => void): Entry {
  for (let index = state.conditionals.length - 1; index >= 0; index -= 1) {
    const entry = state.conditionals[index];
    if (entry === undefined) continue;
    const result = evaluateCondition(entry.condition, scope);
    if (result.error !== undefined) onConditionError(`conditional entrypoint ${entry.nodeId}: condition ${entry.condition} failed: ${result.error}`);
    if (!result.value) continue;
    state.conditionals.splice(index, 1);
    state.pinned = null;
    return { flow: entry.flow, nodeId: entry.nodeId, via: "conditional" };
  }
  const pinned = state.pinned;
  state.pinned = null;
  if (pinned !== null) return { flow: pinned.flow, nodeId: pinned.nodeId, via: "pinned" };
  return { flow: state.flow, nodeId: null, via: "start" };
}
