import { ChatwootApiError } from "../../src/chatwoot/chatwoot-api-error";
import type { ChatwootClient, NewConversation } from "../../src/chatwoot/chatwoot-client";
import type { ConversationInfo } from "../../src/chatwoot/chatwoot-types";
import type { ConversationState } from "../../src/core/handover-state";
import { ROUTE_ATTRIBUTE } from "../../src/core/route-seal";
import { messageSourceId } from "../../src/core/source-id";
import type { HandoverConfig } from "./handover-config";
import { createOrFindConversation } from "./lost-conversation";
import type { ContactRef } from "./resolve-contact";

export interface OpenedConversation {
  id: number;
  contactId: number | null;
  /** Chatwoot returned a conversation that existed before (inbox locked to one conversation per contact). */
  existed: boolean;
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

/** Opens a pending conversation (an agent bot is active), then labels and priority: one request each, failures are warnings. */
async function openAndLabel(client: ChatwootClient, config: HandoverConfig, conversation: ConversationInfo, reopen: boolean, warnings: string[]): Promise<void> {
  if (conversation.status === "pending" || reopen) await attempt(warnings, () => client.toggleStatus(conversation.id, "open"));
  if (config.labels.length > 0) await attempt(warnings, () => client.setLabels(conversation.id, [...new Set([...conversation.labels, ...config.labels])]));
  const { priority } = config;
  if (priority !== undefined) await attempt(warnings, () => client.setPriority(conversation.id, priority));
}

/**
 * Chatwoot clears the assignee when the agent is not a member of the team
 * given with it, and may pick a team member instead (C7:
 * assignment_handler.rb#ensure_assignee_is_from_team): the conversation is
 * still handed over, to the team.
 */
function unassignedWarning(agentId: number, teamId: number | undefined, assigneeId: number | null): string {
  const instead = assigneeId === null ? "the conversation is unassigned" : `Chatwoot assigned agent ${assigneeId} instead`;
  if (teamId === undefined) return `Agent ${agentId} was not assigned (${instead}): check that the agent ID belongs to an agent of this inbox.`;
  return `Agent ${agentId} was not assigned: the agent is not a member of team ${teamId}, and Chatwoot then drops the agent; the conversation went to the team and ${instead}. Add the agent to the team in Chatwoot, or clear one of the two fields.`;
}

/**
 * Creates the conversation with route, team, agent, attributes and the user's
 * message in one request. Labels and priority cost one request each. When
 * Chatwoot returns the contact's earlier conversation (inbox locked to one
 * conversation), its route is replaced and, if resolved, it is reopened; when
 * it forces a new one to pending (an agent bot is active), it is opened. When
 * the answer is lost, the conversation is looked for (lost-conversation.ts).
 */
export async function createConversation(client: ChatwootClient, config: HandoverConfig, contact: ContactRef, sealedRoute: string, triggerText: string): Promise<OpenedConversation> {
  const request: NewConversation = {
    inboxId: config.inboxId,
    contactId: contact.contactId,
    sourceId: contact.sourceId,
    customAttributes: { ...config.customAttributes, [ROUTE_ATTRIBUTE]: sealedRoute },
    ...(config.teamId === undefined ? {} : { teamId: config.teamId }),
    ...(config.agentId === undefined ? {} : { assigneeId: config.agentId }),
    ...(triggerText === "" ? {} : { firstIncomingMessage: triggerText }),
  };
  const { conversation: created, warning } = await createOrFindConversation(client, config, contact, request, sealedRoute);
  const existed = created.customAttributes[ROUTE_ATTRIBUTE] !== sealedRoute;
  if (!existed && created.status === "resolved") {
    throw new ChatwootApiError("create conversation", "refused", `Chatwoot created conversation ${created.id} as resolved: the contact is blocked in Chatwoot.`);
  }
  const warnings: string[] = warning === null ? [] : [warning];
  if (!existed && config.agentId !== undefined && created.assigneeId !== config.agentId) warnings.push(unassignedWarning(config.agentId, config.teamId, created.assigneeId));
  if (existed) await client.setCustomAttributes(created.id, { ...created.customAttributes, ...config.customAttributes, [ROUTE_ATTRIBUTE]: sealedRoute });
  await openAndLabel(client, config, created, existed && created.status === "resolved", warnings);
  return { id: created.id, contactId: created.contactId ?? contact.contactId, existed, warnings };
}

/**
 * Takes over the conversation an earlier attempt of this session created
 * although its answer was lost (found by its sealed route, which already leads
 * here): the user's new message is posted (once per input), a pending or
 * snoozed conversation opened, labels and priority set. It counts as new, so
 * the history note (never posted) follows.
 */
export async function adoptConversation(client: ChatwootClient, config: HandoverConfig, found: ConversationInfo, trigger: { text: string; inputId: string; alreadyPosted: boolean }, warning: string): Promise<OpenedConversation> {
  const warnings = [warning];
  const post = trigger.text !== "" && !trigger.alreadyPosted;
  if (post) await client.postMessage(found.id, { content: trigger.text, messageType: "incoming", sourceId: messageSourceId("input", trigger.inputId) });
  // An incoming message reopens a snoozed conversation by itself (chatwoot-facts.md §5).
  await openAndLabel(client, config, found, found.status === "snoozed" && !post, warnings);
  return { id: found.id, contactId: found.contactId, existed: false, warnings };
}

/**
 * Continues the user's previous conversation (still live, or resolved within
 * the reopen window), with its agent, team and labels: re-seals the route if
 * the Cognigy session changed, and posts the user's message (once per input).
 * A resolved conversation is opened first: the user's message alone would
 * leave it pending in an inbox with an active agent bot (C6: message.rb
 * reopens it as pending there), where agents do not look.
 */
export async function reuseConversation(client: ChatwootClient, previous: ConversationState, sessionId: string, sealedRoute: string, trigger: { text: string; inputId: string; alreadyPosted: boolean }): Promise<OpenedConversation> {
  if (previous.sessionId !== sessionId) {
    const current = await client.getConversation(previous.id);
    await client.setCustomAttributes(previous.id, { ...current.customAttributes, [ROUTE_ATTRIBUTE]: sealedRoute });
  }
  if (trigger.text === "" || previous.endedAt !== null) await client.toggleStatus(previous.id, "open");
  if (trigger.text !== "" && !trigger.alreadyPosted) await client.postMessage(previous.id, { content: trigger.text, messageType: "incoming", sourceId: messageSourceId("input", trigger.inputId) });
  return { id: previous.id, contactId: null, existed: true, warnings: [] };
}
