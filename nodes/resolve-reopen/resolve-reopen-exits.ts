import { createChildExit } from "../../src/cognigy/child-exits";
import { label } from "../../src/cognigy/label";

export const RESOLVE_REOPEN_NODE_TYPE = "chatwootResolveReopen";

export const RESOLVE_REOPEN_EXITS = {
  success: "onChatwootResolveReopenSuccess",
  error: "onChatwootResolveReopenError",
} as const;

export const resolveReopenSuccessExit = createChildExit({
  type: RESOLVE_REOPEN_EXITS.success,
  parentType: RESOLVE_REOPEN_NODE_TYPE,
  label: label("Success", "Erfolg"),
  color: "#44B556",
});

export const resolveReopenErrorExit = createChildExit({
  type: RESOLVE_REOPEN_EXITS.error,
  parentType: RESOLVE_REOPEN_NODE_TYPE,
  label: label("Error", "Fehler"),
  color: "#D0021B",
});
