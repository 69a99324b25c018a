import { ChatwootApiError } from "../../src/chatwoot/chatwoot-api-error";
import type { ChatwootClient, ContactFields } from "../../src/chatwoot/chatwoot-client";
import type { ContactCache } from "../../src/core/handover-state";
import { contactSourceId } from "./contact-source-id";
import type { HandoverConfig } from "./handover-config";

/** The contact in the inbox; `contactId` is null when only its (derived) source id is known. */
export interface ContactRef {
  contactId: number | null;
  sourceId: string;
}

export interface ResolvedContact {
  ref: ContactRef;
  warnings: string[];
}

/** Remembers the contact's id and source id for this account, so a later handover skips the lookup. */
export function cacheContact(cache: ContactCache | null, account: string, identifier: string, contactId: number, inboxId: number, sourceId: string): ContactCache {
  const keep = cache !== null && cache.account === account && cache.identifier === identifier && cache.contactId === contactId;
  return { account, identifier, contactId, sourceIds: { ...(keep ? cache.sourceIds : {}), [String(inboxId)]: sourceId } };
}

function cachedRef(config: HandoverConfig, cache: ContactCache | null, account: string): { cached: ContactCache | null; ref: ContactRef | null } {
  const cached = cache !== null && cache.account === account && cache.identifier === config.contact.identifier ? cache : null;
  const sourceId = cached?.sourceIds[String(config.inboxId)];
  return { cached, ref: cached !== null && sourceId !== undefined ? { contactId: cached.contactId, sourceId } : null };
}

/** After a 422 (the identifier, email or phone is taken): the existing contact, never a duplicate, never someone else's. */
export async function findExisting(client: ChatwootClient, config: HandoverConfig, sourceId: string): Promise<ResolvedContact> {
  const [existing] = await client.findContactsByIdentifier(config.contact.identifier);
  if (existing !== undefined) {
    const known = existing.inboxes.find((item) => item.inboxId === config.inboxId)?.sourceId;
    return { ref: { contactId: existing.id, sourceId: known ?? (await client.createContactInbox(existing.id, config.inboxId, sourceId)) }, warnings: [] };
  }
  const fields: ContactFields = { identifier: config.contact.identifier, ...(config.contact.name === undefined ? {} : { name: config.contact.name }) };
  const created = await client.createContact(config.inboxId, sourceId, fields);
  return { ref: created, warnings: ["The contact's email or phone number belongs to another Chatwoot contact; the contact was created without them."] };
}

/**
 * Finds or creates the user's Chatwoot contact in the inbox, without duplicates:
 * from the cache (no request); through the public inbox API (agent-bot tokens);
 * or by creating it. When Chatwoot says it exists (422), the derived source id
 * is returned without a lookup (contactId null): creating the conversation with
 * it either works (a returning user) or answers 404, and the caller then uses
 * findExisting.
 */
export async function resolveContact(client: ChatwootClient, config: HandoverConfig, cache: ContactCache | null, account: string): Promise<ResolvedContact> {
  const { cached, ref } = cachedRef(config, cache, account);
  if (ref !== null) return { ref, warnings: [] };
  const sourceId = contactSourceId(config.inboxId, config.contact.identifier);
  if (config.inboxIdentifier !== null) return { ref: await client.createPublicContact(config.inboxIdentifier, sourceId, config.contact), warnings: [] };
  if (cached !== null) return { ref: { contactId: cached.contactId, sourceId: await client.createContactInbox(cached.contactId, config.inboxId, sourceId) }, warnings: [] };
  try {
    return { ref: await client.createContact(config.inboxId, sourceId, config.contact), warnings: [] };
  } catch (error: unknown) {
    if (!(error instanceof ChatwootApiError) || error.status !== 422) throw error;
  }
  return { ref: { contactId: null, sourceId }, warnings: [] };
}
