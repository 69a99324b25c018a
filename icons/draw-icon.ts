import { PNG } from "pngjs";

/** The extension's icon, drawn from shapes: two speech bubbles (bot and human) on Chatwoot blue. */

type Rgb = readonly [number, number, number];
type Shape = (x: number, y: number) => boolean;

const BLUE: Rgb = [31, 147, 255];
const WHITE: Rgb = [255, 255, 255];
const NAVY: Rgb = [12, 49, 92];

function roundedRect(x0: number, y0: number, x1: number, y1: number, r: number): Shape {
  return (x, y) => {
    const dx = Math.max(x0 + r - x, 0, x - (x1 - r));
    const dy = Math.max(y0 + r - y, 0, y - (y1 - r));
    return x >= x0 && x <= x1 && y >= y0 && y <= y1 && dx * dx + dy * dy <= r * r;
  };
}

function triangle(ax: number, ay: number, bx: number, by: number, cx: number, cy: number): Shape {
  const side = (px: number, py: number, qx: number, qy: number, x: number, y: number): number => (qx - px) * (y - py) - (qy - py) * (x - px);
  return (x, y) => {
    const s1 = side(ax, ay, bx, by, x, y);
    const s2 = side(bx, by, cx, cy, x, y);
    const s3 = side(cx, cy, ax, ay, x, y);
    return (s1 >= 0 && s2 >= 0 && s3 >= 0) || (s1 <= 0 && s2 <= 0 && s3 <= 0);
  };
}

const union =
  (...shapes: Shape[]): Shape =>
  (x, y) =>
    shapes.some((shape) => shape(x, y));

/** Layers from back to front, in unit coordinates. */
const LAYERS: [Shape, Rgb][] = [
  [roundedRect(0, 0, 1, 1, 0.2), BLUE],
  [union(roundedRect(0.12, 0.16, 0.66, 0.56, 0.1), triangle(0.2, 0.5, 0.34, 0.5, 0.18, 0.68)), WHITE],
  [union(roundedRect(0.4, 0.44, 0.9, 0.8, 0.09), triangle(0.72, 0.74, 0.84, 0.74, 0.86, 0.9)), WHITE],
  [union(roundedRect(0.44, 0.48, 0.86, 0.76, 0.07), triangle(0.74, 0.72, 0.82, 0.72, 0.83, 0.84)), NAVY],
];

const SAMPLES = 4;

function pixel(px: number, py: number, size: number): [number, number, number, number] {
  const sums = [0, 0, 0, 0];
  for (let sy = 0; sy < SAMPLES; sy += 1) {
    for (let sx = 0; sx < SAMPLES; sx += 1) {
      const x = (px + (sx + 0.5) / SAMPLES) / size;
      const y = (py + (sy + 0.5) / SAMPLES) / size;
      const hit = [...LAYERS].reverse().find(([shape]) => shape(x, y));
      if (hit === undefined) continue;
      hit[1].forEach((channel, index) => (sums[index] = (sums[index] ?? 0) + channel));
      sums[3] = (sums[3] ?? 0) + 255;
    }
  }
  const count = SAMPLES * SAMPLES;
  const alpha = (sums[3] ?? 0) / count;
  const covered = alpha === 0 ? 1 : (sums[3] ?? 0) / 255;
  return [Math.round((sums[0] ?? 0) / covered), Math.round((sums[1] ?? 0) / covered), Math.round((sums[2] ?? 0) / covered), Math.round(alpha)];
}

/** A size×size RGBA PNG (anti-aliased by 4×4 supersampling). */
export function drawIcon(size: number): Buffer {
  const png = new PNG({ width: size, height: size });
  for (let y = 0; y < size; y += 1) {
    for (let x = 0; x < size; x += 1) {
      const offset = (y * size + x) * 4;
      pixel(x, y, size).forEach((value, index) => (png.data[offset + index] = value));
    }
  }
  return PNG.sync.write(png);
}
