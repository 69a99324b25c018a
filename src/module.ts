import { createExtension } from "@cognigy/extension-tools";
import { chatwootConnection } from "../connections/chatwoot-connection";
import { handoverNode } from "../nodes/handover/handover-descriptor";
import { handoverCancelledExit, handoverErrorExit, handoverResolvedExit, handoverStartedExit, handoverUnavailableExit } from "../nodes/handover/handover-exits";
import { resolveReopenNode } from "../nodes/resolve-reopen/resolve-reopen-descriptor";
import { resolveReopenErrorExit, resolveReopenSuccessExit } from "../nodes/resolve-reopen/resolve-reopen-exits";
import { sessionNode } from "../nodes/session/session-descriptor";
import { sessionCancelledExit, sessionErrorExit, sessionResolvedExit } from "../nodes/session/session-exits";

/** The extension as Cognigy loads it: `build/module.js`, default export. */
export default createExtension({
  nodes: [
    sessionNode,
    sessionResolvedExit,
    sessionCancelledExit,
    sessionErrorExit,
    handoverNode,
    handoverStartedExit,
    handoverResolvedExit,
    handoverCancelledExit,
    handoverUnavailableExit,
    handoverErrorExit,
    resolveReopenNode,
    resolveReopenSuccessExit,
    resolveReopenErrorExit,
  ],
  connections: [chatwootConnection],
  options: { label: "Chatwoot Handover" },
});
