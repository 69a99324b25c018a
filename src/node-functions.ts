/**
 * The nodes' functions, bundled apart (build/node-functions.js) and loaded on
 * the first node execution: loading the module for its descriptors (upload,
 * flow editor) stays cheap.
 */
export { runHandoverNode } from "../nodes/handover/run-handover-node";
export { runResolveReopenNode } from "../nodes/resolve-reopen/run-resolve-reopen-node";
export { runSessionNode } from "../nodes/session/run-session-node";
