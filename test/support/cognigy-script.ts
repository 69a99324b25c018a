import get from "lodash/get";
import { isRecord } from "../../src/core/json-guards";

/** What CognigyScript sees: `input` (alias `ci`), `context` (`cc`), `profile` (`cp`). */
export interface ScriptScope {
  input: Record<string, unknown>;
  context: Record<string, unknown>;
  profile: Record<string, unknown>;
}

const ALIASES: Record<string, keyof ScriptScope> = { ci: "input", cc: "context", cp: "profile", input: "input", context: "context", profile: "profile" };

/** `{{input.text}}`-style CognigyScript in a text field: paths only, objects as JSON, missing values as "". */
export function renderText(text: string, scope: ScriptScope): string {
  return text.replace(/\{\{\s*([\w$.[\]]+)\s*\}\}/g, (_, path: string) => {
    const [root = "", ...rest] = path.split(".");
    const key = ALIASES[root];
    const value: unknown = key === undefined ? undefined : get(scope[key], rest.join("."));
    if (value === undefined || value === null) return "";
    return typeof value === "object" ? JSON.stringify(value) : String(value);
  });
}

/** cognigyText and json fields are rendered before the node function sees its config. */
export function renderValue(value: unknown, scope: ScriptScope): unknown {
  if (typeof value === "string") return renderText(value, scope);
  if (Array.isArray(value)) return value.map((item) => renderValue(item, scope));
  if (isRecord(value)) return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, renderValue(item, scope)]));
  return value;
}

/**
 * A CognigyScript condition, as `addConditionalEntrypoint` takes it (DOC
 * execution-control/addConditionalEntrypoint.md: `condition: "input.text.includes('@')"`;
 * the Optional Question node builds e.g. `!!input.data`). A test stand-in may
 * use `new Function` here: the only names in scope are `input`, `context`,
 * `profile` (and Cognigy's `ci`/`cc`/`cp`), the conditions come from the test's
 * own flows or from the extension under test, never from a user. A condition
 * that throws is false, as a failing script condition does not fire.
 */
export function evaluateCondition(condition: string, scope: ScriptScope): { value: boolean; error?: string } {
  try {
    const fn = new Function("input", "context", "profile", "ci", "cc", "cp", `"use strict"; return (${condition});`);
    return { value: Boolean(fn(scope.input, scope.context, scope.profile, scope.input, scope.context, scope.profile)) };
  } catch (error: unknown) {
    return { value: false, error: error instanceof Error ? error.message : String(error) };
  }
}
