import type { INodeFunctionBaseParams } from "@cognigy/extension-tools";
import { readRecord } from "../../src/core/json-guards";
import type { HandoverState } from "../../src/core/handover-state";
import { takeExit } from "../../src/cognigy/child-exits";
import { readHandoverState, saveHandoverState } from "../../src/cognigy/handover-context";
import { requireApi, type NodeApi } from "../../src/cognigy/node-api";
import { readTurnInput, type TurnInput } from "../../src/cognigy/turn-input";
import { parseChatwootConnection } from "../../connections/parse-chatwoot-connection";
import { handleSessionInput } from "./handle-session-input";
import { parseSessionConfig } from "./session-config";
import { SESSION_EXITS } from "./session-exits";
import type { SessionOutcome } from "./session-outcome";
import { createSessionTools } from "./session-tools";

function apply(api: NodeApi, childConfigs: INodeFunctionBaseParams["childConfigs"], contextKey: string, result: SessionOutcome): void {
  for (const entry of result.logs) api.log(entry.level, entry.message);
  if (result.state !== null) saveHandoverState(api, contextKey, result.state);
  for (const output of result.outputs) api.say(output.text, output.data);
  if (result.next === "continue") return;
  if (result.next === "stop") return api.stopExecution();
  takeExit(api, childConfigs, SESSION_EXITS[result.next]);
}

/**
 * When the flow goes on below the Session node, a Handover node may follow in
 * this input: it checks that a Session node saw the input, and in which flow
 * (flow-layout.ts).
 */
function withSessionSeen(result: SessionOutcome, state: HandoverState, input: TurnInput): SessionOutcome {
  if (result.next !== "continue" || input.inputId === "") return result;
  return { ...result, state: { ...(result.state ?? state), sessionSeen: { inputId: input.inputId, flowName: input.flowName } } };
}

/** The Session node: a thin adapter from Cognigy's node API to handleSessionInput. */
export async function runSessionNode(params: INodeFunctionBaseParams): Promise<void> {
  const api = requireApi(params.cognigy.api);
  const rawConfig = readRecord(params.config);
  const config = parseSessionConfig(rawConfig);
  const connection = parseChatwootConnection(rawConfig.connection);
  if (!connection.ok) {
    api.log("error", connection.message);
    return takeExit(api, params.childConfigs, SESSION_EXITS.error);
  }
  const { client, download } = createSessionTools(connection.connection, config.attachmentHosts, config.privateAttachmentHosts);
  const input = readTurnInput(params.cognigy.input);
  const state = readHandoverState(params.cognigy.context, config.contextKey);
  const result = await handleSessionInput(client, download, { config, relaySecret: connection.connection.relaySecret, input, state, now: Date.now() });
  apply(api, params.childConfigs, config.contextKey, withSessionSeen(result, state, input));
}
