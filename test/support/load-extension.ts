import { execFileSync } from "child_process";
import { existsSync, mkdtempSync, readFileSync } from "fs";
import { tmpdir } from "os";
import { join, resolve } from "path";
import { isRecord, readString } from "../../src/core/json-guards";

/** The repository, found from wherever this code runs (ts-jest from test/support, the demo from its bundle). */
function findRepoRoot(start: string): string {
  let dir = start;
  for (let depth = 0; depth < 6; depth += 1) {
    const manifest = join(dir, "package.json");
    if (existsSync(manifest) && readFileSync(manifest, "utf8").includes('"name": "chatwoot-handover"')) return dir;
    dir = resolve(dir, "..");
  }
  return resolve(start, "../..");
}

export const REPO_ROOT = findRepoRoot(__dirname);

export interface LoadedExtension {
  dir: string;
  files: string[];
  manifest: Record<string, unknown>;
  /** The module's default export, as the platform reads it (descriptors with functions). */
  extension: Record<string, unknown>;
}

export function tarballPath(): string {
  const manifest: unknown = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8"));
  if (!isRecord(manifest)) throw new Error("package.json is not an object");
  return join(REPO_ROOT, `${readString(manifest.name) ?? ""}-${readString(manifest.version) ?? ""}.tar.gz`);
}

/**
 * Loads the extension the way Cognigy does with an uploaded package: unpack the
 * tarball, read `main` from its package.json, require the bundle, take the default export.
 */
export function loadExtensionFromTarball(path: string = tarballPath()): LoadedExtension {
  const dir = mkdtempSync(join(tmpdir(), "cognigy-extension-"));
  execFileSync("tar", ["-xzf", path, "-C", dir]);
  const files = execFileSync("tar", ["-tzf", path], { encoding: "utf8" })
    .split("\n")
    .filter((line) => line !== "" && !line.endsWith("/"))
    .sort();
  const manifest: unknown = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
  if (!isRecord(manifest)) throw new Error("package.json in the tarball is not an object");
  const main = readString(manifest.main);
  if (main === undefined) throw new Error("package.json in the tarball has no main");
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the platform loads the bundle with require
  const loaded: unknown = require(join(dir, main));
  const extension = isRecord(loaded) ? loaded.default : undefined;
  if (!isRecord(extension)) throw new Error(`${main} has no default export object`);
  return { dir, files, manifest, extension };
}
