import type { ProjectNode, ProjectSpec } from "../support/cognigy-runtime";
import { useWorld } from "../support/use-world";
import { WORLD_INBOX_ID, type World } from "../support/world";

/**
 * Where designers really put the Handover node (platform-sources.md G1, G2):
 * Cognigy moves the entrypoint — a Go To into a sub-flow moves it there, a
 * Question node to itself — so a Session node first in the main flow does not
 * see every input. The Handover node waits for the agent itself (the default),
 * wherever it is, and fails loudly where a layout cannot work.
 */

const HANDOVER = { connection: "cw", inboxId: String(WORLD_INBOX_ID) };

function handover(id: string, config: Record<string, unknown> = {}, resolved: ProjectNode[] = [{ say: "Welcome back, the bot is here again." }]): ProjectNode {
  return {
    id,
    node: "chatwootHandover",
    config: { ...HANDOVER, ...config },
    children: {
      onChatwootHandoverResolved: resolved,
      onChatwootHandoverCancelled: [{ say: "Handover cancelled." }],
      onChatwootHandoverUnavailable: [{ say: "No agent is available." }],
      onChatwootHandoverError: [{ say: "Our agents cannot be reached right now." }, { stop: true }],
    },
  };
}

const BOT: ProjectNode = { say: "Bot: {{input.text}}" };

/** The user asks for an agent, talks to them, the agent answers and resolves; afterwards the bot answers again. */
async function talkThroughResolve(w: World, opening: string[]): Promise<{ conversation: number; seen: string[] }> {
  const user = w.newUser({ firstname: "Jane" });
  for (const text of opening) await w.say(user, text);
  const conversation = w.conversationOf(user);
  expect(conversation).toBeGreaterThan(0);
  await w.say(user, "my router blinks red");
  w.chatwoot.agent.reply(conversation, "Please unplug it for 10 seconds.");
  await w.settle();
  await w.say(user, "done, it works");
  w.chatwoot.agent.resolve(conversation);
  await w.settle();
  await w.say(user, "what are your opening hours?");
  const contact = w.chatwoot.agent.view(conversation).filter((line) => line.from === "contact").map((line) => line.text);
  expect(contact.slice(-2)).toEqual(["my router blinks red", "done, it works"]);
  expect(contact).not.toContain("what are your opening hours?");
  return { conversation, seen: w.endpoint.seenBy(user).map((line) => `${line.kind}: ${line.text}`) };
}

describe("scenario 13: the handover in the main flow, without a Session node", () => {
  const project: ProjectSpec = { main: "main", flows: { main: [{ ifText: { pattern: "\\bagent\\b", then: [handover("handover")], else: [BOT] } }] } };
  const world = useWorld({ project });

  it("waits for the agent at the Handover node, and the flow continues in Resolved by agent", async () => {
    const { seen } = await talkThroughResolve(world(), ["hello", "agent please"]);
    expect(seen).toEqual([
      "user: hello",
      "reply: Bot: hello",
      "user: agent please",
      "reply: Please wait a moment, I am connecting you with a colleague.",
      "user: my router blinks red",
      "injected: Please unplug it for 10 seconds.",
      "user: done, it works",
      "injected: The agent has closed the conversation. You are back with the assistant.",
      "injected: Welcome back, the bot is here again.",
      "user: what are your opening hours?",
      "reply: Bot: what are your opening hours?",
    ]);
  });
});

describe("scenario 13: the handover in a sub-flow reached with Go To", () => {
  const project: ProjectSpec = {
    main: "main",
    flows: {
      main: [{ ifText: { pattern: "\\bagent\\b", then: [{ goTo: { flow: "support" } }], else: [BOT] } }],
      // After the agent, the designer goes back to the main flow (the Go To moved the entrypoint here).
      support: [{ say: "Let me find a colleague." }, handover("support-handover", {}, [{ say: "Welcome back, the bot is here again." }, { goTo: { flow: "main", mode: "wait" } }])],
    },
  };
  const world = useWorld({ project });

  it("routes every message of the live handover to the agent, every reply to the user, then back to the main flow", async () => {
    const { seen } = await talkThroughResolve(world(), ["agent please"]);
    expect(seen).toEqual([
      "user: agent please",
      "reply: Let me find a colleague.",
      "reply: Please wait a moment, I am connecting you with a colleague.",
      "user: my router blinks red",
      "injected: Please unplug it for 10 seconds.",
      "user: done, it works",
      "injected: The agent has closed the conversation. You are back with the assistant.",
      "injected: Welcome back, the bot is here again.",
      "user: what are your opening hours?",
      "reply: Bot: what are your opening hours?",
    ]);
  });
});

