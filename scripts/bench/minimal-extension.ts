import { createExtension, createNodeDescriptor } from "@cognigy/extension-tools";

/**
 * The yardstick of the load benchmark: an extension with one node, built with
 * extension-tools and bundled exactly like the product.
 */
const sayHello = createNodeDescriptor({
  type: "sayHello",
  defaultLabel: "Say hello",
  fields: [{ key: "text", type: "cognigyText", label: "Text", defaultValue: "Hello" }],
  function: async ({ cognigy, config }) => {
    const text = "text" in config && typeof config.text === "string" ? config.text : "Hello";
    cognigy.api.say?.(text);
  },
});

export default createExtension({ nodes: [sayHello], options: { label: "Minimal" } });
