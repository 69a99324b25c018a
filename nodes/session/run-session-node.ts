import type { INodeFunctionBaseParams } from "@cognigy/extension-tools";
import { fetchAttachment } from "../../src/attachments/fetch-attachment";
import { createChatwootClient } from "../../src/chatwoot/chatwoot-client";
import { createDeadline } from "../../src/chatwoot/deadline";
import { readRecord } from "../../src/core/json-guards";
import { takeExit } from "../../src/cognigy/child-exits";
import { readHandoverState, saveHandoverState } from "../../src/cognigy/handover-context";
import { requireApi, type NodeApi } from "../../src/cognigy/node-api";
import { readTurnInput } from "../../src/cognigy/turn-input";
import { parseChatwootConnection } from "../../connections/parse-chatwoot-connection";
import type { Download } from "./forward-user-input";
import { handleSessionInput } from "./handle-session-input";
import { parseSessionConfig } from "./session-config";
import { SESSION_EXITS } from "./session-exits";
import type { SessionOutcome } from "./session-outcome";

/** Forwarding (downloads and upload included) may use 15 s of Cognigy's 20 s. */
export const SESSION_BUDGET_MS = 15_000;
export const SESSION_REQUEST_TIMEOUT_MS = 10_000;
/** Downloads of the user's files end after 8 s, so at least 7 s are left for the upload. */
export const DOWNLOAD_BUDGET_MS = 8_000;

function apply(api: NodeApi, childConfigs: INodeFunctionBaseParams["childConfigs"], contextKey: string, result: SessionOutcome): void {
  for (const entry of result.logs) api.log(entry.level, entry.message);
  if (result.state !== null) saveHandoverState(api, contextKey, result.state);
  for (const output of result.outputs) api.say(output.text, output.data);
  if (result.next === "continue") return;
  if (result.next === "stop") return api.stopExecution();
  takeExit(api, childConfigs, SESSION_EXITS[result.next]);
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
  const deadline = createDeadline(SESSION_BUDGET_MS);
  const { apiKey, relaySecret } = connection.connection;
  const client = createChatwootClient({ ...connection.connection, deadline, requestTimeoutMs: SESSION_REQUEST_TIMEOUT_MS, secrets: [apiKey, relaySecret] });
  const downloads = createDeadline(DOWNLOAD_BUDGET_MS);
  const download: Download = (source, maxBytes) => fetchAttachment(source, { allowedHosts: config.attachmentHosts, deadline: downloads, timeoutMs: DOWNLOAD_BUDGET_MS, maxBytes });
  const result = await handleSessionInput(client, download, {
    config,
    relaySecret,
    input: readTurnInput(params.cognigy.input),
    state: readHandoverState(params.cognigy.context, config.contextKey),
    now: Date.now(),
  });
  apply(api, params.childConfigs, config.contextKey, result);
}
