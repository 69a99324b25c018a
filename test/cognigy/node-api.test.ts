import type { INodeExecutionAPI } from "@cognigy/extension-tools/build/interfaces/descriptor";
import { MissingApiError, requireApi } from "../../src/cognigy/node-api";

/** A Cognigy-like api whose methods need their `this`, as the platform's do. */
class RecordingCognigyApi implements INodeExecutionAPI {
  readonly calls: unknown[][] = [];

  say(text: string, data?: object): void {
    this.calls.push(["say", text, data]);
  }

  addToContext(key: string, value: unknown, mode: string): void {
    this.calls.push(["addToContext", key, value, mode]);
  }

  setNextNode(nodeId: string): void {
    this.calls.push(["setNextNode", nodeId]);
  }

  stopExecution(): void {
    this.calls.push(["stopExecution"]);
  }

  log(level: string, text: string): void {
    this.calls.push(["log", level, text]);
  }
}

const noop = (): void => undefined;

describe("requireApi", () => {
  it("refuses to run without a node api", () => {
    expect(() => requireApi(undefined)).toThrow(new MissingApiError("The Cognigy node API is not available to this node."));
  });

  it.each([
    { name: "say", api: { addToContext: noop, setNextNode: noop, stopExecution: noop } },
    { name: "addToContext", api: { say: noop, setNextNode: noop, stopExecution: noop } },
    { name: "setNextNode", api: { say: noop, addToContext: noop, stopExecution: noop } },
    { name: "stopExecution", api: { say: noop, addToContext: noop, setNextNode: noop } },
  ])("names the missing method $name", ({ name, api }) => {
    expect(() => requireApi(api)).toThrow(new MissingApiError(`The Cognigy node API lacks ${name}; this runtime cannot run the Chatwoot nodes.`));
  });

  it("names every missing method at once", () => {
    expect(() => requireApi({ say: noop })).toThrow("lacks addToContext, setNextNode, stopExecution;");
  });

  it("throws an error callers can tell apart", () => {
    let caught: unknown;
    try {
      requireApi({});
    } catch (error: unknown) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(MissingApiError);
    expect(caught).toHaveProperty("name", "MissingApiError");
  });

  it("passes each call on to the platform api, keeping its this", () => {
    const platform = new RecordingCognigyApi();
    const api = requireApi(platform);
    api.say("Hello", { a: 1 });
    api.setNextNode("node-7");
    api.stopExecution();
    expect(platform.calls).toEqual([["say", "Hello", { a: 1 }], ["setNextNode", "node-7"], ["stopExecution"]]);
  });

  it("replaces the context value (mode simple)", () => {
    const platform = new RecordingCognigyApi();
    requireApi(platform).addToContext("handover.chatwoot", { v: 1 });
    expect(platform.calls).toEqual([["addToContext", "handover.chatwoot", { v: 1 }, "simple"]]);
  });

  it("marks log lines as the extension's", () => {
    const platform = new RecordingCognigyApi();
    requireApi(platform).log("warn", "labels not set");
    expect(platform.calls).toEqual([["log", "warn", "[chatwoot] labels not set"]]);
  });

  it("runs without a log method, dropping log lines", () => {
    const calls: string[] = [];
    const api = requireApi({ say: () => calls.push("say"), addToContext: noop, setNextNode: noop, stopExecution: noop });
    expect(() => api.log("error", "nobody hears this")).not.toThrow();
    api.say("still works");
    expect(calls).toEqual(["say"]);
  });
});
