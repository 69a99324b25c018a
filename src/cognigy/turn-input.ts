import type { ICognigyInputProperties } from "@cognigy/extension-tools/build/interfaces/descriptor";
import { readArray, readNumber, readRecord, readString, type JsonRecord } from "../core/json-guards";
import { MAX_ROUTE_FIELD_LENGTH } from "../core/route-seal";

/** The parts of Cognigy's input the nodes use, as plain strings. */
export interface TurnInput {
  userId: string;
  sessionId: string;
  /** The Endpoint's URL token; the relay needs it to inject agent replies. Empty in the Interaction Panel. */
  urlToken: string;
  inputId: string;
  text: string;
  intent: string;
  data: JsonRecord;
  /** The flow in execution (input.flowName); "" when the runtime does not say. */
  flowName: string;
  /** An Optional Question still waiting for its answer (input.activeOptionalQuestion), which is checked before every other entrypoint. */
  activeOptionalQuestion: ActiveOptionalQuestion | null;
  /** How many inputs this session has had (input.execution). */
  execution: number | null;
  /** Cognigy's top-level input.attachments, "an array of URLs" of the user's files (G10), when the channel sent any. */
  attachments?: unknown[];
}

/** Cognigy's `input.activeOptionalQuestion` (docs: optional-question.md). */
export interface ActiveOptionalQuestion {
  nodeId: string;
  lastExecutedAt: number;
  forgetQuestionThreshold: number;
}

function readActiveOptionalQuestion(value: unknown): ActiveOptionalQuestion | null {
  const record = readRecord(value);
  const nodeId = readString(record.nodeId);
  const lastExecutedAt = readNumber(record.lastExecutedAt);
  const forgetQuestionThreshold = readNumber(record.forgetQuestionThreshold);
  if (nodeId === undefined || lastExecutedAt === undefined || forgetQuestionThreshold === undefined) return null;
  return { nodeId: nodeId.slice(0, 200), lastExecutedAt, forgetQuestionThreshold };
}

export function readTurnInput(input: ICognigyInputProperties | undefined): TurnInput {
  const record: JsonRecord = readRecord(input);
  return {
    userId: readString(record.userId) ?? "",
    sessionId: readString(record.sessionId) ?? "",
    urlToken: readString(record.URLToken) ?? "",
    inputId: readString(record.inputId) ?? "",
    text: readString(record.text) ?? "",
    intent: readString(record.intent) ?? "",
    data: readRecord(record.data),
    flowName: (readString(record.flowName) ?? "").slice(0, 200),
    activeOptionalQuestion: readActiveOptionalQuestion(record.activeOptionalQuestion),
    execution: readNumber(record.execution) ?? null,
    ...(readArray(record.attachments).length > 0 ? { attachments: readArray(record.attachments) } : {}),
  };
}

/** Why agent replies could not be routed back to this input's session, or undefined when they can. */
export function routeProblem(input: TurnInput): string | undefined {
  const fields: [string, string][] = [
    ["input.userId", input.userId],
    ["input.sessionId", input.sessionId],
    ["input.URLToken", input.urlToken],
  ];
  for (const [name, value] of fields) {
    if (value === "") return `${name} is empty`;
    if (value.length > MAX_ROUTE_FIELD_LENGTH) return `${name} is longer than ${MAX_ROUTE_FIELD_LENGTH} characters`;
  }
  return undefined;
}
