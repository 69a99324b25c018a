import { randomInt } from "crypto";
import type { AttachmentKind, RelayAttachment } from "../../src/core/relay-event";
import { MAX_MESSAGE_OUTPUTS, renderAgentMessage, renderAttachment, renderLinkButton, type Output } from "../../src/cognigy/agent-output";

const KINDS: readonly AttachmentKind[] = ["image", "video", "audio", "file"];

/** Every other attachment with a size, as events from relays before and after issue 11 carry. */
function attachment(index: number, kind: AttachmentKind = "image"): RelayAttachment {
  return { url: `https://chat.example.com/files/${index}.${kind}`, kind, name: `file-${index}`, ...(index % 2 === 0 ? { size: 1000 + index } : {}) };
}

function mentions(output: Output, url: string): boolean {
  return output.text.includes(url) || JSON.stringify(output.data ?? {}).includes(url);
}

describe("renderAttachment", () => {
  it("calls a file without name or path segment 'file'", () => {
    expect(renderAttachment({ url: "https://chat.example.com/files/", kind: "file", name: "" }).text).toBe("📎 file: https://chat.example.com/files/");
  });

  it("shows an image in Cognigy's _default._image and Webchat's message.attachment, its name as alt text", () => {
    const url = "https://chat.example.com/files/cat.gif";
    expect(renderAttachment({ url, kind: "image", name: "cat.gif" })).toEqual({
      text: "",
      data: {
        type: "image",
        _cognigy: {
          _default: { _image: { type: "image", imageUrl: url, imageAltText: "cat.gif", fallbackText: `cat.gif: ${url}` } },
          _webchat: { message: { attachment: { type: "image", payload: { url, altText: "cat.gif" } } } },
        },
      },
    });
  });

  it.each<{ kind: "video" | "audio"; key: string; urlField: string }>([
    { kind: "video", key: "_video", urlField: "videoUrl" },
    { kind: "audio", key: "_audio", urlField: "audioUrl" },
  ])("shows $kind in both formats with no alt text: Webchat offers alt text as the transcript (G5)", ({ kind, key, urlField }) => {
    const url = `https://chat.example.com/files/clip.${kind}`;
    expect(renderAttachment({ url, kind, name: "Clip" })).toEqual({
      text: "",
      data: {
        type: kind,
        _cognigy: {
          _default: { [key]: { type: kind, [urlField]: url, fallbackText: `Clip: ${url}` } },
          _webchat: { message: { attachment: { type: kind, payload: { url } } } },
        },
      },
    });
  });

  it("shows a file of known size as Webchat's file tile with no text under it, and as a link button for other channels (G6, G7)", () => {
    const url = "https://chat.example.com/files/report.pdf";
    expect(renderAttachment({ url, kind: "file", name: "Report.pdf", size: 48_213 })).toEqual({
      text: "",
      data: {
        type: "buttons",
        attachments: [{ fileName: "Report.pdf", url, mimeType: "application/pdf", size: 48_213 }],
        _cognigy: {
          _default: {
            _buttons: { type: "buttons", text: "📎 Report.pdf", buttons: [{ type: "web_url", title: "Report.pdf", url, payload: "" }], fallbackText: `📎 Report.pdf: ${url}` },
          },
        },
      },
    });
  });

  it("shows a file of unknown size (an older relay's event) as a link in the text, not as a tile reading 'NaN KB'", () => {
    const url = "https://chat.example.com/files/report.pdf";
    expect(renderAttachment({ url, kind: "file", name: "Report.pdf" })).toEqual({ text: `📎 Report.pdf: ${url}` });
  });

  it("clips a long file name in the button title, never in the tile", () => {
    const name = "quarterly-report-with-a-long-name.pdf";
    const output = renderAttachment({ url: `https://chat.example.com/files/${name}`, kind: "file", name, size: 1 });
    expect(JSON.stringify(output.data)).toContain(`"title":"quarterly-report-wi…"`);
    expect(output.data?.attachments).toEqual([expect.objectContaining({ fileName: name })]);
  });

  it.each([
    { url: "https://chat.example.com/files/photo.jpg", expected: "photo.jpg" },
    { url: "https://chat.example.com/files/photo.jpg?sig=abc&exp=1", expected: "photo.jpg" },
    { url: "https://chat.example.com", expected: "chat.example.com" },
  ])("names an attachment without name after its URL: $url → $expected", ({ url, expected }) => {
    expect(renderAttachment({ url, kind: "file", name: "" }).text).toBe(`📎 ${expected}: ${url}`);
  });
});

