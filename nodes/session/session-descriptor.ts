import { createNodeDescriptor } from "@cognigy/extension-tools";
import { DEFAULT_CONTEXT_KEY } from "../../src/cognigy/context-key";
import { label } from "../../src/cognigy/label";
import { DEFAULT_HISTORY_LIMITS } from "../../src/core/history";
import { CHATWOOT_CONNECTION_TYPE } from "../../connections/chatwoot-connection";
import { runSessionNode } from "../../src/lazy-node-functions";
import { SESSION_EXITS, SESSION_NODE_TYPE } from "./session-exits";
import { LIVE_SESSION_FIELDS } from "./live-session-fields";

/** "Chatwoot Session": first node of the flow; every input passes it. */
export const sessionNode = createNodeDescriptor({
  type: SESSION_NODE_TYPE,
  defaultLabel: label("Chatwoot Session", "Chatwoot-Sitzung"),
  summary: label("Place first: relays messages while an agent is on", "An den Anfang: leitet Nachrichten weiter, solange ein Agent da ist"),
  tags: ["service"],
  appearance: { color: "#1F93FF" },
  dependencies: { children: [SESSION_EXITS.resolved, SESSION_EXITS.cancelled, SESSION_EXITS.error] },
  fields: [
    {
      key: "connection",
      type: "connection",
      label: label("Chatwoot connection", "Chatwoot-Verbindung"),
      params: { connectionType: CHATWOOT_CONNECTION_TYPE, required: true },
    },
    ...LIVE_SESSION_FIELDS,
    {
      key: "passKeywords",
      type: "chipInput",
      label: label("Keywords for the flow", "Schlüsselwörter für den Flow"),
      description: label("While an agent is on, these go to the flow below (not to the agent), e.g. for your own end-chat button.", "Während ein Agent da ist, gehen diese an den Flow (nicht an den Agenten), z. B. für einen eigenen Beenden-Knopf."),
      defaultValue: [],
    },
    {
      key: "passIntents",
      type: "chipInput",
      label: label("Intents for the flow", "Intents für den Flow"),
      description: label("While an agent is on, inputs with these intents go to the flow below.", "Während ein Agent da ist, gehen Eingaben mit diesen Intents an den Flow."),
      defaultValue: [],
    },
    {
      key: "recordHistory",
      type: "toggle",
      label: label("Record history for the agent", "Verlauf für den Agenten aufzeichnen"),
      description: label("Keep the user's recent messages to show the agent at the next handover.", "Die letzten Nachrichten des Benutzers für die nächste Übergabe aufbewahren."),
      defaultValue: true,
    },
    {
      key: "historyMaxTurns",
      type: "number",
      label: label("Messages to keep", "Anzahl Nachrichten"),
      defaultValue: DEFAULT_HISTORY_LIMITS.maxTurns,
      params: { min: 0, max: 50 },
      condition: { key: "recordHistory", value: true },
    },
    {
      key: "contextKey",
      type: "text",
      label: label("Context key", "Kontext-Schlüssel"),
      description: label("Where the handover state is stored; must match the Handover node.", "Speicherort des Übergabestatus; muss zum Übergabe-Knoten passen."),
      defaultValue: DEFAULT_CONTEXT_KEY,
    },
  ],
  sections: [
    {
      key: "messages",
      label: label("Messages to the user", "Nachrichten an den Benutzer"),
      defaultCollapsed: false,
      fields: ["resolvedMessage", "reopenedMessage", "agentJoinedMessage", "forwardCsat", "csatButtonTitle", "agentMessageFormat", "agentNameFormat"],
    },
    {
      key: "cancel",
      label: label("Cancel, pass-through and timeout", "Abbruch, Durchreichen und Zeitlimit"),
      defaultCollapsed: true,
      fields: ["cancelKeywords", "cancelIntent", "cancelledMessage", "passKeywords", "passIntents", "inactivityMinutes", "inactivityMessage"],
    },
    { key: "history", label: label("History", "Verlauf"), defaultCollapsed: true, fields: ["recordHistory", "historyMaxTurns"] },
    { key: "advanced", label: label("Advanced", "Erweitert"), defaultCollapsed: true, fields: ["attachmentHosts", "privateAttachmentHosts", "contextKey"] },
  ],
  form: [
    { type: "field", key: "connection" },
    { type: "section", key: "messages" },
    { type: "section", key: "cancel" },
    { type: "section", key: "history" },
    { type: "section", key: "advanced" },
  ],
  function: runSessionNode,
});
