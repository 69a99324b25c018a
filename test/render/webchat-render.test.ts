import { mkdirSync } from "fs";
import { join } from "path";
import type { Browser, Page } from "puppeteer-core";
import { clipOutput, renderAgentMessage, renderLinkButton, type Output } from "../../src/cognigy/agent-output";
import { renderAgentText } from "../../src/cognigy/render-agent-text";
import { renderAcceptedMessage } from "../../src/cognigy/render-accepted-message";
import { renderQuickReplies } from "../../src/cognigy/render-quick-replies";
import type { RelayAttachment } from "../../src/core/relay-event";
import { REPO_ROOT } from "../support/load-extension";
import { bundlePage } from "../support/webchat-render/bundle-page";
import { launchBrowser } from "../support/webchat-render/launch-browser";
import { mediaFiles } from "../support/webchat-render/media-files";
import type { PageEffects, RenderCase, SeenMessage } from "../support/webchat-render/render-case";
import { servePage, type PageServer } from "../support/webchat-render/serve-page";

/**
 * Issue 11 §2 (G15–G17): every kind of output the nodes produce, made by the
 * product's own functions, rendered by the real @cognigy/chat-components
 * 0.70.0 (what Webchat v3 draws messages with) in headless Chromium, and
 * checked for what the user sees. UPDATE_SCREENSHOT=1 also writes the README's
 * picture, docs/webchat-render.png; every run writes .stage/webchat-render.png.
 */

const files = mediaFiles();
const sizeOf = (name: string): number => files.find((file) => file.name === name)?.body.length ?? 0;
const MARKDOWN = "**Done**, see [the guide](https://help.example.com/guide) and `the code`:\n\n- restart the router\n- wait _two_ minutes";
const HTML = "<p>Hello <strong>Jane</strong>,</p><p>your ticket &amp; order are <em>ready</em>.<br>Kind regards</p>";
const SURVEY = "https://chat.example.com/survey/responses/6f1c2d";
const ACCEPTED = "Please wait a moment, I am connecting you with a colleague.";

let browser: Browser;
let server: PageServer;
let page: Page;
let renderMs = 0;

function file(name: string, kind: RelayAttachment["kind"]): RelayAttachment {
  return { url: `${server.baseUrl}/media/${name}`, kind, name, size: sizeOf(name) };
}

/** The Handover node's default accepted message with its default cancel button. */
function acceptedOutput(): Output {
  const { output } = renderAcceptedMessage(ACCEPTED, "Cancel");
  if (output === null) throw new Error("the accepted message rendered nothing");
  return output;
}

/** One case per output: what the Session node says for that relay event. */
function cases(): RenderCase[] {
  const message = (id: string, label: string, outputs: Output[]): RenderCase[] =>
    outputs.map((output, index) => ({ id: outputs.length === 1 ? id : `${id}-${index}`, label: outputs.length === 1 ? label : `${label} (${index + 1}/${outputs.length})`, text: output.text, data: output.data ?? null }));
  return [
    ...message("markdown", "agent text with Markdown (plain text, the default)", renderAgentMessage(MARKDOWN, [])),
    ...message("html", "Chatwoot template with HTML", renderAgentMessage(HTML, [])),
    ...message("image", "image", renderAgentMessage("", [file("steps.png", "image")])),
    ...message("gif", "GIF", renderAgentMessage("", [file("blink.gif", "image")])),
    ...message("video", "video", renderAgentMessage("", [file("howto.webm", "video")])),
    ...message("audio", "audio", renderAgentMessage("", [file("voice-note.wav", "audio")])),
    ...message("file", "file", renderAgentMessage("", [file("manual.pdf", "file")])),
    ...message("files", "text and several files", renderAgentMessage("Here are your documents:", [file("invoice-2026-11.pdf", "file"), file("prices.xlsx", "file")])),
    ...message("csat", "CSAT survey", [renderLinkButton(clipOutput(renderAgentText("<p>Please rate this conversation</p>", "plain")), "Rate the conversation", SURVEY)]),
    ...message("cancel-button", "accepted message with the cancel button (issue 13)", [acceptedOutput()]),
    ...message("quick-replies", "quick replies (renderQuickReplies)", [renderQuickReplies("Is there anything else?", [{ title: "Yes", payload: "yes" }, { title: "No, thanks", payload: "no thanks" }])]),
    // Controls, written by hand as the product wrote them before issue 11: the checks must see what went wrong.
    { id: "control-default-only", label: "control: image in _default only (before)", text: "", data: { _cognigy: { _default: { _image: { type: "image", imageUrl: file("steps.png", "image").url } } } } },
    { id: "control-video-alt", label: "control: video with its file name as alt text (before)", text: "", data: { _cognigy: { _webchat: { message: { attachment: { type: "video", payload: { url: file("howto.webm", "video").url, altText: "howto.webm" } } } } } } },
    { id: "control-file-no-size", label: "control: file tile without size (before)", text: "📎 manual.pdf: link", data: { attachments: [{ fileName: "manual.pdf", url: file("manual.pdf", "file").url }] } },
  ];
}

