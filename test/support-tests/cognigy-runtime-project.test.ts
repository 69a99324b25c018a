import { inputBytes, MAX_INPUT_BYTES } from "../support/cognigy-limits";
import { FAKE_EXTENSION } from "../support/cognigy-fake-extension";
import { createCognigyRuntime, FlowExecutionError, PlatformLimitError, type ProjectNode, type Session } from "../support/cognigy-runtime";

function setup(flows: Record<string, ProjectNode[]>, options: { withoutApi?: string[] } = {}) {
  const runtime = createCognigyRuntime(FAKE_EXTENSION);
  const project = runtime.createProject({ flows, main: "main", ...options });
  const session = runtime.createSession();
  const say = async (text: string) => project.input(session, { text });
  const texts = async (text: string) => (await say(text)).outputs.map((output) => output.text);
  return { runtime, project, session, say, texts };
}

const lastInput = (runtime: { journal: { inputs: unknown[] } }): Record<string, unknown> => {
  const input = runtime.journal.inputs.at(-1);
  return typeof input === "object" && input !== null ? Object.fromEntries(Object.entries(input)) : {};
};

describe("Cognigy-style project: the entrypoint moves (G1)", () => {
  it("Go To moves the entrypoint: it continues in the sub-flow now, and the next input starts there", async () => {
    const { texts, say, session } = setup({
      main: [{ say: "main start" }, { ifText: { pattern: "\\bagent\\b", then: [{ goTo: { flow: "support" } }, { say: "never said" }], else: [{ say: "bot: {{input.text}}" }] } }],
      support: [{ say: "support: {{input.text}}" }],
    });
    expect(await texts("hi")).toEqual(["main start", "bot: hi"]);
    expect(await texts("agent please")).toEqual(["main start", "support: agent please"]);
    const third = await say("hello");
    expect(third.entry).toEqual({ flow: "support", nodeId: "support:0", via: "start" });
    expect(third.outputs.map((output) => output.text)).toEqual(["support: hello"]);
    expect(session.entrypoint?.flow).toBe("support");
  });

  it("Go To back to main moves it back (until switched back)", async () => {
    const { texts } = setup({ main: [{ say: "main" }, { ifText: { pattern: "^go$", then: [{ goTo: { flow: "sub" } }] } }], sub: [{ ifText: { pattern: "^back$", then: [{ goTo: { flow: "main" } }], else: [{ say: "sub" }] } }] });
    expect(await texts("go")).toEqual(["main", "sub"]);
    expect(await texts("b")).toEqual(["sub"]);
    expect(await texts("back")).toEqual(["main"]);
    expect(await texts("c")).toEqual(["main"]);
  });

  it("Go To in wait mode: this input ends, the next starts at the target node", async () => {
    const { texts, say } = setup({ main: [{ say: "main" }, { goTo: { flow: "sub", node: "there", mode: "wait" } }, { say: "never" }], sub: [{ say: "sub start" }, { id: "there", entrypoint: true, say: "there: {{input.text}}" }] });
    expect(await texts("a")).toEqual(["main"]);
    const next = await say("b");
    expect(next.entry).toEqual({ flow: "sub", nodeId: "there", via: "pinned" });
    expect(next.outputs.map((output) => output.text)).toEqual(["there: b"]);
    expect(await texts("c")).toEqual(["sub start", "there: c"]);
  });

  it("Execute Flow runs the flow, returns below itself, and does not move the entrypoint", async () => {
    const { texts, say } = setup({ main: [{ executeFlow: { flow: "sub" } }, { say: "back in main" }], sub: [{ say: "in sub" }] });
    expect(await texts("a")).toEqual(["in sub", "back in main"]);
    expect((await say("b")).entry.flow).toBe("main");
  });

  it("a Go To inside an executed flow cancels the return and moves the entrypoint", async () => {
    const { texts, say } = setup({ main: [{ executeFlow: { flow: "sub" } }, { say: "back in main" }], sub: [{ say: "in sub" }, { goTo: { flow: "other" } }], other: [{ say: "other" }] });
    expect(await texts("a")).toEqual(["in sub", "other"]);
    expect((await say("b")).entry).toEqual({ flow: "other", nodeId: "other:0", via: "start" });
  });

  it.each([
    ["executeFlow (returns)", false, ["in sub", "after caller"], "main"],
    ["executeFlow isGoto (Go To)", true, ["in sub"], "sub"],
  ])("an extension node's api.%s", async (_, isGoto, outputs, nextFlow) => {
    const { texts, say } = setup({ main: [{ node: "caller", config: { flow: "sub", isGoto } }, { say: "after caller" }], sub: [{ say: "in sub" }] });
    expect(await texts("a")).toEqual(outputs);
    expect((await say("b")).entry.flow).toBe(nextFlow);
  });

  it("a Question says, pins itself, and the answer starts there, is stored, and goes on below it", async () => {
    const { texts, say, session } = setup({ main: [{ say: "hi" }, { question: { id: "askName", text: "Your name?", answerKey: "context.name" } }, { say: "Thanks {{context.name}}" }] });
    expect(await texts("start")).toEqual(["hi", "Your name?"]);
    expect(session.entrypoint?.pinned).toEqual({ flow: "main", nodeId: "askName" });
    const answer = await say("Ann");
    expect(answer.entry).toEqual({ flow: "main", nodeId: "askName", via: "pinned" });
    expect(answer.outputs.map((output) => output.text)).toEqual(["Thanks Ann"]);
    expect(session.context.name).toBe("Ann");
    expect((await say("again")).entry.via).toBe("start");
  });

  it("a Question inside an executed flow: the answer starts in that flow (no return to the caller is kept across inputs)", async () => {
    const { texts, say } = setup({ main: [{ executeFlow: { flow: "sub" } }, { say: "main after" }], sub: [{ question: { id: "q", text: "Order number?" } }, { say: "sub got {{input.result}} in {{input.flowName}}" }] });
    expect(await texts("a")).toEqual(["Order number?"]);
    const answer = await say("42");
    expect(answer.entry).toEqual({ flow: "sub", nodeId: "q", via: "pinned" });
    expect(answer.outputs.map((output) => output.text)).toEqual(["sub got 42 in sub"]);
    expect((await say("b")).entry.flow).toBe("main");
  });
});

