import { createHmac, randomUUID } from "crypto";
import { Agent, request as httpRequest, type ClientRequest, type OutgoingHttpHeaders } from "http";
import fc from "fast-check";
import { isRecord, readRecord } from "../../src/core/json-guards";
import { verifyRelayEvent } from "../../src/core/relay-event-signature";
import { ROUTE_ATTRIBUTE, sealRoute, type SessionRoute } from "../../src/core/route-seal";
import {
  agentMessage,
  attachment,
  chatwootSignature,
  conversationCreated,
  conversationFor,
  conversationUpdated,
  csatMessage,
  messageEvent,
  outOfOfficeMessage,
  signWebhook,
  statusChanged,
  typingEvent,
  type WebhookConversation,
} from "../support/chatwoot-webhooks";
import { RELAY_SECRET } from "../support/extension-harness";
import { writeHostileReport } from "../support/hostile-report";
import { startRelayHarness, WEBHOOK_SECRET, type RelayHarness } from "../support/relay-harness";

/**
 * Fuzzing `POST /handover/chatwoot` with fast-check: 10,000 generated requests
 * (broken JSON, wrong types in every field, huge strings, deep nesting, missing
 * headers, wrong/stale/replayed signatures, unknown events, oversized bodies)
 * against a real relay over HTTP. Most are signed correctly, so they get past
 * the HMAC into the parser and the classifier.
 *
 * No generated conversation carries a route that opens for it (missing,
 * garbled, sealed with another secret or for another contact), so every
 * request must be answered 400, 401, 413 or "dropped" with a reason, and any
 * inject at all is an injection.
 *
 * A second property posts correctly routed webhooks with hostile values in
 * their fields: these may be delivered, but never with a 5xx, never to another
 * session, and never when the webhook is not something for the user (a
 * private or garbled-private note, the user's own message, a bot's, the
 * extension's own).
 *
 * The counts go to `.stage/hostile-fuzz.json`.
 */

const SEED = 20_260_617;
const TOTAL = 10_000;
const ROUTED_TOTAL = 3_000;
const CONCURRENCY = 4;
/** README: "413 — body over 1 MiB". */
const ONE_MIB = 1024 * 1024;
const OTHER_RELAY_SECRET = "another-relay-secret-0123456789abcdef-OTHER";
const OTHER_WEBHOOK_SECRET = "another-webhook-secret-0123456789abcdef";
/** The session every unroutable conversation claims; nothing may ever reach it. */
const ROUTE: SessionRoute = { userId: "fuzz-user", sessionId: "fuzz-session", urlToken: "fuzz-url-token" };
const SHARED_DELIVERY = "fuzz-shared-delivery-id";
/** README "What it keeps and what it drops". */
const DOCUMENTED_REASONS = new Set([
  "incoming_message",
  "private_note",
  "own_message",
  "bot_message",
  "captain_message",
  "not_from_agent",
  "activity_message",
  "empty_message",
  "csat_disabled",
  "template_disabled",
  "irrelevant_update",
  "assignment_disabled",
  "typing",
  "irrelevant_event",
  "unknown_event",
  "malformed",
  "inbox_not_allowed",
  "no_route",
  "route_unauthentic",
]);
const KNOWN_EVENTS = new Set(["message_created", "message_updated", "conversation_status_changed", "conversation_updated"]);
/**
 * The fields the relay reads (numbers in a path written as N), message and conversation payloads together;
 * mutations aim at one of them half of the time.
 */
const READ_FIELDS = new Set([
  "event",
  "id",
  "content",
  "content_type",
  "message_type",
  "private",
  "source_id",
  "created_at",
  "updated_at",
  "timestamp",
  "status",
  "inbox_id",
  "account_id",
  "sender",
  "sender.type",
  "sender.name",
  "sender.available_name",
  "inbox",
  "inbox.id",
  "account",
  "account.id",
  "attachments",
  "attachments.N",
  "attachments.N.id",
  "attachments.N.data_url",
  "attachments.N.file_type",
  "attachments.N.extension",
  "conversation",
  "conversation.id",
  "conversation.inbox_id",
  "conversation.account_id",
  "conversation.account",
  "conversation.account.id",
  "conversation.custom_attributes",
  `conversation.custom_attributes.${ROUTE_ATTRIBUTE}`,
  "conversation.contact_inbox",
  "conversation.contact_inbox.source_id",
  "conversation.messages",
  "conversation.messages.N",
  "conversation.messages.N.conversation",
  "conversation.messages.N.conversation.contact_inbox",
  "conversation.messages.N.conversation.contact_inbox.source_id",
  "custom_attributes",
  `custom_attributes.${ROUTE_ATTRIBUTE}`,
  "contact_inbox",
  "contact_inbox.source_id",
  "messages",
  "messages.N.conversation.contact_inbox.source_id",
  "meta",
  "meta.assignee",
  "meta.assignee.id",
  "meta.assignee.type",
  "meta.assignee.name",
  "meta.assignee.available_name",
  "changed_attributes",
  "changed_attributes.N",
  "changed_attributes.N.status",
  "changed_attributes.N.status.current_value",
  "changed_attributes.N.assignee_id",
  "changed_attributes.N.assignee_id.current_value",
]);

// ---------------------------------------------------------------- payloads

const PAYLOAD_KINDS = [
  "agentMessage",
  "agentMessageWithAttachments",
  "privateNote",
  "incomingMessage",
  "csat",
  "outOfOffice",
  "statusChanged",
  "statusUpdated",
  "assigneeUpdated",
  "conversationCreated",
  "typing",
] as const;
type PayloadKind = (typeof PAYLOAD_KINDS)[number];

/** The payloads that are something for the user when their route opens (the routed property). */
const DELIVERABLE_KINDS = ["agentMessage", "agentMessageWithAttachments", "csat", "outOfOffice", "statusChanged", "statusUpdated", "assigneeUpdated"] as const satisfies readonly PayloadKind[];

let nextMessageId = 900_000;

