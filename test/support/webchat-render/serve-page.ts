import { createServer, type Server } from "http";
import { listenOnFreePort } from "../listen";
import type { MediaFile } from "./media-files";

export interface PageServer {
  baseUrl: string;
  /** The messages the page renders, as JSON (set once the URLs, which need the port, are known). */
  setCases(json: string): void;
  /** Files requested so far, by path: what the browser fetched. */
  requested: string[];
  close(): Promise<void>;
}

/** The cases as JSON inside the page; `<` escaped so that no text can end the script element. */
function pageHtml(casesJson: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Webchat v3 render check</title>
<style>
  body { margin: 0; background: #f2f2f2; font-family: sans-serif; }
  main { width: 460px; padding: 12px 16px; box-sizing: border-box; background: #fff; }
  h2.case-label { font: 600 11px/1.2 monospace; color: #8a2be2; margin: 14px 0 4px; text-transform: uppercase; }
</style></head>
<body><div id="root"></div>
<script id="cases" type="application/json">${casesJson.replace(/</g, "\\u003c")}</script>
<script src="/page.js"></script></body></html>`;
}

/** Serves the page, its script and the media files from 127.0.0.1 on a free port. */
export async function servePage(script: string, files: readonly MediaFile[]): Promise<PageServer> {
  const requested: string[] = [];
  let casesJson = "[]";
  const byPath = new Map(files.map((file) => [`/media/${file.name}`, file]));
  const server: Server = createServer((request, response) => {
    const path = new URL(request.url ?? "/", "http://127.0.0.1").pathname;
    requested.push(path);
    if (path === "/") return void response.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(pageHtml(casesJson));
    if (path === "/page.js") return void response.writeHead(200, { "content-type": "text/javascript; charset=utf-8" }).end(script);
    const file = byPath.get(path);
    if (file === undefined) return void response.writeHead(404).end();
    response.writeHead(200, { "content-type": file.contentType, "content-length": file.body.length, "accept-ranges": "none" }).end(file.body);
  });
  const port = await listenOnFreePort(server);
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    requested,
    setCases: (json) => {
      casesJson = json;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
