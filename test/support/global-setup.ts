import { execFileSync } from "child_process";
import { existsSync, readdirSync, statSync } from "fs";
import { join } from "path";
import { REPO_ROOT, tarballPath } from "./load-extension";

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** The tests load the built tarball and start the built relay; build both when missing or older than the sources. */
export default function globalSetup(): void {
  const tarball = tarballPath();
  const sources = ["src", "nodes", "connections", "icons", "scripts"].map((dir) => newestSource(join(REPO_ROOT, dir)));
  const sourcesChanged = Math.max(...sources, statSync(join(REPO_ROOT, "README.md")).mtimeMs, statSync(join(REPO_ROOT, "package.json")).mtimeMs);
  const relayBundle = join(REPO_ROOT, "dist", "relay.js");
  const fresh = (path: string): boolean => existsSync(path) && statSync(path).mtimeMs >= sourcesChanged;
  if (fresh(tarball) && fresh(relayBundle)) return;
  execFileSync(join(REPO_ROOT, "build.sh"), { cwd: REPO_ROOT, stdio: ["ignore", "ignore", "inherit"] });
}
