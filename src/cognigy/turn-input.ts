import type { ICognigyInputProperties } from "@cognigy/extension-tools/build/interfaces/descriptor";
import { readRecord, readString, type JsonRecord } from "../core/json-guards";

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

/** Why the input cannot be routed back, or undefined when it can. */
export function missingRouteField(input: TurnInput): string | undefined {
  if (input.userId === "") return "input.userId";
  if (input.sessionId === "") return "input.sessionId";
  if (input.urlToken === "") return "input.URLToken";
  return undefined;
}
