import Ajv, { type ValidateFunction } from "ajv";
import { extensionDataSchema, extensionNodePackageDataSchema } from "@cognigy/rest-api-client/build/shared/interfaces/resources/IExtension";

/**
 * Cognigy's own schema for an uploaded extension's nodes and connections
 * (@cognigy/rest-api-client). The platform registers its formats itself; these
 * are strict readings of their names.
 */
const CSS_COLORS = new Set(["black", "white", "red", "green", "blue", "yellow", "orange", "purple", "grey", "gray", "transparent"]);

function createValidator(): Ajv {
  const ajv = new Ajv({ allErrors: true, strict: false });
  ajv.addFormat("resource-name", /^\S(.{0,198}\S)?$/u);
  ajv.addFormat("mongo-id", /^[a-f\d]{24}$/i);
  ajv.addFormat("alphanum-64", /^[a-z\d]{1,64}$/i);
  ajv.addFormat("semver", /^\d+\.\d+\.\d+(-[\w.]+)?$/);
  ajv.addFormat("package-name", /^(@[a-z\d-~][a-z\d-._~]*\/)?[a-z\d-~][a-z\d-._~]*$/);
  ajv.addFormat("color", (value: string) => /^#([\da-f]{3}|[\da-f]{6}|[\da-f]{8})$/i.test(value) || CSS_COLORS.has(value) || /^rgba?\(/.test(value));
  ajv.addFormat("snippet-label", /.+/);
  ajv.addFormat("snippet-type", /.+/);
  ajv.addFormat("snippet-script", /.+/);
  return ajv;
}

const CONDITION_ID = "nodeFieldConditionSchema";

/**
 * The platform's schema embeds the recursive condition schema (with its `$id`)
 * in several places; Ajv 8 wants it registered once and referenced.
 */
function splitConditionSchema(schema: unknown, found: { condition: unknown }): unknown {
  if (Array.isArray(schema)) return schema.map((item) => splitConditionSchema(item, found));
  if (typeof schema !== "object" || schema === null) return schema;
  if ("$id" in schema && schema.$id === CONDITION_ID) {
    found.condition = schema;
    return { $ref: CONDITION_ID };
  }
  return Object.fromEntries(Object.entries(schema).map(([key, value]) => [key, splitConditionSchema(value, found)]));
}

export interface SchemaReport {
  valid: boolean;
  errors: string[];
}

let compiled: ValidateFunction | undefined;

/** The platform's package schema, compiled once per test process. */
function packageValidator(): ValidateFunction {
  if (compiled !== undefined) return compiled;
  const ajv = createValidator();
  const found: { condition: unknown } = { condition: undefined };
  const schema = splitConditionSchema(extensionNodePackageDataSchema, found);
  if (typeof found.condition === "object" && found.condition !== null) ajv.addSchema(found.condition);
  compiled = ajv.compile(typeof schema === "object" && schema !== null ? schema : {});
  return compiled;
}

/** Validates `{nodes, connections}` as the platform does after serialising the descriptors. */
export function validateExtensionPackage(extension: Record<string, unknown>): SchemaReport {
  const data: unknown = JSON.parse(JSON.stringify({ nodes: extension.nodes, connections: extension.connections }));
  const validate = packageValidator();
  const valid = validate(data) === true;
  return { valid, errors: (validate.errors ?? []).map((error) => `${error.instancePath} ${error.message ?? ""} ${JSON.stringify(error.params)}`) };
}

/** The extension-level label must fit the platform's `label` property. */
export function validateExtensionLabel(label: unknown): SchemaReport {
  const ajv = createValidator();
  const properties = extensionDataSchema.properties;
  const labelSchema = typeof properties === "object" && properties !== null && "label" in properties ? properties.label : {};
  const validate = ajv.compile(typeof labelSchema === "object" && labelSchema !== null ? labelSchema : {});
  const valid = validate(label) === true;
  return { valid, errors: (validate.errors ?? []).map((error) => error.message ?? "") };
}
