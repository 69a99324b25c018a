import { randomBytes, randomInt } from "crypto";
import { canonicalJson } from "../../src/core/canonical-json";

/** Rebuilds every object with its keys in a random order, as a JSON round trip through another system may. */
function shuffleKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(shuffleKeys);
  if (typeof value !== "object" || value === null) return value;
  const entries = Object.entries(value);
  for (let i = entries.length - 1; i > 0; i -= 1) {
    const j = randomInt(i + 1);
    const a = entries[i];
    const b = entries[j];
    if (a !== undefined && b !== undefined) {
      entries[i] = b;
      entries[j] = a;
    }
  }
  return Object.fromEntries(entries.map(([key, item]) => [key, shuffleKeys(item)]));
}

function randomJson(depth: number): unknown {
  const choice = randomInt(depth > 2 ? 4 : 6);
  switch (choice) {
    case 0:
      return randomBytes(randomInt(0, 6)).toString("base64");
    case 1:
      return randomInt(-1_000_000, 1_000_000) / (randomInt(2) === 0 ? 1 : 8);
    case 2:
      return randomInt(2) === 0;
    case 3:
      return null;
    case 4:
      return Array.from({ length: randomInt(0, 4) }, () => randomJson(depth + 1));
    default:
      return Object.fromEntries(Array.from({ length: randomInt(0, 5) }, () => [randomBytes(3).toString("hex"), randomJson(depth + 1)]));
  }
}

describe("canonicalJson", () => {
  it("sorts object keys at every level", () => {
    expect(canonicalJson({ b: 1, a: { d: [{ z: 1, y: 2 }], c: true } })).toBe('{"a":{"c":true,"d":[{"y":2,"z":1}]},"b":1}');
  });

  it("keeps the order of array items", () => {
    expect(canonicalJson([3, 1, 2])).toBe("[3,1,2]");
  });

  it.each([
    { value: null, expected: "null" },
    { value: true, expected: "true" },
    { value: "quote \" and \n newline", expected: JSON.stringify("quote \" and \n newline") },
    { value: 12.5, expected: "12.5" },
    { value: -0, expected: "0" },
    { value: {}, expected: "{}" },
    { value: [], expected: "[]" },
  ])("writes $value as JSON.stringify would", ({ value, expected }) => {
    expect(canonicalJson(value)).toBe(expected);
  });

  it("leaves out object members whose value is undefined, as JSON does", () => {
    expect(canonicalJson({ a: 1, b: undefined })).toBe('{"a":1}');
  });

  it.each([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY])("refuses the non-finite number %p", (value) => {
    expect(() => canonicalJson({ ts: value })).toThrow(TypeError);
  });

  it.each([
    { name: "a function", value: () => 1 },
    { name: "a bigint", value: BigInt(1) },
    { name: "a symbol", value: Symbol("s") },
  ])("refuses $name", ({ value }) => {
    expect(() => canonicalJson([value])).toThrow(TypeError);
  });

  it("gives the same text for any key order, and parses back to the same value (random values)", () => {
    for (let run = 0; run < 200; run += 1) {
      const value = { root: randomJson(0) };
      const text = canonicalJson(value);
      expect(canonicalJson(shuffleKeys(value))).toBe(text);
      expect(JSON.parse(text)).toEqual(value);
      expect(canonicalJson(JSON.parse(text))).toBe(text);
    }
  });

  it("tells apart values that differ only in one nested member", () => {
    expect(canonicalJson({ a: { b: [1, 2] } })).not.toBe(canonicalJson({ a: { b: [1, 3] } }));
    expect(canonicalJson({ a: "1" })).not.toBe(canonicalJson({ a: 1 }));
  });
});
