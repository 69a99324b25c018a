import { createServer, type Server } from "http";
import { PNG } from "pngjs";
import { readRecord } from "../../src/core/json-guards";
import { listenOnFreePort } from "../support/listen";
import { handoverFlow, handoverState, relayEvent, storedConversationId, useHarness } from "../support/extension-harness";
import type { Session } from "../support/cognigy-runtime";
import { USER_TOKEN } from "../support/chatwoot-simulator/server";

const MESSAGES = "POST /api/v1/accounts/{account_id}/conversations/{conversation_id}/messages";
const TOGGLE = "POST /api/v1/accounts/{account_id}/conversations/{conversation_id}/toggle_status";
// The test serves files from 127.0.0.1: listed, and trusted as an on-premises host would be.
const ATTACHMENT_HOSTS = { attachmentHosts: ["127.0.0.1"], privateAttachmentHosts: true };

const harness = useHarness();
const state = handoverState;
let files: Server;
let filesBase: string;
const png = PNG.sync.write(new PNG({ width: 4, height: 4 }));

beforeAll(async () => {
  files = createServer((request, response) => {
    if (request.url === "/photo.png") return void response.writeHead(200, { "content-type": "image/png" }).end(png);
    if (request.url === "/contract.pdf") return void response.writeHead(200, { "content-type": "application/pdf" }).end("%PDF-1.4 test");
    if (request.url === "/hang.png") return;
    response.writeHead(404).end();
  });
  filesBase = `http://127.0.0.1:${await listenOnFreePort(files)}`;
});

afterAll(async () => {
  await new Promise((resolve) => files.close(resolve));
});

async function send(session: Session, text: string, options: { data?: Record<string, unknown>; inputId?: string; intent?: string; session?: Record<string, unknown> } = {}) {
  return harness.runtime.runFlow(session, handoverFlow({}, options.session ?? {})(text), { text, ...(options.data ? { data: options.data } : {}), ...(options.inputId ? { inputId: options.inputId } : {}), ...(options.intent ? { intent: options.intent } : {}) });
}

async function inject(session: Session, event: Record<string, unknown>, sessionConfig: Record<string, unknown> = {}) {
  return harness.runtime.runFlow(session, handoverFlow({}, sessionConfig)(""), { data: { chatwoot: event } });
}

async function liveSession(): Promise<Session> {
  const session = harness.runtime.createSession();
  await send(session, "agent");
  harness.chatwoot.clearRequests();
  return session;
}

function lastMessage() {
  return harness.chatwoot.store.messages.at(-1);
}

