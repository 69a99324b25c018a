import { MAX_INPUT_ATTACHMENTS, readInputAttachments } from "../../src/cognigy/input-attachments";

describe("readInputAttachments", () => {
  it("reads Cognigy Webchat's {fileName, mimeType, size, url} entries", () => {
    const data = { attachments: [{ fileName: "report.pdf", mimeType: "application/pdf", size: 1234, url: "https://files.cognigy.ai/a/report.pdf" }] };
    expect(readInputAttachments(data)).toEqual([{ url: "https://files.cognigy.ai/a/report.pdf", name: "report.pdf", contentType: "application/pdf" }]);
  });

  it.each([
    { name: "name and type instead of fileName and mimeType", item: { name: "a.png", type: "image/png", url: "https://x.example/a.png" }, expected: { url: "https://x.example/a.png", name: "a.png", contentType: "image/png" } },
    { name: "fileName preferred over name", item: { fileName: "real.png", name: "other.png", url: "https://x.example/a" }, expected: { url: "https://x.example/a", name: "real.png", contentType: null } },
    { name: "mimeType preferred over type", item: { mimeType: "image/jpeg", type: "image/png", url: "https://x.example/a" }, expected: { url: "https://x.example/a", name: "", contentType: "image/jpeg" } },
    { name: "a kind such as 'image' instead of a MIME type", item: { type: "image", url: "https://x.example/a" }, expected: { url: "https://x.example/a", name: "", contentType: null } },
    { name: "a blank file name", item: { fileName: "  ", url: "https://x.example/a" }, expected: { url: "https://x.example/a", name: "", contentType: null } },
  ])("reads an entry with $name", ({ item, expected }) => {
    expect(readInputAttachments({ attachments: [item] })).toEqual([expected]);
  });

  it.each([
    { name: "no url", item: { fileName: "a.png" } },
    { name: "a blank url", item: { url: "  " } },
    { name: "a numeric url", item: { url: 5 } },
    { name: "a plain string", item: "https://x.example/a.png" },
    { name: "null", item: null },
  ])("skips an entry with $name and keeps the rest", ({ item }) => {
    expect(readInputAttachments({ attachments: [item, { url: "https://x.example/kept" }] })).toEqual([{ url: "https://x.example/kept", name: "", contentType: null }]);
  });

  it.each([
    { name: "no attachments", data: {} },
    { name: "attachments that are not a list", data: { attachments: { url: "https://x.example/a" } } },
  ])("gives no files for $name", ({ data }) => {
    expect(readInputAttachments(data)).toEqual([]);
  });

  describe("with input.attachments, the top-level list of URLs (G10)", () => {
    it("reads the URLs when input.data has no attachments", () => {
      expect(readInputAttachments({}, ["https://files.example/a.png", "https://files.example/b.pdf"])).toEqual([
        { url: "https://files.example/a.png", name: "", contentType: null },
        { url: "https://files.example/b.pdf", name: "", contentType: null },
      ]);
    });

    it("takes a file in both lists once, with the name and type input.data gives", () => {
      const data = { attachments: [{ fileName: "a.png", mimeType: "image/png", url: "https://files.example/a.png" }] };
      expect(readInputAttachments(data, ["https://files.example/a.png", "https://files.example/c.txt"])).toEqual([
        { url: "https://files.example/a.png", name: "a.png", contentType: "image/png" },
        { url: "https://files.example/c.txt", name: "", contentType: null },
      ]);
    });

    it("reads a described entry in input.attachments too", () => {
      expect(readInputAttachments({}, [{ name: "a.png", type: "image/png", url: "https://files.example/a.png" }])).toEqual([{ url: "https://files.example/a.png", name: "a.png", contentType: "image/png" }]);
    });

    it.each([
      { name: "nothing", value: undefined },
      { name: "a string", value: "https://files.example/a.png" },
      { name: "an object", value: { url: "https://files.example/a.png" } },
      { name: "blank, numeric and null entries", value: ["", "  ", 5, null] },
    ])("reads $name as no files", ({ value }) => {
      expect(readInputAttachments({}, value)).toEqual([]);
    });

    it(`counts both lists against the ${MAX_INPUT_ATTACHMENTS}-file limit, input.data first`, () => {
      const data = { attachments: Array.from({ length: 10 }, (_, index) => ({ url: `https://files.example/d${index}` })) };
      const urls = Array.from({ length: 10 }, (_, index) => `https://files.example/u${index}`);
      const files = readInputAttachments(data, urls);
      expect(files).toHaveLength(MAX_INPUT_ATTACHMENTS);
      expect(files.at(-1)?.url).toBe("https://files.example/u4");
    });
  });

  it(`keeps the first ${MAX_INPUT_ATTACHMENTS} files, as Chatwoot accepts no more per message`, () => {
    const attachments = Array.from({ length: MAX_INPUT_ATTACHMENTS + 5 }, (_, index) => ({ url: `https://x.example/${index}` }));
    const files = readInputAttachments({ attachments });
    expect(files).toHaveLength(MAX_INPUT_ATTACHMENTS);
    expect(files[0]?.url).toBe("https://x.example/0");
    expect(files[MAX_INPUT_ATTACHMENTS - 1]?.url).toBe(`https://x.example/${MAX_INPUT_ATTACHMENTS - 1}`);
  });

  it("counts the limit over usable entries only", () => {
    const attachments = [{ fileName: "no url" }, ...Array.from({ length: MAX_INPUT_ATTACHMENTS }, (_, index) => ({ url: `https://x.example/${index}` }))];
    expect(readInputAttachments({ attachments })).toHaveLength(MAX_INPUT_ATTACHMENTS);
  });
});
