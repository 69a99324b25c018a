import { execFileSync } from "child_process";
import { mkdtempSync, readFileSync } from "fs";
import { tmpdir } from "os";
import { join, resolve } from "path";
import { isRecord, readString } from "../../src/core/json-guards";

export const REPO_ROOT = resolve(__dirname, "../..");

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
