import { createNodeDescriptor } from "@cognigy/extension-tools";
import { DEFAULT_CONTEXT_KEY } from "../../src/cognigy/context-key";
import { label } from "../../src/cognigy/label";
import { CHATWOOT_CONNECTION_TYPE } from "../../connections/chatwoot-connection";
import { RESOLVE_REOPEN_EXITS, RESOLVE_REOPEN_NODE_TYPE } from "./resolve-reopen-exits";
import { runResolveReopenNode } from "../../src/lazy-node-functions";

/** "Chatwoot Resolve/Reopen": changes the conversation's status from the flow. */
export const resolveReopenNode = createNodeDescriptor({
  type: RESOLVE_REOPEN_NODE_TYPE,
  defaultLabel: label("Chatwoot Resolve/Reopen", "Chatwoot lösen/wieder öffnen"),
  summary: label("Resolves, reopens or sets a Chatwoot conversation pending", "Löst ein Chatwoot-Gespräch, öffnet es wieder oder setzt es auf wartend"),
  tags: ["service"],
  appearance: { color: "#1F93FF" },
  preview: { type: "text", key: "action" },
  dependencies: { children: [RESOLVE_REOPEN_EXITS.success, RESOLVE_REOPEN_EXITS.error] },
  fields: [
    {
      key: "connection",
      type: "connection",
      label: label("Chatwoot connection", "Chatwoot-Verbindung"),
      params: { connectionType: CHATWOOT_CONNECTION_TYPE, required: true },
    },
    {
      key: "action",
      type: "select",
      label: label("Action", "Aktion"),
      defaultValue: "resolve",
      params: {
        options: [
          { label: label("Resolve", "Lösen"), value: "resolve" },
          { label: label("Reopen", "Wieder öffnen"), value: "reopen" },
          { label: label("Set pending", "Auf wartend setzen"), value: "pending" },
        ],
      },
    },
    {
      key: "conversationId",
      type: "cognigyText",
      label: label("Conversation ID", "Gesprächs-ID"),
      description: label("Leave empty for the conversation of the stored handover.", "Leer lassen für das Gespräch der gespeicherten Übergabe."),
      defaultValue: "",
    },
    {
      key: "contextKey",
      type: "text",
      label: label("Context key", "Kontext-Schlüssel"),
      description: label("Where the handover state is stored; must match the Handover node.", "Speicherort des Übergabestatus; muss zum Übergabe-Knoten passen."),
      defaultValue: DEFAULT_CONTEXT_KEY,
    },
  ],
  sections: [{ key: "advanced", label: label("Advanced", "Erweitert"), defaultCollapsed: true, fields: ["conversationId", "contextKey"] }],
  form: [
    { type: "field", key: "connection" },
    { type: "field", key: "action" },
    { type: "section", key: "advanced" },
  ],
  function: runResolveReopenNode,
});
