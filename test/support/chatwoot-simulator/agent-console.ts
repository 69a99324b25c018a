import type { FakeAttachment, FakeMessage } from "./model";
import type { FakeChatwootStore } from "./store";

export interface ConsoleFile {
  name: string;
  contentType: string;
  data: Buffer;
}

/** What an agent sees of a message in the dashboard. */
export interface AgentView {
  from: "contact" | "agent" | "bot" | "note" | "template";
  text: string;
  files: string[];
}

function fileType(contentType: string): FakeAttachment["fileType"] {
  if (/^image\/(jpeg|jpg|png|gif|bmp|webp)$/.test(contentType)) return "image";
  if (/^video\/(mp4|webm|ogg|quicktime)$/.test(contentType)) return "video";
  if (contentType.startsWith("audio/")) return "audio";
  return "file";
}

function view(message: FakeMessage): AgentView {
  const from = message.private ? "note" : message.senderType === "Contact" ? "contact" : message.senderType === "AgentBot" ? "bot" : message.senderType === "Template" ? "template" : "agent";
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
    note(conversationId: number, content: string, agentId = 7): FakeMessage {
      return store.createMessage(conversationId, { content, messageType: "outgoing", private: true, sourceId: null, sender: { type: "User", id: agentId }, attachments: [] });
    },
    assign: (conversationId: number, agentId: number | null): void => store.assign(conversation(conversationId), agentId),
    resolve: (conversationId: number): void => store.setStatus(conversation(conversationId), "resolved"),
    reopen: (conversationId: number): void => store.setStatus(conversation(conversationId), "open"),
    /** As an agent editing attributes in the sidebar (or the API) would. */
    setAttributes: (conversationId: number, attributes: Record<string, unknown>): void => store.setCustomAttributes(conversation(conversationId), attributes),
    /** The conversation as the agent sees it. */
    view: (conversationId: number): AgentView[] => store.messagesOf(conversationId).map(view),
  };
}

export type AgentConsole = ReturnType<typeof createAgentConsole>;
