import type { HandoverState } from "../../src/core/handover-state";
import type { Output } from "../../src/cognigy/agent-output";
import type { LogLevel } from "../../src/cognigy/node-api";

/** Where the flow goes after the Session node. */
export type SessionNext =
  /** Below the node: the bot handles the input. */
  | "continue"
  /** Nothing more for this input (it went to the agent, or was the agent's). */
  | "stop"
  | "resolved"
  | "cancelled"
  | "error";

export interface SessionOutcome {
  next: SessionNext;
  outputs: Output[];
  /** The state to save, or null when it did not change. */
  state: HandoverState | null;
  logs: { level: LogLevel; message: string }[];
}

export function outcome(next: SessionNext, state: HandoverState | null, outputs: Output[] = [], logs: SessionOutcome["logs"] = []): SessionOutcome {
  return { next, state, outputs, logs };
}
