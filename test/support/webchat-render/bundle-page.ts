import { build } from "esbuild";
import { join } from "path";

/**
 * The page script: the real @cognigy/chat-components (which injects its own
 * CSS and fonts) with React 18, bundled in memory at test time for the browser.
 */
export async function bundlePage(): Promise<string> {
  const result = await build({
    entryPoints: [join(__dirname, "page", "main.tsx")],
    bundle: true,
    write: false,
    format: "iife",
    platform: "browser",
    target: "chrome120",
    jsx: "automatic",
    minify: false,
    logLevel: "silent",
    define: { "process.env.NODE_ENV": '"production"' },
  });
  const [output] = result.outputFiles;
  if (output === undefined) throw new Error("esbuild produced no page script");
  return output.text;
}
