import { closeSync, fstatSync, openSync, readSync } from "fs";
import { MAX_ENV_FILE_BYTES, parseEnvFile } from "./parse-env-file";

export type EnvFileLoad =
  | { status: "missing"; path: string }
  /** `set`: names taken from the file; `kept`: names the file also has but the environment already set, which win. */
  | { status: "loaded"; path: string; set: string[]; kept: string[] }
  | { status: "invalid"; path: string; message: string };

type ReadResult = { ok: true; text: string } | { ok: false; code: string };

/** The error's code (ENOENT, EACCES, …); not `instanceof Error`, which fails for errors of another realm. */
function errorCode(error: unknown): string {
  return typeof error === "object" && error !== null && "code" in error && typeof error.code === "string" ? error.code : "unknown error";
}

function readBounded(path: string): ReadResult {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch (error: unknown) {
    return { ok: false, code: errorCode(error) };
  }
  try {
    if (!fstatSync(fd).isFile()) return { ok: false, code: "not a regular file" };
    const buffer = Buffer.alloc(MAX_ENV_FILE_BYTES + 1);
    let length = 0;
    for (let read = -1; read !== 0 && length < buffer.length; length += read) read = readSync(fd, buffer, length, buffer.length - length, null);
    return { ok: true, text: buffer.subarray(0, length).toString("utf8") };
  } catch (error: unknown) {
    return { ok: false, code: errorCode(error) };
  } finally {
    closeSync(fd);
  }
}

/**
 * Reads `path` (a `.env` file) into `env`: a variable already set in `env`
 * (even to "") wins over the file. A missing file is not an error; a file
 * that cannot be read or has a malformed line is, named with the line's
 * number and never its content. Nothing is written to `env` unless the whole
 * file parses.
 */
export function loadEnvFile(path: string, env: NodeJS.ProcessEnv): EnvFileLoad {
  const read = readBounded(path);
  if (!read.ok && read.code === "ENOENT") return { status: "missing", path };
  if (!read.ok) return { status: "invalid", path, message: `${path} cannot be read (${read.code})` };
  const parsed = parseEnvFile(read.text);
  if (!parsed.ok) return { status: "invalid", path, message: parsed.line === 0 ? `${path} ${parsed.problem}` : `${path} line ${parsed.line}: ${parsed.problem}` };
  const fromFile = new Map(parsed.values);
  const set: string[] = [];
  const kept: string[] = [];
  for (const [name, value] of fromFile) {
    if (env[name] !== undefined) {
      kept.push(name);
    } else {
      env[name] = value;
      set.push(name);
    }
  }
  return { status: "loaded", path, set, kept };
}
