import { randomBytes } from "crypto";
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
  /** The contact id came from the cache of an earlier handover: Chatwoot may have merged or deleted that contact since (C2). */
  cached?: boolean;
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

function httpStatus(error: unknown): number | null {
  return error instanceof ChatwootApiError && error.kind === "http" ? error.status : null;
}

/**
 * The contact is no longer what the cache says: 404, it was merged into
 * another contact or deleted (C2: contact_merge_action.rb deletes the merged
 * one); 500, the source id belongs to another contact now (C1:
 * contact_inbox_builder.rb re-raises the clash for API inboxes, and
 * contact_inboxes_controller.rb does not rescue it).
 */
export function isStaleContact(error: unknown): boolean {
  const status = httpStatus(error);
  return status === 404 || status === 500;
}

/**
 * Adds the contact to the inbox under the user's derived source id; if another
 * contact holds that source id (C1: HTTP 500), under a fresh one, so the
 * handover goes on. The fresh id is kept in the contact cache and listed with
 * the contact, where the next lookup finds it.
 */
async function addToInbox(client: ChatwootClient, contactId: number, inboxId: number, sourceId: string): Promise<string> {
  try {
    return await client.createContactInbox(contactId, inboxId, sourceId);
  } catch (error: unknown) {
    if (httpStatus(error) !== 500) throw error;
  }
  return client.createContactInbox(contactId, inboxId, `${sourceId}-${randomBytes(6).toString("base64url")}`);
}

/**
 * Chatwoot said the identifier is taken, but its filter does not return a
 * contact with exactly this identifier (C3: on accounts with the `crm_v2`
 * feature the filter returns only contacts of type lead).
 */
function hiddenContact(error: ChatwootApiError, identifier: string): ChatwootApiError {
  const shown = identifier.length > 60 ? `${identifier.slice(0, 60)}…` : identifier;
  return new ChatwootApiError(
    "find contact",
    "refused",
    `Chatwoot says a contact with the identifier "${shown}" exists, but its contact filter does not return it, so the handover cannot attach to it. On Chatwoot accounts with the crm_v2 feature the filter finds only contacts of type "lead": in Chatwoot, set that contact's type back to lead, or remove its identifier. (${error.message})`,
    error.status,
    error.remoteMessage,
  );
}

/**
 * After Chatwoot found no contact inbox with the user's source id: the contact
 * whose identifier is exactly the user's — never one that differs only in
 * case, which Chatwoot's filter also returns, in no order (C3) — or a new one.
 * A new contact is created without email and phone (they belong to another
 * contact, which is why the first create was refused).
 */
export async function findExisting(client: ChatwootClient, config: HandoverConfig, sourceId: string): Promise<ResolvedContact> {
  const { identifier } = config.contact;
  const exact = (await client.findContactsByIdentifier(identifier)).find((contact) => contact.identifier === identifier);
  if (exact !== undefined) {
    const inInbox = exact.inboxes.filter((item) => item.inboxId === config.inboxId);
    const known = (inInbox.find((item) => item.sourceId === sourceId) ?? inInbox[0])?.sourceId;
    return { ref: { contactId: exact.id, sourceId: known ?? (await addToInbox(client, exact.id, config.inboxId, sourceId)) }, warnings: [] };
  }
  const fields: ContactFields = { identifier, ...(config.contact.name === undefined ? {} : { name: config.contact.name }) };
  try {
    const created = await client.createContact(config.inboxId, sourceId, fields);
    return { ref: created, warnings: ["The contact's email or phone number belongs to another Chatwoot contact; the contact was created without them."] };
  } catch (error: unknown) {
    // "Identifier has already been taken" (contact.rb's uniqueness): yet the filter did not return it.
    if (error instanceof ChatwootApiError && error.status === 422 && /identifier/i.test(error.remoteMessage ?? "")) throw hiddenContact(error, identifier);
    throw error;
  }
}

/** The public API's contact create, with what to do when an inbox enforcing identity validation refuses it (C4: it answers 500). */
async function publicContact(client: ChatwootClient, config: HandoverConfig, inboxIdentifier: string, sourceId: string): Promise<ContactRef> {
  try {
    return await client.createPublicContact(inboxIdentifier, sourceId, config.contact);
  } catch (error: unknown) {
    if (httpStatus(error) !== 500 || !(error instanceof ChatwootApiError)) throw error;
    const advice = client.signsIdentifiers
      ? "If the inbox enforces user identity validation, check that the connection's HMAC token is this inbox's (Settings → Inboxes → Configuration → Identity validation)."
      : "If the inbox enforces user identity validation, Chatwoot requires a signed identifier: copy the inbox's HMAC token (Settings → Inboxes → Configuration → Identity validation) into the connection's HMAC token field.";
    throw new ChatwootApiError(error.operation, error.kind, `${error.message} ${advice}`, error.status, error.remoteMessage);
  }
}

/**
 * Finds or creates the user's Chatwoot contact in the inbox, without duplicates:
 * from the cache (no request); through the public inbox API (agent-bot tokens);
 * or by creating it. When Chatwoot says the identifier is taken (422), or that
 * the user's source id already belongs to a contact (500: an agent merged the
 * user's contact or edited its identifier, C1), the derived source id is
 * returned without a lookup (contactId null): Chatwoot then creates the
 * conversation for whichever contact holds that source id now, or answers 404,
 * and the caller uses findExisting.
 */
export async function resolveContact(client: ChatwootClient, config: HandoverConfig, cache: ContactCache | null, account: string): Promise<ResolvedContact> {
  const { cached, ref } = cachedRef(config, cache, account);
  if (ref !== null) return { ref, warnings: [], cached: true };
  const sourceId = contactSourceId(config.inboxId, config.contact.identifier);
  if (config.inboxIdentifier !== null) return { ref: await publicContact(client, config, config.inboxIdentifier, sourceId), warnings: [] };
  if (cached !== null) {
    try {
      return { ref: { contactId: cached.contactId, sourceId: await client.createContactInbox(cached.contactId, config.inboxId, sourceId) }, warnings: [] };
    } catch (error: unknown) {
      if (!isStaleContact(error)) throw error;
    }
  }
  try {
    return { ref: await client.createContact(config.inboxId, sourceId, config.contact), warnings: [] };
  } catch (error: unknown) {
    const status = httpStatus(error);
    if (status !== 422 && status !== 500) throw error;
  }
  return { ref: { contactId: null, sourceId }, warnings: [] };
}