/** A Chatwoot payload from the real builders, as plain JSON (so it can be mutated). */
function buildPayload(kind: PayloadKind, base: WebhookConversation): unknown {
  const id = nextMessageId++;
  const conversation = kind === "assigneeUpdated" ? { ...base, assignee: { id: 7, name: "Anna Agent", email: "anna@example.com" } } : base;
  const file = (n: number, fileType: "image" | "file", name: string) => attachment({ id: id * 10 + n, messageId: id, fileType, url: `https://chat.example.com/rails/active_storage/blobs/redirect/abc${n}/${name}` });
  const payload = ((): unknown => {
    switch (kind) {
      case "agentMessage":
        return agentMessage(conversation, { id, content: "Hello from Anna" });
      case "agentMessageWithAttachments":
        return agentMessage(conversation, { id, content: "See attached", attachments: [file(1, "image", "shot.png"), file(2, "file", "invoice.pdf")] });
      case "privateNote":
        return agentMessage(conversation, { id, content: "internal", private: true });
      case "incomingMessage":
        return messageEvent(conversation, { id, messageType: "incoming", content: "Hi, it's Jane", sender: { kind: "contact" } });
      case "csat":
        return csatMessage(conversation, { id });
      case "outOfOffice":
        return outOfOfficeMessage(conversation, { id, content: "We are closed until Monday." });
      case "statusChanged":
        return statusChanged(conversation, "resolved");
      case "statusUpdated":
        return conversationUpdated(conversation, { status: { previous_value: "open", current_value: "resolved" } });
      case "assigneeUpdated":
        return conversationUpdated(conversation, { assignee_id: { previous_value: null, current_value: 7 } });
      case "conversationCreated":
        return conversationCreated(conversation);
      case "typing":
        return typingEvent(conversation, true);
    }
  })();
  const json: unknown = JSON.parse(JSON.stringify(payload));
  return json;
}

/** How the conversation's sealed route fails to open for it. */
type RouteDefect =
  | { kind: "missing" }
  | { kind: "otherSecret" }
  | { kind: "otherContact" }
  | { kind: "garbled"; mode: "bitflip" | "ivflip" | "truncate" | "append" | "version"; at: number }
  | { kind: "text"; value: string }
  | { kind: "wrongType"; value: unknown };

function garble(sealed: string, mode: Extract<RouteDefect, { kind: "garbled" }>["mode"], at: number): string {
  const [version = "", iv = "", body = ""] = sealed.split(".");
  const flip = (bytes: Buffer): Buffer => {
    const copy = Buffer.from(bytes);
    const index = at % copy.length;
    copy.writeUInt8(copy.readUInt8(index) ^ (1 << (at % 8)), index);
    return copy;
  };
  const cipher = Buffer.from(body, "base64url");
  switch (mode) {
    case "bitflip":
      return `${version}.${iv}.${flip(cipher).toString("base64url")}`;
    case "ivflip":
      return `${version}.${flip(Buffer.from(iv, "base64url")).toString("base64url")}.${body}`;
    case "truncate":
      return `${version}.${iv}.${cipher.subarray(0, cipher.length - 1 - (at % 16)).toString("base64url")}`;
    case "append":
      return `${version}.${iv}.${Buffer.concat([cipher, Buffer.from([at & 0xff])]).toString("base64url")}`;
    case "version":
      return `v2.${iv}.${body}`;
  }
}

/** A conversation whose `cognigy_route` does not open for it, so nothing about it may ever be injected. */
function unroutableConversation(defect: RouteDefect): WebhookConversation {
  const genuine = conversationFor(ROUTE, RELAY_SECRET);
  const sealed = genuine.customAttributes[ROUTE_ATTRIBUTE];
  const withRoute = (value: unknown): WebhookConversation => ({ ...genuine, customAttributes: { [ROUTE_ATTRIBUTE]: value } });
  switch (defect.kind) {
    case "missing":
      return { ...genuine, customAttributes: {} };
    case "otherSecret":
      return conversationFor(ROUTE, OTHER_RELAY_SECRET);
    case "otherContact":
      // Sealed with the right secret, but for another contact of the same inbox (copied attribute).
      return withRoute(sealRoute(ROUTE, { inboxId: genuine.inboxId, sourceId: randomUUID() }, RELAY_SECRET));
    case "garbled":
      return withRoute(garble(typeof sealed === "string" ? sealed : "", defect.mode, defect.at));
    case "text":
    case "wrongType":
      return withRoute(defect.value);
  }
}

// ---------------------------------------------------------------- JSON paths and mutations

type Path = (string | number)[];

function pathsOf(value: unknown, prefix: Path = [], out: Path[] = []): Path[] {
  out.push(prefix);
  if (Array.isArray(value)) value.forEach((item, index) => pathsOf(item, [...prefix, index], out));
  else if (isRecord(value)) for (const [key, item] of Object.entries(value)) pathsOf(item, [...prefix, key], out);
  return out;
}

const pathName = (path: Path): string => (path.length === 0 ? "<root>" : path.join("."));

function childOf(node: unknown, key: string | number): unknown {
  if (Array.isArray(node) && typeof key === "number") return node[key];
  if (isRecord(node) && typeof key === "string" && Object.prototype.hasOwnProperty.call(node, key)) return node[key];
  return undefined;
}

type Change = { op: "replace"; value: unknown } | { op: "delete" };

/** A fresh copy of a generated value, so no two places (or two requests) share one object. */
function copyOf(value: unknown): unknown {
  if (value === undefined) return undefined;
  const copy: unknown = JSON.parse(JSON.stringify(value));
  return copy;
}

/** Replaces (or deletes) the value at `path`; returns the new root. Own keys only, so `__proto__` is a plain key. */
function changeAt(root: unknown, path: Path, change: Change): unknown {
  const key = path[path.length - 1];
  if (key === undefined) return change.op === "replace" ? copyOf(change.value) : root;
  const parent = path.slice(0, -1).reduce<unknown>(childOf, root);
  if (Array.isArray(parent) && typeof key === "number") {
    if (change.op === "replace") parent[key] = copyOf(change.value);
    else parent.splice(key, 1);
  } else if (isRecord(parent) && typeof key === "string") {
    if (change.op === "replace") Object.defineProperty(parent, key, { value: copyOf(change.value), enumerable: true, writable: true, configurable: true });
    else Reflect.deleteProperty(parent, key);
  }
  return root;
}

interface Mutation {
  /** Aim at a field the relay reads (READ_FIELDS) rather than at any path. */
  focus: boolean;
  pick: number;
  op: "replace" | "delete";
  value: unknown;
}

function pickPath(root: unknown, target: { focus: boolean; pick: number }): Path {
  const all = pathsOf(root);
  const focused = target.focus ? all.filter((path) => READ_FIELDS.has(path.map((key) => (typeof key === "number" ? "N" : key)).join("."))) : [];
  const candidates = focused.length > 0 ? focused : all;
  return candidates[target.pick % candidates.length] ?? [];
}

function mutate(root: unknown, mutation: Mutation, path: Path = pickPath(root, mutation)): { root: unknown; path: Path } {
  const change: Change = mutation.op === "delete" && path.length > 0 ? { op: "delete" } : { op: "replace", value: mutation.value };
  return { root: changeAt(root, path, change), path };
}

// ---------------------------------------------------------------- arbitraries