describe("Chatwoot Session: the user's messages while an agent is on", () => {
  it("forwards text in exactly one request, with the input id as source_id, and stops the flow", async () => {
    const session = await liveSession();
    const result = await send(session, "It still blinks", { inputId: "input-42" });
    expect(harness.chatwoot.operations()).toEqual([MESSAGES]);
    expect(lastMessage()).toMatchObject({ messageType: "incoming", content: "It still blinks", sourceId: "cognigy:input:input-42", conversationId: storedConversationId(session) });
    expect(result.outputs).toEqual([]);
    expect(result.runs.map((run) => run.next)).toEqual([{ kind: "stop" }]);
  });

  it("never posts the same input twice", async () => {
    const session = await liveSession();
    await send(session, "once", { inputId: "same" });
    await send(session, "once", { inputId: "same" });
    expect(harness.chatwoot.operations()).toEqual([MESSAGES]);
  });

  it("uploads an image and a PDF from input.data as multipart, with the text, in one request", async () => {
    const session = await liveSession();
    const attachments = [
      { fileName: "photo.png", mimeType: "image/png", size: png.length, url: `${filesBase}/photo.png` },
      { fileName: "contract.pdf", mimeType: "application/pdf", size: 13, url: `${filesBase}/contract.pdf` },
    ];
    await send(session, "see attached", { data: { attachments }, session: ATTACHMENT_HOSTS });
    expect(harness.chatwoot.operations()).toEqual([MESSAGES]);
    expect(harness.chatwoot.requests[0]?.files.map((file) => [file.name, file.contentType, file.size])).toEqual([
      ["photo.png", "image/png", png.length],
      ["contract.pdf", "application/pdf", 13],
    ]);
    expect(lastMessage()?.attachments.map((file) => file.fileType)).toEqual(["image", "file"]);
    expect(lastMessage()?.content).toBe("see attached");
  });

  it("forwards an image without text", async () => {
    const session = await liveSession();
    await send(session, "", { data: { attachments: [{ fileName: "photo.png", mimeType: "image/png", url: `${filesBase}/photo.png` }] }, session: ATTACHMENT_HOSTS });
    expect(lastMessage()).toMatchObject({ content: "", attachments: [{ name: "photo.png", fileType: "image" }] });
  });

  it("forwards the files of Cognigy's top-level input.attachments, a list of URLs (G10), each once", async () => {
    const session = await liveSession();
    const data = { attachments: [{ fileName: "photo.png", mimeType: "image/png", url: `${filesBase}/photo.png` }] };
    const extra = { attachments: [`${filesBase}/photo.png`, `${filesBase}/contract.pdf`] };
    await harness.runtime.runFlow(session, handoverFlow({}, ATTACHMENT_HOSTS)("both"), { text: "both", data, extra });
    expect(harness.chatwoot.requests[0]?.files.map((file) => file.name)).toEqual(["photo.png", "contract.pdf"]);
    expect(lastMessage()).toMatchObject({ content: "both", attachments: [{ fileType: "image" }, { fileType: "file" }] });
  });

  it("refuses to fetch attachments from private addresses and tells the agent what was not transferred", async () => {
    const session = await liveSession();
    const result = await send(session, "my photo", { data: { attachments: [{ fileName: "photo.png", url: `${filesBase}/photo.png` }] } });
    expect(lastMessage()?.attachments).toEqual([]);
    expect(lastMessage()?.content).toContain("The user sent files that could not be transferred: photo.png (host 127.0.0.1 is private)");
    expect(result.runs[0]?.logs.map((log) => log.level)).toContain("warn");
  });

  it("stays within Cognigy's 20 s when a file host hangs: the text goes to the agent with a notice", async () => {
    const session = await liveSession();
    const attachments = [1, 2, 3].map((n) => ({ fileName: `slow-${n}.png`, url: `${filesBase}/hang.png?${n}` }));
    const result = await send(session, "three photos", { data: { attachments }, session: ATTACHMENT_HOSTS });
    expect(result.runs[0]?.durationMs).toBeLessThan(12_000);
    expect(lastMessage()?.content).toContain("three photos");
    expect(lastMessage()?.content).toContain("slow-1.png");
    expect(lastMessage()?.attachments).toEqual([]);
  });

  it("takes the error exit when Chatwoot refuses the message, and keeps the handover live", async () => {
    const session = await liveSession();
    harness.chatwoot.fault(MESSAGES, { status: 500, body: { error: "boom" } });
    const result = await send(session, "hello?");
    expect(result.runs[0]?.next).toEqual({ kind: "child", type: "onChatwootSessionError" });
    expect(readRecord(state(session).error)).toMatchObject({ operation: "post message", status: 500 });
    expect(state(session).status).toBe("live");
  });

  it("cancels on a keyword while no agent has answered: a private note for the agent, resolves the conversation and returns to the bot", async () => {
    const session = await liveSession();
    const result = await send(session, "Stop", { session: { cancelKeywords: ["stop"], cancelledMessage: "OK, back to me." } });
    expect(harness.chatwoot.operations()).toEqual([MESSAGES, TOGGLE]);
    expect(lastMessage()).toMatchObject({ messageType: "outgoing", private: true, content: "The user cancelled the handover with a cancel keyword before an agent answered, and is back with the assistant." });
    expect(lastMessage()?.sourceId).toMatch(/^cognigy:cancel:/);
    expect(harness.chatwoot.store.conversations[0]?.status).toBe("resolved");
    expect(result.runs[0]?.next).toEqual({ kind: "child", type: "onChatwootSessionCancelled" });
    expect(result.outputs.map((output) => output.text)).toEqual(["OK, back to me."]);
    expect(state(session).status).toBe("ended");
  });

  it("cancels on the cancel intent", async () => {
    const session = await liveSession();
    await send(session, "forget it", { intent: "stopHandover", session: { cancelIntent: "stopHandover" } });
    expect(state(session).status).toBe("ended");
  });

  it("resolves all the same, with a warning, when Chatwoot refuses the note", async () => {
    const session = await liveSession();
    harness.chatwoot.fault(MESSAGES, { status: 500, body: { error: "boom" } });
    const result = await send(session, "Cancel");
    expect(harness.chatwoot.operations()).toEqual([MESSAGES, TOGGLE]);
    expect(harness.chatwoot.store.conversations[0]?.status).toBe("resolved");
    expect(result.runs[0]?.next).toEqual({ kind: "child", type: "onChatwootSessionCancelled" });
    expect(state(session).warnings).toEqual([expect.stringContaining("post cancel note")]);
  });

  it("forwards the keyword once an agent has answered", async () => {
    const session = await liveSession();
    await inject(session, relayEvent(session, { type: "agent_message", messageId: 1, text: "Hi, Anna here", attachments: [], agentName: "Anna" }));
    await send(session, "stop", { session: { cancelKeywords: ["stop"] } });
    expect(harness.chatwoot.operations()).toEqual([MESSAGES]);
    expect(state(session).status).toBe("live");
  });
});

