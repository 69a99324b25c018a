import type { INodeFunctionBaseParams } from "@cognigy/extension-tools";
import { createChatwootClient } from "../../src/chatwoot/chatwoot-client";
import { createDeadline } from "../../src/chatwoot/deadline";
import type { HandoverState, HistoryTurn, StoredError } from "../../src/core/handover-state";
import { DEFAULT_HISTORY_LIMITS, parseTranscript } from "../../src/core/history";
import { readRecord } from "../../src/core/json-guards";
import { takeExit } from "../../src/cognigy/child-exits";
import { normaliseContextKey } from "../../src/cognigy/context-key";
import { readHandoverState, saveHandoverState } from "../../src/cognigy/handover-context";
import { requireApi, type NodeApi } from "../../src/cognigy/node-api";
import { readTurnInput, routeProblem } from "../../src/cognigy/turn-input";
import { accountKey, parseChatwootConnection } from "../../connections/parse-chatwoot-connection";
import { layoutProblem } from "./flow-layout";
import { parseHandoverConfig, type HandoverConfig } from "./handover-config";
import { HANDOVER_EXITS } from "./handover-exits";
import { startHandover } from "./start-handover";
import { waitForAgent } from "./wait-for-agent";

/** Of Cognigy's 20 s per node execution, the Chatwoot calls may use 15 s, each at most 8 s. */
export const HANDOVER_BUDGET_MS = 15_000;
export const HANDOVER_REQUEST_TIMEOUT_MS = 8_000;

type Exit = keyof typeof HANDOVER_EXITS;

function leave(api: NodeApi, childConfigs: INodeFunctionBaseParams["childConfigs"], exit: Exit): void {
  takeExit(api, childConfigs, HANDOVER_EXITS[exit]);
}

function configurationError(api: NodeApi, params: INodeFunctionBaseParams, key: string, state: HandoverState, message: string): void {
  const error: StoredError = { operation: "configuration", kind: "configuration", status: null, message, at: Date.now() };
  api.log("error", message);
  saveHandoverState(api, key, { ...state, status: state.status === "live" ? "live" : "error", error });
  leave(api, params.childConfigs, "error");
}

/** The designer's history field, else the transcript Cognigy's Get Transcript node stored. */
function chooseTranscript(config: HandoverConfig, params: INodeFunctionBaseParams): HistoryTurn[] | string {
  const designer = config.transcript;
  if (designer.length > 0 || !config.useCognigyTranscript) return designer;
  const stored = readRecord(params.cognigy.input).transcript ?? readRecord(params.cognigy.context).transcript;
  return parseTranscript(stored ?? [], DEFAULT_HISTORY_LIMITS);
}

/** `params.nodeId`, which extension-tools types since 0.10 (descriptor.d.ts); "" if the runtime gives none. */
function ownNodeId(params: INodeFunctionBaseParams): string {
  const { nodeId } = readRecord(params);
  return typeof nodeId === "string" && nodeId.length <= 200 ? nodeId : "";
}

/**
 * The Handover node: a thin adapter from Cognigy's node API to startHandover.
 * Waiting for the agent here, it is also where the user's next inputs start
 * while the handover is live (wait-for-agent.ts).
 */
export async function runHandoverNode(params: INodeFunctionBaseParams): Promise<void> {
  const api = requireApi(params.cognigy.api);
  const rawConfig = readRecord(params.config);
  const key = normaliseContextKey(rawConfig.contextKey);
  const state = readHandoverState(params.cognigy.context, key);
  const connection = parseChatwootConnection(rawConfig.connection);
  if (!connection.ok) return configurationError(api, params, key, state, connection.message);
  const config = parseHandoverConfig(rawConfig);
  if (!config.ok) return configurationError(api, params, key, state, config.message);
  const input = readTurnInput(params.cognigy.input);
  const nodeId = ownNodeId(params);
  if (config.value.waitForAgent && nodeId !== "" && state.status === "live" && state.waitingAt === nodeId && state.lastForwardedInputId !== input.inputId) {
    return waitForAgent(api, params.childConfigs, { rawConfig, config: config.value, connection: connection.connection, input, state, nodeId });
  }
  const problem = routeProblem(input);
  if (problem !== undefined) {
    return configurationError(api, params, key, state, `Chatwoot Handover: ${problem}, so agent replies could not reach this session. Test through an Endpoint such as Webchat, not the Interaction Panel.`);
  }
  const layout = layoutProblem({ waitForAgent: config.value.waitForAgent, nodeId, input, state });
  if (layout !== undefined) return configurationError(api, params, key, state, `Chatwoot Handover: ${layout}`);
  const client = createChatwootClient({
    ...connection.connection,
    deadline: createDeadline(HANDOVER_BUDGET_MS),
    requestTimeoutMs: HANDOVER_REQUEST_TIMEOUT_MS,
    secrets: [connection.connection.apiKey, connection.connection.relaySecret],
  });
  const outcome = await startHandover(client, {
    config: config.value,
    account: accountKey(connection.connection),
    relaySecret: connection.connection.relaySecret,
    route: { userId: input.userId, sessionId: input.sessionId, urlToken: input.urlToken },
    inputId: input.inputId === "" ? `t${Date.now()}` : input.inputId,
    triggerText: input.text.trim(),
    transcript: chooseTranscript(config.value, params),
    state,
    now: Date.now(),
  });
  if (outcome.kind === "error") {
    saveHandoverState(api, key, outcome.state);
    api.log("error", outcome.error.message);
    return leave(api, params.childConfigs, "error");
  }
  if (outcome.kind === "unavailable") {
    saveHandoverState(api, key, outcome.state);
    return leave(api, params.childConfigs, "unavailable");
  }
  const waiting = config.value.waitForAgent ? nodeId : null;
  saveHandoverState(api, key, { ...outcome.state, waitingAt: waiting });
  for (const warning of outcome.state.warnings) api.log("warn", warning);
  if (outcome.accepted !== null) api.say(outcome.accepted.text, outcome.accepted.data);
  if (waiting === null) return leave(api, params.childConfigs, "started");
  // Cognigy's Question node waits for its answer the same way: the next input starts at this node.
  api.setNextNode(waiting);
  api.stopExecution();
}
