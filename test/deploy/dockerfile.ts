/** One instruction of a Dockerfile, continuation lines joined, comments dropped. */
export interface Instruction {
  keyword: string;
  args: string;
  line: number;
}

export interface Stage {
  base: string;
  name: string | null;
  instructions: Instruction[];
}

export interface Copy {
  from: string | null;
  sources: string[];
  destination: string;
}

/** Splits a Dockerfile into stages (FROM … [AS name]) and their instructions. */
export function parseDockerfile(text: string): Stage[] {
  const stages: Stage[] = [];
  const lines = text.split("\n");
  for (let index = 0; index < lines.length; index += 1) {
    const start = index + 1;
    let line = lines[index] ?? "";
    if (/^\s*(#|$)/.test(line)) continue;
    while (/\\\s*$/.test(line) && index + 1 < lines.length) {
      index += 1;
      const next = lines[index] ?? "";
      line = `${line.replace(/\\\s*$/, " ")}${/^\s*#/.test(next) ? "" : next}`;
    }
    const match = /^\s*([A-Za-z]+)\s+(.*)$/.exec(line);
    if (match === null) throw new Error(`Dockerfile line ${start}: not an instruction`);
    const keyword = (match[1] ?? "").toUpperCase();
    const args = (match[2] ?? "").replace(/\s+/g, " ").trim();
    if (keyword === "FROM") {
      const from = /^(?:--platform=\S+ )?(\S+)(?: AS (\S+))?$/i.exec(args);
      if (from === null) throw new Error(`Dockerfile line ${start}: FROM ${args}`);
      stages.push({ base: from[1] ?? "", name: from[2] ?? null, instructions: [] });
    } else if (keyword === "ARG" && stages.length === 0) {
      continue;
    } else {
      const stage = stages[stages.length - 1];
      if (stage === undefined) throw new Error(`Dockerfile line ${start}: ${keyword} before FROM`);
      stage.instructions.push({ keyword, args, line: start });
    }
  }
  return stages;
}

export function parseCopy(instruction: Instruction): Copy {
  const words = instruction.args.split(" ");
  let from: string | null = null;
  const paths: string[] = [];
  for (const word of words) {
    if (word.startsWith("--from=")) from = word.slice("--from=".length);
    else if (!word.startsWith("--")) paths.push(word);
  }
  const destination = paths.pop();
  if (destination === undefined || paths.length === 0) throw new Error(`Dockerfile line ${instruction.line}: COPY needs a source and a destination`);
  return { from, sources: paths, destination };
}

/** `KEY=value KEY2=value2` (values without spaces or quotes, as this Dockerfile writes them). */
export function parseEnv(instruction: Instruction): Record<string, string> {
  const env: Record<string, string> = {};
  for (const pair of instruction.args.split(" ")) {
    const match = /^([A-Za-z_]\w*)=(\S*)$/.exec(pair);
    if (match === null) throw new Error(`Dockerfile line ${instruction.line}: ENV ${pair} is not KEY=value`);
    env[match[1] ?? ""] = match[2] ?? "";
  }
  return env;
}

/** The argv of an exec-form (JSON array) CMD, or of a HEALTHCHECK's CMD after its options. */
export function execForm(instruction: Instruction): string[] {
  const json = instruction.keyword === "HEALTHCHECK" ? /(?:^| )CMD (\[.*\])$/.exec(instruction.args)?.[1] : instruction.args;
  const parsed: unknown = JSON.parse(json ?? "null");
  if (!Array.isArray(parsed) || !parsed.every((item): item is string => typeof item === "string")) throw new Error(`Dockerfile line ${instruction.line}: ${instruction.keyword} is not in exec form`);
  return parsed;
}

/** Whether .dockerignore keeps a top-level entry of the build context (the last matching pattern decides). */
export function keptByDockerignore(patterns: string[], topLevelName: string): boolean {
  let kept = true;
  for (const pattern of patterns) {
    const negated = pattern.startsWith("!");
    const glob = negated ? pattern.slice(1) : pattern;
    if (glob.includes("/")) throw new Error(`.dockerignore: ${pattern}: only top-level patterns are understood by this test`);
    const regex = new RegExp(`^${glob.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`);
    if (regex.test(topLevelName)) kept = negated;
  }
  return kept;
}

export function dockerignorePatterns(text: string): string[] {
  return text
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"));
}
