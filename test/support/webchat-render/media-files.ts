import { readFileSync } from "fs";
import { join } from "path";
import { PNG } from "pngjs";

/** A served file: what the agent "uploaded" to Chatwoot. */
export interface MediaFile {
  name: string;
  contentType: string;
  body: Buffer;
}

function png(width: number, height: number): Buffer {
  const image = new PNG({ width, height });
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      const offset = (y * width + x) * 4;
      image.data[offset] = 40 + Math.round((180 * x) / width);
      image.data[offset + 1] = 120;
      image.data[offset + 2] = 200 - Math.round((150 * y) / height);
      image.data[offset + 3] = 255;
    }
  }
  return PNG.sync.write(image);
}

/** Half a second of a 440 Hz tone as 8 kHz 16-bit mono PCM WAV. */
function wav(): Buffer {
  const rate = 8000;
  const samples = rate / 2;
  const body = Buffer.alloc(44 + samples * 2);
  body.write("RIFF", 0, "ascii");
  body.writeUInt32LE(36 + samples * 2, 4);
  body.write("WAVEfmt ", 8, "ascii");
  body.writeUInt32LE(16, 16);
  body.writeUInt16LE(1, 20);
  body.writeUInt16LE(1, 22);
  body.writeUInt32LE(rate, 24);
  body.writeUInt32LE(rate * 2, 28);
  body.writeUInt16LE(2, 32);
  body.writeUInt16LE(16, 34);
  body.write("data", 36, "ascii");
  body.writeUInt32LE(samples * 2, 40);
  for (let index = 0; index < samples; index += 1) body.writeInt16LE(Math.round(8000 * Math.sin((2 * Math.PI * 440 * index) / rate)), 44 + index * 2);
  return body;
}

const fixture = (name: string): Buffer => readFileSync(join(__dirname, "media", name));

/**
 * The files the render test serves: a PNG and a WAV made here, a GIF and a
 * WebM video made once with ffmpeg (the test's Chromium plays WebM; Chatwoot
 * itself does not care about the format), and documents the browser only links to.
 */
export function mediaFiles(): MediaFile[] {
  return [
    { name: "steps.png", contentType: "image/png", body: png(240, 140) },
    { name: "blink.gif", contentType: "image/gif", body: fixture("blink.gif") },
    { name: "howto.webm", contentType: "video/webm", body: fixture("clip.webm") },
    { name: "voice-note.wav", contentType: "audio/wav", body: wav() },
    { name: "manual.pdf", contentType: "application/pdf", body: Buffer.from("%PDF-1.4\n% a document the browser only links to\n".repeat(1000)) },
    { name: "invoice-2026-11.pdf", contentType: "application/pdf", body: Buffer.from("%PDF-1.4\n".repeat(200)) },
    { name: "prices.xlsx", contentType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body: Buffer.alloc(2_500_000, 1) },
  ];
}
