import { createNodeDescriptor } from "@cognigy/extension-tools";
import { DEFAULT_CONTEXT_KEY } from "../../src/cognigy/context-key";
import { label } from "../../src/cognigy/label";
import { DEFAULT_HISTORY_LIMITS } from "../../src/core/history";
import { CHATWOOT_CONNECTION_TYPE } from "../../connections/chatwoot-connection";
import { runSessionNode } from "../../src/lazy-node-functions";
import { SESSION_EXITS, SESSION_NODE_TYPE } from "./session-exits";

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
    {
      key: "resolvedMessage",
      type: "cognigyText",
      label: label("Message when the agent resolves", "Nachricht, wenn der Agent löst"),
      description: label("Said before the flow continues into 'Resolved by agent'. Leave empty to say nothing.", "Wird gesagt, bevor der Flow in 'Vom Agenten gelöst' weiterläuft. Leer = nichts sagen."),
      defaultValue: "The agent has closed the conversation. You are back with the assistant.",
    },
    {
      key: "reopenedMessage",
      type: "cognigyText",
      label: label("Message when the conversation reopens", "Nachricht, wenn das Gespräch wieder geöffnet wird"),
      description: label("Said when an agent (or the user's late message) reopens it after 'back to the bot'.", "Wird gesagt, wenn ein Agent (oder eine späte Nachricht) es nach der Rückkehr zum Bot wieder öffnet."),
      defaultValue: "You are connected with our team again.",
    },
    {
      key: "agentJoinedMessage",
      type: "cognigyText",
      label: label("Message when an agent joins", "Nachricht, wenn ein Agent beitritt"),
      description: label("{agent} is replaced by the agent's name. Leave empty to say nothing.", "{agent} wird durch den Namen des Agenten ersetzt. Leer = nichts sagen."),
      defaultValue: "",
    },
    {
      key: "forwardCsat",
      type: "toggle",
      label: label("Forward satisfaction survey", "Zufriedenheitsumfrage weiterleiten"),
      description: label("Send Chatwoot's CSAT survey text and link to the user after the agent resolves.", "Text und Link der CSAT-Umfrage von Chatwoot nach dem Lösen an den Benutzer senden."),
      defaultValue: true,
    },
    {
      key: "csatButtonTitle",
      type: "cognigyText",
      label: label("Survey button title", "Titel der Umfrage-Schaltfläche"),
      defaultValue: "Rate the conversation",
      condition: { key: "forwardCsat", value: true },
    },
    {
      key: "agentMessageFormat",
      type: "select",
      label: label("Agent message format", "Format der Agentennachrichten"),
      description: label(
        "How Chatwoot's Markdown and HTML reach the user. Markdown only for a Webchat with Markdown rendering on.",
        "Wie Markdown und HTML aus Chatwoot beim Benutzer ankommen. Markdown nur für Webchat mit Markdown-Darstellung.",
      ),
      defaultValue: "plain",
      params: {
        options: [
          { label: label("Plain text", "Reiner Text"), value: "plain" },
          { label: label("Markdown", "Markdown"), value: "markdown" },
        ],
      },
    },
    {
      key: "cancelKeywords",
      type: "chipInput",
      label: label("Cancel keywords", "Abbruch-Schlüsselwörter"),
      description: label("If the user sends one of these before an agent answers, the handover ends.", "Sendet der Benutzer eines davon, bevor ein Agent antwortet, endet die Übergabe."),
      defaultValue: [],
    },
    {
      key: "cancelIntent",
      type: "cognigyText",
      label: label("Cancel intent", "Abbruch-Intent"),
      description: label("Name of an intent that cancels the handover before an agent answers.", "Name eines Intents, der die Übergabe abbricht, bevor ein Agent antwortet."),
      defaultValue: "",
    },
    {
      key: "cancelledMessage",
      type: "cognigyText",
      label: label("Message when the user cancels", "Nachricht beim Abbruch durch den Benutzer"),
      defaultValue: "",
    },
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
      key: "inactivityMinutes",
      type: "number",
      label: label("End after inactivity (minutes)", "Nach Inaktivität beenden (Minuten)"),
      description: label("Return the user to the bot when the agent's side has been silent this long. 0 = never.", "Benutzer zum Bot zurückgeben, wenn die Agentenseite so lange still war. 0 = nie."),
      defaultValue: 0,
      params: { min: 0, max: 1440 },
    },
    {
      key: "inactivityMessage",
      type: "cognigyText",
      label: label("Message when the handover times out", "Nachricht bei Zeitüberschreitung"),
      defaultValue: "",
      condition: { key: "inactivityMinutes", value: 0, negate: true },
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
      key: "attachmentHosts",
      type: "chipInput",
      label: label("Allowed attachment hosts", "Erlaubte Hosts für Dateien"),
      description: label("Hosts user files may be fetched from (e.g. *.cognigy.ai). Empty: any public host.", "Hosts, von denen Dateien geladen werden dürfen (z. B. *.cognigy.ai). Leer: jeder öffentliche Host."),
      defaultValue: [],
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
      fields: ["resolvedMessage", "reopenedMessage", "agentJoinedMessage", "forwardCsat", "csatButtonTitle", "agentMessageFormat"],
    },
    {
      key: "cancel",
      label: label("Cancel, pass-through and timeout", "Abbruch, Durchreichen und Zeitlimit"),
      defaultCollapsed: true,
      fields: ["cancelKeywords", "cancelIntent", "cancelledMessage", "passKeywords", "passIntents", "inactivityMinutes", "inactivityMessage"],
    },
    { key: "history", label: label("History", "Verlauf"), defaultCollapsed: true, fields: ["recordHistory", "historyMaxTurns"] },
    { key: "advanced", label: label("Advanced", "Erweitert"), defaultCollapsed: true, fields: ["attachmentHosts", "contextKey"] },
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
