import { pushedAgentNames } from "../../src/relay/pushed-agent-names";
import { agentMessage, conversationFor, conversationUpdated, typingEvent } from "../support/chatwoot-webhooks";

/** User#push_event_data (app/models/user.rb): with available_name. */
const ANNA_PUSH = { id: 7, name: "Anna Agent", available_name: "Anna", avatar_url: "", type: "user", availability_status: "online", thumbnail: "" };
const BOB_PUSH = { id: 9, name: "Bob Builder", available_name: "Bobby", avatar_url: "", type: "user", availability_status: "online", thumbnail: "" };
/** User#webhook_data: no available_name. */
const ANNA_WEBHOOK = { id: 7, name: "Anna Agent", email: "anna@example.com", type: "user" };
const ACCOUNT = { id: 3, name: "Acme" };

/** A conversation's push data; `account: null` leaves it out (conversation events before 4.14.2, nested conversations). */
function conversation(meta: Record<string, unknown>, messages: unknown[] = [], account: unknown = ACCOUNT): Record<string, unknown> {
  return { id: 321, inbox_id: 12, meta: { sender: { id: 88, name: "Jane", type: "contact" }, ...meta }, messages, ...(account === null ? {} : { account }) };
}

describe("pushedAgentNames: the agents a webhook's push data names, with available_name", () => {
  it.each<[string, unknown, { accountId: number; agents: { id: number; availableName: string }[] }]>([
    ["a conversation event's assignee", { event: "conversation_updated", ...conversation({ assignee: ANNA_PUSH }) }, { accountId: 3, agents: [{ id: 7, availableName: "Anna" }] }],
    [
      "a message event's nested conversation: its assignee and the last message's sender",
      { event: "message_created", id: 5, sender: ANNA_WEBHOOK, account: ACCOUNT, conversation: conversation({ assignee: BOB_PUSH }, [{ id: 5, sender: ANNA_PUSH }], null) },
      { accountId: 3, agents: [{ id: 9, availableName: "Bobby" }, { id: 7, availableName: "Anna" }] },
    ],
    ["a typing event's nested conversation (never its `user`: webhook data)", { event: "conversation_typing_on", user: ANNA_WEBHOOK, conversation: conversation({ assignee: BOB_PUSH }), is_private: false }, { accountId: 3, agents: [{ id: 9, availableName: "Bobby" }] }],
    ["the assignee and sender being one agent, once", { event: "message_created", account: ACCOUNT, conversation: conversation({ assignee: ANNA_PUSH }, [{ sender: ANNA_PUSH }]) }, { accountId: 3, agents: [{ id: 7, availableName: "Anna" }] }],
    ["nothing from a message's own sender (webhook data, no available_name)", { event: "message_created", sender: ANNA_WEBHOOK, account: ACCOUNT, conversation: conversation({ assignee: null }) }, { accountId: 0, agents: [] }],
    ["nothing from an agent bot as assignee or sender", { event: "message_created", account: ACCOUNT, conversation: conversation({ assignee: { id: 1, name: "Bot", type: "agent_bot" } }, [{ sender: { id: 1, name: "Bot", type: "agent_bot" } }]) }, { accountId: 0, agents: [] }],
    ["nothing from a contact as the last message's sender", { event: "message_created", account: ACCOUNT, conversation: conversation({ assignee: null }, [{ sender: { id: 88, name: "Jane", type: "contact" } }]) }, { accountId: 0, agents: [] }],
    ["nothing from push data without available_name", { event: "conversation_updated", ...conversation({ assignee: { id: 7, name: "Anna Agent", type: "user" } }) }, { accountId: 0, agents: [] }],
    ["nothing from a blank available_name", { event: "conversation_updated", ...conversation({ assignee: { ...ANNA_PUSH, available_name: "  " } }) }, { accountId: 0, agents: [] }],
    ["nothing from an assignee id that is no positive integer", { event: "conversation_updated", ...conversation({ assignee: { ...ANNA_PUSH, id: -7 } }) }, { accountId: 0, agents: [] }],
    ["account 0 on a conversation event of Chatwoot before 4.14.2 (no account)", { event: "conversation_updated", ...conversation({ assignee: ANNA_PUSH }, [], null) }, { accountId: 0, agents: [{ id: 7, availableName: "Anna" }] }],
    ["nothing from what is no object", "conversation_updated", { accountId: 0, agents: [] }],
    ["nothing from messages that are no array", { event: "message_created", account: ACCOUNT, conversation: { ...conversation({ assignee: null }), messages: { sender: ANNA_PUSH } } }, { accountId: 0, agents: [] }],
  ])("reads %s", (_, payload, expected) => {
    expect(pushedAgentNames(payload)).toEqual(expected);
  });

  it("reads the webhook fixtures as Chatwoot renders them: assignment, agent reply and typing", () => {
    const base = conversationFor({ userId: "u", sessionId: "s", urlToken: "t" }, "relay-secret-0123456789-abcdefghijklmnop", { accountId: 1, assignee: { id: 9, name: "Bob Builder" } });
    expect(pushedAgentNames(conversationUpdated(base, { assignee_id: { previous_value: null, current_value: 9 } })).agents.map((agent) => agent.id)).toEqual([9]);
    expect(pushedAgentNames(agentMessage(base, { id: 1, content: "Hi", agent: { id: 10, name: "Carla Colleague" } })).agents.map((agent) => agent.id)).toEqual([9, 10]);
    expect(pushedAgentNames(typingEvent(base, true)).agents.map((agent) => agent.id)).toEqual([9]);
  });

  it("reads at most the first few messages of a hostile list", () => {
    const messages = Array.from({ length: 10_000 }, (_, index) => ({ sender: { ...ANNA_PUSH, id: index + 1 } }));
    const result = pushedAgentNames({ event: "message_created", account: ACCOUNT, conversation: conversation({ assignee: null }, messages) });
    expect(result.agents.length).toBeLessThanOrEqual(4);
  });
});
