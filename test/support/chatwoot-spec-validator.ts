/**
 * Checks a request against Chatwoot's OpenAPI 3.1 spec (../shared/chatwoot/swagger.json) plus the
 * parameters Chatwoot's code accepts although the spec omits them (../shared/docs/chatwoot-facts.md
 * §1.2–1.6). The fake Chatwoot server calls it for every request and refuses what real Chatwoot
 * would not accept.
 *
 * Stricter than Rails on purpose: Rails silently drops unknown parameters, so a client that sends
 * one relies on something Chatwoot ignores. Unknown body properties and query parameters are errors.
 */
import { existsSync, readFileSync } from "fs";
import path from "path";
import Ajv2020, { type ErrorObject, type ValidateFunction } from "ajv/dist/2020";
import addFormats from "ajv-formats";
import { REPO_ROOT } from "./load-extension";

export interface SpecRequest {
  method: string;
  /** URL path without query, e.g. "/api/v1/accounts/1/conversations/7/messages". */
  path: string;
  query: Record<string, string | string[]>;
  /** Request Content-Type header (may include "; boundary=..."). */
  contentType: string | null;
  /** Parsed JSON, or multipart form fields (files as "<file:NAME>", repeated keys as arrays). */
  body: unknown;
  /** Whether an api_access_token header was present. */
  hasToken: boolean;
}

export interface SpecMatch {
  operationId: string;
  method: string;
  template: string;
  pathParams: Record<string, string>;
  security: "token" | "public";
}

export type SpecVerdict = { ok: true; match: SpecMatch } | { ok: false; match: SpecMatch | null; problems: string[] };

type JsonObject = Record<string, unknown>;

interface Parameter {
  name: string;
  in: string;
  required: boolean;
  schema: unknown;
}

interface Operation {
  /** "POST /api/v1/accounts/{account_id}/conversations" */
  key: string;
  operationId: string;
  method: string;
  template: string;
  segments: string[];
  literalCount: number;
  security: "token" | "public";
  parameters: Parameter[];
  body: { required: boolean; media: Map<string, unknown> } | null;
}

type MediaKind = "json" | "form";

/** `../shared/chatwoot/swagger.json` beside the repository, as CI provides it; CHATWOOT_SWAGGER overrides. */
const DEFAULT_SWAGGER = process.env.CHATWOOT_SWAGGER ?? path.resolve(REPO_ROOT, "../shared/chatwoot/swagger.json");
const DOC_ID = "https://chatwoot.invalid/swagger.json";
const HTTP_METHODS = ["get", "put", "post", "delete", "patch", "head", "options", "trace"];
const MAX_CONTENT_CHARS = 150_000; // facts §1.4, Message model validation
const MAX_ATTACHMENTS = 15; // facts §1.4, NUMBER_OF_PERMITTED_ATTACHMENTS
const FILE_MARKER = /^<file:.*>$/s;

// ---------------------------------------------------------------------------------------------
// Small JSON helpers
// ---------------------------------------------------------------------------------------------