describe("Optional Question: a conditional entrypoint for N inputs", () => {
  const flows = (): Record<string, ProjectNode[]> => ({
    main: [
      { ifText: { pattern: "^start$", then: [{ optionalQuestion: { id: "askMail", text: "Your email?", forgetAfter: 2, condition: "input.text.includes('@')", answerKey: "context.email", onAnswer: [{ say: "Got {{context.email}}" }, { stop: true }] } }] } },
      { say: "bot: {{input.text}}" },
    ],
  });

  it.each([
    [1, true],
    [2, true],
    [3, false],
  ])("answered at the %i. input after it was asked: fires = %s", async (after, fires) => {
    const { texts, say, runtime } = setup(flows());
    expect(await texts("start")).toEqual(["Your email?", "bot: start"]);
    for (let index = 1; index < after; index += 1) {
      expect(await texts(`chat ${index}`)).toEqual([`bot: chat ${index}`]);
      expect(lastInput(runtime).activeOptionalQuestion).toEqual({ nodeId: "askMail", lastExecutedAt: 1, forgetQuestionThreshold: 2 });
    }
    const answer = await say("me@example.com");
    const input = lastInput(runtime);
    if (fires) {
      expect(answer.entry).toEqual({ flow: "main", nodeId: "askMail", via: "conditional" });
      expect(answer.outputs.map((output) => output.text)).toEqual(["Got me@example.com"]);
      expect(input.conditionalEntrypointWasExecuted).toBe(true);
      expect(input.activeOptionalQuestion).toEqual({ nodeId: "askMail", lastExecutedAt: 1, forgetQuestionThreshold: 2 });
      expect((await say("later@example.com")).entry.via).toBe("start");
    } else {
      expect(answer.entry.via).toBe("start");
      expect(answer.outputs.map((output) => output.text)).toEqual(["bot: me@example.com"]);
      expect(input.conditionalEntrypointWasExecuted).toBe(false);
      expect(input).not.toHaveProperty("activeOptionalQuestion");
    }
  });

  it("an extension node's addConditionalEntrypoint fires on its condition, bound to its flow, even after a Go To moved the entrypoint", async () => {
    const { texts, say } = setup({
      main: [{ ifText: { pattern: "^ask$", then: [{ id: "reg", node: "registrar", config: { condition: "input.text === 'yes'", retention: 3 } }, { goTo: { flow: "sub" } }] } }, { say: "main" }],
      sub: [{ say: "sub" }],
    });
    expect(await texts("ask")).toEqual(["registered", "sub"]);
    expect(await texts("no")).toEqual(["sub"]);
    const fired = await say("yes");
    expect(fired.entry).toEqual({ flow: "main", nodeId: "reg", via: "conditional" });
    // It enters at the registrar inside the branch and goes on below it, to the Go To.
    expect(fired.outputs.map((output) => output.text)).toEqual(["answered yes", "sub"]);
  });

  it.each<[string, (runtime: ReturnType<typeof createCognigyRuntime>) => void, { withoutApi?: string[] }]>([
    ["runtime.withoutApi", (runtime) => runtime.withoutApi(["addConditionalEntrypoint"]), {}],
    ["createProject({ withoutApi })", () => undefined, { withoutApi: ["addConditionalEntrypoint"] }],
  ])("a Cognigy without addConditionalEntrypoint (%s): the node sees it missing", async (_, remove, options) => {
    const runtime = createCognigyRuntime(FAKE_EXTENSION);
    remove(runtime);
    const project = runtime.createProject({ flows: { main: [{ node: "registrar", config: { condition: "true", retention: 1 } }] }, main: "main", ...options });
    const result = await project.input(runtime.createSession(), { text: "a" });
    expect(result.outputs.map((output) => output.text)).toEqual(["no addConditionalEntrypoint"]);
  });
});

