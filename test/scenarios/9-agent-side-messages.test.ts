import { MARKDOWN_REPLY } from "../support/chatwoot-simulator/agent-console";
import type { Session } from "../support/cognigy-runtime";
import { useWorld } from "../support/use-world";
import type { World } from "../support/world";

/**
 * Issue 10 §5: what Chatwoot sends from the agent's side besides an agent's
 * plain reply — automation rules' messages (C9), deletions (C11), locations
 * (C12), Markdown and HTML — through the real relay and Session node.
 */

function shown(w: World, user: Session): string[] {
  return w.endpoint.seenBy(user).filter((line) => line.kind === "injected").map((line) => line.text);
}

function dropReasons(w: World, event: string): unknown[] {
  return w.chatwoot.webhooks.deliveries.filter((delivery) => delivery.event === event).map((delivery) => JSON.parse(delivery.responseBody) as unknown);
}

async function liveHandover(w: World): Promise<{ user: Session; conversation: number }> {
  const user = w.newUser();
  await w.say(user, "agent");
  return { user, conversation: w.conversationOf(user) };
}

const MARKDOWN_AS_TEXT = [
  "Hi Jane, please try this:",
  "",
  "1. Unplug the router",
  "2. Wait 10 seconds",
  "  • then check the status page (https://status.example.com/router_check)",
  "",
  "Keep the file my_router_config.txt as it is.",
].join("\n");

describe("scenario 9: agent-side messages the user should see (plain text, the default)", () => {
  const world = useWorld();

  it("shows an automation rule's message, which is not the agent's answer: the user can still cancel", async () => {
    const w = world();
    const { user, conversation } = await liveHandover(w);
    w.chatwoot.agent.automation(conversation, "Thanks! An agent will be with you in about 5 minutes.");
    await w.settle();
    expect(shown(w, user)).toEqual(["Thanks! An agent will be with you in about 5 minutes."]);
    expect(w.chatwoot.agent.view(conversation).at(-1)).toEqual({ from: "automation", text: "Thanks! An agent will be with you in about 5 minutes.", files: [] });

    await w.say(user, "cancel");
    expect(w.chatwoot.store.conversation(conversation).status).toBe("resolved");
  });

  it("sends nothing new when the agent deletes a message the user already has", async () => {
    const w = world();
    const { user, conversation } = await liveHandover(w);
    const wrong = w.chatwoot.agent.reply(conversation, "Your code is 1234");
    await w.settle();
    w.chatwoot.agent.deleteMessage(wrong.id);
    w.chatwoot.agent.reply(conversation, "Sorry, wrong customer.");
    await w.settle();
    expect(shown(w, user)).toEqual(["Your code is 1234", "Sorry, wrong customer."]);
    expect(dropReasons(w, "message_updated")).toEqual([{ status: "dropped", reasons: ["message_deleted"] }]);
  });

  it("never shows 'This message was deleted', even when the original never reached the relay", async () => {
    const w = world();
    const { user, conversation } = await liveHandover(w);
    w.chatwoot.webhooks.switches.drop = (payload) => payload.event === "message_created" && payload.content === "Oops, not for you";
    const lost = w.chatwoot.agent.reply(conversation, "Oops, not for you");
    await w.settle();
    w.chatwoot.agent.deleteMessage(lost.id);
    await w.settle();
    expect(shown(w, user)).toEqual([]);
    expect(w.endpoint.seenBy(user).map((line) => line.text)).not.toContain("This message was deleted");
  });

  it("takes back a message deleted while it still waits in the relay's outbox", async () => {
    const w = world();
    const { user, conversation } = await liveHandover(w);
    w.endpoint.failFor(1_500, { status: 503 });
    const wrong = w.chatwoot.agent.reply(conversation, "Your code is 1234");
    w.chatwoot.agent.reply(conversation, "One moment please.");
    await w.chatwoot.webhooks.settled();
    w.chatwoot.agent.deleteMessage(wrong.id);
    await w.chatwoot.webhooks.settled();
    await new Promise((resolve) => setTimeout(resolve, 1_600));
    await w.settle(15_000);
    expect(shown(w, user)).toEqual(["One moment please."]);
  }, 30_000);

  it("shows a location as a map link", async () => {
    const w = world();
    const { user, conversation } = await liveHandover(w);
    w.chatwoot.agent.location(conversation, { lat: 52.516275, long: 13.377704, title: "Brandenburger Tor", url: "https://maps.example.com/?q=52.516275,13.377704" });
    await w.settle();
    expect(shown(w, user)).toEqual(["📍 Brandenburger Tor: https://www.openstreetmap.org/?mlat=52.516275&mlon=13.377704#map=16/52.516275/13.377704"]);
  });

  it("shows an agent's Markdown as plain text", async () => {
    const w = world();
    const { user, conversation } = await liveHandover(w);
    w.chatwoot.agent.replyMarkdown(conversation);
    await w.settle();
    expect(shown(w, user)).toEqual([MARKDOWN_AS_TEXT]);
  });
});

describe("scenario 9: agent-side messages for a Webchat that renders Markdown", () => {
  const world = useWorld({ session: { agentMessageFormat: "markdown" } });

  it("keeps the agent's Markdown, and turns an HTML text into Markdown", async () => {
    const w = world();
    const { user, conversation } = await liveHandover(w);
    w.chatwoot.agent.replyMarkdown(conversation);
    await w.settle();
    w.chatwoot.agent.automation(conversation, "<p>Get notified by <strong>email</strong></p>\n");
    await w.settle();
    expect(shown(w, user)).toEqual([MARKDOWN_REPLY, "Get notified by **email**"]);
  });
});

describe("scenario 9: automation messages switched off", () => {
  const world = useWorld({ relayEnv: { FORWARD_AUTOMATION_MESSAGES: "false" } });

  it("drops them with the reason automation_disabled", async () => {
    const w = world();
    const { user, conversation } = await liveHandover(w);
    w.chatwoot.agent.automation(conversation, "Thanks! An agent will be with you soon.");
    await w.settle();
    expect(shown(w, user)).toEqual([]);
    expect(dropReasons(w, "message_created").at(-1)).toEqual({ status: "dropped", reasons: ["automation_disabled"] });
  });
});
