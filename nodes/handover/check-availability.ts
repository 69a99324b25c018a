import { ChatwootApiError } from "../../src/chatwoot/chatwoot-api-error";
import type { ChatwootClient } from "../../src/chatwoot/chatwoot-client";
import type { InboxMember } from "../../src/chatwoot/chatwoot-types";
import { isWithinWorkingHours } from "../../src/core/business-hours";
import type { UnavailableInfo } from "../../src/core/handover-state";
import type { HandoverConfig } from "./handover-config";

/**
 * The optional checks before a handover: the inbox's business hours (one
 * request) and whether any of its agents is online (one request). Returns why
 * no agent can take the conversation, or null; a check the token may not
 * make becomes a warning.
 */
export async function checkAvailability(client: ChatwootClient, config: HandoverConfig, now: number, warnings: string[]): Promise<UnavailableInfo | null> {
  let outOfOfficeMessage: string | null = null;
  if (config.respectBusinessHours) {
    const inbox = config.inboxIdentifier === null ? await client.getInbox(config.inboxId) : await client.getPublicInbox(config.inboxIdentifier);
    outOfOfficeMessage = inbox.outOfOfficeMessage;
    if (inbox.workingHoursEnabled && !isWithinWorkingHours(new Date(now), inbox.timezone, inbox.workingHours)) {
      return { reason: "outside_business_hours", outOfOfficeMessage, at: now };
    }
  }
  if (config.checkAvailability) {
    const members = await inboxMembers(client, config.inboxId, warnings);
    if (members !== null && !members.some((member) => member.availability === "online")) return { reason: "no_agent_online", outOfOfficeMessage, at: now };
  }
  return null;
}

/**
 * The inbox's agents, or null when the token is an agent-bot token, which no
 * Chatwoot version lets list them (C5): the handover then goes ahead without
 * the check, with a warning, rather than failing.
 */
async function inboxMembers(client: ChatwootClient, inboxId: number, warnings: string[]): Promise<InboxMember[] | null> {
  try {
    return await client.listInboxMembers(inboxId);
  } catch (error: unknown) {
    if (!(error instanceof ChatwootApiError) || error.refusal !== "bot_not_allowed") throw error;
    warnings.push(`Agent availability was not checked: ${error.message} The handover went ahead.`);
    return null;
  }
}
