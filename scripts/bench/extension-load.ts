import { execFileSync, spawnSync } from "child_process";
import { statSync } from "fs";
import { join } from "path";
import { performance } from "perf_hooks";
import { REPO_ROOT, tarballPath } from "../../test/support/load-extension";
import { median, round } from "./stats";

export interface LoadResult {
  runs: number;
  productRequireMs: number;
  minimalRequireMs: number;
  requireRatio: number;
  productProcessMs: number;
  minimalProcessMs: number;
  processRatio: number;
  moduleBytes: number;
  minimalBytes: number;
  tarballBytes: number;
}

const PROBE = "const p=process.argv[1];const t=process.hrtime.bigint();require(p);process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6));";

/** One fresh Node process: the time `require` takes inside it, and the whole process from spawn to exit. */
function measure(modulePath: string): { requireMs: number; processMs: number } {
  const started = performance.now();
  const result = spawnSync(process.execPath, ["-e", PROBE, modulePath], { encoding: "utf8" });
  const processMs = performance.now() - started;
  if (result.status !== 0) throw new Error(`loading ${modulePath} failed: ${result.stderr}`);
  return { requireMs: Number(result.stdout), processMs };
}

/** Builds the minimal extension the same way build.sh bundles the product. */
function buildMinimal(): string {
  const out = join(REPO_ROOT, ".stage", "bench-minimal", "module.js");
  execFileSync(join(REPO_ROOT, "node_modules", ".bin", "esbuild"), [
    join(REPO_ROOT, "scripts", "bench", "minimal-extension.ts"),
    "--bundle",
    "--platform=node",
    "--target=node18",
    "--format=cjs",
    "--minify",
    "--keep-names",
    "--log-level=warning",
    `--outfile=${out}`,
  ]);
  return out;
}

/**
 * What the platform pays to load the extension: `require` of the bundle in a
 * fresh Node process, against a one-node extension bundled the same way,
 * alternating, `runs` times each; medians and ratios.
 */
export function benchExtensionLoad(runs: number): LoadResult {
  const product = join(REPO_ROOT, "build", "module.js");
  const minimal = buildMinimal();
  const samples = { product: [] as { requireMs: number; processMs: number }[], minimal: [] as { requireMs: number; processMs: number }[] };
  measure(product);
  measure(minimal);
  for (let run = 0; run < runs; run += 1) {
    samples.product.push(measure(product));
    samples.minimal.push(measure(minimal));
  }
  const med = (list: { requireMs: number; processMs: number }[], key: "requireMs" | "processMs"): number => median(list.map((item) => item[key]));
  const productRequireMs = med(samples.product, "requireMs");
  const minimalRequireMs = med(samples.minimal, "requireMs");
  const productProcessMs = med(samples.product, "processMs");
  const minimalProcessMs = med(samples.minimal, "processMs");
  return {
    runs,
    productRequireMs: round(productRequireMs),
    minimalRequireMs: round(minimalRequireMs),
    requireRatio: round(productRequireMs / minimalRequireMs),
    productProcessMs: round(productProcessMs),
    minimalProcessMs: round(minimalProcessMs),
    processRatio: round(productProcessMs / minimalProcessMs, 3),
    moduleBytes: statSync(product).size,
    minimalBytes: statSync(minimal).size,
    tarballBytes: statSync(tarballPath()).size,
  };
}