const printableAscii = fc.integer({ min: 0x20, max: 0x7e }).map((code) => String.fromCharCode(code));
const alphanumeric = fc.constantFrom(..."abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_");

const hostileScalar = fc.oneof(
  fc.constantFrom(
    "",
    " ",
    "\t\n",
    "0",
    "-1",
    "4711",
    "1e3",
    "1.5",
    "NaN",
    "Infinity",
    "null",
    "true",
    "[]",
    "{}",
    "outgoing",
    "incoming",
    "template",
    "activity",
    "user",
    "agent_bot",
    "captain_assistant",
    "cognigy:input:1",
    "message_created",
    "conversation_status_changed",
    "resolved",
    "open",
    "input_csat",
    "https://chat.example.com/x.png",
    "javascript:alert(1)",
    "file:///etc/passwd",
    "http://169.254.169.254/latest/meta-data/",
    "\u0000",
    "\ud800",
    "\u202e",
    "<script>alert(1)</script>",
    "%00",
    "../../etc/passwd",
    "v1..",
  ),
  fc.constantFrom(0, -0, -1, 1, 0.5, 2 ** 31, 2 ** 53, 2 ** 53 + 2, -(2 ** 53), 1e21, 1e306, -1e306, Number.MAX_VALUE, Number.MIN_VALUE),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  fc.constant(null),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: "binary", maxLength: 20 }),
);
const dangerousKey = fc.constantFrom("__proto__", "constructor", "prototype", "toString", "valueOf", "toJSON", "hasOwnProperty", "length", "0", "");
const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: hostileScalar },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 3, arbitrary: fc.dictionary(dangerousKey, fc.oneof(hostileScalar, fc.jsonValue({ maxDepth: 1 })), { minKeys: 1, maxKeys: 4 }) },
  { weight: 1, arbitrary: fc.array(hostileScalar, { maxLength: 5 }) },
  { weight: 1, arbitrary: fc.constantFrom({}, [], [{}], { id: {} }, { type: "user" }, [[[]]]) },
);
const mutationArb: fc.Arbitrary<Mutation> = fc.record({
  focus: fc.boolean(),
  pick: fc.nat(),
  op: fc.constantFrom<Mutation["op"]>("replace", "replace", "replace", "delete"),
  value: hostileValue,
});
const targetArb = fc.record({ focus: fc.boolean(), pick: fc.nat() });

const routeDefectArb: fc.Arbitrary<RouteDefect> = fc.oneof(
  fc.constant({ kind: "missing" as const }),
  fc.constant({ kind: "otherSecret" as const }),
  fc.constant({ kind: "otherContact" as const }),
  fc.record({ kind: fc.constant("garbled" as const), mode: fc.constantFrom("bitflip" as const, "ivflip" as const, "truncate" as const, "append" as const, "version" as const), at: fc.nat() }),
  fc.record({ kind: fc.constant("text" as const), value: fc.oneof(fc.string({ maxLength: 80 }), fc.constantFrom("v1", "v1..", "v1.AAAA.BBBB", "v1.a.b.c")) }),
  fc.record({ kind: fc.constant("wrongType" as const), value: hostileValue }),
);

type Delivery = "fresh" | "none" | "long" | "shared";

interface Base {
  kind: PayloadKind;
  route: RouteDefect;
  contentType: string | undefined;
  delivery: Delivery;
}

const CONTENT_TYPES = [
  undefined,
  "application/json",
  "application/json; charset=utf-8",
  "text/plain",
  "application/x-www-form-urlencoded",
  "multipart/form-data; boundary=x",
  "application/json; charset=utf-16",
  "application/json;;;",
  "%%%",
  "",
  "x",
] as const;

const baseArb: fc.Arbitrary<Base> = fc.record({
  kind: fc.constantFrom(...PAYLOAD_KINDS),
  route: routeDefectArb,
  contentType: fc.oneof({ weight: 3, arbitrary: fc.constant("application/json") }, { weight: 2, arbitrary: fc.constantFrom(...CONTENT_TYPES) }),
  delivery: fc.oneof({ weight: 6, arbitrary: fc.constant<Delivery>("fresh") }, { weight: 1, arbitrary: fc.constantFrom<Delivery>("none", "long", "shared") }),
});

type Broken =
  | { mode: "truncated"; cut: number }
  | { mode: "trailing"; extra: string }
  | { mode: "text"; text: string }
  | { mode: "bytes"; bytes: Uint8Array }
  | { mode: "invalidUtf8"; at: number; byte: number }
  | { mode: "jsonish"; text: string };

const brokenArb: fc.Arbitrary<Broken> = fc.oneof(
  fc.record({ mode: fc.constant("truncated" as const), cut: fc.nat() }),
  fc.record({ mode: fc.constant("trailing" as const), extra: fc.oneof(fc.constantFrom("}", ",", "x", "]", "{}", "\u0000", "//"), fc.string({ minLength: 1, maxLength: 10 })) }),
  fc.record({ mode: fc.constant("text" as const), text: fc.string({ maxLength: 200 }) }),
  fc.record({ mode: fc.constant("bytes" as const), bytes: fc.uint8Array({ maxLength: 300 }) }),
  fc.record({ mode: fc.constant("invalidUtf8" as const), at: fc.nat(), byte: fc.constantFrom(0x80, 0xc0, 0xc3, 0xed, 0xf5, 0xff) }),
  fc.record({
    mode: fc.constant("jsonish" as const),
    text: fc.constantFrom("", " ", "{", "}", "[", "{'event':'message_created'}", '{"event":}', '{"event":"message_created",}', "NaN", "undefined", "\ufeff{}", "nul", "tru", '{"a":1}{"b":2}', '"unterminated', "[1,2", "0x10", "01", "-"),
  }),
);

type SignatureDefect =
  | { kind: "wrongSecret" }
  | { kind: "tamperedBody"; at: number }
  | { kind: "malformed"; value: string }
  | { kind: "truncatedHex"; cut: number }
  | { kind: "sha1" }
  | { kind: "timestampMismatch"; delta: number }
  | { kind: "badTimestamp"; value: string }
  | { kind: "duplicateSignature" }
  | { kind: "emptySignature" }
  | { kind: "pathToken"; token: string };

