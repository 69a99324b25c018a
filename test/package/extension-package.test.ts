import { readFileSync } from "fs";
import { builtinModules } from "module";
import { join } from "path";
import { PNG } from "pngjs";
import { isRecord, readArray, readString } from "../../src/core/json-guards";
import { validateExtensionLabel, validateExtensionPackage } from "../support/cognigy-schema";
import { loadExtensionFromTarball, REPO_ROOT, type LoadedExtension } from "../support/load-extension";

let loaded: LoadedExtension;

beforeAll(() => {
  loaded = loadExtensionFromTarball();
});

const nodes = (): Record<string, unknown>[] => readArray(loaded.extension.nodes).filter(isRecord);
const connections = (): Record<string, unknown>[] => readArray(loaded.extension.connections).filter(isRecord);

/** Every label-like value the designer sees, with where it sits. */
function texts(node: Record<string, unknown>): { where: string; value: unknown }[] {
  const found: { where: string; value: unknown }[] = [{ where: `${String(node.type)}.defaultLabel`, value: node.defaultLabel }];
  if (node.summary !== undefined && node.summary !== "") found.push({ where: `${String(node.type)}.summary`, value: node.summary });
  for (const field of readArray(node.fields).filter(isRecord)) {
    found.push({ where: `${String(node.type)}.${String(field.key)}.label`, value: field.label });
    if (field.description !== undefined) found.push({ where: `${String(node.type)}.${String(field.key)}.description`, value: field.description });
    const options = isRecord(field.params) ? readArray(field.params.options).filter(isRecord) : [];
    options.forEach((option) => found.push({ where: `${String(node.type)}.${String(field.key)}.option.${String(option.value)}`, value: option.label }));
  }
  for (const section of readArray(node.sections).filter(isRecord)) found.push({ where: `${String(node.type)}.section.${String(section.key)}`, value: section.label });
  return found;
}

