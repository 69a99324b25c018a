import { isRecord, readPositiveInteger, readRecord, type JsonRecord } from "../core/json-guards";
import { isOwnSourceId } from "../core/source-id";
import { changeOf, conversationOf, inboxIdOf, timeOf } from "./webhook-fields";

/**
 * What one verified webhook tells the queue watch (issue 13) about its
 * conversation, read from the conversation object every conversation and
 * message event carries (Conversations::EventDataPresenter#push_data,
 * app/presenters/conversations/event_data_presenter.rb: `status`,
 * `meta.assignee`, `first_reply_created_at`, `waiting_since`, `labels`).
 */
export interface QueueSignal {
  inboxId: number;
  /** The display id. */
  conversationId: number;
  status: string | undefined;
  /** An agent is assigned (`assignee_id`), or an assignment was just made. */
  assigned: boolean;
  /**
   * When an agent's first public reply was made (ms): the message's own time for
   * a human outgoing public message that is the conversation's first reply;
   * else null. Private notes, bots, automation rules and the relay's own
   * messages never count (Message#human_response?, #valid_first_reply?,
   * app/models/message.rb).
   */
  firstReplyAt: number | null;
  /** Chatwoot already recorded a first reply before this webhook (`first_reply_created_at`). */
  repliedBefore: boolean;
  /** The conversation's time in Chatwoot's payload (ms): updated_at for conversation events, the message's created_at for messages. */
  at: number | undefined;
}

function isHumanReply(payload: JsonRecord): boolean {
  if (payload.event !== "message_created" || payload.message_type !== "outgoing" || payload.private !== false) return false;
  if (isOwnSourceId(payload.source_id)) return false;
  if (readRecord(payload.content_attributes).automation_rule_id !== undefined) return false;
  return isRecord(payload.sender) && payload.sender.type === "user";
}

/** The queue-relevant facts of a webhook, or undefined when it is about no conversation. */
export function readQueueSignal(payload: unknown): QueueSignal | undefined {
  if (!isRecord(payload) || typeof payload.event !== "string") return undefined;
  const conversation = conversationOf(payload);
  const conversationId = readPositiveInteger(conversation.id);
  const inboxId = inboxIdOf(payload, conversation);
  if (conversationId === undefined || inboxId === undefined) return undefined;
  const isMessage = payload.event.startsWith("message_");
  const messageAt = isMessage ? timeOf(payload.created_at) : undefined;
  const conversationRecord = isMessage ? readRecord(payload.conversation) : payload;
  const assignee = readRecord(readRecord(conversationRecord.meta).assignee);
  const assigneeChange = changeOf(payload, "assignee_id");
  const assignedNow = assigneeChange !== undefined && assigneeChange.current !== null && assigneeChange.current !== undefined;
  // Message events nest Conversation#webhook_data, which has `assignee_id` but no meta (app/models/conversation.rb).
  const nestedAssignee = readPositiveInteger(conversationRecord.assignee_id);
  const firstReplyField = timeOf(conversationRecord.first_reply_created_at);
  const human = isHumanReply(payload);
  const replyAt = human ? (messageAt ?? null) : null;
  // A first reply Chatwoot recorded clearly (over a second) before this message: this one is not the first.
  const repliedBefore = firstReplyField !== undefined && (replyAt === null || firstReplyField < replyAt - 1_000);
  return {
    inboxId,
    conversationId,
    status: typeof conversationRecord.status === "string" ? conversationRecord.status : undefined,
    // An agent bot as assignee (assignee_agent_bot_id) leaves assignee_id empty: still "unassigned" in Chatwoot's listing.
    assigned: (Object.keys(assignee).length > 0 && assignee.type !== "agent_bot") || assignedNow || nestedAssignee !== undefined,
    firstReplyAt: repliedBefore ? null : replyAt,
    repliedBefore,
    at: messageAt ?? timeOf(payload.updated_at ?? payload.timestamp),
  };
}
