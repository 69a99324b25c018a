import type { IConnectionSchema, IConnectionSchemaField } from "@cognigy/extension-tools";

/** The connection type; nodes refer to it in their `connection` field. */
export const CHATWOOT_CONNECTION_TYPE = "chatwoot";

/** The platform accepts a label and a description per field; extension-tools 0.14 types only `fieldName`. */
interface DescribedField extends IConnectionSchemaField {
  fieldName: "baseUrl" | "accountId" | "apiKey" | "relaySecret" | "hmacToken";
  label: string;
  description: string;
  required: boolean;
}

/** Connection fields take plain strings only, so each carries English and German. */
const fields: DescribedField[] = [
  {
    fieldName: "baseUrl",
    label: "Base URL / Basis-URL",
    description: "https://chat.example.com (or …/api/v1) — Adresse Ihrer Chatwoot-Installation",
    required: true,
  },
  {
    fieldName: "accountId",
    label: "Account ID / Konto-ID",
    description: "The number in /app/accounts/<id>/ — die Zahl in /app/accounts/<id>/",
    required: true,
  },
  {
    fieldName: "apiKey",
    label: "API key / API-Schlüssel",
    description: "User access token or agent-bot token — Zugriffstoken eines Benutzers oder Agent-Bots",
    required: true,
  },
  {
    fieldName: "relaySecret",
    label: "Relay secret / Relay-Geheimnis",
    description: "RELAY_SECRET of the webhook relay, 32+ characters — RELAY_SECRET des Relays, mind. 32 Zeichen",
    required: true,
  },
  {
    fieldName: "hmacToken",
    label: "Inbox HMAC token (optional) / HMAC-Token der Inbox (optional)",
    description:
      "Only with an agent-bot token and an inbox that enforces identity validation: the HMAC token from the inbox's Configuration tab — nur für Agent-Bot-Token und Inboxen mit erzwungener Identitätsprüfung: der HMAC-Token aus dem Reiter Konfiguration",
    required: false,
  },
];

/**
 * One Chatwoot account. The relay secret is shared with the webhook relay: it
 * seals the routing attribute and signs the events the relay injects.
 */
export const chatwootConnection: IConnectionSchema = {
  type: CHATWOOT_CONNECTION_TYPE,
  label: "Chatwoot",
  fields,
};
