import type { FakeAttachment, FakeMessage } from "./model";
import type { FakeChatwootStore } from "./store";

export interface ConsoleFile {
  name: string;
  contentType: string;
  data: Buffer;
}

/** What an agent sees of a message in the dashboard. */
export interface AgentView {
  from: "contact" | "agent" | "bot" | "note" | "template" | "automation";
  text: string;
  files: string[];
}

/** A place an agent (or an integration) shares: Chatwoot stores it as a location attachment (C12). */
export interface ConsoleLocation {
  lat: number;
  long: number;
  title?: string;
  /** The attachment's external_url (e.g. a maps link), sent as data_url. */
  url?: string;
}

/** A reply as an agent formats it in Chatwoot's editor, which stores Markdown. */
export const MARKDOWN_REPLY = [
  "Hi **Jane**, please try this:",
  "",
  "1. Unplug the *router*",
  "2. Wait `10` seconds",
  "   - then check [the status page](https://status.example.com/router_check)",
  "",
  "Keep the file my_router_config.txt as it is.",
].join("\n");

function fileType(contentType: string): FakeAttachment["fileType"] {
  if (/^image\/(jpeg|jpg|png|gif|bmp|webp)$/.test(contentType)) return "image";
  if (/^video\/(mp4|webm|ogg|quicktime)$/.test(contentType)) return "video";
  if (contentType.startsWith("audio/")) return "audio";
  return "file";
}

function view(message: FakeMessage): AgentView {
  const nobody = message.messageType === "outgoing" ? "automation" : "template";
  const from = message.private ? "note" : message.senderType === "Contact" ? "contact" : message.senderType === "AgentBot" ? "bot" : message.senderType === "Template" ? nobody : "agent";
  return { from, text: message.content, files: message.attachments.map((file) => file.name) };
}

/** What an agent does in Chatwoot's dashboard, for tests and the demo. */
export function createAgentConsole(store: FakeChatwootStore) {
  const conversation = (id: number) => store.conversation(id);
  return {
    reply(conversationId: number, content: string, options: { agentId?: number; files?: ConsoleFile[] } = {}): FakeMessage {
      const attachments = (options.files ?? []).map((file) => ({ name: file.name, contentType: file.contentType, size: file.data.length, fileType: fileType(file.contentType), data: file.data }));
      return store.createMessage(conversationId, { content, messageType: "outgoing", private: false, sourceId: null, sender: { type: "User", id: options.agentId ?? 7 }, attachments });
    },
    /** A reply written in Markdown (bold, lists, code, a link), as the reply editor stores it. */
    replyMarkdown(conversationId: number, content: string = MARKDOWN_REPLY, agentId = 7): FakeMessage {
      return store.createMessage(conversationId, { content, messageType: "outgoing", private: false, sourceId: null, sender: { type: "User", id: agentId }, attachments: [] });
    },
    /** A location in a public message, e.g. from an integration acting for the agent. */
    location(conversationId: number, place: ConsoleLocation, options: { agentId?: number; content?: string } = {}): FakeMessage {
      const attachment: FakeAttachment = { name: place.title ?? "location", contentType: "", size: 0, fileType: "location", coordinates: { lat: place.lat, long: place.long }, fallbackTitle: place.title ?? null, externalUrl: place.url ?? null };
      return store.createMessage(conversationId, { content: options.content ?? "", messageType: "outgoing", private: false, sourceId: null, sender: { type: "User", id: options.agentId ?? 7 }, attachments: [attachment] });
    },
    /** An automation rule sends a message (or an attachment) on its own: no sender (C9). */
    automation(conversationId: number, content: string | null, options: { ruleId?: number; files?: ConsoleFile[] } = {}): FakeMessage {
      const attachments = (options.files ?? []).map((file) => ({ name: file.name, contentType: file.contentType, size: file.data.length, fileType: fileType(file.contentType), data: file.data }));
      return store.automationMessage(conversationId, content, { ...(options.ruleId === undefined ? {} : { ruleId: options.ruleId }), attachments });
    },
    /** The agent deletes a message: Chatwoot sends message_updated with "This message was deleted" (C11). */
    deleteMessage: (messageId: number): FakeMessage => store.deleteMessage(messageId),
    note(conversationId: number, content: string, agentId = 7): FakeMessage {
      return store.createMessage(conversationId, { content, messageType: "outgoing", private: true, sourceId: null, sender: { type: "User", id: agentId }, attachments: [] });
    },
    assign: (conversationId: number, agentId: number | null): void => store.assign(conversation(conversationId), agentId),
    resolve: (conversationId: number): void => store.setStatus(conversation(conversationId), "resolved"),
    /** Labels the conversation in the sidebar (replaces its labels). */
    label: (conversationId: number, labels: string[]): void => store.setLabels(conversation(conversationId), labels),
    reopen: (conversationId: number): void => store.setStatus(conversation(conversationId), "open"),
    /** As an agent editing attributes in the sidebar (or the API) would. */
    setAttributes: (conversationId: number, attributes: Record<string, unknown>): void => store.setCustomAttributes(conversation(conversationId), attributes),
    /** The conversation as the agent sees it. */
    view: (conversationId: number): AgentView[] => store.messagesOf(conversationId).map(view),
    /** Contacts → Merge: the mergee's conversations and contact inboxes move to the base contact, the mergee is deleted (C1, C2). */
    mergeContacts: (baseContactId: number, mergeeContactId: number): void => store.mergeContacts(baseContactId, mergeeContactId),
    /** Contacts → Edit (identifier, name, email, phone, type). */
    editContact: (contactId: number, fields: Parameters<FakeChatwootStore["updateContact"]>[1]): void => void store.updateContact(contactId, fields),
  };
}

export type AgentConsole = ReturnType<typeof createAgentConsole>;