describe("Chatwoot Session: relay events", () => {
  it("outputs an agent's text and attachments in Cognigy's default and Webchat formats, then stops", async () => {
    const session = await liveSession();
    const attachments = [
      { url: "https://chat.example.com/files/a.gif", kind: "image" as const, name: "a.gif" },
      { url: "https://chat.example.com/files/b.mp4", kind: "video" as const, name: "b.mp4" },
      { url: "https://chat.example.com/files/c.mp3", kind: "audio" as const, name: "c.mp3" },
      { url: "https://chat.example.com/files/d.pdf", kind: "file" as const, name: "d.pdf", size: 2048 },
    ];
    const result = await inject(session, relayEvent(session, { type: "agent_message", messageId: 5, text: "Here you go", attachments, agentName: "Anna" }));
    // Issue 11 (G6): a file is Webchat's file tile with no text under it; other channels get a link button in _default.
    expect(result.outputs.map((output) => output.text)).toEqual(["Here you go", "", "", "", ""]);
    expect(result.outputs[1]?.data).toMatchObject({
      _cognigy: {
        _default: { _image: { type: "image", imageUrl: attachments[0]?.url } },
        _webchat: { message: { attachment: { type: "image", payload: { url: attachments[0]?.url } } } },
      },
    });
    expect(result.outputs[2]?.data).toMatchObject({ _cognigy: { _default: { _video: { videoUrl: attachments[1]?.url } }, _webchat: { message: { attachment: { type: "video" } } } } });
    expect(result.outputs[3]?.data).toMatchObject({ _cognigy: { _default: { _audio: { audioUrl: attachments[2]?.url } }, _webchat: { message: { attachment: { type: "audio" } } } } });
    expect(result.outputs[4]?.data).toMatchObject({
      attachments: [{ fileName: "d.pdf", url: attachments[3]?.url, mimeType: "application/pdf", size: 2048 }],
      _cognigy: { _default: { _buttons: { buttons: [{ type: "web_url", url: attachments[3]?.url }] } } },
    });
    expect(result.runs[0]?.next).toEqual({ kind: "stop" });
    expect(result.runs[0]?.calls.length).toBeLessThanOrEqual(10);
    expect(harness.chatwoot.requests).toEqual([]);
  });

  it("stays within 10 api calls for a message with 15 attachments", async () => {
    const session = await liveSession();
    const attachments = Array.from({ length: 15 }, (_, index) => ({ url: `https://chat.example.com/f/${index}.png`, kind: "image" as const, name: `${index}.png` }));
    const result = await inject(session, relayEvent(session, { type: "agent_message", messageId: 6, text: "many", attachments, agentName: "Anna" }));
    expect(result.runs[0]?.calls.length).toBeLessThanOrEqual(10);
    expect(result.outputs.at(-1)?.text).toContain("https://chat.example.com/f/14.png");
  });

  it("cuts an agent message longer than Cognigy accepts instead of failing", async () => {
    const session = await liveSession();
    // Within Cognigy's 65 kB input limit (the relay clips longer ones before injecting), beyond what one output may carry.
    const text = "x".repeat(60_000);
    const result = await inject(session, relayEvent(session, { type: "agent_message", messageId: 8, text, attachments: [], agentName: "Anna" }));
    expect(result.outputs[0]?.text).toHaveLength(10_000);
    expect(result.outputs[0]?.text.endsWith("…")).toBe(true);
  });

  it("does not run the bot on a relay event that arrived too late to be accepted", async () => {
    const session = harness.runtime.createSession();
    const late = relayEvent(session, { type: "status_changed", status: "resolved" }, { ts: Date.now() - 10 * 60_000 });
    const result = await inject(session, late);
    expect(result.outputs).toEqual([]);
    expect(result.runs[0]?.next).toEqual({ kind: "stop" });
  });

  it("outputs an event only once, even if it arrives twice", async () => {
    const session = await liveSession();
    const event = relayEvent(session, { type: "agent_message", messageId: 7, text: "Once", attachments: [], agentName: "Anna" });
    const first = await inject(session, event);
    const second = await inject(session, event);
    expect(first.outputs.map((output) => output.text)).toEqual(["Once"]);
    expect(second.outputs).toEqual([]);
  });

  it("returns the user to the bot when the agent resolves: message, 'Resolved by agent' branch, bot answers next", async () => {
    const session = await liveSession();
    const resolved = await inject(session, relayEvent(session, { type: "status_changed", status: "resolved" }));
    expect(resolved.outputs.map((output) => output.text)).toEqual(["The agent has closed the conversation. You are back with the assistant.", "Back with the bot."]);
    expect(state(session).status).toBe("ended");
    const next = await send(session, "what are your opening hours?");
    expect(next.outputs.map((output) => output.text)).toEqual(["Bot answers: what are your opening hours?"]);
    expect(harness.chatwoot.requests).toEqual([]);
  });

  it("makes the handover live again when the agent reopens", async () => {
    const session = await liveSession();
    await inject(session, relayEvent(session, { type: "status_changed", status: "resolved" }));
    const reopened = await inject(session, relayEvent(session, { type: "status_changed", status: "open" }), { reopenedMessage: "The agent is back." });
    expect(reopened.outputs.map((output) => output.text)).toEqual(["The agent is back."]);
    await send(session, "thanks for coming back");
    expect(harness.chatwoot.operations()).toEqual([MESSAGES]);
    expect(state(session).status).toBe("live");
  });

  it("forwards the CSAT survey text and link, unless switched off", async () => {
    const session = await liveSession();
    const link = "https://chat.example.com/survey/responses/abc";
    const shown = await inject(session, relayEvent(session, { type: "csat", messageId: 9, text: `Please rate this conversation, ${link}`, link }));
    expect(shown.outputs[0]).toMatchObject({ text: `Please rate this conversation, ${link}`, data: { _cognigy: { _default: { _buttons: { buttons: [{ url: link }] } } } } });
    const hidden = await inject(session, relayEvent(session, { type: "csat", messageId: 10, text: "Rate us", link }), { forwardCsat: false });
    expect(hidden.outputs).toEqual([]);
  });

  it("announces the agent who joined, when a message is configured", async () => {
    const session = await liveSession();
    const result = await inject(session, relayEvent(session, { type: "agent_assigned", agentName: "Anna" }), { agentJoinedMessage: "{agent} has joined." });
    expect(result.outputs.map((output) => output.text)).toEqual(["Anna has joined."]);
  });

  it("ignores events for a conversation that is not this session's handover", async () => {
    const session = await liveSession();
    const result = await inject(session, relayEvent(session, { type: "status_changed", status: "resolved" }, { conversationId: 999 }));
    expect(result.outputs).toEqual([]);
    expect(state(session).status).toBe("live");
  });
});

