import { ChatwootApiError } from "../../src/chatwoot/chatwoot-api-error";
import type { ChatwootClient } from "../../src/chatwoot/chatwoot-client";
import type { ContactInboxRef } from "../../src/chatwoot/chatwoot-types";
import type { ConversationState } from "../../src/core/handover-state";
import { ROUTE_ATTRIBUTE } from "../../src/core/route-seal";
import { messageSourceId } from "../../src/core/source-id";
import type { HandoverConfig } from "./handover-config";

export interface OpenedConversation {
  id: number;
  warnings: string[];
}

/** Runs a step whose failure leaves the handover usable (labels, priority): its error becomes a warning. */
export async function attempt(warnings: string[], step: () => Promise<unknown>): Promise<void> {
  try {
    await step();
  } catch (error: unknown) {
    if (!(error instanceof ChatwootApiError)) throw error;
    warnings.push(error.message);
  }
}

/**
 * Creates the conversation with route, team, agent, attributes and the user's
 * message in one request. Only when Chatwoot returns an existing conversation
 * (inbox locked to one conversation) or forces it to pending (an agent bot is
 * active) does it cost a further request.
 */
export async function createConversation(
  client: ChatwootClient,
  config: HandoverConfig,
  contact: ContactInboxRef,
  sealedRoute: string,
  triggerText: string,
): Promise<OpenedConversation> {
  const created = await client.createConversation({
    inboxId: config.inboxId,
    contactId: contact.contactId,
    sourceId: contact.sourceId,
    customAttributes: { ...config.customAttributes, [ROUTE_ATTRIBUTE]: sealedRoute },
    ...(config.teamId === undefined ? {} : { teamId: config.teamId }),
    ...(config.agentId === undefined ? {} : { assigneeId: config.agentId }),
    ...(triggerText === "" ? {} : { firstIncomingMessage: triggerText }),
  });
  const warnings: string[] = [];
  if (created.customAttributes[ROUTE_ATTRIBUTE] !== sealedRoute) {
    await client.setCustomAttributes(created.id, { ...created.customAttributes, ...config.customAttributes, [ROUTE_ATTRIBUTE]: sealedRoute });
  }
  if (created.status === "resolved") {
    throw new ChatwootApiError("create conversation", "refused", `Chatwoot created conversation ${created.id} as resolved: the contact is blocked in Chatwoot.`);
  }
  if (created.status === "pending") {
    await attempt(warnings, () => client.toggleStatus(created.id, "open"));
  }
  if (config.labels.length > 0) {
    await attempt(warnings, () => client.setLabels(created.id, [...new Set([...created.labels, ...config.labels])]));
  }
  if (config.priority !== undefined) {
    const { priority } = config;
    await attempt(warnings, () => client.setPriority(created.id, priority));
  }
  return { id: created.id, warnings };
}

/**
 * Continues the user's previous conversation (still live, or resolved within
 * the reopen window): re-seals the route if the Cognigy session changed, and
 * posts the user's message, which reopens a resolved conversation.
 */
export async function reuseConversation(
  client: ChatwootClient,
  previous: ConversationState,
  sessionId: string,
  sealedRoute: string,
  triggerText: string,
  inputId: string,
): Promise<OpenedConversation> {
  if (previous.sessionId !== sessionId) {
    const current = await client.getConversation(previous.id);
    await client.setCustomAttributes(previous.id, { ...current.customAttributes, [ROUTE_ATTRIBUTE]: sealedRoute });
  }
  if (triggerText === "") {
    await client.toggleStatus(previous.id, "open");
  } else {
    await client.postMessage(previous.id, { content: triggerText, messageType: "incoming", sourceId: messageSourceId("input", inputId) });
  }
  return { id: previous.id, warnings: [] };
}
