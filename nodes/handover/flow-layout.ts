import type { HandoverState } from "../../src/core/handover-state";
import type { TurnInput } from "../../src/cognigy/turn-input";

export interface LayoutRequest {
  waitForAgent: boolean;
  /** This node's id (`params.nodeId`); "" when the runtime gives none. */
  nodeId: string;
  input: TurnInput;
  state: HandoverState;
}

/**
 * Why the user's next inputs would not reach a Chatwoot node if the handover
 * started now, with what to change where; undefined when they will. Cognigy
 * moves the entrypoint (platform-sources.md G1): a Go To moves it into the
 * target flow, a Question node to itself. So:
 * - waiting here, this node becomes the entrypoint itself (Cognigy's Question
 *   pattern, G2): it needs its node id;
 * - otherwise a Session node must have seen this input, in this flow;
 * - in both, an Optional Question still waiting for its answer is checked by
 *   Cognigy before any other node (its conditional entrypoint) and would take
 *   the user's messages meant for the agent.
 */
export function layoutProblem(request: LayoutRequest): string | undefined {
  const { input, state } = request;
  const where = input.flowName === "" ? "this flow" : `flow "${input.flowName}"`;
  const question = input.activeOptionalQuestion;
  if (question !== null) {
    const left = input.execution === null ? question.forgetQuestionThreshold : question.forgetQuestionThreshold - (input.execution - question.lastExecutedAt);
    if (left > 0) {
      return `An Optional Question (node ${question.nodeId}) still waits for its answer for ${left} more input(s), and Cognigy checks it before any other node: it would take the user's messages meant for the agent. Hand over after it has expired (its "Forget Question Threshold"), or use a Question node instead of an Optional Question before the handover.`;
    }
  }
  if (request.waitForAgent) {
    if (request.nodeId === "") return `This Cognigy does not give extension nodes their node id, so the Handover node cannot wait for the agent itself. Turn off "Wait for the agent here" and put a Chatwoot Session node first in ${where}.`;
    return undefined;
  }
  const seen = state.sessionSeen ?? null;
  if (seen === null || seen.inputId !== input.inputId) {
    return `"Wait for the agent here" is off, but no Chatwoot Session node ran before this Handover node in this input, so the user's next messages would not reach the agent. Turn on "Wait for the agent here" (recommended), or put a Chatwoot Session node first in ${where}.`;
  }
  if (seen.flowName !== "" && input.flowName !== "" && seen.flowName !== input.flowName) {
    return `"Wait for the agent here" is off, and the Chatwoot Session node that saw this input is in flow "${seen.flowName}", but this Handover node is in flow "${input.flowName}" (reached with Go To or Execute Flow): after a Go To the user's next messages start in flow "${input.flowName}" and would not reach the agent. Turn on "Wait for the agent here" (recommended), or put a Chatwoot Session node first in flow "${input.flowName}".`;
  }
  return undefined;
}