describe("scenario 13: the handover in a flow run with Execute Flow", () => {
  const project: ProjectSpec = {
    main: "main",
    flows: {
      main: [{ ifText: { pattern: "\\bagent\\b", then: [{ executeFlow: { flow: "support" } }], else: [BOT] } }],
      support: [handover("executed-handover")],
    },
  };
  const world = useWorld({ project });

  it("keeps the live handover at the Handover node of the executed flow", async () => {
    const { seen } = await talkThroughResolve(world(), ["agent please"]);
    expect(seen.filter((line) => line.startsWith("injected"))).toEqual([
      "injected: Please unplug it for 10 seconds.",
      "injected: The agent has closed the conversation. You are back with the assistant.",
      "injected: Welcome back, the bot is here again.",
    ]);
    expect(seen.at(-1)).toBe("reply: Bot: what are your opening hours?");
  });
});

describe("scenario 13: the handover right after a Question node", () => {
  const project: ProjectSpec = {
    main: "main",
    flows: {
      main: [
        { ifText: { pattern: "\\bagent\\b", then: [{ question: { id: "order", text: "What is your order number?", answerKey: "context.order" } }, handover("after-question", { customAttributes: { order: "{{context.order}}" } })], else: [BOT] } },
      ],
    },
  };
  const world = useWorld({ project });

  it("hands over with the answer, and the agent and the user talk until the agent resolves", async () => {
    const w = world();
    const { conversation, seen } = await talkThroughResolve(w, ["agent please", "4711"]);
    expect(seen.slice(0, 4)).toEqual(["user: agent please", "reply: What is your order number?", "user: 4711", "reply: Please wait a moment, I am connecting you with a colleague."]);
    expect(w.chatwoot.store.conversation(conversation).customAttributes).toMatchObject({ order: "4711" });
    expect(seen.at(-1)).toBe("reply: Bot: what are your opening hours?");
  });
});

describe("scenario 13: layouts that cannot work fail loudly at handover time", () => {
  describe("Session node first in the main flow, waiting off, the Handover node in a Go To sub-flow", () => {
    const project: ProjectSpec = {
      main: "main",
      flows: {
        main: [{ node: "chatwootSession", config: { connection: "cw" } }, { ifText: { pattern: "\\bagent\\b", then: [{ goTo: { flow: "support" } }], else: [BOT] } }],
        support: [handover("support-handover", { waitForAgent: false })],
      },
    };
    const world = useWorld({ project });

    it("takes the Error exit naming the flow that needs a Session node, and opens nothing in Chatwoot", async () => {
      const w = world();
      const user = w.newUser();
      await w.say(user, "agent please");
      expect(w.endpoint.seenBy(user).at(-1)?.text).toBe("Our agents cannot be reached right now.");
      const logs = w.runtime.journal.logs.join("\n");
      expect(logs).toContain('this Handover node is in flow "support"');
      expect(logs).toContain('put a Chatwoot Session node first in flow "support"');
      expect(w.chatwoot.store.conversations).toEqual([]);
    });
  });

  describe("an Optional Question still waiting for its answer", () => {
    const project: ProjectSpec = {
      main: "main",
      flows: {
        main: [
          { optionalQuestion: { id: "email", text: "What is your email, by the way?", forgetAfter: 3, condition: "input.text.includes('@')" } },
          { ifText: { pattern: "\\bagent\\b", then: [handover("handover")], else: [BOT] } },
        ],
      },
    };
    const world = useWorld({ project });

    it("takes the Error exit saying the Optional Question would take the user's messages", async () => {
      const w = world();
      const user = w.newUser();
      await w.say(user, "hi");
      await w.say(user, "agent please");
      expect(w.endpoint.seenBy(user).at(-1)?.text).toBe("Our agents cannot be reached right now.");
      expect(w.runtime.journal.logs.join("\n")).toContain("An Optional Question (node email) still waits for its answer");
      expect(w.chatwoot.store.conversations).toEqual([]);
    });
  });
});
