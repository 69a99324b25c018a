import { isRecord, readArray, readBoolean, readNonEmptyString, readNumber, readPositiveInteger, readRecord, readString } from "../../src/core/json-guards";

describe("isRecord", () => {
  it.each([
    { value: {}, expected: true },
    { value: { a: 1 }, expected: true },
    { value: [], expected: false },
    { value: null, expected: false },
    { value: "object", expected: false },
    { value: 1, expected: false },
    { value: undefined, expected: false },
  ])("says $expected for $value", ({ value, expected }) => {
    expect(isRecord(value)).toBe(expected);
  });
});

describe("readString and readNonEmptyString", () => {
  it.each([
    { value: "text", string: "text", nonEmpty: "text" },
    { value: " padded ", string: " padded ", nonEmpty: " padded " },
    { value: "", string: "", nonEmpty: undefined },
    { value: "   ", string: "   ", nonEmpty: undefined },
    { value: 5, string: undefined, nonEmpty: undefined },
    { value: null, string: undefined, nonEmpty: undefined },
    { value: ["a"], string: undefined, nonEmpty: undefined },
  ])("reads $value", ({ value, string, nonEmpty }) => {
    expect(readString(value)).toBe(string);
    expect(readNonEmptyString(value)).toBe(nonEmpty);
  });
});

describe("readNumber", () => {
  it.each([
    { value: 12, expected: 12 },
    { value: -3.5, expected: -3.5 },
    { value: 0, expected: 0 },
    { value: "12", expected: 12 },
    { value: " 12 ", expected: 12 },
    { value: "-7", expected: -7 },
    { value: "2.25", expected: 2.25 },
    { value: "1e3", expected: undefined },
    { value: "0x10", expected: undefined },
    { value: "12abc", expected: undefined },
    { value: "12.", expected: undefined },
    { value: "", expected: undefined },
    { value: Number.NaN, expected: undefined },
    { value: Number.POSITIVE_INFINITY, expected: undefined },
    { value: true, expected: undefined },
    { value: null, expected: undefined },
  ])("reads $value as $expected", ({ value, expected }) => {
    expect(readNumber(value)).toBe(expected);
  });
});

describe("readPositiveInteger", () => {
  it.each([
    { value: 1, expected: 1 },
    { value: "42", expected: 42 },
    { value: Number.MAX_SAFE_INTEGER, expected: Number.MAX_SAFE_INTEGER },
    { value: Number.MAX_SAFE_INTEGER + 1, expected: undefined },
    { value: "99999999999999999999", expected: undefined },
    { value: 0, expected: undefined },
    { value: -1, expected: undefined },
    { value: 1.5, expected: undefined },
    { value: "1.5", expected: undefined },
    { value: "abc", expected: undefined },
  ])("reads $value as $expected", ({ value, expected }) => {
    expect(readPositiveInteger(value)).toBe(expected);
  });
});

describe("readBoolean, readArray and readRecord", () => {
  it("keeps only real booleans", () => {
    expect(readBoolean(true)).toBe(true);
    expect(readBoolean(false)).toBe(false);
    expect(readBoolean("true")).toBeUndefined();
    expect(readBoolean(1)).toBeUndefined();
  });

  it("returns the array itself, or an empty one for anything else", () => {
    const list = [1, "a"];
    expect(readArray(list)).toBe(list);
    expect(readArray({ 0: "a", length: 1 })).toEqual([]);
    expect(readArray("abc")).toEqual([]);
  });

  it("returns the object itself, or an empty one for anything else", () => {
    const record = { a: 1 };
    expect(readRecord(record)).toBe(record);
    expect(readRecord([1])).toEqual({});
    expect(readRecord(null)).toEqual({});
  });
});
