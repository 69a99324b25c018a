import get from "lodash/get";
import { clipToJsonBytes } from "../core/clip-json-bytes";
import { parseHandoverState, type HandoverState } from "../core/handover-state";
import type { NodeApi } from "./node-api";

/**
 * The handover state shares Cognigy's context with the rest of the flow, and
 * a default installation allows 65 kB of context (platform-sources.md G3):
 * the state stays within 16 kB, whatever the history, the warnings or the
 * ids it holds.
 */
export const MAX_STATE_BYTES = 16_000;
const MAX_WARNINGS = 8;
/** Bytes as stored (JSON), so text that JSON escapes cannot grow past them. */
const MAX_WARNING_BYTES = 400;
const MAX_ERROR_BYTES = 1_200;
/** Source ids of the contact in other inboxes than the conversation's: a cache, the newest few are enough. */
const MAX_OTHER_SOURCE_IDS = 4;
const MIN_HANDLED_EVENTS = 10;

export function readHandoverState(context: object | undefined, key: string): HandoverState {
  return parseHandoverState(context === undefined ? undefined : get(context, key));
}

export function stateBytes(state: HandoverState): number {
  return Buffer.byteLength(JSON.stringify(state));
}

/** Warnings, the error text and the contact cache, cut to what the designer and the next handover need. */
function compact(state: HandoverState): HandoverState {
  const { contact, error } = state;
  const inbox = state.conversation === null ? undefined : String(state.conversation.inboxId);
  const sourceIds: [string, string][] = contact === null ? [] : Object.entries(contact.sourceIds);
  const kept = [...sourceIds.filter(([id]) => id === inbox), ...sourceIds.filter(([id]) => id !== inbox).slice(-MAX_OTHER_SOURCE_IDS)];
  return {
    ...state,
    warnings: state.warnings.slice(0, MAX_WARNINGS).map((warning) => clipToJsonBytes(warning, MAX_WARNING_BYTES)),
    error: error === null ? null : { ...error, message: clipToJsonBytes(error.message, MAX_ERROR_BYTES) },
    contact: contact === null ? null : { ...contact, sourceIds: Object.fromEntries(kept) },
  };
}

/** Compacts the state and drops the oldest history turns (then the oldest handled event ids) until it fits MAX_STATE_BYTES. */
export function fitState(state: HandoverState): HandoverState {
  if (stateBytes(state) <= MAX_STATE_BYTES) return state;
  let fitted = compact(state);
  while (stateBytes(fitted) > MAX_STATE_BYTES && fitted.history.length > 0) {
    fitted = { ...fitted, history: fitted.history.slice(Math.ceil(fitted.history.length / 4)) };
  }
  if (stateBytes(fitted) > MAX_STATE_BYTES) fitted = { ...fitted, handledEvents: fitted.handledEvents.slice(-MIN_HANDLED_EVENTS) };
  return fitted;
}

/** One api call: the whole state replaces the value at the key. */
export function saveHandoverState(api: NodeApi, key: string, state: HandoverState): void {
  api.addToContext(key, fitState(state));
}