describe("Chatwoot Session: forged relay events", () => {
  const forgeries: [string, (session: Session) => Record<string, unknown>][] = [
    ["without a signature", (session) => ({ ...relayEvent(session, { type: "status_changed", status: "resolved" }), sig: undefined })],
    ["signed with another secret", (session) => relayEvent(session, { type: "status_changed", status: "resolved" }, { secret: "another-secret-of-sufficient-length-000" })],
    ["older than five minutes", (session) => relayEvent(session, { type: "status_changed", status: "resolved" }, { ts: Date.now() - 5 * 60_000 - 1_000 })],
    ["for another session", (session) => relayEvent(session, { type: "status_changed", status: "resolved" }, { sessionId: "someone-else" })],
    ["altered after signing", (session) => ({ ...relayEvent(session, { type: "status_changed", status: "open" }), status: "resolved" })],
  ];

  it.each(forgeries)("does not let a user end the handover with an event %s", async (_, forge) => {
    const session = await liveSession();
    const result = await send(session, "", { data: { chatwoot: forge(session) } });
    expect(state(session).status).toBe("live");
    expect(result.runs[0]?.next).toEqual({ kind: "stop" });
    expect(result.runs[0]?.logs.some((log) => log.level === "warn" && log.message.includes("not accepted as a relay event"))).toBe(true);
  });

  it("does not let a user speak as the agent: the forged text goes to the agent as the user's", async () => {
    const session = await liveSession();
    const forged = { ...relayEvent(session, { type: "agent_message", messageId: 11, text: "Your refund is approved", attachments: [], agentName: "Anna" }), sig: "AAAA" };
    const result = await send(session, "I am the agent now", { data: { chatwoot: forged } });
    expect(result.outputs).toEqual([]);
    expect(lastMessage()).toMatchObject({ messageType: "incoming", content: "I am the agent now" });
  });

  it("forwards the user's text that comes with a genuine event: the relay's events never carry text, so it is the user's input", async () => {
    const session = await liveSession();
    const genuine = relayEvent(session, { type: "agent_message", messageId: 12, text: "How can I help?", attachments: [], agentName: "Anna" });
    const shown = await inject(session, genuine);
    expect(shown.outputs.map((output) => output.text)).toEqual(["How can I help?"]);
    // Replayed (already handled) and fresh (not yet delivered), each with the user's text.
    const fresh = relayEvent(session, { type: "status_changed", status: "resolved" });
    for (const [text, event] of [["replayed with text", genuine], ["fresh with text", fresh]] as const) {
      const result = await send(session, text, { data: { chatwoot: event } });
      expect(result.outputs).toEqual([]);
      expect(lastMessage()).toMatchObject({ messageType: "incoming", content: text });
      expect(result.runs[0]?.logs).toContainEqual({ level: "warn", message: expect.stringContaining("not accepted as a relay event (with_user_input)") });
    }
    expect(state(session).status).toBe("live");
    expect(state(session).handledEvents).toEqual([genuine.id]);
    // The relay's own delivery of the fresh event still counts.
    const delivered = await inject(session, fresh);
    expect(delivered.outputs.map((output) => output.text)).toEqual(["The agent has closed the conversation. You are back with the assistant.", "Back with the bot."]);
  });

  it("treats a forged event as ordinary input when no handover is live", async () => {
    const session = harness.runtime.createSession();
    const forged = { type: "agent_message", text: "Refund approved", sig: "x" };
    const result = await send(session, "hello", { data: { chatwoot: forged } });
    expect(result.outputs.map((output) => output.text)).toEqual(["Bot answers: hello"]);
  });
});

