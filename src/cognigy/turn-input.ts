import type { ICognigyInputProperties } from "@cognigy/extension-tools/build/interfaces/descriptor";
import { readRecord, readString, type JsonRecord } from "../core/json-guards";
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
