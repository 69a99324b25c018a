import { fetchAttachment } from "../../src/attachments/fetch-attachment";
import { createChatwootClient, type ChatwootClient } from "../../src/chatwoot/chatwoot-client";
import { createDeadline } from "../../src/chatwoot/deadline";
import type { ChatwootConnection } from "../../connections/parse-chatwoot-connection";
import type { Download } from "./forward-user-input";

/** Forwarding (downloads and upload included) may use 15 s of Cognigy's 20 s. */
export const SESSION_BUDGET_MS = 15_000;
export const SESSION_REQUEST_TIMEOUT_MS = 10_000;
/** Downloads of the user's files end after 8 s, so at least 7 s are left for the upload. */
export const DOWNLOAD_BUDGET_MS = 8_000;

/** The Chatwoot client and the attachment download of one live-handover input, within the node's time budget. */
export function createSessionTools(connection: ChatwootConnection, attachmentHosts: readonly string[], trustListedHosts: boolean): { client: ChatwootClient; download: Download } {
  const { apiKey, relaySecret } = connection;
  const client = createChatwootClient({ ...connection, deadline: createDeadline(SESSION_BUDGET_MS), requestTimeoutMs: SESSION_REQUEST_TIMEOUT_MS, secrets: [apiKey, relaySecret] });
  const downloads = createDeadline(DOWNLOAD_BUDGET_MS);
  const download: Download = (source, maxBytes) => fetchAttachment(source, { allowedHosts: [...attachmentHosts], trustListedHosts, deadline: downloads, timeoutMs: DOWNLOAD_BUDGET_MS, maxBytes });
  return { client, download };
}
