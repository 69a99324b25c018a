import { ChatwootApiError } from "../../src/chatwoot/chatwoot-api-error";
import type { ChatwootClient, ContactFields } from "../../src/chatwoot/chatwoot-client";
import type { ContactInboxRef } from "../../src/chatwoot/chatwoot-types";
import type { ContactCache } from "../../src/core/handover-state";
import type { HandoverConfig } from "./handover-config";

export interface ResolvedContact {
  ref: ContactInboxRef;
  cache: ContactCache;
  warnings: string[];
}

function withSource(cache: ContactCache | null, account: string, identifier: string, contactId: number, inboxId: number, sourceId: string): ContactCache {
  const keep = cache !== null && cache.account === account && cache.identifier === identifier && cache.contactId === contactId;
  return { account, identifier, contactId, sourceIds: { ...(keep ? cache.sourceIds : {}), [String(inboxId)]: sourceId } };
}

/** Chatwoot refuses a second contact with the same identifier, email or phone (422). */
async function createOrFind(client: ChatwootClient, inboxId: number, fields: ContactFields): Promise<{ ref: ContactInboxRef; warnings: string[] }> {
  try {
    return { ref: await client.createContact(inboxId, fields), warnings: [] };
  } catch (error: unknown) {
    if (!(error instanceof ChatwootApiError) || error.status !== 422) throw error;
  }
  const [existing] = await client.findContactsByIdentifier(fields.identifier);
  if (existing !== undefined) {
    const sourceId = existing.inboxes.find((item) => item.inboxId === inboxId)?.sourceId ?? (await client.createContactInbox(existing.id, inboxId));
    return { ref: { contactId: existing.id, sourceId }, warnings: [] };
  }
  // The email or phone number belongs to another contact: never attach this user to that contact.
  const ref = await client.createContact(inboxId, { identifier: fields.identifier, ...(fields.name === undefined ? {} : { name: fields.name }) });
  return { ref, warnings: ["The contact's email or phone number belongs to another Chatwoot contact; the contact was created without them."] };
}

/**
 * Finds or creates the user's Chatwoot contact in the inbox, without duplicates:
 * from the cache (no request), through the public inbox API (agent-bot tokens),
 * or by creating it and falling back to a lookup when it already exists.
 */
export async function resolveContact(client: ChatwootClient, config: HandoverConfig, cache: ContactCache | null, account: string): Promise<ResolvedContact> {
  const { identifier } = config.contact;
  const cachedContact = cache !== null && cache.account === account && cache.identifier === identifier ? cache : null;
  const cachedSource = cachedContact?.sourceIds[String(config.inboxId)];
  if (cachedContact !== null && cachedSource !== undefined) {
    return { ref: { contactId: cachedContact.contactId, sourceId: cachedSource }, cache: cachedContact, warnings: [] };
  }
  let result: { ref: ContactInboxRef; warnings: string[] };
  if (config.inboxIdentifier !== null) {
    result = { ref: await client.createPublicContact(config.inboxIdentifier, config.contact), warnings: [] };
  } else if (cachedContact !== null) {
    result = { ref: { contactId: cachedContact.contactId, sourceId: await client.createContactInbox(cachedContact.contactId, config.inboxId) }, warnings: [] };
  } else {
    result = await createOrFind(client, config.inboxId, config.contact);
  }
  return { ...result, cache: withSource(cachedContact, account, identifier, result.ref.contactId, config.inboxId, result.ref.sourceId) };
}
