import { execFile } from "child_process";
import { launch, type Browser } from "puppeteer-core";
import { promisify } from "util";
import { REPO_ROOT } from "../load-extension";

/** Flags that keep Chromium off the network, which this machine closes, and let media load without a gesture. */
const QUIET_ARGS = ["--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic", "--autoplay-policy=no-user-gesture-required"];

interface ChromiumBinary {
  executablePath: string;
  args: string[];
}

/**
 * @sparticuz/chromium ships the Chromium binary inside the npm package and
 * unpacks it to the temp folder on first use, so `npm ci` alone brings it. It
 * is an ES module, which jest's CommonJS runtime cannot load: a short Node
 * process asks it for the binary's path and flags.
 */
async function chromiumBinary(): Promise<ChromiumBinary> {
  const script = 'import chromium from "@sparticuz/chromium"; console.log(JSON.stringify({ executablePath: await chromium.executablePath(), args: chromium.args }));';
  const { stdout } = await promisify(execFile)(process.execPath, ["--input-type=module", "--eval", script], { cwd: REPO_ROOT, timeout: 30_000 });
  const parsed: unknown = JSON.parse(stdout);
  if (typeof parsed !== "object" || parsed === null || !("executablePath" in parsed) || !("args" in parsed)) throw new Error(`@sparticuz/chromium answered ${stdout}`);
  const { executablePath, args } = parsed;
  if (typeof executablePath !== "string" || !Array.isArray(args)) throw new Error(`@sparticuz/chromium answered ${stdout}`);
  return { executablePath, args: args.map(String) };
}

/** Headless Chromium, driven by puppeteer-core (which downloads no browser). */
export async function launchBrowser(): Promise<Browser> {
  const chromium = await chromiumBinary();
  return launch({ executablePath: chromium.executablePath, args: [...chromium.args, ...QUIET_ARGS], headless: "shell", defaultViewport: { width: 460, height: 900, deviceScaleFactor: 1 } });
}
