import { readFileSync, writeFileSync } from "fs";
import { join } from "path";
import { isRecord, readString } from "../src/core/json-guards";

/**
 * Writes the package.json and package-lock.json that go into the upload. The
 * bundle contains every runtime library, so both declare no dependencies and
 * the platform installs nothing (usage: node write-manifest.js <repo> <stage>).
 */
const [repo, stage] = process.argv.slice(2);
if (repo === undefined || stage === undefined) throw new Error("usage: write-manifest <repo dir> <stage dir>");
const source: unknown = JSON.parse(readFileSync(join(repo, "package.json"), "utf8"));
if (!isRecord(source)) throw new Error("package.json is not an object");
const name = readString(source.name) ?? "chatwoot-handover";
const version = readString(source.version) ?? "0.0.0";
const manifest = {
  name,
  version,
  description: readString(source.description) ?? "",
  main: "build/module.js",
  license: readString(source.license) ?? "MIT",
  dependencies: {},
};
const lock = { name, version, lockfileVersion: 3, requires: true, packages: { "": { name, version, license: manifest.license } } };
writeFileSync(join(stage, "package.json"), `${JSON.stringify(manifest, null, 2)}\n`);
writeFileSync(join(stage, "package-lock.json"), `${JSON.stringify(lock, null, 2)}\n`);
