import { isOwnSourceId, messageSourceId, SOURCE_ID_PREFIX, type SourceKind } from "../../src/core/source-id";

describe("messageSourceId", () => {
  it.each<{ kind: SourceKind; inputId: string; expected: string }>([
    { kind: "input", inputId: "abc-123", expected: "cognigy:input:abc-123" },
    { kind: "history", inputId: "abc-123", expected: "cognigy:history:abc-123" },
  ])("marks a $kind message as the extension's own", ({ kind, inputId, expected }) => {
    expect(messageSourceId(kind, inputId)).toBe(expected);
    expect(isOwnSourceId(messageSourceId(kind, inputId))).toBe(true);
  });

  it("keeps input and history messages of the same input apart", () => {
    expect(messageSourceId("input", "x")).not.toBe(messageSourceId("history", "x"));
  });
});

describe("isOwnSourceId", () => {
  it.each([
    { sourceId: `${SOURCE_ID_PREFIX}input:1`, own: true },
    { sourceId: "cognigy:", own: true },
    { sourceId: "Cognigy:input:1", own: false },
    { sourceId: "whatsapp:cognigy:input:1", own: false },
    { sourceId: "", own: false },
    { sourceId: null, own: false },
    { sourceId: undefined, own: false },
    { sourceId: 42, own: false },
  ])("says $own for $sourceId", ({ sourceId, own }) => {
    expect(isOwnSourceId(sourceId)).toBe(own);
  });
});
