import type { ChatwootClient } from "../../src/chatwoot/chatwoot-client";
import { isWithinWorkingHours } from "../../src/core/business-hours";
import type { UnavailableInfo } from "../../src/core/handover-state";
import type { HandoverConfig } from "./handover-config";

/**
 * The optional checks before a handover: the inbox's business hours (one
 * request) and whether any of its agents is online (one request). Returns why
 * no agent can take the conversation, or null.
 */
export async function checkAvailability(client: ChatwootClient, config: HandoverConfig, now: number): Promise<UnavailableInfo | null> {
  let outOfOfficeMessage: string | null = null;
  if (config.respectBusinessHours) {
    const inbox = config.inboxIdentifier === null ? await client.getInbox(config.inboxId) : await client.getPublicInbox(config.inboxIdentifier);
    outOfOfficeMessage = inbox.outOfOfficeMessage;
    if (inbox.workingHoursEnabled && !isWithinWorkingHours(new Date(now), inbox.timezone, inbox.workingHours)) {
      return { reason: "outside_business_hours", outOfOfficeMessage, at: now };
    }
  }
  if (config.checkAvailability) {
    const members = await client.listInboxMembers(config.inboxId);
    if (!members.some((member) => member.availability === "online")) return { reason: "no_agent_online", outOfOfficeMessage, at: now };
  }
  return null;
}
