import { layoutProblem, type LayoutRequest } from "../../nodes/handover/flow-layout";
import { emptyHandoverState } from "../../src/core/handover-state";
import type { TurnInput } from "../../src/cognigy/turn-input";

const INPUT: TurnInput = { userId: "u", sessionId: "s", urlToken: "t", inputId: "in-2", text: "agent", intent: "", data: {}, flowName: "main", activeOptionalQuestion: null, execution: 5 };

function request(overrides: { waitForAgent?: boolean; nodeId?: string; input?: Partial<TurnInput>; seen?: { inputId: string; flowName: string } | null }): LayoutRequest {
  return {
    waitForAgent: overrides.waitForAgent ?? true,
    nodeId: overrides.nodeId ?? "node-1",
    input: { ...INPUT, ...overrides.input },
    state: { ...emptyHandoverState(), sessionSeen: overrides.seen ?? null },
  };
}

describe("layoutProblem: will the user's next inputs reach a Chatwoot node?", () => {
  it.each([
    ["waiting here, with a node id", request({}), undefined],
    ["waiting here, without a node id", request({ nodeId: "" }), "does not give extension nodes their node id"],
    ["not waiting, a Session node saw this input in this flow", request({ waitForAgent: false, seen: { inputId: "in-2", flowName: "main" } }), undefined],
    ["not waiting, the Session node saw an earlier input", request({ waitForAgent: false, seen: { inputId: "in-1", flowName: "main" } }), "no Chatwoot Session node ran before this Handover node"],
    ["not waiting, no Session node ever", request({ waitForAgent: false, seen: null }), 'put a Chatwoot Session node first in flow "main"'],
    ["not waiting, the Session node is in another flow", request({ waitForAgent: false, input: { flowName: "support" }, seen: { inputId: "in-2", flowName: "main" } }), 'this Handover node is in flow "support"'],
    ["not waiting, the runtime names no flows", request({ waitForAgent: false, input: { flowName: "" }, seen: { inputId: "in-2", flowName: "" } }), undefined],
    ["an Optional Question with 2 inputs left", request({ input: { activeOptionalQuestion: { nodeId: "q1", lastExecutedAt: 4, forgetQuestionThreshold: 3 } } }), "still waits for its answer for 2 more input(s)"],
    ["an Optional Question that expired", request({ input: { activeOptionalQuestion: { nodeId: "q1", lastExecutedAt: 1, forgetQuestionThreshold: 3 } } }), undefined],
  ] as const)("%s", (_, given, expected) => {
    const problem = layoutProblem(given);
    if (expected === undefined) expect(problem).toBeUndefined();
    else expect(problem).toContain(expected);
  });
});
