import { PNG } from "pngjs";
import { readRecord } from "../../src/core/json-guards";
import { useWorld } from "../support/use-world";

const world = useWorld();
const png = PNG.sync.write(new PNG({ width: 2, height: 2 }));

describe("scenario 2: messages and files both ways", () => {
  it("forwards the user's text, image and file to the agent", async () => {
    const w = world();
    const user = w.newUser();
    await w.say(user, "agent");
    const conversation = w.conversationOf(user);
    await w.say(user, "The router shows this:");
    await w.say(user, "", { attachments: [w.endpoint.upload("router.png", "image/png", png)] });
    await w.say(user, "and my contract", { attachments: [w.endpoint.upload("contract.pdf", "application/pdf", Buffer.from("%PDF-1.7 contract"))] });

    expect(w.chatwoot.agent.view(conversation).slice(1)).toEqual([
      { from: "contact", text: "The router shows this:", files: [] },
      { from: "contact", text: "", files: ["router.png"] },
      { from: "contact", text: "and my contract", files: ["contract.pdf"] },
    ]);
    const files = w.chatwoot.store.messagesOf(conversation).flatMap((message) => message.attachments);
    expect(files.map((file) => [file.fileType, file.size])).toEqual([
      ["image", png.length],
      ["file", 17],
    ]);
  });

  it("shows the agent's text, image, GIF, video and file to the user in Cognigy's output formats", async () => {
    const w = world();
    const user = w.newUser();
    await w.say(user, "agent");
    const conversation = w.conversationOf(user);
    w.chatwoot.agent.reply(conversation, "Here is what to do:", {
      files: [
        { name: "steps.png", contentType: "image/png", data: png },
        { name: "blink.gif", contentType: "image/gif", data: Buffer.from("GIF89a") },
        { name: "howto.mp4", contentType: "video/mp4", data: Buffer.from("mp4") },
        { name: "manual.pdf", contentType: "application/pdf", data: Buffer.from("%PDF") },
      ],
    });
    await w.settle();

    const shown = w.endpoint.seenBy(user).filter((line) => line.kind === "injected");
    // Issue 11 (G6): the file is Webchat's file tile (name and size from Chatwoot's file_size), with no link text under it.
    expect(shown.map((line) => line.text)).toEqual(["Here is what to do:", "", "", "", ""]);
    const kinds = shown.slice(1, 4).map((line) => readRecord(readRecord(readRecord(readRecord(line.data)._cognigy)._webchat).message).attachment);
    expect(kinds.map((attachment) => readRecord(attachment).type)).toEqual(["image", "image", "video"]);
    const image = readRecord(readRecord(readRecord(readRecord(shown[1]?.data)._cognigy)._default)._image);
    const response = await fetch(String(image.imageUrl));
    expect(Buffer.from(await response.arrayBuffer())).toEqual(png);
    expect(readRecord(shown[4]?.data).attachments).toEqual([{ fileName: "manual.pdf", url: expect.stringContaining("manual.pdf"), mimeType: "application/pdf", size: 4 }]);
  });
});
