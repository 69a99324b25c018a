import type { JsonRecord } from "../../src/core/json-guards";
import { accountIdOf, changeOf, conversationOf, displayName, inboxIdOf, sourceIdOf, text, timeOf } from "../../src/relay/webhook-fields";

describe("conversationOf", () => {
  it.each<[string, JsonRecord, JsonRecord]>([
    ["message_created nests the conversation", { event: "message_created", id: 1, conversation: { id: 321 } }, { id: 321 }],
    ["message_updated nests the conversation", { event: "message_updated", id: 1, conversation: { id: 321 } }, { id: 321 }],
    ["a message event without a conversation yields an empty record", { event: "message_created", id: 1 }, {}],
    ["a message event whose conversation is not an object yields an empty record", { event: "message_created", conversation: [1] }, {}],
  ])("%s", (_, payload, expected) => {
    expect(conversationOf(payload)).toEqual(expected);
  });

  it("returns conversation events themselves", () => {
    const payload = { event: "conversation_updated", id: 321, conversation: { id: 999 } };
    expect(conversationOf(payload)).toBe(payload);
  });
});

describe("inboxIdOf", () => {
  it.each<[string, JsonRecord, JsonRecord, number | undefined]>([
    ["the message's inbox first", { inbox: { id: 12 } }, { inbox_id: 13 }, 12],
    ["the conversation's inbox_id without inbox object", {}, { inbox_id: 13 }, 13],
    ["an inbox id written as a string", { inbox: { id: "12" } }, {}, 12],
    ["the conversation's inbox_id when inbox.id is invalid", { inbox: { id: 0 } }, { inbox_id: 13 }, 13],
    ["nothing", {}, {}, undefined],
  ])("reads %s", (_, payload, conversation, expected) => {
    expect(inboxIdOf(payload, conversation)).toBe(expected);
  });
});

describe("accountIdOf", () => {
  it.each<[string, JsonRecord, JsonRecord, number]>([
    ["the payload's account", { account: { id: 1 } }, { account: { id: 2 }, account_id: 3 }, 1],
    ["the conversation's account (Chatwoot 4.14.2+)", {}, { account: { id: 2 }, account_id: 3 }, 2],
    ["the conversation's account_id", {}, { account_id: 3 }, 3],
    ["0 when no account is given", {}, {}, 0],
  ])("reads %s", (_, payload, conversation, expected) => {
    expect(accountIdOf(payload, conversation)).toBe(expected);
  });
});

describe("sourceIdOf", () => {
  it.each<[string, JsonRecord, string | undefined]>([
    ["contact_inbox.source_id", { contact_inbox: { source_id: "direct" }, messages: [{ conversation: { contact_inbox: { source_id: "last" } } }] }, "direct"],
    ["the last message's contact_inbox when the conversation has none", { messages: [{ conversation: { contact_inbox: { source_id: "last" } } }] }, "last"],
    ["the last message's when contact_inbox.source_id is blank", { contact_inbox: { source_id: " " }, messages: [{ conversation: { contact_inbox: { source_id: "last" } } }] }, "last"],
    ["nothing from an empty message list", { messages: [] }, undefined],
    ["nothing when messages is not a list", { messages: { conversation: { contact_inbox: { source_id: "x" } } } }, undefined],
    ["nothing from a source id that is a number", { contact_inbox: { source_id: 5 } }, undefined],
  ])("reads %s", (_, conversation, expected) => {
    expect(sourceIdOf(conversation)).toBe(expected);
  });
});

describe("timeOf", () => {
  it.each<[string, unknown, number | undefined]>([
    ["an ISO string with milliseconds", "2026-06-17T10:15:42.123Z", Date.parse("2026-06-17T10:15:42.123Z")],
    ["an ISO string with an offset", "2026-06-17T12:15:42+02:00", Date.parse("2026-06-17T10:15:42Z")],
    ["epoch seconds", 1_750_155_342, 1_750_155_342_000],
    ["epoch seconds with fractions", 1_750_155_342.412, 1_750_155_342_412],
    ["epoch seconds as a string", "1750155342", 1_750_155_342_000],
    ["fractional epoch seconds as a string", "1750155342.5", 1_750_155_342_500],
    ["text that is no date", "yesterday", undefined],
    ["an empty string", "", undefined],
    ["null", null, undefined],
    ["a boolean", true, undefined],
    ["infinity", Number.POSITIVE_INFINITY, undefined],
    ["seconds whose milliseconds overflow to Infinity", 1e306, undefined],
    ["negative seconds whose milliseconds overflow", -Number.MAX_VALUE, undefined],
  ])("reads %s", (_, value, expected) => {
    expect(timeOf(value)).toBe(expected);
  });
});

describe("changeOf", () => {
  const payload: JsonRecord = {
    changed_attributes: [
      { updated_at: { previous_value: "a", current_value: "b" } },
      { status: { previous_value: "open", current_value: "resolved" } },
      { assignee_id: { previous_value: null, current_value: 7 } },
    ],
  };

  it.each<[string, { previous: unknown; current: unknown } | undefined]>([
    ["status", { previous: "open", current: "resolved" }],
    ["assignee_id", { previous: null, current: 7 }],
    ["team_id", undefined],
  ])("finds the change of %s in the list of one-key objects", (attribute, expected) => {
    expect(changeOf(payload, attribute)).toEqual(expected);
  });

  it.each<[string, unknown]>([
    ["null (conversation_status_changed)", null],
    ["missing", undefined],
    ["an object instead of a list", { status: { previous_value: "open", current_value: "resolved" } }],
    ["a list of non-objects", ["status", 1, null]],
    ["a list whose change is not an object", [{ status: "resolved" }]],
  ])("finds nothing when changed_attributes is %s", (_, changedAttributes) => {
    expect(changeOf({ changed_attributes: changedAttributes }, "status")).toBeUndefined();
  });
});

describe("displayName", () => {
  it.each<[string, JsonRecord, string]>([
    ["available_name first", { available_name: "Anna", name: "Anna Agent" }, "Anna"],
    ["name without available_name", { name: "Anna Agent" }, "Anna Agent"],
    ["name when available_name is blank", { available_name: "  ", name: "Anna Agent" }, "Anna Agent"],
    ["'Agent' when neither is usable", { name: "", available_name: 5 }, "Agent"],
    ["'Agent' for an empty record", {}, "Agent"],
  ])("uses %s", (_, person, expected) => {
    expect(displayName(person)).toBe(expected);
  });
});

describe("text", () => {
  it.each<[unknown, string]>([
    ["hello", "hello"],
    ["", ""],
    [null, ""],
    [undefined, ""],
    [42, ""],
  ])("reads %j as %j", (value, expected) => {
    expect(text(value)).toBe(expected);
  });
});