describe("Chatwoot Session: inactivity", () => {
  it("returns the user to the bot when the agent's side was silent longer than configured", async () => {
    const session = await liveSession();
    const stored = readRecord(session.context.chatwoot);
    session.context.chatwoot = { ...stored, conversation: { ...readRecord(stored.conversation), lastActivityAt: Date.now() - 31 * 60_000 } };
    const result = await send(session, "hello?", { session: { inactivityMinutes: 30, inactivityMessage: "Our team is busy, so I'm back." } });
    expect(result.outputs.map((output) => output.text)).toEqual(["Our team is busy, so I'm back.", "Bot answers: hello?"]);
    expect(harness.chatwoot.operations()).toEqual([TOGGLE]);
    expect(harness.chatwoot.store.conversations[0]?.status).toBe("resolved");
    expect(state(session).status).toBe("ended");
  });

  it("keeps forwarding while the agent's side is active", async () => {
    const session = await liveSession();
    await send(session, "hello?", { session: { inactivityMinutes: 30 } });
    expect(harness.chatwoot.operations()).toEqual([MESSAGES]);
  });
});

describe("Chatwoot Session: while the bot is in charge", () => {
  it("records the user's turns for the history, bounded and rolling, and lets the flow continue", async () => {
    const session = harness.runtime.createSession();
    for (let turn = 1; turn <= 5; turn += 1) await send(session, `turn ${turn}`, { session: { historyMaxTurns: 3 } });
    const history = (Array.isArray(state(session).history) ? state(session).history : []) as unknown[];
    expect(history.map((turn) => readRecord(turn).text)).toEqual(["turn 3", "turn 4", "turn 5"]);
    expect(harness.chatwoot.requests).toEqual([]);
  });

  it("records no history when recording is off, only that a Session node saw the input (for a Handover node below it)", async () => {
    const session = harness.runtime.createSession();
    const result = await send(session, "hello", { session: { recordHistory: false } });
    expect(readRecord(session.context.chatwoot).history).toEqual([]);
    expect(readRecord(session.context.chatwoot).sessionSeen).toMatchObject({ inputId: expect.any(String) });
    expect(result.runs[0]?.calls).toEqual(["addToContext"]);
  });

  it("takes the error exit, naming the field, when the connection is broken", async () => {
    harness.runtime.setConnection("cw", { baseUrl: harness.chatwoot.baseUrl, accountId: "1", apiKey: USER_TOKEN, relaySecret: "" });
    const session = harness.runtime.createSession();
    const result = await send(session, "hello");
    expect(result.runs[0]?.next).toEqual({ kind: "child", type: "onChatwootSessionError" });
    expect(result.runs[0]?.logs[0]?.message).toContain('field "relaySecret" is missing');
  });
});

