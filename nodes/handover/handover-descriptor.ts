import { createNodeDescriptor } from "@cognigy/extension-tools";
import { label } from "../../src/cognigy/label";
import { DEFAULT_CONTEXT_KEY } from "../../src/cognigy/context-key";
import { CHATWOOT_CONNECTION_TYPE } from "../../connections/chatwoot-connection";
import { DEFAULT_CANCEL_BUTTON_TEXT, DEFAULT_QUEUE_UPDATE_MESSAGE } from "./handover-defaults";
import { HANDOVER_EXITS, HANDOVER_NODE_TYPE } from "./handover-exits";
import { LIVE_SESSION_FIELD_KEYS, LIVE_SESSION_FIELDS } from "../session/live-session-fields";
import { runHandoverNode } from "../../src/lazy-node-functions";

/** "Chatwoot Handover": hands the conversation to a human agent in a Chatwoot API inbox. */
export const handoverNode = createNodeDescriptor({
  type: HANDOVER_NODE_TYPE,
  defaultLabel: label("Chatwoot Handover", "Chatwoot-Übergabe"),
  summary: label("Hands the conversation to a human agent in Chatwoot", "Übergibt das Gespräch an einen Menschen in Chatwoot"),
  tags: ["service"],
  appearance: { color: "#1F93FF" },
  preview: { type: "text", key: "inboxId" },
  dependencies: { children: [HANDOVER_EXITS.started, HANDOVER_EXITS.resolved, HANDOVER_EXITS.cancelled, HANDOVER_EXITS.unavailable, HANDOVER_EXITS.error] },
  // While it waits for the agent, the node is where the user's next inputs start, as Cognigy's Question node is for its answer.
  behavior: { entrypoint: true },
  fields: [
    {
      key: "connection",
      type: "connection",
      label: label("Chatwoot connection", "Chatwoot-Verbindung"),
      params: { connectionType: CHATWOOT_CONNECTION_TYPE, required: true },
    },
    {
      key: "inboxId",
      type: "cognigyText",
      label: label("Inbox ID", "Posteingangs-ID"),
      description: label("ID of the Chatwoot API inbox (number in /inbox/<id>). CognigyScript allowed.", "ID des Chatwoot-API-Posteingangs (Zahl in /inbox/<id>). CognigyScript erlaubt."),
      params: { required: true },
    },
    {
      key: "acceptedMessage",
      type: "cognigyText",
      label: label("Handover accepted message", "Nachricht bei angenommener Übergabe"),
      description: label("Said to the user once the conversation is in Chatwoot. Leave empty to say nothing.", "Wird gesagt, sobald das Gespräch in Chatwoot ist. Leer lassen, um nichts zu sagen."),
      defaultValue: "Please wait a moment, I am connecting you with a colleague.",
    },
    {
      key: "cancelButtonText",
      type: "cognigyText",
      label: label("Cancel button text", "Text der Abbrechen-Schaltfläche"),
      description: label(
        "A quick reply with the accepted message; pressing it before an agent answers cancels the handover. Empty: no button.",
        "Schnellantwort zur Annahme-Nachricht; vor der ersten Agentenantwort bricht sie die Übergabe ab. Leer: keine Schaltfläche.",
      ),
      defaultValue: DEFAULT_CANCEL_BUTTON_TEXT,
    },
    {
      key: "queueUpdates",
      type: "toggle",
      label: label("Queue position updates", "Updates zur Warteschlange"),
      description: label(
        "Until an agent answers or is assigned, tell the user their place in the queue and the estimated wait (sent by the relay).",
        "Bis ein Agent antwortet oder zugewiesen ist: Platz in der Warteschlange und geschätzte Wartezeit melden (sendet das Relay).",
      ),
      defaultValue: false,
    },
    {
      key: "queueUpdateMessage",
      type: "cognigyText",
      label: label("Queue update message", "Nachricht zur Warteschlange"),
      description: label(
        "{position}, {wait} (e.g. about 4 minutes), {waitMinutes} (a number). Without an estimate, sentences with the wait are left out.",
        "{position}, {wait} (z. B. about 4 minutes), {waitMinutes} (Zahl). Ohne Schätzung entfallen die Sätze mit der Wartezeit.",
      ),
      defaultValue: DEFAULT_QUEUE_UPDATE_MESSAGE,
      condition: { key: "queueUpdates", value: true },
    },
    {
      key: "contactIdentifier",
      type: "cognigyText",
      label: label("Contact identifier", "Kontakt-Kennung"),
      description: label("Identifies the user's Chatwoot contact; the same value never creates a second contact.", "Kennzeichnet den Chatwoot-Kontakt; derselbe Wert legt nie einen zweiten Kontakt an."),
      defaultValue: "{{input.userId}}",
    },
    { key: "contactName", type: "cognigyText", label: label("Contact name", "Kontaktname"), defaultValue: "{{profile.firstname}} {{profile.lastname}}" },
    { key: "contactEmail", type: "cognigyText", label: label("Contact email", "Kontakt-E-Mail"), defaultValue: "{{profile.email}}" },
    {
      key: "contactPhone",
      type: "cognigyText",
      label: label("Contact phone (E.164)", "Kontakt-Telefon (E.164)"),
      description: label("Sent only in E.164 form, e.g. +4930123456.", "Wird nur im E.164-Format gesendet, z. B. +4930123456."),
      defaultValue: "",
    },
    {
      key: "history",
      type: "json",
      label: label("History", "Verlauf"),
      description: label('Text, or turns like [{"role":"bot","text":"…"}], posted once per conversation as a private note.', 'Text oder Einträge wie [{"role":"bot","text":"…"}], einmal pro Gespräch als private Notiz.'),
      defaultValue: [],
    },
    {
      key: "useCognigyTranscript",
      type: "toggle",
      label: label("Use Cognigy's transcript", "Cognigy-Transkript verwenden"),
      description: label("If History is empty, post what a Get Transcript node stored in input/context.transcript.", "Ist Verlauf leer, das von einem Get-Transcript-Knoten gespeicherte Transkript senden."),
      defaultValue: true,
    },
    { key: "teamId", type: "cognigyText", label: label("Team ID", "Team-ID"), description: label("Assign the conversation to this team.", "Gespräch diesem Team zuweisen.") },
    { key: "agentId", type: "cognigyText", label: label("Agent ID", "Agenten-ID"), description: label("Assign the conversation to this agent.", "Gespräch diesem Agenten zuweisen.") },
    { key: "labels", type: "chipInput", label: label("Labels", "Labels"), defaultValue: [] },
    {
      key: "priority",
      type: "select",
      label: label("Priority", "Priorität"),
      defaultValue: "none",
      params: {
        options: [
          { label: label("None", "Keine"), value: "none" },
          { label: label("Low", "Niedrig"), value: "low" },
          { label: label("Medium", "Mittel"), value: "medium" },
          { label: label("High", "Hoch"), value: "high" },
          { label: label("Urgent", "Dringend"), value: "urgent" },
        ],
      },
    },
    {
      key: "customAttributes",
      type: "json",
      label: label("Conversation attributes", "Gesprächsattribute"),
      description: label("Custom attributes for the Chatwoot conversation, e.g. {\"order\": \"{{context.order}}\"}.", "Benutzerdefinierte Attribute des Chatwoot-Gesprächs, z. B. {\"order\": \"{{context.order}}\"}."),
      defaultValue: {},
    },
    {
      key: "checkAvailability",
      type: "toggle",
      label: label("Check agent availability", "Verfügbarkeit prüfen"),
      description: label("Take the unavailable exit when no agent of the inbox is online.", "Ausgang 'nicht verfügbar', wenn kein Agent des Posteingangs online ist."),
      defaultValue: false,
    },
    {
      key: "respectBusinessHours",
      type: "toggle",
      label: label("Respect business hours", "Geschäftszeiten beachten"),
      description: label("Take the unavailable exit outside the inbox's business hours.", "Ausgang 'nicht verfügbar' außerhalb der Geschäftszeiten des Posteingangs."),
      defaultValue: false,
    },
    {
      key: "reopenWindowMinutes",
      type: "number",
      label: label("Reopen window (minutes)", "Wiederöffnen innerhalb (Minuten)"),
      description: label("Reopen the user's conversation if it was resolved less than this many minutes ago. 0 = always new.", "Gespräch wieder öffnen, wenn es vor weniger Minuten gelöst wurde. 0 = immer neu."),
      defaultValue: 0,
      params: { min: 0, max: 10080 },
    },
    {
      key: "agentBotId",
      type: "cognigyText",
      label: label("Agent bot ID", "Agent-Bot-ID"),
      description: label("Post the history as this Chatwoot agent bot, with its name and avatar.", "Verlauf als dieser Chatwoot-Agent-Bot senden, mit dessen Name und Bild."),
    },
    {
      key: "inboxIdentifier",
      type: "cognigyText",
      label: label("Inbox identifier (agent-bot tokens)", "Posteingangs-Kennung (Agent-Bot-Token)"),
      description: label("Needed with an agent-bot token: contacts are created through the inbox's public API.", "Nötig mit Agent-Bot-Token: Kontakte entstehen über die öffentliche API des Posteingangs."),
    },
    {
      key: "contextKey",
      type: "text",
      label: label("Context key", "Kontext-Schlüssel"),
      description: label("Where the handover state is stored; the Session node must use the same key.", "Speicherort des Übergabestatus; der Sitzungsknoten muss denselben Schlüssel nutzen."),
      defaultValue: DEFAULT_CONTEXT_KEY,
    },
    {
      key: "waitForAgent",
      type: "toggle",
      label: label("Wait for the agent here", "Hier auf den Agenten warten"),
      description: label(
        "On: the user's messages come here while the agent is on, wherever this node is (sub-flow, after a Question). Off: a Chatwoot Session node first in the flow handles them.",
        "An: Nachrichten kommen hierher, solange der Agent da ist, wo immer der Knoten steht (Sub-Flow, nach einer Frage). Aus: ein Chatwoot-Sitzungsknoten am Flow-Anfang bearbeitet sie.",
      ),
      defaultValue: true,
    },
    {
      key: "deliveryFailedMessage",
      type: "cognigyText",
      label: label("Message when a message cannot be delivered", "Nachricht, wenn eine Nachricht nicht zugestellt werden kann"),
      description: label("Said while waiting here when Chatwoot cannot take the user's message.", "Wird beim Warten hier gesagt, wenn Chatwoot die Nachricht des Benutzers nicht annimmt."),
      defaultValue: "Sorry, your message could not be delivered. Please try again.",
    },
    ...LIVE_SESSION_FIELDS,
  ],
  sections: [
    { key: "waiting", label: label("While the user waits", "Während der Benutzer wartet"), defaultCollapsed: true, fields: ["cancelButtonText", "queueUpdates", "queueUpdateMessage"] },
    { key: "contact", label: label("Contact", "Kontakt"), defaultCollapsed: true, fields: ["contactIdentifier", "contactName", "contactEmail", "contactPhone"] },
    { key: "historyOptions", label: label("History", "Verlauf"), defaultCollapsed: true, fields: ["history", "useCognigyTranscript"] },
    { key: "routing", label: label("Routing", "Weiterleitung"), defaultCollapsed: true, fields: ["teamId", "agentId", "labels", "priority", "customAttributes"] },
    {
      key: "availability",
      label: label("Availability", "Verfügbarkeit"),
      defaultCollapsed: true,
      fields: ["checkAvailability", "respectBusinessHours", "reopenWindowMinutes"],
    },
    {
      key: "whileLive",
      label: label("While the agent is on (when waiting here)", "Während der Agent da ist (beim Warten hier)"),
      defaultCollapsed: true,
      fields: ["waitForAgent", "deliveryFailedMessage", ...LIVE_SESSION_FIELD_KEYS],
    },
    { key: "advanced", label: label("Advanced", "Erweitert"), defaultCollapsed: true, fields: ["agentBotId", "inboxIdentifier", "contextKey"] },
  ],
  form: [
    { type: "field", key: "connection" },
    { type: "field", key: "inboxId" },
    { type: "field", key: "acceptedMessage" },
    { type: "section", key: "waiting" },
    { type: "section", key: "contact" },
    { type: "section", key: "historyOptions" },
    { type: "section", key: "routing" },
    { type: "section", key: "availability" },
    { type: "section", key: "whileLive" },
    { type: "section", key: "advanced" },
  ],
  function: runHandoverNode,
});
