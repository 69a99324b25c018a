import get from "lodash/get";
import { parseHandoverState, type HandoverState } from "../core/handover-state";
import type { NodeApi } from "./node-api";

/** Cognigy refuses api payloads over 62 KB; the state stays well below that. */
export const MAX_STATE_BYTES = 48 * 1024;

export function readHandoverState(context: object | undefined, key: string): HandoverState {
  return parseHandoverState(context === undefined ? undefined : get(context, key));
}

/** Drops the oldest history turns until the state fits the platform's payload limit. */
export function fitState(state: HandoverState): HandoverState {
  let fitted = state;
  while (Buffer.byteLength(JSON.stringify(fitted)) > MAX_STATE_BYTES && fitted.history.length > 0) {
    fitted = { ...fitted, history: fitted.history.slice(Math.ceil(fitted.history.length / 4)) };
  }
  return fitted;
}

/** One api call: the whole state replaces the value at the key. */
export function saveHandoverState(api: NodeApi, key: string, state: HandoverState): void {
  api.addToContext(key, fitState(state));
}