describe("extension nodes and the entrypoint", () => {
  it("a pinned extension node (behavior.entrypoint) keeps receiving inputs until it stops pinning, also in a Go To sub-flow", async () => {
    const { texts, say } = setup({
      main: [{ say: "welcome" }, { goTo: { flow: "support" } }],
      support: [{ id: "wait", node: "waiter", children: { onDone: [{ say: "done waiting" }] } }, { say: "after waiter" }],
    });
    expect(await texts("x")).toEqual(["welcome", "waiter wait got x in support"]);
    for (const text of ["y", "z"]) {
      const result = await say(text);
      expect(result.entry).toEqual({ flow: "support", nodeId: "wait", via: "pinned" });
      expect(result.outputs.map((output) => output.text)).toEqual([`waiter wait got ${text} in support`]);
    }
    expect(await texts("done")).toEqual(["waiter wait got done in support", "done waiting", "after waiter"]);
    expect((await say("later")).entry).toEqual({ flow: "support", nodeId: "wait", via: "start" });
  });

  it("node ids are stable per node: the given id, else <flow>:<path>; child exits are <id>/<exit>", async () => {
    const { project, texts } = setup({ main: [{ say: "a" }, { ifText: { pattern: "x", then: [{ node: "waiter" }] } }] });
    expect(project.nodeIds("main")).toEqual(["main:0", "main:1", "main:1/then", "main:1.then.0", "main:1.then.0/onDone", "main:1/else"]);
    expect(await texts("x")).toEqual(["a", "waiter main:1.then.0 got x in main"]);
    expect(await texts("x again")).toEqual(["waiter main:1.then.0 got x again in main"]);
  });

  it.each<[string, ProjectNode[], RegExp]>([
    ["setNextNode to a node that is not an entrypoint", [{ node: "jumper", config: { target: "main:1" } }, { say: "plain" }], /node "main:1" in flow "main" is not an entrypoint/],
    ["the same, with the node catching the error", [{ node: "jumper", config: { target: "main:1", swallow: true } }, { say: "plain" }], /is not an entrypoint/],
    ["setNextNode to an unknown node", [{ node: "jumper", config: { target: "nowhere" } }], /flow "main" has no node "nowhere"/],
    ["a node without behavior.entrypoint pinning itself", [{ node: "pinner" }], /pins itself.*behavior: \{ entrypoint: true \}/],
    ["Go To a node that is not an entrypoint", [{ goTo: { flow: "main", node: "main:1" } }, { say: "plain" }], /Go To in flow main: node "main:1" in flow "main" is not an entrypoint/],
    ["Go To an unknown flow", [{ goTo: { flow: "nope" } }], /there is no flow "nope"/],
  ])("refused like the platform: %s", async (_, main, message) => {
    const { say, runtime } = setup({ main });
    await expect(say("a")).rejects.toThrow(FlowExecutionError);
    await expect(say("a")).rejects.toThrow(message);
    expect(runtime.journal.errors.at(-1)).toMatch(message);
  });

  it("setNextNode to an entrypoint node jumps there in the same input; with stopExecution the next input starts there", async () => {
    const jump = setup({ main: [{ node: "jumper", config: { target: "there" } }, { say: "skipped" }, { id: "there", entrypoint: true, say: "there" }] });
    expect(await jump.texts("a")).toEqual(["there"]);
    const pin = setup({ main: [{ node: "jumper", config: { target: "there", stop: true } }, { say: "skipped" }, { id: "there", entrypoint: true, say: "there: {{input.text}}" }] });
    expect(await pin.texts("a")).toEqual([]);
    expect((await pin.say("b")).outputs.map((output) => output.text)).toEqual(["there: b"]);
  });
});

