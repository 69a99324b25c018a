import type { INodeFunctionBaseParams } from "@cognigy/extension-tools";
import { createChatwootClient } from "../../src/chatwoot/chatwoot-client";
import { createDeadline } from "../../src/chatwoot/deadline";
import type { StoredError } from "../../src/core/handover-state";
import { readPositiveInteger, readRecord } from "../../src/core/json-guards";
import { takeExit } from "../../src/cognigy/child-exits";
import { normaliseContextKey } from "../../src/cognigy/context-key";
import { readHandoverState, saveHandoverState } from "../../src/cognigy/handover-context";
import { requireApi } from "../../src/cognigy/node-api";
import { readTurnInput } from "../../src/cognigy/turn-input";
import { parseChatwootConnection } from "../../connections/parse-chatwoot-connection";
import { changeStatus, type StatusAction } from "./change-status";
import { RESOLVE_REOPEN_EXITS } from "./resolve-reopen-exits";

const ACTIONS: readonly StatusAction[] = ["resolve", "reopen", "pending"];
/** Of Cognigy's 20 s per node execution, the Chatwoot calls may use 15 s, each at most 8 s. */
export const STATUS_BUDGET_MS = 15_000;
export const STATUS_REQUEST_TIMEOUT_MS = 8_000;

/** The Resolve/Reopen node: a thin adapter from Cognigy's node API to changeStatus. */
export async function runResolveReopenNode(params: INodeFunctionBaseParams): Promise<void> {
  const api = requireApi(params.cognigy.api);
  const raw = readRecord(params.config);
  const key = normaliseContextKey(raw.contextKey);
  const state = readHandoverState(params.cognigy.context, key);
  const exit = (name: keyof typeof RESOLVE_REOPEN_EXITS): void => takeExit(api, params.childConfigs, RESOLVE_REOPEN_EXITS[name]);
  const refuse = (message: string): void => {
    const error: StoredError = { operation: "configuration", kind: "configuration", status: null, message, at: Date.now() };
    api.log("error", message);
    saveHandoverState(api, key, { ...state, error });
    exit("error");
  };
  const connection = parseChatwootConnection(raw.connection);
  if (!connection.ok) return refuse(connection.message);
  const action = ACTIONS.find((item) => item === raw.action);
  if (action === undefined) return refuse('Chatwoot Resolve/Reopen: field "action" must be resolve, reopen or pending.');
  const idText = typeof raw.conversationId === "string" ? raw.conversationId.trim() : String(raw.conversationId ?? "");
  const conversationId = idText === "" ? null : (readPositiveInteger(idText) ?? null);
  if (idText !== "" && conversationId === null) return refuse(`Chatwoot Resolve/Reopen: field "conversationId" must be a positive whole number, got "${idText.slice(0, 40)}".`);
  const input = readTurnInput(params.cognigy.input);
  const { apiKey, relaySecret } = connection.connection;
  const client = createChatwootClient({ ...connection.connection, deadline: createDeadline(STATUS_BUDGET_MS), requestTimeoutMs: STATUS_REQUEST_TIMEOUT_MS, secrets: [apiKey, relaySecret] });
  const outcome = await changeStatus(client, {
    action,
    conversationId,
    state,
    route: { userId: input.userId, sessionId: input.sessionId, urlToken: input.urlToken },
    relaySecret,
    now: Date.now(),
  });
  saveHandoverState(api, key, outcome.state);
  if (outcome.kind === "error") api.log("error", outcome.error.message);
  exit(outcome.kind === "error" ? "error" : "success");
}