describe("the uploadable package", () => {
  it("contains exactly the bundles (with their license notes), package.json, package-lock.json, README.md and icon.png", () => {
    expect(loaded.files.filter((file) => !file.endsWith(".LEGAL.txt"))).toEqual(["README.md", "build/axios.js", "build/module.js", "build/node-functions.js", "icon.png", "package-lock.json", "package.json"]);
  });

  it("declares no runtime dependencies for the platform to install", () => {
    expect(loaded.manifest.dependencies).toEqual({});
    expect(loaded.manifest.devDependencies).toBeUndefined();
    const lock: unknown = JSON.parse(readFileSync(join(loaded.dir, "package-lock.json"), "utf8"));
    expect(isRecord(lock) && isRecord(lock.packages) ? Object.keys(lock.packages) : null).toEqual([""]);
  });

  it("names the tarball after the version and points main at the bundle", () => {
    const source: unknown = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8"));
    expect(isRecord(source) && loaded.manifest.version === source.version).toBe(true);
    expect(loaded.manifest.main).toBe("build/module.js");
  });

  it("ships a 64x64 PNG icon", () => {
    const png = PNG.sync.read(readFileSync(join(loaded.dir, "icon.png")));
    expect([png.width, png.height]).toEqual([64, 64]);
    const opaque = png.data.filter((_, index) => index % 4 === 3 && (png.data[index] ?? 0) > 0).length;
    expect(opaque).toBeGreaterThan(64 * 64 * 0.8);
  });

  it("ships the README", () => {
    expect(readFileSync(join(loaded.dir, "README.md"), "utf8")).toBe(readFileSync(join(REPO_ROOT, "README.md"), "utf8"));
  });

  it.each(["build/module.js", "build/node-functions.js", "build/axios.js"])("%s requires nothing but Node's own modules and files of the package", (file) => {
    const bundle = readFileSync(join(loaded.dir, file), "utf8");
    const required = [...bundle.matchAll(/require\("([^"]+)"\)/g)].map((match) => match[1] ?? "");
    const builtins = new Set(builtinModules);
    const outside = required.filter((name) => !builtins.has(name.replace(/^node:/, "")) && !(name.startsWith("./") && loaded.files.includes(`build/${name.slice(2)}.js`)));
    expect(outside).toEqual([]);
  });

  it("loads the nodes' code on the first execution and axios on the first request, not when the platform requires the module", () => {
    const bundle = readFileSync(join(loaded.dir, "build/module.js"), "utf8");
    expect(bundle).toContain('require("./node-functions")');
    expect(bundle).not.toContain('require("./axios")');
    expect(readFileSync(join(loaded.dir, "build/node-functions.js"), "utf8")).toContain('require("./axios")');
    expect(bundle.length).toBeLessThan(40_000);
  });
});

describe("the descriptors, by Cognigy's own schema", () => {
  it("validate against extensionNodePackageDataSchema from @cognigy/rest-api-client", () => {
    const report = validateExtensionPackage(loaded.extension);
    expect(report.errors).toEqual([]);
    expect(report.valid).toBe(true);
  });

  it.each([
    ["a field with a property the platform does not know", (node: Record<string, unknown>) => ({ ...node, fields: [...readArray(node.fields), { key: "x", type: "text", label: "X", hint: "?" }] })],
    ["a description over 200 characters", (node: Record<string, unknown>) => ({ ...node, fields: [{ key: "x", type: "text", label: "X", description: "d".repeat(201) }] })],
    ["a field type the platform does not have", (node: Record<string, unknown>) => ({ ...node, fields: [{ key: "x", type: "colour", label: "X" }] })],
    ["an appearance colour that is not a colour", (node: Record<string, unknown>) => ({ ...node, appearance: { color: "not a colour" } })],
  ])("would be refused with %s", (_, mutate) => {
    const [first, ...rest] = nodes();
    const broken = { ...loaded.extension, nodes: [mutate(first ?? {}), ...rest] };
    expect(validateExtensionPackage(broken).valid).toBe(false);
  });

  it("have an extension label the platform accepts", () => {
    const options = isRecord(loaded.extension.options) ? loaded.extension.options : {};
    expect(validateExtensionLabel(options.label).valid).toBe(true);
    expect(options.label).toBe("Chatwoot Handover");
  });

  it("use unique node types", () => {
    const types = nodes().map((node) => String(node.type));
    expect(new Set(types).size).toBe(types.length);
    expect(types).toEqual(expect.arrayContaining(["chatwootHandover", "chatwootSession", "chatwootResolveReopen"]));
  });

  it("declare only children that exist, whose parentType points back", () => {
    const byType = new Map(nodes().map((node) => [String(node.type), node]));
    for (const node of nodes()) {
      const children = isRecord(node.dependencies) ? readArray(node.dependencies.children).map(String) : [];
      for (const child of children) {
        expect(byType.has(child)).toBe(true);
        expect(byType.get(child)?.parentType).toBe(node.type);
      }
    }
    const childCount = nodes().filter((node) => node.parentType !== null && node.parentType !== undefined).length;
    expect(childCount).toBe(10);
  });

  it("reference only fields and sections that exist in forms and sections, each field placed once", () => {
    for (const node of nodes()) {
      const fieldKeys = new Set(readArray(node.fields).filter(isRecord).map((field) => String(field.key)));
      const sections = readArray(node.sections).filter(isRecord);
      const sectionKeys = new Set(sections.map((section) => String(section.key)));
      const placed: string[] = [];
      for (const section of sections) for (const key of readArray(section.fields).map(String)) placed.push(key);
      for (const element of readArray(node.form).filter(isRecord)) {
        const key = String(element.key);
        expect(element.type === "field" ? fieldKeys.has(key) : sectionKeys.has(key)).toBe(true);
        if (element.type === "field") placed.push(key);
        else expect(sectionKeys.has(key)).toBe(true);
      }
      expect(placed.filter((key) => !fieldKeys.has(key))).toEqual([]);
      expect(new Set(placed).size).toBe(placed.length);
      expect([...fieldKeys].filter((key) => !placed.includes(key))).toEqual([]);
    }
  });

  it("refer only to connection types the extension defines", () => {
    const types = new Set(connections().map((connection) => String(connection.type)));
    expect([...types]).toEqual(["chatwoot"]);
    for (const node of nodes()) {
      for (const field of readArray(node.fields).filter(isRecord)) {
        if (field.type !== "connection") continue;
        expect(isRecord(field.params) && types.has(String(field.params.connectionType))).toBe(true);
      }
    }
  });

  it("define the connection fields baseUrl, accountId, apiKey, relaySecret and the optional hmacToken", () => {
    const fields = readArray(connections()[0]?.fields).filter(isRecord);
    expect(fields.map((field) => field.fieldName)).toEqual(["baseUrl", "accountId", "apiKey", "relaySecret", "hmacToken"]);
    expect(fields.map((field) => field.required)).toEqual([true, true, true, true, false]);
  });

  it("label and describe everything in English and German", () => {
    const all = nodes().flatMap(texts);
    expect(all.length).toBeGreaterThan(80);
    const missing = all.filter(({ value }) => !isRecord(value) || readString(value.default) === undefined || readString(value.deDE) === undefined || value.default === "" || value.deDE === "");
    expect(missing.map(({ where }) => where)).toEqual([]);
    const untranslated = all.filter(({ value }) => isRecord(value) && value.default === value.deDE && String(value.default).length > 12);
    expect(untranslated.map(({ where }) => where)).toEqual([]);
  });

  it("give every node that does work a function, and child exits none", () => {
    for (const node of nodes()) {
      const isChild = node.parentType !== null && node.parentType !== undefined;
      expect(typeof node.function === "function").toBe(!isChild);
    }
  });
});