describe("Chatwoot Session: the cancel button (issue 13)", () => {
  it("pressing it before an agent answered cancels as the keyword does: note, resolve, 'Cancelled by user', outcome 'user'", async () => {
    const session = await liveSession();
    expect(readRecord(state(session).conversation).cancelPayload).toBe("Cancel");
    const result = await send(session, "Cancel", { session: { cancelledMessage: "OK, back to me." } });
    expect(harness.chatwoot.operations()).toEqual([MESSAGES, TOGGLE]);
    expect(lastMessage()).toMatchObject({ private: true, content: "The user cancelled the handover with the cancel button before an agent answered, and is back with the assistant." });
    expect(harness.chatwoot.store.conversations[0]?.status).toBe("resolved");
    expect(result.runs[0]?.next).toEqual({ kind: "child", type: "onChatwootSessionCancelled" });
    expect(result.outputs.map((output) => output.text)).toEqual(["OK, back to me."]);
    expect(state(session)).toMatchObject({ status: "ended", outcome: { endedBy: "user", agentName: null, labels: [], waitSeconds: null, durationSeconds: expect.any(Number) } });
  });

  it("pressing it after an agent answered is ordinary text for the agent", async () => {
    const session = await liveSession();
    await inject(session, relayEvent(session, { type: "agent_message", messageId: 1, text: "Hi, Anna here", attachments: [], agentName: "Anna" }));
    harness.chatwoot.clearRequests();
    const result = await send(session, "Cancel");
    expect(harness.chatwoot.operations()).toEqual([MESSAGES]);
    expect(lastMessage()).toMatchObject({ messageType: "incoming", private: false, content: "Cancel" });
    expect(result.runs[0]?.next).toEqual({ kind: "stop" });
    expect(state(session).status).toBe("live");
  });
});