describe("input.flowName, input.entrypoint", () => {
  it("flowName is the flow of the node running; entrypoint is the project id", async () => {
    const { texts, runtime, project } = setup({
      main: [{ say: "{{input.flowName}}" }, { executeFlow: { flow: "sub" } }, { say: "{{input.flowName}}" }, { goTo: { flow: "other" } }],
      sub: [{ say: "{{input.flowName}}" }],
      other: [{ say: "{{input.flowName}}" }],
    });
    expect(await texts("a")).toEqual(["main", "sub", "main", "other"]);
    expect(lastInput(runtime).entrypoint).toBe(project.projectId);
    expect(await texts("b")).toEqual(["other"]);
    expect(lastInput(runtime)).toMatchObject({ flowName: "other", execution: 2, conditionalEntrypointWasExecuted: false });
  });
});

describe("documented limits (G3)", () => {
  const emptyInput = inputBytes("", {});
  it.each<[string, ProjectNode[], string, RegExp | null]>([
    ["10 api actions", [{ node: "chatty", config: { count: 10 } }], "a", null],
    ["11 api actions", [{ node: "chatty", config: { count: 11 } }], "a", /chatty made more than 10 api calls \(Cognigy's limit of 10 extension actions per execution\)/],
    ["input of exactly 65 kB", [{ say: "ok" }], "x".repeat(MAX_INPUT_BYTES - emptyInput), null],
    ["input one byte over 65 kB", [{ say: "ok" }], "x".repeat(MAX_INPUT_BYTES - emptyInput + 1), /the input is 65001 bytes .*maximum input size is 65 kB \(65000 bytes/],
    ["context under 65 kB", [{ node: "hoarder", config: { bytes: 60_000 } }], "a", null],
    ["context over 65 kB after a node", [{ node: "hoarder", config: { bytes: 65_000 } }], "a", /the context is 65\d\d\d bytes after hoarder .*maximum context size is 65 kB/],
    ["context over 65 kB after the input", [{ setContext: { key: "big", value: "x".repeat(65_000) } }], "a", /the context is 65\d\d\d bytes after input \d+ of session .*maximum context size is 65 kB/],
    ["a say over 300 KB", [{ node: "chatty", config: { count: 1, bytes: 300_000 } }], "a", /passed 300\d\d\d bytes to api.say; .*300 KB/],
    ["the same node more than 4 times in one input", [{ id: "loop", entrypoint: true, goTo: { flow: "main", node: "loop" } }], "a", /Infinite Loop Detected: node loop/],
  ])("%s", async (_, main, text, refused) => {
    const { say } = setup({ main });
    if (refused === null) return void (await expect(say(text)).resolves.toBeDefined());
    await expect(say(text)).rejects.toThrow(PlatformLimitError);
    await expect(say(text)).rejects.toThrow(refused);
  });

  it("the older runFlow and runNode check the same input limit", async () => {
    const runtime = createCognigyRuntime(FAKE_EXTENSION);
    const session: Session = runtime.createSession();
    const text = "x".repeat(MAX_INPUT_BYTES);
    await expect(runtime.runFlow(session, [{ say: "ok" }], { text })).rejects.toThrow(/maximum input size is 65 kB/);
    await expect(runtime.runNode(session, "chatty", { count: 1 }, { text })).rejects.toThrow(/maximum input size is 65 kB/);
    expect((await runtime.runNode(session, "chatty", { count: 11 }).catch((error: unknown) => error)) instanceof PlatformLimitError).toBe(true);
  });
});
