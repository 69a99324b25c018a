import { createChildExit } from "../../src/cognigy/child-exits";
import { label } from "../../src/cognigy/label";

export const SESSION_NODE_TYPE = "chatwootSession";

export const SESSION_EXITS = {
  resolved: "onChatwootSessionResolved",
  cancelled: "onChatwootSessionCancelled",
  error: "onChatwootSessionError",
} as const;

export const sessionResolvedExit = createChildExit({
  type: SESSION_EXITS.resolved,
  parentType: SESSION_NODE_TYPE,
  label: label("Resolved by agent", "Vom Agenten gelöst"),
  color: "#44B556",
});

export const sessionCancelledExit = createChildExit({
  type: SESSION_EXITS.cancelled,
  parentType: SESSION_NODE_TYPE,
  label: label("Cancelled by user", "Vom Benutzer abgebrochen"),
  color: "#F5A623",
});

export const sessionErrorExit = createChildExit({
  type: SESSION_EXITS.error,
  parentType: SESSION_NODE_TYPE,
  label: label("Error", "Fehler"),
  color: "#D0021B",
});