const signatureDefectArb: fc.Arbitrary<SignatureDefect> = fc.oneof(
  fc.constant({ kind: "wrongSecret" as const }),
  fc.record({ kind: fc.constant("tamperedBody" as const), at: fc.nat() }),
  fc.record({ kind: fc.constant("malformed" as const), value: fc.oneof(fc.string({ unit: printableAscii, maxLength: 80 }), fc.string({ unit: printableAscii, minLength: 64, maxLength: 64 }).map((hex) => `sha256=${hex}`)) }),
  fc.record({ kind: fc.constant("truncatedHex" as const), cut: fc.nat() }),
  fc.constant({ kind: "sha1" as const }),
  fc.record({ kind: fc.constant("timestampMismatch" as const), delta: fc.oneof(fc.integer({ min: -200, max: -1 }), fc.integer({ min: 1, max: 200 })) }),
  fc.record({
    kind: fc.constant("badTimestamp" as const),
    value: fc.oneof(fc.constantFrom("", "abc", "1.5", "-1", "+1", "0x6650", "1e9", "NaN", "Infinity", "9999999999999", "12345678901234"), fc.string({ unit: printableAscii, maxLength: 20 }).filter((value) => !/^\s*\d+\s*$/.test(value))),
  }),
  fc.constant({ kind: "duplicateSignature" as const }),
  fc.constant({ kind: "emptySignature" as const }),
  fc.record({ kind: fc.constant("pathToken" as const), token: fc.string({ unit: alphanumeric, minLength: 1, maxLength: 40 }) }),
);

type ReplayMode = "exact" | "alteredBody" | "refreshedTimestamp" | "resignedSameDelivery";
type HeaderName = "signature" | "timestamp" | "content-type" | "delivery";

type Recipe =
  | { family: "brokenJson"; base: Base; broken: Broken }
  | { family: "wrongTypes"; base: Base; mutations: Mutation[] }
  | { family: "hugeStrings"; base: Base; target: { focus: boolean; pick: number }; huge: { shape: "string"; unit: string; length: number } | { shape: "wideArray" | "wideObject"; count: number } }
  | { family: "deepNesting"; base: Base; target: { focus: boolean; pick: number }; depth: number; shape: "array" | "object" | "mixed" }
  | { family: "missingHeaders"; base: Base; drop: HeaderName[] }
  | { family: "badSignature"; base: Base; defect: SignatureDefect }
  | { family: "staleTimestamp"; base: Base; offset: number }
  | { family: "replay"; base: Base; mode: ReplayMode }
  | { family: "unknownEvent"; base: Base; event: string }
  | { family: "oversized"; size: number; signed: boolean; chunked: boolean };

type Family = Recipe["family"];
const FAMILIES: readonly Family[] = ["brokenJson", "wrongTypes", "hugeStrings", "deepNesting", "missingHeaders", "badSignature", "staleTimestamp", "replay", "unknownEvent", "oversized"];

const recipeArb: fc.Arbitrary<Recipe> = fc.oneof(
  { weight: 12, arbitrary: fc.record({ family: fc.constant("brokenJson" as const), base: baseArb, broken: brokenArb }) },
  { weight: 34, arbitrary: fc.record({ family: fc.constant("wrongTypes" as const), base: baseArb, mutations: fc.array(mutationArb, { minLength: 1, maxLength: 3 }) }) },
  {
    weight: 6,
    arbitrary: fc.record({
      family: fc.constant("hugeStrings" as const),
      base: baseArb,
      target: targetArb,
      huge: fc.oneof(
        { weight: 3, arbitrary: fc.record({ shape: fc.constant("string" as const), unit: fc.oneof(fc.string({ unit: "grapheme", minLength: 1, maxLength: 4 }), fc.constantFrom('"', "\\", "http://", "\u0000", "9", "<", "é", "😀", "\ud800", " ", "cognigy:")), length: fc.integer({ min: 150_000, max: 260_000 }) }) },
        { weight: 1, arbitrary: fc.record({ shape: fc.constantFrom("wideArray" as const, "wideObject" as const), count: fc.integer({ min: 10_000, max: 60_000 }) }) },
      ),
    }),
  },
  { weight: 6, arbitrary: fc.record({ family: fc.constant("deepNesting" as const), base: baseArb, target: targetArb, depth: fc.integer({ min: 10_000, max: 50_000 }), shape: fc.constantFrom("array" as const, "object" as const, "mixed" as const) }) },
  { weight: 8, arbitrary: fc.record({ family: fc.constant("missingHeaders" as const), base: baseArb, drop: fc.subarray<HeaderName>(["signature", "timestamp", "content-type", "delivery"], { minLength: 1 }) }) },
  { weight: 10, arbitrary: fc.record({ family: fc.constant("badSignature" as const), base: baseArb, defect: signatureDefectArb }) },
  { weight: 6, arbitrary: fc.record({ family: fc.constant("staleTimestamp" as const), base: baseArb, offset: fc.oneof(fc.integer({ min: 306, max: 1_000_000_000 }), fc.integer({ min: -1_000_000_000, max: -306 }), fc.constantFrom(306, -306, 3600, -3600)) }) },
  { weight: 6, arbitrary: fc.record({ family: fc.constant("replay" as const), base: baseArb, mode: fc.constantFrom<ReplayMode>("exact", "exact", "alteredBody", "refreshedTimestamp", "resignedSameDelivery") }) },
  {
    weight: 8,
    arbitrary: fc.record({
      family: fc.constant("unknownEvent" as const),
      base: baseArb,
      event: fc
        .oneof(
          fc.string({ maxLength: 40 }),
          fc.constantFrom("MESSAGE_CREATED", "message_created ", " message_created", "message-created", "message_", "message_deleted", "conversation_typing_", "conversation_typing_on", "conversation_typing_off", "conversation_created", "conversation_opened", "conversation_resolved", "contact_created", "contact_updated", "inbox_created", "webwidget_triggered", "__proto__", "constructor", "toString", "hasOwnProperty", "conversation_updated\u0000", ""),
        )
        .filter((event) => !KNOWN_EVENTS.has(event)),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      family: fc.constant("oversized" as const),
      size: fc.oneof({ weight: 6, arbitrary: fc.integer({ min: ONE_MIB + 1, max: 3 * ONE_MIB }) }, { weight: 1, arbitrary: fc.constant(ONE_MIB + 1) }, { weight: 1, arbitrary: fc.constant(ONE_MIB) }),
      signed: fc.boolean(),
      chunked: fc.boolean(),
    }),
  },
);

// ---------------------------------------------------------------- requests

/** What the README promises for a request: 400, 401, 413, or 200 dropped; "repeat" is a replay answered like the first. */
type Expected = "400" | "401" | "413" | "dropped" | "repeat";

interface Shot {
  path: string;
  headers: OutgoingHttpHeaders;
  body: Buffer;
  chunked: boolean;
  expected: Expected;
}

/** `chatwootSignature` on raw bytes (some bodies here are not UTF-8). */
function signatureOf(body: Buffer, secret: string, timestamp: string): string {
  return `sha256=${createHmac("sha256", secret).update(`${timestamp}.`).update(body).digest("hex")}`;
}

