import { isRecord, readNonEmptyString, readPositiveInteger, readRecord, type JsonRecord } from "../core/json-guards";
import { accountIdOf } from "./webhook-fields";

/** An agent's id and the name Chatwoot shows customers, as a webhook's push data gives it. */
export interface PushedAgentName {
  id: number;
  availableName: string;
}

/** conversation.messages holds one message (the last chat message); more are read no further. */
const MAX_PUSH_MESSAGES = 4;

/** `User#push_event_data` (app/models/user.rb): `{id, name, available_name, …, type: "user"}`; webhook_data has no available_name. */
function pushedUser(value: unknown): PushedAgentName | undefined {
  const user = readRecord(value);
  if (user.type !== "user") return undefined;
  const id = readPositiveInteger(user.id);
  const availableName = readNonEmptyString(user.available_name);
  return id === undefined || availableName === undefined ? undefined : { id, availableName };
}

/** Message and typing events nest the conversation; conversation events are the conversation. */
function conversationIn(payload: JsonRecord): JsonRecord {
  const event = typeof payload.event === "string" ? payload.event : "";
  return event.startsWith("message_") || event.startsWith("conversation_typing_") ? readRecord(payload.conversation) : payload;
}

/**
 * The agents a verified webhook names with their `available_name` (the display
 * name if the agent set one, else the full name: User#available_name,
 * app/models/concerns/user_attribute_helpers.rb), and the account they belong
 * to (0: unknown, before Chatwoot 4.14.2 on conversation events). Chatwoot
 * renders every conversation object of a webhook, top level or nested in
 * message and typing events, with Conversations::EventDataPresenter#push_data
 * (app/presenters/conversations/event_data_presenter.rb), where
 * - `meta.assignee` is `assigned_entity&.push_event_data` (push_meta), and
 * - `messages` is `[messages.chat.last&.push_event_data]` (push_messages), whose
 *   `sender` is the sender's push_event_data (Message#push_event_data,
 *   app/models/message.rb).
 * The message's own top-level `sender` and a typing event's `user` are
 * `User#webhook_data` ({id, name, email, type}: no available_name) and are
 * never read here.
 */
export function pushedAgentNames(payload: unknown): { accountId: number; agents: PushedAgentName[] } {
  if (!isRecord(payload)) return { accountId: 0, agents: [] };
  const conversation = conversationIn(payload);
  const agents: PushedAgentName[] = [];
  const assignee = pushedUser(readRecord(conversation.meta).assignee);
  if (assignee !== undefined) agents.push(assignee);
  const messages = Array.isArray(conversation.messages) ? conversation.messages.slice(0, MAX_PUSH_MESSAGES) : [];
  for (const message of messages) {
    const sender = pushedUser(readRecord(message).sender);
    if (sender !== undefined && !agents.some((agent) => agent.id === sender.id)) agents.push(sender);
  }
  return { accountId: agents.length === 0 ? 0 : accountIdOf(payload, conversation), agents };
}
