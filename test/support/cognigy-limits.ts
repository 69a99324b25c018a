/**
 * The platform limits the Cognigy-style runtime enforces, each as Cognigy
 * documents it for default installations (DOC `docs/ai/administer/limitations.md`,
 * "Default Quotas and Limits for Cognigy.AI"; platform-sources.md G3, G4).
 * There is no documented "62 KB per api call": that invented limit is gone.
 */

/** "Extension actions: 10" — api actions per execution of an extension node. */
export const MAX_API_CALLS = 10;
/** "Maximum execution time for Nodes from Extensions: 20 s". */
export const MAX_RUN_MS = 20_000;
/**
 * "Maximum Input size: 65 kB" and "Maximum Context size: 65 kB" (Default and
 * Trial; 1.5 MB on the shared SaaS "App", `MAX_MEMORY_OBJECT_SIZE` elsewhere).
 * The table writes "kB" (SI kilo), so 65 × 1000 bytes: the stricter reading.
 */
export const MAX_INPUT_BYTES = 65 * 1000;
export const MAX_CONTEXT_BYTES = 65 * 1000;
/** "Maximum message size for untrusted Extensions: 300 KB" (each api action crosses the child-process boundary as a message); read as 300 × 1000, the stricter. */
export const MAX_EXTENSION_MESSAGE_BYTES = 300 * 1000;
/** "Maximum JSON-encoded payload size for requests to Cognigy.AI REST API: 60 kB" (the legacy REST inject is such a request). */
export const MAX_REST_JSON_BYTES = 60 * 1000;
/** "Maximum number of times a Flow can execute the same path for a single user message before triggering Infinite Loop Protection: 4". */
export const MAX_SAME_NODE_PER_INPUT = 4;

/** A node or input broke a documented platform limit; the platform would refuse it. */
export class PlatformLimitError extends Error {
  override readonly name = "PlatformLimitError";
}

/** A flow or node asked for something the platform refuses (e.g. setNextNode to a node that is not an entrypoint). */
export class FlowExecutionError extends Error {
  override readonly name = "FlowExecutionError";
}

export function jsonBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value) ?? "");
}

/** The input as given to the flow: what the channel or inject sent, text and data. */
export function inputBytes(text: string, data: unknown): number {
  return jsonBytes({ text, data });
}

export function checkInputSize(text: string, data: unknown): void {
  const bytes = inputBytes(text, data);
  if (bytes > MAX_INPUT_BYTES) {
    throw new PlatformLimitError(`the input is ${bytes} bytes (JSON of text and data); Cognigy's maximum input size is 65 kB (${MAX_INPUT_BYTES} bytes, limitations.md)`);
  }
}

export function checkContextSize(context: unknown, after: string): void {
  const bytes = jsonBytes(context);
  if (bytes > MAX_CONTEXT_BYTES) {
    throw new PlatformLimitError(`the context is ${bytes} bytes after ${after}; Cognigy's maximum context size is 65 kB (${MAX_CONTEXT_BYTES} bytes, limitations.md), shared with the whole flow`);
  }
}
