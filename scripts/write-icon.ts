import { writeFileSync } from "fs";
import { drawIcon } from "../icons/draw-icon";

/** Writes the 64×64 icon.png Cognigy requires (usage: node write-icon.js <out.png>). */
const out = process.argv[2];
if (out === undefined) throw new Error("usage: write-icon <out.png>");
writeFileSync(out, drawIcon(64));