const nowSeconds = (): number => Math.floor(Date.now() / 1000);

function deliveryHeader(delivery: Delivery): string | undefined {
  switch (delivery) {
    case "fresh":
      return randomUUID();
    case "none":
      return undefined;
    case "long":
      return `d${"0".repeat(299)}`;
    case "shared":
      return SHARED_DELIVERY;
  }
}

interface SignOptions {
  secret?: string;
  timestamp?: number;
  contentType: string | undefined;
  delivery: string | undefined;
}

function signedHeaders(body: Buffer, options: SignOptions): Record<string, string> {
  const timestamp = String(options.timestamp ?? nowSeconds());
  const headers: Record<string, string> = {
    "X-Chatwoot-Timestamp": timestamp,
    "X-Chatwoot-Signature": signatureOf(body, options.secret ?? WEBHOOK_SECRET, timestamp),
  };
  if (options.contentType !== undefined) headers["Content-Type"] = options.contentType;
  if (options.delivery !== undefined) headers["X-Chatwoot-Delivery"] = options.delivery;
  return headers;
}

/** Bodies over 1 MiB are answered 413 whatever else is wrong with them. */
function expectFor(body: Buffer, otherwise: Expected): Expected {
  return body.length > ONE_MIB ? "413" : otherwise;
}

function isJsonText(body: Buffer): boolean {
  try {
    JSON.parse(body.toString("utf8"));
    return true;
  } catch {
    return false;
  }
}

function deepText(depth: number, shape: "array" | "object" | "mixed"): string {
  if (shape === "array") return `${"[".repeat(depth)}${"]".repeat(depth)}`;
  if (shape === "object") return `${'{"a":'.repeat(depth)}null${"}".repeat(depth)}`;
  const half = Math.floor(depth / 2);
  return `${'[{"event":'.repeat(half)}0${"}]".repeat(half)}`;
}

function hugeValue(huge: Extract<Recipe, { family: "hugeStrings" }>["huge"]): unknown {
  if (huge.shape === "string") return huge.unit.repeat(Math.ceil(huge.length / huge.unit.length)).slice(0, huge.length);
  const item = { id: 1, file_type: "image", data_url: "https://chat.example.com/a.png" };
  if (huge.shape === "wideArray") return Array.from({ length: huge.count }, () => item);
  return Object.fromEntries(Array.from({ length: huge.count }, (_, index) => [`k${index}`, index]));
}

const SENTINEL = "\u0000deep-nesting-goes-here\u0000";

interface Context {
  /** The paths (per payload kind) the wrongTypes family replaced or deleted. */
  mutated: Set<string>;
  /** Per payload kind, the index of the next path the sweep mutates first. */
  sweep: Map<PayloadKind, number>;
  universe: Map<PayloadKind, Path[]>;
}

function chatwootShot(base: Base, body: Buffer, expected: Expected, options: Partial<SignOptions> = {}): Shot {
  const headers = signedHeaders(body, { contentType: base.contentType, delivery: deliveryHeader(base.delivery), ...options });
  return { path: "/handover/chatwoot", headers, body, chunked: false, expected: expectFor(body, expected) };
}

