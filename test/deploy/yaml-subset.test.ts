import { parseYamlSubset } from "./yaml-subset";

describe("parseYamlSubset", () => {
  it.each<[string, string, unknown]>([
    ["scalars", 'a: 1\nb: text with spaces\nc: "quoted # not a comment"\nd: \'it\'\'s\'\ne: true\nf:\ng: 0.0.0.0 # comment\n', { a: 1, b: "text with spaces", c: "quoted # not a comment", d: "it's", e: true, f: null, g: "0.0.0.0" }],
    ["nested mappings and comments", "# head\nouter:\n  # inside\n  inner:\n    key: v\n  other: w\n", { outer: { inner: { key: "v" }, other: "w" } }],
    ["sequences, indented or at the key's indentation", "a:\n  - 1\n  - two\nb:\n- x\n", { a: [1, "two"], b: ["x"] }],
    ["mappings in a sequence", "items:\n  - name: one\n    value: 1\n  - name: two\n", { items: [{ name: "one", value: 1 }, { name: "two" }] }],
    ["flow sequences", 'a: ["CMD-SHELL", "pg_isready -U relay"]\nb: [x, y]\nc: []\n', { a: ["CMD-SHELL", "pg_isready -U relay"], b: ["x", "y"], c: [] }],
    ["block scalars", "a: |\n  line 1\n\n    indented\nb: |-\n  kept\nc: >\n  folded\n  text\n", { a: "line 1\n\n  indented\n", b: "kept", c: "folded text\n" }],
    ["anchors and merge keys, explicit keys winning", "base: &base\n  image: x\n  restart: always\none:\n  <<: *base\n  restart: never\n", { base: { image: "x", restart: "always" }, one: { image: "x", restart: "never" } }],
    ["colons without a space inside plain scalars", "ports:\n  - ${PORT:-8080}:8080\n  - ./a.cfg:/etc/a.cfg:ro\nurl: postgres://u:${P:?set P}@h:5432/d\n", { ports: ["${PORT:-8080}:8080", "./a.cfg:/etc/a.cfg:ro"], url: "postgres://u:${P:?set P}@h:5432/d" }],
  ])("%s", (_name, source, expected) => {
    expect(parseYamlSubset(source)).toEqual(expected);
  });

  it.each<[string, string, RegExp]>([
    ["a tab in the indentation", "a:\n\tb: 1\n", /line 2: a tab/],
    ["a duplicate key", "a: 1\nb: 2\na: 3\n", /line 3: duplicate key a/],
    ["an unknown alias", "a:\n  <<: *missing\n", /line 2: unknown alias/],
    ["a line indented under a scalar", "a: 1\n  b: 2\n", /line 2: unexpected indentation/],
    ["a flow mapping", "a: {b: 1}\n", /flow mappings/],
    ["an unclosed quote", 'a: "open\n', /malformed double-quoted/],
    ["a colon and space in a plain scalar", "a: b: c\n", /not a plain scalar/],
    ["a malformed flow sequence", "a: [x, , y]\n", /malformed flow sequence/],
  ])("refuses %s", (_name, source, problem) => {
    expect(() => parseYamlSubset(source)).toThrow(problem);
  });
});
