import { createChildExit } from "../../src/cognigy/child-exits";
import { label } from "../../src/cognigy/label";

export const HANDOVER_NODE_TYPE = "chatwootHandover";

export const HANDOVER_EXITS = {
  started: "onChatwootHandoverStarted",
  unavailable: "onChatwootHandoverUnavailable",
  error: "onChatwootHandoverError",
  resolved: "onChatwootHandoverResolved",
  cancelled: "onChatwootHandoverCancelled",
} as const;

export const handoverStartedExit = createChildExit({
  type: HANDOVER_EXITS.started,
  parentType: HANDOVER_NODE_TYPE,
  label: label("Handover started", "Übergabe gestartet"),
  color: "#44B556",
});

export const handoverUnavailableExit = createChildExit({
  type: HANDOVER_EXITS.unavailable,
  parentType: HANDOVER_NODE_TYPE,
  label: label("No agent available", "Kein Agent verfügbar"),
  color: "#F5A623",
});

/** When the node waits for the agent itself: the agent resolved (or the handover timed out); the flow continues here. */
export const handoverResolvedExit = createChildExit({
  type: HANDOVER_EXITS.resolved,
  parentType: HANDOVER_NODE_TYPE,
  label: label("Resolved by agent", "Vom Agenten gelöst"),
  color: "#44B556",
});

/** When the node waits for the agent itself: the user cancelled before an agent answered. */
export const handoverCancelledExit = createChildExit({
  type: HANDOVER_EXITS.cancelled,
  parentType: HANDOVER_NODE_TYPE,
  label: label("Cancelled by user", "Vom Benutzer abgebrochen"),
  color: "#F5A623",
});

export const handoverErrorExit = createChildExit({
  type: HANDOVER_EXITS.error,
  parentType: HANDOVER_NODE_TYPE,
  label: label("Error", "Fehler"),
  color: "#D0021B",
});
