import type { INodeFunctionBaseParams } from "@cognigy/extension-tools";
import type { HandoverState } from "../../src/core/handover-state";
import type { JsonRecord } from "../../src/core/json-guards";
import { takeExit } from "../../src/cognigy/child-exits";
import { saveHandoverState } from "../../src/cognigy/handover-context";
import type { NodeApi } from "../../src/cognigy/node-api";
import type { TurnInput } from "../../src/cognigy/turn-input";
import type { ChatwootConnection } from "../../connections/parse-chatwoot-connection";
import { handleSessionInput } from "../session/handle-session-input";
import { parseSessionConfig } from "../session/session-config";
import { createSessionTools } from "../session/session-tools";
import type { HandoverConfig } from "./handover-config";
import { HANDOVER_EXITS } from "./handover-exits";

export interface WaitRequest {
  rawConfig: JsonRecord;
  config: HandoverConfig;
  connection: ChatwootConnection;
  input: TurnInput;
  state: HandoverState;
  nodeId: string;
}

/**
 * An input of a live handover, at the Handover node that waits for the agent
 * (it is the entrypoint, as a Question node is for its answer): the same
 * handling as the Session node's, with the node's own live-handover settings.
 * Then it waits again — also after a message Chatwoot did not take, with the
 * designer's message — or the flow continues in Resolved by agent or
 * Cancelled by user; after an inactivity timeout, below the node.
 */
export async function waitForAgent(api: NodeApi, childConfigs: INodeFunctionBaseParams["childConfigs"], request: WaitRequest): Promise<void> {
  // Keywords and intents "for the flow" belong to a Session node: below a waiting Handover node nothing would hear them.
  const session = { ...parseSessionConfig(request.rawConfig), passKeywords: [], passIntents: [] };
  const { client, download } = createSessionTools(request.connection, session.attachmentHosts, session.privateAttachmentHosts);
  const result = await handleSessionInput(client, download, { config: session, relaySecret: request.connection.relaySecret, input: request.input, state: request.state, now: Date.now() });
  for (const entry of result.logs) api.log(entry.level, entry.message);
  const state = result.state ?? request.state;
  const stillLive = state.status === "live";
  if (result.state !== null || !stillLive) saveHandoverState(api, session.contextKey, { ...state, waitingAt: stillLive ? request.nodeId : null });
  for (const output of result.outputs) api.say(output.text, output.data);
  if (result.next === "resolved" || result.next === "cancelled") return takeExit(api, childConfigs, HANDOVER_EXITS[result.next]);
  if (result.next === "error" && request.config.deliveryFailedMessage.trim() !== "") api.say(request.config.deliveryFailedMessage);
  if (!stillLive) return;
  api.setNextNode(request.nodeId);
  api.stopExecution();
}