describe("Chatwoot Session: queue updates (issue 13)", () => {
  async function queuedSession(handover: Record<string, unknown> = {}): Promise<Session> {
    const session = harness.runtime.createSession();
    await harness.runtime.runFlow(session, handoverFlow({ queueUpdates: true, ...handover })("agent"), { text: "agent" });
    harness.chatwoot.clearRequests();
    return session;
  }

  it("shows each new position with the wait in one output, nothing for a repeat, nothing once an agent answered; no Chatwoot request", async () => {
    const session = await queuedSession();
    const shown: string[] = [];
    const calls: number[] = [];
    const events = [
      relayEvent(session, { type: "queue_update", position: 3, waitSeconds: 300 }),
      relayEvent(session, { type: "queue_update", position: 3, waitSeconds: 240 }),
      relayEvent(session, { type: "queue_update", position: 2, waitSeconds: null }),
      relayEvent(session, { type: "agent_message", messageId: 3, text: "Hi, Anna here", attachments: [], agentName: "Anna" }),
      relayEvent(session, { type: "queue_update", position: 1, waitSeconds: 60 }),
    ];
    for (const event of events) {
      const result = await inject(session, event);
      shown.push(...result.outputs.map((output) => output.text));
      calls.push(result.runs[0]?.calls.length ?? 0);
    }
    expect(shown).toEqual(["You are number 3 in the queue. Estimated wait: about 5 minutes.", "You are number 2 in the queue.", "Hi, Anna here"]);
    expect(Math.max(...calls)).toBeLessThanOrEqual(3);
    expect(harness.chatwoot.requests).toEqual([]);
  });

  it("uses the designer's template, with minutes as a number", async () => {
    const session = await queuedSession({ queueUpdateMessage: "Sie sind Nummer {position}. Wartezeit: ca. {waitMinutes} Min." });
    const result = await inject(session, relayEvent(session, { type: "queue_update", position: 4, waitSeconds: 600 }));
    expect(result.outputs.map((output) => output.text)).toEqual(["Sie sind Nummer 4. Wartezeit: ca. 10 Min."]);
  });

  it("ignores queue updates when the handover did not ask for them", async () => {
    const session = await liveSession();
    const result = await inject(session, relayEvent(session, { type: "queue_update", position: 2, waitSeconds: 60 }));
    expect(result.outputs).toEqual([]);
    expect(result.runs[0]?.next).toEqual({ kind: "stop" });
  });
});

describe("Chatwoot Session: agent names (issue 13)", () => {
  it("shows agent messages with the agent's name as formatted, automation messages as sent, and the joined message with the same name", async () => {
    const session = await liveSession();
    const config = { agentNameFormat: "{agent}: {text}", agentJoinedMessage: "{agent} has joined." };
    const joined = await inject(session, relayEvent(session, { type: "agent_assigned", agentName: "Anna" }), config);
    const agent = await inject(session, relayEvent(session, { type: "agent_message", messageId: 1, text: "How can I help?", attachments: [], agentName: "Anna" }), config);
    const automation = await inject(session, relayEvent(session, { type: "agent_message", messageId: 2, text: "We reply within a day.", attachments: [], agentName: "", from: "automation" }), config);
    expect([...joined.outputs, ...agent.outputs, ...automation.outputs].map((output) => output.text)).toEqual(["Anna has joined.", "Anna: How can I help?", "We reply within a day."]);
  });
});

describe("Chatwoot Session: the outcome (issue 13)", () => {
  it("records 'agent' with the resolving event's labels, the agent, the wait and the duration; a new handover clears it", async () => {
    const session = await liveSession();
    await inject(session, relayEvent(session, { type: "agent_message", messageId: 1, text: "Hi", attachments: [], agentName: "Anna" }));
    await inject(session, relayEvent(session, { type: "status_changed", status: "resolved", labels: ["vip", "refund"] }));
    expect(state(session).outcome).toEqual({ endedBy: "agent", agentName: "Anna", labels: ["vip", "refund"], waitSeconds: expect.any(Number), durationSeconds: expect.any(Number) });
    const outcome = readRecord(state(session).outcome);
    expect(Number(outcome.waitSeconds)).toBeLessThanOrEqual(Number(outcome.durationSeconds));
    await send(session, "agent again");
    expect(state(session)).toMatchObject({ status: "live", outcome: null });
  });

  it("records 'timeout' when the agent's side was silent too long, and clears it when the agent reopens", async () => {
    const session = await liveSession();
    const stored = readRecord(session.context.chatwoot);
    session.context.chatwoot = { ...stored, conversation: { ...readRecord(stored.conversation), startedAt: Date.now() - 31 * 60_000, lastActivityAt: Date.now() - 31 * 60_000 } };
    await send(session, "hello?", { session: { inactivityMinutes: 30 } });
    expect(state(session).outcome).toEqual({ endedBy: "timeout", agentName: null, labels: [], waitSeconds: null, durationSeconds: expect.any(Number) });
    expect(Number(readRecord(state(session).outcome).durationSeconds)).toBeGreaterThanOrEqual(31 * 60);
    await inject(session, relayEvent(session, { type: "status_changed", status: "open" }));
    expect(state(session)).toMatchObject({ status: "live", outcome: null });
  });
});