function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function objectAt(value: unknown, key: string): JsonObject {
  const child = isObject(value) ? value[key] : undefined;
  return isObject(child) ? child : {};
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function stringList(value: unknown): string[] {
  return list(value).filter((item): item is string => typeof item === "string");
}

function show(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** Follows a local "$ref" ("#/..." or "<DOC_ID>#/...") inside the swagger document; other nodes are returned as is. */
function deref(doc: JsonObject, node: unknown, depth = 0): unknown {
  if (!isObject(node) || typeof node.$ref !== "string" || depth > 20) return node;
  const pointer = node.$ref.startsWith(DOC_ID) ? node.$ref.slice(DOC_ID.length) : node.$ref;
  if (!pointer.startsWith("#/")) return node;
  let target: unknown = doc;
  for (const part of pointer.slice(2).split("/")) target = objectAt(target, part.replace(/~1/g, "/").replace(/~0/g, "~"));
  return deref(doc, target, depth + 1);
}

function schemaTypes(doc: JsonObject, schema: unknown): Set<string> {
  const resolved = deref(doc, schema);
  const type = isObject(resolved) ? resolved.type : undefined;
  return new Set(typeof type === "string" ? [type] : stringList(type));
}

// ---------------------------------------------------------------------------------------------
// Code-only parameters (chatwoot-facts.md §1.2–1.6), applied to a copy of the spec schema
// ---------------------------------------------------------------------------------------------

function propertiesOf(schema: JsonObject): JsonObject {
  if (!isObject(schema.properties)) schema.properties = {};
  return isObject(schema.properties) ? schema.properties : {};
}

function addProperties(schema: JsonObject, extra: JsonObject): void {
  Object.assign(propertiesOf(schema), extra);
}

/** A nested schema an overlay edits; throws when the spec changed shape, so the overlay is not silently lost. */
function schemaAt(schema: JsonObject, keys: string[]): JsonObject {
  let node: unknown = schema;
  for (const key of keys) node = isObject(node) ? node[key] : undefined;
  if (!isObject(node)) throw new Error(`chatwoot-spec-validator: the spec has no schema at ${keys.join("/")}; update CODE_ONLY`);
  return node;
}

function dropRequired(schema: JsonObject, name: string): void {
  const remaining = stringList(schema.required).filter((item) => item !== name);
  if (remaining.length > 0) schema.required = remaining;
  else delete schema.required;
}

const MESSAGE_CODE_ONLY: JsonObject = {
  source_id: { type: "string" },
  echo_id: { type: "string" },
  external_created_at: { type: ["integer", "string"] },
  sender_type: { type: "string", enum: ["AgentBot"] },
  sender_id: { type: "integer" },
};

/** Keyed by "METHOD template"; applied to every media type of that operation. */
const CODE_ONLY: Record<string, (schema: JsonObject) => void> = {
  "POST /api/v1/accounts/{account_id}/contacts": (schema) => {
    dropRequired(schema, "inbox_id");
    addProperties(schema, { source_id: { type: "string" } });
  },
  "POST /api/v1/accounts/{account_id}/conversations": (schema) => {
    addProperties(schemaAt(schema, ["properties", "message"]), { message_type: { type: "string", enum: ["incoming", "outgoing"] } });
    addProperties(schema, { status: { type: "string", enum: ["open", "resolved", "pending", "snoozed"] } });
    // conversations_controller#contact_inbox: source_id is only needed without inbox_id + contact_id.
    dropRequired(schema, "source_id");
    schema.if = { not: { required: ["inbox_id", "contact_id"] } };
    schema.then = { required: ["source_id"] };
  },
  "POST /api/v1/accounts/{account_id}/conversations/{conversation_id}/messages": (schema) => addProperties(schema, MESSAGE_CODE_ONLY),
  "POST /api/v1/accounts/{account_id}/contacts/{id}/contact_inboxes": (schema) => addProperties(schema, { hmac_verified: { type: "boolean" } }),
  "POST /api/v1/accounts/{account_id}/contacts/filter": (schema) => {
    const item = schemaAt(schema, ["properties", "payload", "items"]);
    addProperties(item, { query_operator: { type: ["string", "null"], enum: ["AND", "OR", null] } });
  },
  "POST /api/v1/accounts/{account_id}/conversations/{conversation_id}/assignments": (schema) => {
    // The spec already has team_id (number). `assignee_id: null` unassigns (facts §1.3).
    addProperties(schema, { assignee_id: { type: ["integer", "null"] }, assignee_type: { type: "string" } });
  },
  "POST /public/api/v1/inboxes/{inbox_identifier}/contacts": (schema) => {
    addProperties(schema, { source_id: { type: "string" }, avatar_url: { type: "string" } });
  },
};

/** Path/query parameter schemas the spec gets wrong. */
const PARAMETER_FIXES: Record<string, JsonObject> = {
  conversation_uuid: { type: "string" }, // spec says integer for a UUID
};

/** Where message creation carries its message object ("" = the body itself), for the §1.4 limits. */
const MESSAGE_BODIES: Record<string, string> = {
  "POST /api/v1/accounts/{account_id}/conversations": "message",
  "POST /api/v1/accounts/{account_id}/conversations/{conversation_id}/messages": "",
  "POST /public/api/v1/inboxes/{inbox_identifier}/contacts/{contact_identifier}/conversations/{conversation_id}/messages": "",
};

// ---------------------------------------------------------------------------------------------
// Strictness: close every object schema that declares properties
// ---------------------------------------------------------------------------------------------

const SCHEMA_MAPS = ["properties", "patternProperties", "$defs", "dependentSchemas"];
const SCHEMA_LISTS = ["anyOf", "oneOf", "prefixItems"];
const SCHEMA_SINGLES = ["items", "additionalProperties", "then", "else", "unevaluatedItems"];

function declaresProperties(schema: JsonObject): boolean {
  return isObject(schema.properties) || list(schema.allOf).some((member) => isObject(member) && isObject(member.properties));
}

/**
 * Adds `additionalProperties: false` to every object schema with declared properties and no
 * explicit additional/unevaluated properties. `allOf` members stay open; their parent gets
 * `unevaluatedProperties: false` instead, which sees through allOf. (`if`, `not` and other
 * condition schemas are left alone: closing them would change their meaning.) Caveat: an allOf
 * member that is a `$ref` points at a component already closed in the registered document; no
 * request schema in the spec does that today.
 */
function strictify(node: unknown, close = true): void {
  if (!isObject(node)) return;
  const open = !("additionalProperties" in node) && !("unevaluatedProperties" in node);
  if (close && open && declaresProperties(node)) {
    if (Array.isArray(node.allOf)) node.unevaluatedProperties = false;
    else node.additionalProperties = false;
  }
  for (const member of list(node.allOf)) strictify(member, false);
  for (const key of SCHEMA_MAPS) Object.values(objectAt(node, key)).forEach((child) => strictify(child));
  for (const key of SCHEMA_LISTS) list(node[key]).forEach((child) => strictify(child));
  for (const key of SCHEMA_SINGLES) strictify(node[key]);
}

/** Points local "#/..." refs at the swagger document registered in ajv under DOC_ID. */
function rewriteRefs(node: unknown): void {
  const children = isObject(node) ? Object.values(node) : list(node);
  if (isObject(node) && typeof node.$ref === "string" && node.$ref.startsWith("#/")) node.$ref = `${DOC_ID}${node.$ref}`;
  children.forEach(rewriteRefs);
}

// ---------------------------------------------------------------------------------------------
// Reading the spec
// ---------------------------------------------------------------------------------------------

function toParameter(doc: JsonObject, raw: unknown): Parameter | null {
  const param = deref(doc, raw);
  if (!isObject(param) || typeof param.name !== "string" || typeof param.in !== "string") return null;
  const schema = PARAMETER_FIXES[param.name] ?? param.schema ?? {};
  return { name: param.name, in: param.in, required: param.required === true || param.in === "path", schema };
}

/** Path-level parameters, overridden by operation-level ones with the same name and location. */
function mergeParameters(doc: JsonObject, pathLevel: unknown, operationLevel: unknown): Parameter[] {
  const merged = new Map<string, Parameter>();
  for (const level of [pathLevel, operationLevel]) {
    for (const raw of list(level)) {
      const param = toParameter(doc, raw);
      if (param !== null) merged.set(`${param.in}:${param.name}`, param);
    }
  }
  return [...merged.values()];
}

function readRequestBody(doc: JsonObject, raw: unknown): Operation["body"] {
  const body = deref(doc, raw);
  if (!isObject(body)) return null;
  const media = new Map<string, unknown>();
  for (const [mediaType, content] of Object.entries(objectAt(body, "content"))) {
    media.set(mediaType.toLowerCase(), isObject(content) ? (content.schema ?? {}) : {});
  }
  return { required: body.required === true, media };
}

function readOperation(doc: JsonObject, template: string, method: string, pathItem: JsonObject): Operation | null {
  const op = pathItem[method];
  if (!isObject(op)) return null;
  const upper = method.toUpperCase();
  const segments = template.split("/");
  const security = Array.isArray(op.security) && op.security.length === 0 ? "public" : "token";
  return {
    key: `${upper} ${template}`,
    operationId: typeof op.operationId === "string" ? op.operationId : `${upper} ${template}`,
    method: upper,
    template,
    segments,
    literalCount: segments.filter((segment) => !segment.startsWith("{")).length,
    security,
    parameters: mergeParameters(doc, pathItem.parameters, op.parameters),
    body: readRequestBody(doc, op.requestBody),
  };
}

function readOperations(doc: JsonObject): Operation[] {
  const operations: Operation[] = [];
  for (const [template, pathItem] of Object.entries(objectAt(doc, "paths"))) {
    if (!isObject(pathItem)) continue;
    for (const method of HTTP_METHODS) {
      const operation = readOperation(doc, template, method, pathItem);
      if (operation !== null) operations.push(operation);
    }
  }
  return operations;
}

function loadDocument(swaggerPath: string): JsonObject {
  if (!existsSync(swaggerPath)) {
    throw new Error(`Chatwoot's OpenAPI spec is not at ${swaggerPath}: the tests need ../shared beside the repository (or CHATWOOT_SWAGGER set).`);
  }
  const parsed: unknown = JSON.parse(readFileSync(swaggerPath, "utf8"));
  if (!isObject(parsed) || !isObject(parsed.paths)) throw new Error(`${swaggerPath} is not an OpenAPI document`);
  return parsed;
}

// ---------------------------------------------------------------------------------------------
// Matching a request to an operation
// ---------------------------------------------------------------------------------------------

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function matchSegments(template: string[], actual: string[]): Record<string, string> | null {
  if (template.length !== actual.length) return null;
  const params: Record<string, string> = {};
  for (const [index, part] of template.entries()) {
    const value = actual[index] ?? "";
    const name = /^\{(.+)\}$/.exec(part)?.[1];
    if (name === undefined && part !== value) return null;
    if (name !== undefined && value === "") return null;
    if (name !== undefined) params[name] = safeDecode(value);
  }
  return params;
}

function findOperation(operations: Operation[], method: string, requestPath: string): { op: Operation; params: Record<string, string> } | null {
  const actual = requestPath.split("/");
  let best: { op: Operation; params: Record<string, string> } | null = null;
  for (const op of operations) {
    if (op.method !== method) continue;
    const params = matchSegments(op.segments, actual);
    if (params !== null && (best === null || op.literalCount > best.op.literalCount)) best = { op, params };
  }
  return best;
}

function noSuchOperation(operations: Operation[], method: string, requestPath: string): string {
  const actual = requestPath.split("/");
  const methods = [...new Set(operations.filter((op) => matchSegments(op.segments, actual) !== null).map((op) => op.method))];
  const hint = methods.length > 0 ? ` (this path supports ${methods.join(", ")})` : "";
  return `${method} ${requestPath}: no such operation in Chatwoot's API${hint}`;
}

// ---------------------------------------------------------------------------------------------
// Turning strings (path, query, multipart) into the values the schema expects
// ---------------------------------------------------------------------------------------------

function coerceString(doc: JsonObject, value: string, schema: unknown): unknown {
  const types = schemaTypes(doc, schema);
  if (types.size === 0 || types.has("string")) return value;
  if (types.has("integer") && /^\d+$/.test(value)) return Number(value);
  if (types.has("number") && /^\d+(\.\d+)?$/.test(value)) return Number(value);
  if (types.has("boolean") && (value === "true" || value === "false")) return value === "true";
  if (types.has("array")) return [coerceString(doc, value, objectAt(deref(doc, schema), "items"))];
  if (types.has("object")) return parseJsonObject(value) ?? value; // content_attributes may be a JSON string (facts §1.4)
  return value;
}

function parseJsonObject(text: string): JsonObject | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    return isObject(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

function coerceValue(doc: JsonObject, value: unknown, schema: unknown): unknown {
  if (typeof value === "string") return coerceString(doc, value, schema);
  const resolved = deref(doc, schema);
  if (Array.isArray(value)) return value.map((item) => coerceValue(doc, item, objectAt(resolved, "items")));
  if (isObject(value)) return coerceFields(doc, value, resolved);
  return value;
}

function coerceFields(doc: JsonObject, fields: JsonObject, schema: unknown): JsonObject {
  const properties = objectAt(deref(doc, schema), "properties");
  const nested = nestBracketKeys(fields, properties);
  return Object.fromEntries(Object.entries(nested).map(([key, value]) => [key, key in properties ? coerceValue(doc, value, properties[key]) : value]));
}

/** Rails-style `a[b][c]=v` / `a[b][]=v` form keys become nested values, unless the key itself is declared (e.g. "attachments[]"). */
function nestBracketKeys(fields: JsonObject, declared: JsonObject): JsonObject {
  const result: JsonObject = {};
  for (const [key, value] of Object.entries(fields)) {
    const match = /^([^[\]]+)((?:\[[^[\]]*\])+)$/.exec(key);
    const keys = match === null || key in declared ? null : bracketPath(match[1] ?? "", match[2] ?? "");
    if (keys === null) result[key] = value;
    else setDeep(result, keys.path, keys.array && !Array.isArray(value) ? [value] : value);
  }
  return result;
}

function bracketPath(base: string, brackets: string): { path: string[]; array: boolean } | null {
  const parts = [...brackets.matchAll(/\[([^[\]]*)\]/g)].map((found) => found[1] ?? "");
  const array = parts.at(-1) === "";
  const path = [base, ...(array ? parts.slice(0, -1) : parts)];
  return path.some((part) => part === "") ? null : { path, array };
}

function setDeep(target: JsonObject, keys: string[], value: unknown): void {
  let node = target;
  for (const key of keys.slice(0, -1)) {
    if (!isObject(node[key])) node[key] = {};
    node = objectAt(node, key);
  }
  node[keys.at(-1) ?? ""] = value;
}

// ---------------------------------------------------------------------------------------------
// Error messages
// ---------------------------------------------------------------------------------------------

function describeError(where: string, error: ErrorObject): string | null {
  const at = `${where}${error.instancePath}`;
  const params: Record<string, unknown> = error.params;
  switch (error.keyword) {
    case "additionalProperties":
      return `${at} must NOT have additional property "${String(params.additionalProperty)}"`;
    case "unevaluatedProperties":
      return `${at} must NOT have additional property "${String(params.unevaluatedProperty)}"`;
    case "required":
      return `${at} must have required property "${String(params.missingProperty)}"`;
    case "enum":
      return `${at} must be one of ${list(params.allowedValues).map(show).join(", ")} (got ${show(error.data)})`;
    case "type":
      return `${at} must be ${String(params.type)} (got ${show(error.data)})`;
    case "if":
      return null; // the failing "then" branch already reports what is missing
    default:
      return `${at} ${error.message ?? "is invalid"}`;
  }
}

function describeErrors(where: string, errors: ErrorObject[] | null | undefined): string[] {
  const lines = (errors ?? []).map((error) => describeError(where, error)).filter((line): line is string => line !== null);
  return [...new Set(lines)];
}

// ---------------------------------------------------------------------------------------------
// The validator
// ---------------------------------------------------------------------------------------------

interface CompiledBody {
  schema: JsonObject;
  validate: ValidateFunction;
}

function createAjv(doc: JsonObject): Ajv2020 {
  const ajv = new Ajv2020({ strict: false, allErrors: true, verbose: true });
  addFormats(ajv);
  const registered = structuredClone(doc);
  registered.$id = DOC_ID;
  Object.values(objectAt(objectAt(registered, "components"), "schemas")).forEach((schema) => strictify(schema));
  ajv.addSchema(registered);
  return ajv;
}

/** Everything one validator instance reads and caches. */
interface Context {
  doc: JsonObject;
  operations: Operation[];
  ajv: Ajv2020;
  /** Compiled body schemas by "METHOD template media/type". */
  bodies: Map<string, CompiledBody>;
  /** Compiled parameter schemas by their JSON text. */
  params: Map<string, ValidateFunction>;
}

function validateRequest(context: Context, request: SpecRequest): SpecVerdict {
  const { operations } = context;
  const method = request.method.toUpperCase();
  // Rails routing ignores a trailing slash; the spec has one template that ends in "/".
  const found = findOperation(operations, method, request.path) ?? findOperation(operations, method, request.path.replace(/(.)\/+$/, "$1"));
  if (found === null) return { ok: false, match: null, problems: [noSuchOperation(operations, method, request.path)] };
  const { op, params } = found;
  const match: SpecMatch = { operationId: op.operationId, method: op.method, template: op.template, pathParams: params, security: op.security };
  const problems = [
    ...(op.security === "token" && !request.hasToken ? ["missing api_access_token header"] : []),
    ...checkPathParams(context, op, params),
    ...checkQuery(context, op, request),
    ...checkBody(context, op, request),
    ...checkMessageLimits(op, request.body),
  ].map((problem) => `${op.key}: ${problem}`);
  return problems.length === 0 ? { ok: true, match } : { ok: false, match, problems };
}

function checkPathParams(context: Context, op: Operation, params: Record<string, string>): string[] {
  return op.parameters
    .filter((param) => param.in === "path")
    .flatMap((param) => checkParam(context, "path", param, coerceString(context.doc, params[param.name] ?? "", param.schema)));
}

function checkQuery(context: Context, op: Operation, request: SpecRequest): string[] {
  const declared = op.parameters.filter((param) => param.in === "query");
  const known = new Set(declared.map((param) => param.name));
  const unknown = Object.keys(request.query)
    .filter((key) => !known.has(key.replace(/\[\]$/, "")))
    .map((key) => `query parameter "${key}" is not declared for this operation (Chatwoot ignores it)`);
  return [...unknown, ...declared.flatMap((param) => checkQueryParam(context, param, request))];
}

function checkQueryParam(context: Context, param: Parameter, request: SpecRequest): string[] {
  const raw = request.query[param.name] ?? request.query[`${param.name}[]`];
  if (raw === undefined) {
    // Rails merges query and body into one params hash, so a body field satisfies it too.
    const inBody = isObject(request.body) && param.name in request.body;
    return param.required && !inBody ? [`query parameter "${param.name}" is required`] : [];
  }
  return checkParam(context, "query", param, coerceValue(context.doc, raw, param.schema));
}

function checkParam(context: Context, where: string, param: Parameter, value: unknown): string[] {
  const key = JSON.stringify(param.schema);
  const validate = context.params.get(key) ?? context.ajv.compile(structuredClone(isObject(param.schema) ? param.schema : {}));
  context.params.set(key, validate);
  return validate(value) ? [] : describeErrors(`${where}/${param.name}`, validate.errors);
}

function checkBody(context: Context, op: Operation, request: SpecRequest): string[] {
  const body = request.body;
  const sent = body !== undefined && body !== null && body !== "";
  if (op.body === null) return sent && !(isObject(body) && Object.keys(body).length === 0) ? ["body: this operation takes no request body"] : [];
  if (!sent) return op.body.required ? ["body: a request body is required"] : [];
  const media = pickMediaType(op, request.contentType);
  if (typeof media === "string") return [media];
  const compiled = compiledBody(context, op, media.mediaType);
  const data = media.kind === "form" && isObject(body) ? coerceFields(context.doc, body, compiled.schema) : body;
  const fileProblems = media.kind === "form" && isObject(data) ? misplacedFiles(context.doc, data, compiled.schema) : [];
  return compiled.validate(data) ? fileProblems : [...fileProblems, ...describeErrors("body", compiled.validate.errors)];
}

function compiledBody(context: Context, op: Operation, mediaType: string): CompiledBody {
  const key = `${op.key} ${mediaType}`;
  const cached = context.bodies.get(key);
  if (cached !== undefined) return cached;
  const schema = prepareBodySchema(context.doc, op, mediaType);
  const compiled = { schema, validate: context.ajv.compile(schema) };
  context.bodies.set(key, compiled);
  return compiled;
}

function prepareBodySchema(doc: JsonObject, op: Operation, mediaType: string): JsonObject {
  const resolved = deref(doc, op.body?.media.get(mediaType));
  const schema = structuredClone(isObject(resolved) ? resolved : {});
  CODE_ONLY[op.key]?.(schema);
  rewriteRefs(schema);
  strictify(schema);
  return schema;
}

function pickMediaType(op: Operation, contentType: string | null): { mediaType: string; kind: MediaKind } | string {
  const accepted = [...(op.body?.media.keys() ?? [])];
  const type = contentType?.split(";")[0]?.trim().toLowerCase() ?? "";
  if (type === "") return "body: sent without a Content-Type header";
  const isJson = type === "application/json" || type.endsWith("+json");
  const mediaType = isJson ? "application/json" : type;
  if (!accepted.includes(mediaType)) return `body: Content-Type ${type} is not accepted here (accepted: ${accepted.join(", ")})`;
  return { mediaType, kind: isJson ? "json" : "form" };
}

/** A file part where the schema expects a text field (Rails would hand the controller an UploadedFile). */
function misplacedFiles(doc: JsonObject, fields: JsonObject, schema: JsonObject): string[] {
  const properties = objectAt(schema, "properties");
  return Object.entries(fields)
    .filter(([key, value]) => key in properties && (Array.isArray(value) ? value : [value]).some((item) => typeof item === "string" && FILE_MARKER.test(item)))
    .filter(([key]) => !isBinary(doc, properties[key]))
    .map(([key]) => `body/${key} must be a text field, not a file upload`);
}

function isBinary(doc: JsonObject, schema: unknown): boolean {
  const resolved = deref(doc, schema);
  const items = deref(doc, objectAt(resolved, "items"));
  return (isObject(resolved) && resolved.format === "binary") || (isObject(items) && items.format === "binary");
}

/** facts §1.4: content ≤ 150,000 characters; at most 15 attachments per message. */
function checkMessageLimits(op: Operation, body: unknown): string[] {
  const at = MESSAGE_BODIES[op.key];
  if (at === undefined || !isObject(body)) return [];
  const message = at === "" ? body : objectAt(body, at);
  const prefix = at === "" ? "body" : `body/${at}`;
  const problems: string[] = [];
  const content = message.content;
  const length = typeof content === "string" ? Array.from(content).length : 0;
  if (length > MAX_CONTENT_CHARS) problems.push(`${prefix}/content is ${length} characters; Chatwoot allows at most ${MAX_CONTENT_CHARS}`);
  const attachments = message["attachments[]"] ?? message.attachments;
  const count = Array.isArray(attachments) ? attachments.length : 0;
  if (count > MAX_ATTACHMENTS) problems.push(`${prefix}/attachments[] has ${count} files; Chatwoot allows at most ${MAX_ATTACHMENTS} per message`);
  return problems;
}

/** Reads the swagger once; compiles each (operation, media type) schema on first use and caches it. */
export function createSpecValidator(swaggerPath: string = DEFAULT_SWAGGER): { validate(request: SpecRequest): SpecVerdict } {
  const doc = loadDocument(swaggerPath);
  const context: Context = { doc, operations: readOperations(doc), ajv: createAjv(doc), bodies: new Map(), params: new Map() };
  return { validate: (request) => validateRequest(context, request) };
}
