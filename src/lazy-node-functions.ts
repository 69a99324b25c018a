import type { INodeFunctionBaseParams } from "@cognigy/extension-tools";

/** What the descriptors register: each loads the real function (node-functions.ts) on its first call. */
export async function runHandoverNode(params: INodeFunctionBaseParams): Promise<void> {
  return (await import("./node-functions")).runHandoverNode(params);
}

export async function runSessionNode(params: INodeFunctionBaseParams): Promise<void> {
  return (await import("./node-functions")).runSessionNode(params);
}

export async function runResolveReopenNode(params: INodeFunctionBaseParams): Promise<void> {
  return (await import("./node-functions")).runResolveReopenNode(params);
}