/** The requests of one recipe, sent in order. */
function materialize(recipe: Recipe, context: Context): Shot[] {
  if (recipe.family === "oversized") {
    const prefix = '{"event":"message_created","content":"';
    const suffix = '"}';
    const body = Buffer.from(`${prefix}${"x".repeat(recipe.size - prefix.length - suffix.length)}${suffix}`);
    const headers: Record<string, string> = recipe.signed ? signedHeaders(body, { contentType: "application/json", delivery: randomUUID() }) : { "Content-Type": "application/json" };
    return [{ path: "/handover/chatwoot", headers, body, chunked: recipe.chunked, expected: expectFor(body, recipe.signed ? "dropped" : "401") }];
  }
  const { base } = recipe;
  let root = buildPayload(base.kind, unroutableConversation(base.route));
  switch (recipe.family) {
    case "brokenJson": {
      const text = JSON.stringify(root);
      const { broken } = recipe;
      const body = ((): Buffer => {
        switch (broken.mode) {
          case "truncated":
            return Buffer.from(text.slice(0, 1 + (broken.cut % (text.length - 1))));
          case "trailing":
            return Buffer.from(`${text}${broken.extra}`);
          case "text":
            return Buffer.from(broken.text);
          case "bytes":
            return Buffer.from(broken.bytes);
          case "invalidUtf8": {
            const bytes = Buffer.from(text);
            const at = broken.at % bytes.length;
            return Buffer.concat([bytes.subarray(0, at), Buffer.from([broken.byte]), bytes.subarray(at)]);
          }
          case "jsonish":
            return Buffer.from(broken.text);
        }
      })();
      return [chatwootShot(base, body, isJsonText(body) ? "dropped" : "400")];
    }
    case "wrongTypes": {
      const universe = context.universe.get(base.kind) ?? [];
      const sweep = context.sweep.get(base.kind) ?? 0;
      context.sweep.set(base.kind, sweep + 1);
      recipe.mutations.forEach((mutation, index) => {
        // The first mutation of each recipe sweeps through every path of its payload kind in turn, so every field is hit.
        const result = mutate(root, mutation, index === 0 ? universe[sweep % universe.length] : undefined);
        root = result.root;
        context.mutated.add(`${base.kind}:${pathName(result.path)}`);
      });
      return [chatwootShot(base, Buffer.from(JSON.stringify(root)), "dropped")];
    }
    case "hugeStrings": {
      root = changeAt(root, pickPath(root, recipe.target), { op: "replace", value: hugeValue(recipe.huge) });
      return [chatwootShot(base, Buffer.from(JSON.stringify(root)), "dropped")];
    }
    case "deepNesting": {
      root = changeAt(root, pickPath(root, recipe.target), { op: "replace", value: SENTINEL });
      const text = JSON.stringify(root).replace(JSON.stringify(SENTINEL), deepText(recipe.depth, recipe.shape));
      return [chatwootShot(base, Buffer.from(text), "dropped")];
    }
    case "missingHeaders": {
      const body = Buffer.from(JSON.stringify(root));
      const shot = chatwootShot({ ...base, contentType: base.contentType ?? "application/json", delivery: base.delivery === "none" ? "fresh" : base.delivery }, body, "dropped");
      const names: Record<HeaderName, string> = { signature: "X-Chatwoot-Signature", timestamp: "X-Chatwoot-Timestamp", "content-type": "Content-Type", delivery: "X-Chatwoot-Delivery" };
      const dropped = new Set(recipe.drop.map((name) => names[name]));
      const headers = Object.fromEntries(Object.entries(shot.headers).filter(([name]) => !dropped.has(name)));
      const unsigned = recipe.drop.includes("signature") || recipe.drop.includes("timestamp");
      return [{ ...shot, headers, expected: expectFor(body, unsigned ? "401" : "dropped") }];
    }
    case "badSignature": {
      const body = Buffer.from(JSON.stringify(root));
      const valid = chatwootShot(base, body, "401");
      const timestamp = nowSeconds();
      const { defect } = recipe;
      const withHeaders = (headers: OutgoingHttpHeaders): Shot => ({ ...valid, headers: { ...valid.headers, ...headers } });
      const hex = signatureOf(body, WEBHOOK_SECRET, String(timestamp)).slice("sha256=".length);
      switch (defect.kind) {
        case "wrongSecret":
          return [chatwootShot(base, body, "401", { secret: OTHER_WEBHOOK_SECRET })];
        case "tamperedBody": {
          const tampered = Buffer.from(body);
          const at = defect.at % tampered.length;
          tampered.writeUInt8(tampered.readUInt8(at) ^ 0x01, at);
          return [{ ...valid, body: tampered, expected: expectFor(tampered, "401") }];
        }
        case "malformed":
          return [withHeaders({ "X-Chatwoot-Signature": defect.value })];
        case "truncatedHex":
          return [withHeaders({ "X-Chatwoot-Signature": `sha256=${hex.slice(0, 63 - (defect.cut % 63))}`, "X-Chatwoot-Timestamp": String(timestamp) })];
        case "sha1":
          return [withHeaders({ "X-Chatwoot-Signature": `sha1=${createHmac("sha1", WEBHOOK_SECRET).update(`${timestamp}.`).update(body).digest("hex")}`, "X-Chatwoot-Timestamp": String(timestamp) })];
        case "timestampMismatch":
          return [withHeaders({ "X-Chatwoot-Signature": `sha256=${hex}`, "X-Chatwoot-Timestamp": String(timestamp + defect.delta) })];
        case "badTimestamp":
          return [withHeaders({ "X-Chatwoot-Signature": `sha256=${hex}`, "X-Chatwoot-Timestamp": defect.value })];
        case "duplicateSignature":
          return [withHeaders({ "X-Chatwoot-Signature": [`sha256=${hex}`, `sha256=${hex}`], "X-Chatwoot-Timestamp": String(timestamp) })];
        case "emptySignature":
          return [withHeaders({ "X-Chatwoot-Signature": "" })];
        case "pathToken":
          // No path token is configured, so the unsigned route refuses every token.
          return [{ ...valid, path: `/handover/chatwoot/${defect.token}` }];
      }
      break;
    }
    case "staleTimestamp": {
      const body = Buffer.from(JSON.stringify(root));
      return [chatwootShot(base, body, "401", { timestamp: nowSeconds() + recipe.offset })];
    }
    case "replay": {
      const body = Buffer.from(JSON.stringify(root));
      const first = chatwootShot({ ...base, delivery: base.delivery === "none" ? "fresh" : base.delivery }, body, "dropped");
      switch (recipe.mode) {
        case "exact":
          return [first, { ...first, expected: expectFor(body, "repeat") }];
        case "alteredBody": {
          const altered = Buffer.concat([body, Buffer.from(" ")]);
          return [first, { ...first, body: altered, expected: expectFor(altered, "401") }];
        }
        case "refreshedTimestamp":
          return [first, { ...first, headers: { ...first.headers, "X-Chatwoot-Timestamp": String(nowSeconds() + 7) }, expected: expectFor(body, "401") }];
        case "resignedSameDelivery": {
          const other = Buffer.from(JSON.stringify(buildPayload(base.kind, unroutableConversation(base.route))));
          const delivery = first.headers["X-Chatwoot-Delivery"];
          return [first, chatwootShot(base, other, "dropped", { delivery: typeof delivery === "string" ? delivery : undefined })];
        }
      }
      break;
    }
    case "unknownEvent": {
      root = changeAt(root, ["event"], { op: "replace", value: recipe.event });
      return [chatwootShot(base, Buffer.from(JSON.stringify(root)), "dropped")];
    }
  }
  throw new Error(`no requests for ${recipe.family}`);
}

interface Answer {
  status: number;
  text: string;
}

/** One request over a keep-alive connection; a reset, a hang (15 s) or a client error is an `{error}`. */
function send(base: URL, agent: Agent, shot: Shot): Promise<Answer | { error: string }> {
  return new Promise((resolve) => {
    const headers: OutgoingHttpHeaders = { ...shot.headers, ...(shot.chunked ? { "Transfer-Encoding": "chunked" } : { "Content-Length": String(shot.body.length) }) };
    let request: ClientRequest;
    try {
      request = httpRequest({ host: base.hostname, port: base.port, path: shot.path, method: "POST", headers, agent, timeout: 15_000 }, (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () => resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }));
        response.on("error", (error) => resolve({ error: error.message }));
      });
    } catch (error) {
      resolve({ error: `client refused the request: ${String(error)}` });
      return;
    }
    request.on("timeout", () => request.destroy(new Error("no answer within 15 s")));
    request.on("error", (error) => resolve({ error: error.message }));
    if (shot.chunked) {
      for (let offset = 0; offset < shot.body.length; offset += 64 * 1024) request.write(shot.body.subarray(offset, offset + 64 * 1024));
      request.end();
    } else {
      request.end(shot.body);
    }
  });
}

type Outcome = "400" | "401" | "413" | "dropped" | "duplicate" | "accepted" | "5xx" | "other_status" | "unexpected_body" | "transport_error";

