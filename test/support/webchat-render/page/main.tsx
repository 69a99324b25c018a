import { Message } from "@cognigy/chat-components";
import { createRoot } from "react-dom/client";
import type { PageEffects, RenderCase, WebchatRenderApi } from "../render-case";
import { seeMessage } from "./see-message";
import { WEBCHAT_DEFAULT_CONFIG } from "./webchat-default-config";

declare global {
  interface Window {
    webchatRender: WebchatRenderApi;
  }
}

const effects: PageEffects = { postbacks: [], opened: [] };
const errors: string[] = [];

// A URL button opens a new window (ActionButton.tsx); record it instead of leaving the page.
window.open = (url?: string | URL) => {
  effects.opened.push(String(url ?? ""));
  return null;
};
window.addEventListener("error", (event) => errors.push(String(event.message)));

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The cases the test wrote into the page as JSON. */
function readCases(): RenderCase[] {
  const parsed: unknown = JSON.parse(document.getElementById("cases")?.textContent ?? "[]");
  const cases: RenderCase[] = [];
  for (const item of Array.isArray(parsed) ? parsed : []) {
    if (!isRecord(item) || typeof item.id !== "string" || typeof item.label !== "string" || typeof item.text !== "string") throw new Error("a malformed case");
    cases.push({ id: item.id, label: item.label, text: item.text, data: isRecord(item.data) ? item.data : null });
  }
  return cases;
}

function section(id: string): Element {
  const found = document.querySelector(`section[data-case="${CSS.escape(id)}"]`);
  if (found === null) throw new Error(`no rendered case ${id}`);
  return found;
}

const cases = readCases();
const container = document.getElementById("root");
if (container === null) throw new Error("the page has no #root");

createRoot(container).render(
  <main className="webchat-chat-history">
    {cases.map((item) => (
      <section key={item.id} data-case={item.id}>
        <h2 className="case-label">{item.label}</h2>
        <Message
          message={{ source: "bot", text: item.text, data: item.data ?? undefined, timestamp: "1764240000000" }}
          config={WEBCHAT_DEFAULT_CONFIG}
          action={(text?: string) => effects.postbacks.push(text ?? "")}
        />
      </section>
    ))}
  </main>,
);

window.webchatRender = {
  ready: true,
  errors,
  seen: (id) => seeMessage(section(id)),
  effects: () => ({ postbacks: [...effects.postbacks], opened: [...effects.opened] }),
};
