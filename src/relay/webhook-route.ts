import type { SecretOrKeys } from "../core/derive-key";
import { isRecord, readPositiveInteger, readRecord, type JsonRecord } from "../core/json-guards";
import { openStampedRoute, ROUTE_ATTRIBUTE, type RouteBinding } from "../core/route-seal";
import type { RouteOpener } from "./route-cache";
import { accountIdOf, conversationOf, inboxIdOf, sourceIdOf } from "./webhook-fields";

export interface WebhookRouteOptions {
  relaySecret: SecretOrKeys;
  /** Opens sealed routes (default: openStampedRoute with the relay secret; the relay passes a cache). */
  openRoute?: RouteOpener;
  inboxIds: readonly number[] | null;
}

/** A conversation's authentic route: the sealed value, what it is bound to, and when its handover sealed it. */
export interface WebhookRoute {
  sealed: string;
  binding: RouteBinding;
  accountId: number;
  /** null: sealed before seals carried an issue time. */
  issuedAt: number | null;
  /** The handover asked for queue position updates (sealed with the route, issue 13). */
  queueUpdates: boolean;
}

/** The route of one conversation (display id) as a webhook showed it. */
export interface SeenRoute extends WebhookRoute {
  conversationId: number;
}

/** The sealed route must open with the relay secret, bound to this conversation's inbox and contact. */
export function webhookRoute(payload: JsonRecord, conversation: JsonRecord, options: WebhookRouteOptions): WebhookRoute | "no_route" | "route_unauthentic" {
  const sealed = readRecord(conversation.custom_attributes)[ROUTE_ATTRIBUTE];
  const inboxId = readPositiveInteger(conversation.inbox_id) ?? inboxIdOf(payload, conversation);
  const sourceId = sourceIdOf(conversation);
  if (typeof sealed !== "string" || sealed === "" || inboxId === undefined || sourceId === undefined) return "no_route";
  const binding = { inboxId, sourceId };
  const opened = options.openRoute === undefined ? openStampedRoute(sealed, binding, options.relaySecret) : options.openRoute(sealed, binding);
  return opened.ok ? { sealed, binding, accountId: accountIdOf(payload, conversation), issuedAt: opened.issuedAt, queueUpdates: opened.options.queueUpdates } : "route_unauthentic";
}

/**
 * The authentic route any verified webhook carries (a reply, a user's message,
 * an attribute edit, a status change), for the relay's memory of each
 * conversation's newest route (C15); undefined when there is none or the inbox
 * is not served.
 */
export function seenRoute(payload: unknown, options: WebhookRouteOptions): SeenRoute | undefined {
  if (!isRecord(payload) || typeof payload.event !== "string") return undefined;
  const conversation = conversationOf(payload);
  const conversationId = readPositiveInteger(conversation.id);
  const inboxId = inboxIdOf(payload, conversation);
  if (conversationId === undefined || inboxId === undefined || (options.inboxIds !== null && !options.inboxIds.includes(inboxId))) return undefined;
  const route = webhookRoute(payload, conversation, options);
  return typeof route === "string" ? undefined : { ...route, conversationId };
}