async function seen(id: string): Promise<SeenMessage> {
  return JSON.parse(String(await page.evaluate(`JSON.stringify(window.webchatRender.seen(${JSON.stringify(id)}))`)));
}

async function effects(): Promise<PageEffects> {
  return JSON.parse(String(await page.evaluate("JSON.stringify(window.webchatRender.effects())")));
}

beforeAll(async () => {
  const started = Date.now();
  const [script, launched] = await Promise.all([bundlePage(), launchBrowser()]);
  browser = launched;
  server = await servePage(script, files);
  server.setCases(JSON.stringify(cases()));
  page = await browser.newPage();
  await page.goto(`${server.baseUrl}/`, { waitUntil: "load" });
  await page.waitForFunction("window.webchatRender && window.webchatRender.ready && Array.from(document.images).every((image) => image.complete)", { timeout: 15_000 });
  renderMs = Date.now() - started;
}, 45_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe("Webchat v3 (chat-components 0.70.0) shows every output the nodes produce", () => {
  it("renders every case, without page errors, in well under a minute", async () => {
    const all = cases().filter((item) => !item.id.startsWith("control-"));
    for (const item of all) expect({ id: item.id, drawn: (await seen(item.id)).elementCount > 1 }).toEqual({ id: item.id, drawn: true });
    expect(String(await page.evaluate("JSON.stringify(window.webchatRender.errors)"))).toBe("[]");
    expect(renderMs).toBeLessThan(30_000);
  });

  it("shows agent Markdown and Chatwoot's HTML as plain text: no markup, no Markdown syntax (G16)", async () => {
    const markdown = await seen("markdown");
    expect(markdown.text).toBe("Done, see the guide (https://help.example.com/guide) and the code:\n\n• restart the router\n• wait two minutes");
    const html = await seen("html");
    expect(html.text).toBe("Hello Jane,\n\nyour ticket & order are ready.\nKind regards");
    for (const text of [markdown.text, html.text]) expect(text).not.toMatch(/\*\*|`|<\/?[a-z]|&amp;|\]\(|(^|\s)_\w/);
  });

  it.each([
    ["image", "steps.png", 240],
    ["gif", "blink.gif", 96],
  ])("shows the %s, loaded, with its name as alt text", async (id, name, width) => {
    const { images, text } = await seen(id);
    expect(images).toEqual([{ src: `${server.baseUrl}/media/${name}`, alt: name, loaded: true, naturalWidth: width }]);
    expect(text).toBe("");
  });

  it("shows the video as a preview with a play button, plays it on click, and offers no 'transcript' made of its file name (G5, G17)", async () => {
    expect(await seen("video")).toMatchObject({ videoPlayButton: true, transcriptButtons: 0, videos: [] });
    await page.click('section[data-case="video"] [data-testid="video-message"]');
    await page.waitForFunction('(() => { const v = document.querySelector(\'section[data-case="video"] video\'); return v !== null && v.readyState >= 1; })()', { timeout: 10_000 });
    const { videos } = await seen("video");
    expect(videos).toEqual([expect.objectContaining({ src: `${server.baseUrl}/media/howto.webm` })]);
    expect(videos[0]?.duration).toBeGreaterThan(0.5);
  });

  it("shows the audio with Webchat's controls, loaded, and no transcript button (G5, G17)", async () => {
    await page.waitForFunction('(() => { const a = document.querySelector(\'section[data-case="audio"] audio\'); return a !== null && a.readyState >= 1; })()', { timeout: 10_000 });
    const audio = await seen("audio");
    expect(audio.audios).toEqual([expect.objectContaining({ src: `${server.baseUrl}/media/voice-note.wav` })]);
    expect(audio.audios[0]?.duration).toBeCloseTo(0.5, 1);
    expect(audio.buttons.map((button) => button.tag)).toContain("button");
    expect(audio.transcriptButtons).toBe(0);
  });

  it("shows a file as a tile with name and size, linking to the file, with no '📎 name: url' text under it (G6)", async () => {
    const shown = await seen("file");
    expect(shown.files).toEqual([{ name: "manual.pdf", size: `${(sizeOf("manual.pdf") / 1000).toFixed(2)} KB`, href: `${server.baseUrl}/media/manual.pdf` }]);
    expect(shown.text).toBe(`manual.\npdf\n${(sizeOf("manual.pdf") / 1000).toFixed(2)} KB`);
    expect(shown.text).not.toContain("📎");
  });

  it("shows several files as one tile each after the text, sizes in KB and MB", async () => {
    expect((await seen("files-0")).text).toBe("Here are your documents:");
    expect((await seen("files-1")).files).toEqual([expect.objectContaining({ name: "invoice-2026-11.pdf", size: `${(sizeOf("invoice-2026-11.pdf") / 1000).toFixed(2)} KB` })]);
    expect((await seen("files-2")).files).toEqual([expect.objectContaining({ name: "prices.xlsx", size: "2.50 MB" })]);
  });

  it("shows the CSAT survey's text and a link button that opens the survey (G7, G17)", async () => {
    const csat = await seen("csat");
    expect(csat.text).toContain(`Please rate this conversation ${SURVEY}`);
    expect(csat.buttons).toEqual([{ label: "Rate the conversation", tag: "a", href: SURVEY }]);
    await page.click('section[data-case="csat"] a.phone-number-or-url-anchor');
    expect((await effects()).opened).toEqual([SURVEY]);
  });

  it("shows quick replies as buttons that send their payload as the user's input (G15, G17)", async () => {
    const shown = await seen("quick-replies");
    expect(shown.text).toContain("Is there anything else?");
    expect(shown.buttons.map(({ label, tag }) => ({ label, tag }))).toEqual([
      { label: "Yes", tag: "button" },
      { label: "No, thanks", tag: "button" },
    ]);
    await page.click('section[data-case="quick-replies"] ::-p-text(No, thanks)');
    expect((await effects()).postbacks).toEqual(["no thanks"]);
  });

  it("shows the accepted message with a 'Cancel' button that sends 'Cancel' as the user's input (issue 13)", async () => {
    const shown = await seen("cancel-button");
    expect(shown.text).toContain(ACCEPTED);
    expect(shown.buttons.map(({ label, tag }) => ({ label, tag }))).toEqual([{ label: "Cancel", tag: "button" }]);
    const before = (await effects()).postbacks.length;
    await page.click('section[data-case="cancel-button"] ::-p-text(Cancel)');
    expect((await effects()).postbacks.slice(before)).toEqual(["Cancel"]);
  });

  it("tells the outputs from before issue 11 apart: _default alone draws nothing (G15), a file name becomes a transcript (G5), no size reads NaN (G6)", async () => {
    expect(await seen("control-default-only")).toMatchObject({ elementCount: 0, images: [] });
    expect((await seen("control-video-alt")).transcriptButtons).toBe(1);
    const noSize = await seen("control-file-no-size");
    expect(noSize.files).toEqual([expect.objectContaining({ size: "NaN KB" })]);
    expect(noSize.text).toContain("📎 manual.pdf: link");
  });

  it("shows no raw markup, Markdown or payload keys anywhere, and fetched every medium from the local server", async () => {
    const visible = String(await page.evaluate("Array.from(document.querySelectorAll('section:not([data-case^=control-])')).map((section) => section.innerText).join('\\n')"));
    expect(visible).not.toMatch(/<\/?(p|strong|em|br|b|i)\b|\*\*|_cognigy|_default|_webchat|NaN|undefined/);
    for (const name of ["steps.png", "blink.gif", "howto.webm", "voice-note.wav"]) expect(server.requested).toContain(`/media/${name}`);
    const target = join(REPO_ROOT, process.env.UPDATE_SCREENSHOT === "1" ? "docs" : ".stage", "webchat-render.png");
    mkdirSync(join(target, ".."), { recursive: true });
    await page.addStyleTag({ content: "section[data-case^=control-] { display: none; }" });
    await page.screenshot({ path: target, fullPage: true });
  });
});