function parse(text: string): unknown {
  try {
    const value: unknown = JSON.parse(text);
    return value;
  } catch {
    return text;
  }
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Reads an answer strictly: each status has exactly the body the README documents. */
function outcomeOf(answer: Answer | { error: string }): { outcome: Outcome; reasons: string[] } {
  if ("error" in answer) return { outcome: "transport_error", reasons: [] };
  const body = parse(answer.text);
  if (answer.status >= 500) return { outcome: "5xx", reasons: [] };
  if (answer.status === 400) return { outcome: sameJson(body, { error: "the body is not JSON" }) ? "400" : "unexpected_body", reasons: [] };
  if (answer.status === 401) return { outcome: sameJson(body, { error: "unauthorized" }) ? "401" : "unexpected_body", reasons: [] };
  if (answer.status === 413) return { outcome: sameJson(body, { error: "payload too large" }) ? "413" : "unexpected_body", reasons: [] };
  if (answer.status !== 200 || !isRecord(body)) return { outcome: "other_status", reasons: [] };
  if (body.status === "duplicate" && Object.keys(body).length === 1) return { outcome: "duplicate", reasons: [] };
  if (body.status === "accepted") return { outcome: "accepted", reasons: [] };
  const reasons = Array.isArray(body.reasons) ? body.reasons.filter((reason): reason is string => typeof reason === "string") : [];
  const documented = Array.isArray(body.reasons) && reasons.length === body.reasons.length && reasons.length > 0 && reasons.every((reason) => DOCUMENTED_REASONS.has(reason));
  return body.status === "dropped" && documented && Object.keys(body).length === 2 ? { outcome: "dropped", reasons } : { outcome: "unexpected_body", reasons: [] };
}

function meets(expected: Expected, outcome: Outcome, reasons: string[], previous: string[] | undefined): boolean {
  switch (expected) {
    case "400":
    case "401":
    case "413":
    case "dropped":
      return outcome === expected;
    case "repeat":
      return outcome === "duplicate" || (outcome === "dropped" && previous !== undefined && sameJson(reasons, previous));
  }
}

/** Works through `items`, `concurrency` at a time; returns what threw (a fault of the test itself), so every item still runs. */
async function runPool<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<void>): Promise<string[]> {
  const errors: string[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let index = next++; index < items.length; index = next++) {
      const item = items[index];
      if (item !== undefined) await work(item).catch((error: unknown) => errors.push(`item ${index}: ${String(error)}`));
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return errors;
}

function describeShot(shot: Shot): string {
  const preview = shot.body.subarray(0, 160).toString("utf8");
  return `${shot.path} ${JSON.stringify(shot.headers)} ${shot.body.length} bytes: ${preview}`;
}

async function metricValue(harness: RelayHarness, name: string): Promise<number> {
  const text = await (await fetch(`${harness.metricsUrl}/metrics`)).text();
  const match = new RegExp(`^${name} (\\d+)$`, "m").exec(text);
  return match?.[1] === undefined ? Number.NaN : Number(match[1]);
}

/**
 * Crashes: after the run, the relay is not alive (`/healthz`), its outbox not usable (`/readyz`), or it no
 * longer classifies a webhook. (An unhandled rejection or uncaught exception anywhere in the process, relay
 * included, fails the running test through jest-circus's global handlers.)
 */
async function crashesAfter(harness: RelayHarness): Promise<number> {
  const healthz = await fetch(`${harness.url}/healthz`).then((response) => response.status, () => 0);
  const readyz = await fetch(`${harness.url}/readyz`).then((response) => response.status, () => 0);
  const probe = signWebhook({ event: "conversation_created" }, WEBHOOK_SECRET);
  const answer = await harness.post(probe).catch(() => ({ status: 0, body: null }));
  const classifies = answer.status === 200 && sameJson(answer.body, { status: "dropped", reasons: ["irrelevant_event"] });
  return (healthz === 200 ? 0 : 1) + (readyz === 200 ? 0 : 1) + (classifies ? 0 : 1);
}

const settle = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------- the tests

const report: Record<string, unknown> = {};

afterAll(() => {
  writeHostileReport("fuzz", report);
});

describe("fuzzing the relay intake", () => {
  it(
    `answers ${TOTAL.toLocaleString("en")} generated hostile requests with 400, 401, 413 or a reasoned drop, and injects nothing`,
    async () => {
      // The signer here must agree with the independent one of the test support, or the "signed" families would only test the HMAC.
      expect(signatureOf(Buffer.from('{"a":1}'), WEBHOOK_SECRET, "1750155342")).toBe(chatwootSignature('{"a":1}', WEBHOOK_SECRET, 1750155342));
      const harness = await startRelayHarness();
      const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
      try {
        const base = new URL(harness.url);
        const universe = new Map(PAYLOAD_KINDS.map((kind) => [kind, pathsOf(buildPayload(kind, unroutableConversation({ kind: "otherSecret" })))]));
        const context: Context = { mutated: new Set(), sweep: new Map(), universe };
        const recipes = fc.sample(recipeArb, { numRuns: TOTAL, seed: SEED });

        const families: Record<Family, number> = { brokenJson: 0, wrongTypes: 0, hugeStrings: 0, deepNesting: 0, missingHeaders: 0, badSignature: 0, staleTimestamp: 0, replay: 0, unknownEvent: 0, oversized: 0 };
        const answers: Record<Outcome, number> = { "400": 0, "401": 0, "413": 0, dropped: 0, duplicate: 0, accepted: 0, "5xx": 0, other_status: 0, unexpected_body: 0, transport_error: 0 };
        const reasons: Record<string, number> = {};
        const unexpected: string[] = [];
        let requests = 0;
        let unexpectedCount = 0;

        const testErrors = await runPool(recipes, CONCURRENCY, async (recipe) => {
          families[recipe.family] += 1;
          let previous: string[] | undefined;
          for (const shot of materialize(recipe, context)) {
            const answer = await send(base, agent, shot);
            requests += 1;
            const { outcome, reasons: dropped } = outcomeOf(answer);
            answers[outcome] += 1;
            for (const reason of dropped) reasons[reason] = (reasons[reason] ?? 0) + 1;
            if (!meets(shot.expected, outcome, dropped, previous)) {
              unexpectedCount += 1;
              const got = "error" in answer ? answer.error : `${answer.status} ${answer.text.slice(0, 200)}`;
              if (unexpected.length < 8) unexpected.push(`${recipe.family}: expected ${shot.expected}, got ${outcome} (${got}) for ${describeShot(shot)}`);
            }
            previous = dropped;
          }
        });

        // Anything that slipped into the outbox would be delivered within milliseconds (REORDER_WINDOW_MS=0).
        await settle(300);
        const uncovered = [...universe].flatMap(([kind, paths]) => paths.map((path) => `${kind}:${pathName(path)}`)).filter((path) => !context.mutated.has(path));
        const fieldsTotal = [...universe.values()].reduce((sum, paths) => sum + paths.length, 0);
        const counts = {
          seed: SEED,
          total: recipes.length,
          requests,
          families,
          answers: { "400": answers["400"], "401": answers["401"], "413": answers["413"], dropped: answers.dropped, duplicate: answers.duplicate },
          dropReasons: Object.fromEntries(Object.entries(reasons).sort(([a], [b]) => a.localeCompare(b))),
          fieldsMutated: { covered: fieldsTotal - uncovered.length, total: fieldsTotal },
          crashes: await crashesAfter(harness),
          fiveHundreds: answers["5xx"],
          transportErrors: answers.transport_error,
          accepted: answers.accepted,
          jobsEnqueued: await metricValue(harness, "relay_jobs_enqueued_total"),
          injections: harness.cognigy.injects.length + harness.cognigy.violations.length,
          unexpected: unexpectedCount,
        };
        report.intake = counts;

        expect({ ...counts, unexpectedExamples: unexpected, testErrors: testErrors.slice(0, 5) }).toEqual({
          ...counts,
          total: TOTAL,
          crashes: 0,
          fiveHundreds: 0,
          transportErrors: 0,
          accepted: 0,
          jobsEnqueued: 0,
          injections: 0,
          unexpected: 0,
          unexpectedExamples: [],
          testErrors: [],
        });
        // Every answer is one the issue allows: 400, 401, 413, or dropped with a reason.
        expect(counts.answers["400"] + counts.answers["401"] + counts.answers["413"] + counts.answers.dropped + counts.answers.duplicate).toBe(requests);
        // Each family got a fair share, and each kind of answer occurred.
        expect(FAMILIES.filter((family) => families[family] < TOTAL * 0.03)).toEqual([]);
        expect(Math.min(counts.answers["400"], counts.answers["401"], counts.answers["413"], counts.answers.dropped)).toBeGreaterThan(TOTAL * 0.02);
        // Every field of every payload kind was replaced or deleted at least once.
        expect(uncovered).toEqual([]);
      } finally {
        agent.destroy();
        await harness.close();
      }
    },
    60_000,
  );

  it(
    `delivers correctly routed webhooks with hostile fields (${ROUTED_TOTAL.toLocaleString("en")} generated) only to their own session, and only what is for the user`,
    async () => {
      const harness = await startRelayHarness({ FORWARD_ASSIGNMENTS: "true" });
      const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
      try {
        const base = new URL(harness.url);
        const samples = fc.sample(fc.record({ kind: fc.constantFrom(...DELIVERABLE_KINDS), mutations: fc.array(mutationArb, { minLength: 1, maxLength: 3 }) }), { numRuns: ROUTED_TOTAL, seed: SEED + 1 });
        const routes = new Map<string, SessionRoute>();
        const answers = { accepted: 0, dropped: 0, duplicate: 0, other: 0 };
        const unexpected: string[] = [];
        const unsafe: string[] = [];
        let jobs = 0;
        let injections = 0;

        /**
         * An injection: a webhook accepted for delivery although it is not something for the user, i.e. not a
         * message event with `private: false` that is outgoing from an agent (sender type "user") or a template,
         * and not the extension's own (source id "cognigy:…"), nor a conversation status/assignment update.
         */
        const whyUnsafe = (payload: unknown): string | undefined => {
          if (!isRecord(payload)) return "not an object";
          if (payload.event === "conversation_status_changed" || payload.event === "conversation_updated") return undefined;
          if (payload.event !== "message_created" && payload.event !== "message_updated") return `event ${JSON.stringify(payload.event)}`;
          if (payload.private !== false) return `private ${JSON.stringify(payload.private)}`;
          if (typeof payload.source_id === "string" && payload.source_id.startsWith("cognigy:")) return "the extension's own message";
          if (payload.message_type === "template") return undefined;
          if (payload.message_type !== "outgoing") return `message_type ${JSON.stringify(payload.message_type)}`;
          const senderType = readRecord(payload.sender).type;
          return senderType === "user" ? undefined : `sender type ${JSON.stringify(senderType)}`;
        };

        const testErrors = await runPool(
          samples.map((sample, index) => ({ ...sample, index })),
          CONCURRENCY,
          async ({ kind, mutations, index }) => {
            const route = { userId: `routed-user-${index}`, sessionId: `routed-session-${index}`, urlToken: `routed-token-${index}` };
            routes.set(route.sessionId, route);
            let root = buildPayload(kind, conversationFor(route, RELAY_SECRET));
            for (const mutation of mutations) root = mutate(root, mutation).root;
            const body = Buffer.from(JSON.stringify(root));
            const answer = await send(base, agent, { path: "/handover/chatwoot", headers: signedHeaders(body, { contentType: "application/json", delivery: randomUUID() }), body, chunked: false, expected: "dropped" });
            const got = "error" in answer ? answer.error : `${answer.status} ${answer.text.slice(0, 200)}`;
            const reply = "error" in answer ? undefined : parse(answer.text);
            const { outcome } = outcomeOf(answer);
            if (outcome === "accepted" && isRecord(reply) && typeof reply.jobs === "number" && typeof reply.duplicates === "number") {
              answers.accepted += 1;
              jobs += reply.jobs;
              const why = reply.jobs > 0 ? whyUnsafe(root) : undefined;
              if (why !== undefined) {
                injections += 1;
                if (unsafe.length < 8) unsafe.push(`${kind}: ${why}: ${body.subarray(0, 300).toString("utf8")}`);
              }
            } else if (outcome === "dropped" || outcome === "duplicate") {
              answers[outcome] += 1;
            } else {
              answers.other += 1;
              if (unexpected.length < 8) unexpected.push(`${kind}: got ${outcome} (${got}) for ${body.subarray(0, 300).toString("utf8")}`);
            }
          },
        );

        const delivered = jobs === 0 ? [] : await harness.cognigy.waitFor(jobs, 15_000).catch(() => harness.cognigy.delivered);
        await settle(200);
        const misrouted = harness.cognigy.injects.filter((inject) => {
          const route = routes.get(inject.sessionId);
          return route === undefined || route.userId !== inject.userId || route.urlToken !== inject.urlToken;
        });
        const unverified = harness.cognigy.injects.filter((inject) => !verifyRelayEvent(inject.data.chatwoot, RELAY_SECRET, inject.sessionId).ok);
        const counts = {
          seed: SEED + 1,
          total: samples.length,
          answers: { accepted: answers.accepted, dropped: answers.dropped, duplicate: answers.duplicate },
          jobs,
          injectsDelivered: delivered.length,
          crashes: await crashesAfter(harness),
          unexpected: answers.other,
          injections,
          misrouted: misrouted.length,
          unverified: unverified.length,
          cognigyViolations: harness.cognigy.violations.length,
        };
        report.routed = counts;

        expect({ ...counts, unexpectedExamples: unexpected, injectionExamples: unsafe, testErrors: testErrors.slice(0, 5) }).toEqual({
          ...counts,
          total: ROUTED_TOTAL,
          injectsDelivered: jobs,
          crashes: 0,
          unexpected: 0,
          injections: 0,
          misrouted: 0,
          unverified: 0,
          cognigyViolations: 0,
          unexpectedExamples: [],
          injectionExamples: [],
          testErrors: [],
        });
        // The property is only worth something if many hostile webhooks were in fact delivered, and many dropped.
        expect(Math.min(answers.accepted, answers.dropped)).toBeGreaterThan(ROUTED_TOTAL * 0.1);
      } finally {
        agent.destroy();
        await harness.close();
      }
    },
    60_000,
  );
});
