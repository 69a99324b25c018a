import type { INodeField } from "@cognigy/extension-tools/build/interfaces/descriptor";
import { label } from "../../src/cognigy/label";

/**
 * The settings of a live handover (messages, CSAT, agent text format, cancel,
 * timeout, attachment hosts): on the Session node, and on the Handover node
 * for when it waits for the agent itself. One definition, so both read the
 * same keys with parseSessionConfig.
 */
export const LIVE_SESSION_FIELDS: INodeField[] = [
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
    key: "agentNameFormat",
    type: "cognigyText",
    label: label("Agent name in messages", "Agentenname in Nachrichten"),
    description: label(
      "How agent messages show who writes, e.g. {agent}: {text}. Empty: the text as sent. Automation messages stay as sent.",
      "Wie Agentennachrichten zeigen, wer schreibt, z. B. {agent}: {text}. Leer: Text wie gesendet. Automatisierte bleiben unverändert.",
    ),
    defaultValue: "",
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
    key: "attachmentHosts",
    type: "chipInput",
    label: label("Allowed attachment hosts", "Erlaubte Hosts für Dateien"),
    description: label("Hosts user files may be fetched from (e.g. *.cognigy.ai). Empty: any public host.", "Hosts, von denen Dateien geladen werden dürfen (z. B. *.cognigy.ai). Leer: jeder öffentliche Host."),
    defaultValue: [],
  },
  {
    key: "privateAttachmentHosts",
    type: "toggle",
    label: label("Listed hosts may be private", "Gelistete Hosts dürfen privat sein"),
    description: label(
      "Only for an on-premises Cognigy whose files are on an internal host: the allowed hosts above may then be private. Without a list it has no effect.",
      "Nur für ein Cognigy vor Ort mit Dateien auf einem internen Host: die erlaubten Hosts oben dürfen dann privat sein. Ohne Liste ohne Wirkung.",
    ),
    defaultValue: false,
  },
];

export const LIVE_SESSION_FIELD_KEYS: string[] = LIVE_SESSION_FIELDS.map((field) => field.key);
