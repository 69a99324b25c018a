import { mkdirSync, writeFileSync } from "fs";
import { join } from "path";
import { REPO_ROOT } from "./load-extension";

/** Writes a hostile test's counts to `.stage/hostile-<name>.json`, where the README's figures come from. */
export function writeHostileReport(name: string, counts: unknown): void {
  const folder = join(REPO_ROOT, ".stage");
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, `hostile-${name}.json`), `${JSON.stringify({ measuredAt: new Date().toISOString(), counts }, null, 2)}\n`);
}