describe("renderAgentMessage", () => {
  it("shows the agent's text as one output", () => {
    expect(renderAgentMessage("Hello there", [])).toEqual([{ text: "Hello there" }]);
  });

  it.each(["", "   ", "\n"])("shows no text output for a blank text %p", (text) => {
    expect(renderAgentMessage(text, [attachment(1)])).toEqual([renderAttachment(attachment(1))]);
  });

  it("shows the text first and then each attachment in order", () => {
    const attachments = [attachment(1, "image"), attachment(2, "file"), attachment(3, "audio")];
    expect(renderAgentMessage("See these", attachments)).toEqual([{ text: "See these" }, ...attachments.map(renderAttachment)]);
  });

  it(`shows text and ${MAX_MESSAGE_OUTPUTS - 1} attachments one by one`, () => {
    const attachments = Array.from({ length: MAX_MESSAGE_OUTPUTS - 1 }, (_, index) => attachment(index));
    expect(renderAgentMessage("Hi", attachments)).toEqual([{ text: "Hi" }, ...attachments.map(renderAttachment)]);
  });

  it(`shows ${MAX_MESSAGE_OUTPUTS} attachments without text one by one`, () => {
    const attachments = Array.from({ length: MAX_MESSAGE_OUTPUTS }, (_, index) => attachment(index));
    expect(renderAgentMessage("", attachments)).toEqual(attachments.map(renderAttachment));
  });

  it("lists the attachments beyond the budget as links in one last output", () => {
    const attachments = Array.from({ length: 9 }, (_, index) => attachment(index, index === 8 ? "file" : "video"));
    const outputs = renderAgentMessage("Hi", attachments);
    expect(outputs).toHaveLength(MAX_MESSAGE_OUTPUTS);
    expect(outputs.slice(1, 6)).toEqual(attachments.slice(0, 5).map(renderAttachment));
    expect(outputs[6]).toEqual({ text: attachments.slice(5).map((item) => `📎 ${item.name}: ${item.url}`).join("\n") });
  });

  it(`never uses more than ${MAX_MESSAGE_OUTPUTS} outputs and shows every attachment exactly once (random messages)`, () => {
    for (let run = 0; run < 300; run += 1) {
      const count = randomInt(0, 16);
      const attachments = Array.from({ length: count }, (_, index) => attachment(index, KINDS[randomInt(KINDS.length)]));
      const text = randomInt(2) === 0 ? "" : "Agent text";
      const outputs = renderAgentMessage(text, attachments);
      expect(outputs.length).toBeLessThanOrEqual(MAX_MESSAGE_OUTPUTS);
      for (const item of attachments) {
        expect({ url: item.url, shown: outputs.filter((output) => mentions(output, item.url)).length }).toEqual({ url: item.url, shown: 1 });
      }
      expect(outputs.length).toBe(Math.min(count + (text === "" ? 0 : 1), MAX_MESSAGE_OUTPUTS));
    }
  });
});

describe("renderLinkButton", () => {
  const SURVEY = "https://chat.example.com/survey/responses/abc";

  it("adds the link to the text and offers it as a button in both formats, with the documented top-level type (G7)", () => {
    const fullText = `Please rate us ${SURVEY}`;
    expect(renderLinkButton("Please rate us", "Rate", SURVEY)).toEqual({
      text: fullText,
      data: {
        type: "buttons",
        _cognigy: {
          _default: { _buttons: { type: "buttons", text: fullText, buttons: [{ type: "web_url", title: "Rate", url: SURVEY, payload: "" }] } },
          _webchat: { message: { attachment: { type: "template", payload: { template_type: "button", text: fullText, buttons: [{ type: "web_url", title: "Rate", url: SURVEY }] } } } },
        },
      },
    });
  });

  it("keeps a text that already contains the link", () => {
    expect(renderLinkButton(`Rate us at ${SURVEY} please`, "Rate", SURVEY).text).toBe(`Rate us at ${SURVEY} please`);
  });

  it("uses the link alone when there is no text", () => {
    expect(renderLinkButton("", "Rate", SURVEY).text).toBe(SURVEY);
  });
});

describe("renderAgentMessage: locations, links and markup (issue 10 §5)", () => {
  const MAP = "https://www.openstreetmap.org/?mlat=52.5&mlon=13.4#map=16/52.5/13.4";

  it.each<[string, RelayAttachment, string]>([
    ["a location with a title", { url: MAP, kind: "location", name: "Our shop" }, `📍 Our shop: ${MAP}`],
    ["a location without a title", { url: MAP, kind: "location", name: "" }, `📍 ${MAP}`],
    ["a link with a title", { url: "https://shop.example.com/o/42", kind: "link", name: "Order 42" }, "🔗 Order 42: https://shop.example.com/o/42"],
    ["a link without a title", { url: "https://video.example.com/e/1", kind: "link", name: " " }, "🔗 https://video.example.com/e/1"],
  ])("shows %s as text only (no file card, nothing to fetch)", (_, attachment, text) => {
    expect(renderAttachment(attachment)).toEqual({ text });
  });

  it("lists locations and links beyond the budget with their own signs", () => {
    const files = Array.from({ length: 6 }, (_, index) => attachment(index, "file"));
    const outputs = renderAgentMessage("Hi", [...files, { url: MAP, kind: "location", name: "Shop" }, { url: "https://a.example.com/", kind: "link", name: "" }]);
    expect(outputs.at(-1)?.text).toBe([`📎 ${files[5]?.name}: ${files[5]?.url}`, `📍 Shop: ${MAP}`, "🔗 https://a.example.com/"].join("\n"));
  });

  it("shows the text without markup by default and as Markdown when asked", () => {
    expect(renderAgentMessage("**Done**, see <https://a.example.com>", [])).toEqual([{ text: "Done, see https://a.example.com" }]);
    expect(renderAgentMessage("**Done**, see <https://a.example.com>", [], "markdown")).toEqual([{ text: "**Done**, see <https://a.example.com>" }]);
  });

  it("shows no text output when the text is markup only", () => {
    expect(renderAgentMessage("<p></p>", [attachment(1)])).toEqual([renderAttachment(attachment(1))]);
  });
});
