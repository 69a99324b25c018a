import { createNodeDescriptor, type INodeDescriptor } from "@cognigy/extension-tools";
import type { TNodeChildConfigs } from "@cognigy/extension-tools/build/interfaces/descriptor";
import type { Label } from "./label";
import type { NodeApi } from "./node-api";

export interface ChildExitSpec {
  type: string;
  parentType: string;
  label: Label;
  color?: string;
}

/** A fixed exit below a parent node (not creatable, deletable or movable by the designer). */
export function createChildExit(spec: ChildExitSpec): INodeDescriptor {
  return createNodeDescriptor({
    type: spec.type,
    parentType: spec.parentType,
    defaultLabel: spec.label,
    appearance: { color: spec.color ?? "#1F93FF", textColor: "white", variant: "mini" },
    constraints: {
      editable: false,
      deletable: false,
      creatable: false,
      movable: false,
      placement: { predecessor: { whitelist: [] } },
    },
  });
}

/** The node id of the child exit of a given type, if the flow has it. */
export function findChildId(childConfigs: readonly TNodeChildConfigs[] | undefined, type: string): string | undefined {
  return childConfigs?.find((child) => child.type === type)?.id;
}

/** Continues in the child exit of that type; without it (never for locked exits) the flow goes on below the node. */
export function takeExit(api: Pick<NodeApi, "setNextNode">, childConfigs: readonly TNodeChildConfigs[] | undefined, type: string): void {
  const id = findChildId(childConfigs, type);
  if (id !== undefined) api.setNextNode(id);
}
