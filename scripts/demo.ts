import { existsSync } from "fs";
import { resolve } from "path";
import type { Session } from "../test/support/cognigy-runtime";
import ensureBuilt from "../test/support/global-setup";
import { REPO_ROOT } from "../test/support/load-extension";
import { startWorld, type World } from "../test/support/world";

/**
 * `npm run demo`: the whole loop on this machine — the built extension in a
 * Cognigy-style runtime, the real relay with its outbox in a temp dir, and a
 * Chatwoot simulator — playing three conversations and printing them as the
 * user, the agent and the bot see them.
 */

const tty = process.stdout.isTTY === true && process.env.NO_COLOR === undefined;
const paint = (code: string) => (text: string) => (tty ? `\u001b[${code}m${text}\u001b[0m` : text);
const style = { user: paint("36"), bot: paint("32"), agent: paint("35"), note: paint("33"), dim: paint("2"), bold: paint("1") };

const LANE = { user: "USER ", bot: "BOT  ", agent: "AGENT" };

function line(lane: keyof typeof LANE, arrow: string, text: string, paintWith: (text: string) => string): void {
  const [first = "", ...rest] = text.split("\n");
  process.stdout.write(`${paintWith(`${LANE[lane]} ${arrow}`)} ${first}\n`);
  for (const more of rest) process.stdout.write(`${" ".repeat(8)}${style.dim("│")} ${more}\n`);
}

/** Quick-reply titles as Webchat reads them (`_webchat.message.quick_replies`), shown as [buttons]. */
function buttons(data: unknown): string {
  const titles = [...JSON.stringify(data ?? {}).matchAll(/"content_type":"text","title":"([^"]*)"/g)].map((match) => `[${match[1] ?? ""}]`);
  return titles.length === 0 ? "" : `  ${titles.join(" ")}`;
}

function describeOutput(text: string, data: unknown): string {
  if (text !== "") return `${text}${buttons(data)}`;
  const json = JSON.stringify(data ?? {});
  const url = /"(?:imageUrl|videoUrl|audioUrl)":"([^"]+)"/.exec(json)?.[1];
  const kind = /"_(image|video|audio)"/.exec(json)?.[1] ?? "file";
  return url === undefined ? "(rich output)" : `[${kind}] ${url}`;
}

function attachedNames(data: unknown): string {
  const names = /"fileName":"([^"]+)"/g;
  const found = [...JSON.stringify(data ?? {}).matchAll(names)].map((match) => match[1]);
  return found.length === 0 ? "" : ` [files: ${found.join(", ")}]`;
}

interface Line {
  at: number;
  print: () => void;
}

/** Prints, in the order it happened, what each party newly saw since the last call. */
function createPrinter(world: World, user: Session) {
  let seenByUser = 0;
  let seenByAgent = 0;
  let lastStatus = "idle";
  return () => {
    const lines: Line[] = world.endpoint.seenBy(user).slice(seenByUser).map((entry) => ({
      at: entry.at,
      print: () =>
        entry.kind === "user"
          ? line("user", "▸", `${entry.text}${attachedNames(entry.data)}`, style.user)
          : line("user", "◂", describeOutput(entry.text, entry.data), entry.kind === "injected" ? style.agent : style.bot),
    }));
    seenByUser += lines.length;
    const conversationId = world.conversationOf(user);
    const messages = conversationId === 0 ? [] : world.chatwoot.store.messagesOf(conversationId);
    const views = conversationId === 0 ? [] : world.chatwoot.agent.view(conversationId);
    messages.slice(seenByAgent).forEach((message, offset) => {
      const view = views[seenByAgent + offset];
      if (view === undefined) return;
      const files = view.files.length === 0 ? "" : ` [files: ${view.files.join(", ")}]`;
      const prefix = view.from === "note" ? "(private note) " : view.from === "contact" ? "customer: " : view.from === "agent" ? "you: " : `${view.from}: `;
      lines.push({ at: message.createdAt, print: () => line("agent", view.from === "agent" ? "▸" : "◂", `${prefix}${view.text}${files}`, view.from === "note" ? style.note : style.agent) });
    });
    seenByAgent = messages.length;
    for (const item of lines.sort((a, b) => a.at - b.at)) item.print();
    const state = user.context.chatwoot;
    const status = typeof state === "object" && state !== null && "status" in state ? String(state.status) : "idle";
    if (status !== lastStatus) line("bot", "•", style.dim(`handover ${status}${conversationId === 0 ? "" : ` (Chatwoot conversation #${conversationId})`}`), style.bot);
    lastStatus = status;
  };
}

function heading(text: string): void {
  process.stdout.write(`\n${style.bold(`── ${text} ${"─".repeat(Math.max(0, 70 - text.length))}`)}\n`);
}

function stepper(world: World, user: Session) {
  const show = createPrinter(world, user);
  return async (action: () => Promise<void> | void, agentAction?: string): Promise<void> => {
    if (agentAction !== undefined) line("agent", "▸", style.dim(`(${agentAction})`), style.agent);
    await action();
    await world.settle();
    show();
  };
}

/** The relay's queue updates come from its poll of Chatwoot, on its own interval: wait until the user was shown `count` of them. */
async function queueUpdatesShown(world: World, user: Session, count: number): Promise<void> {
  const shown = (): number => world.endpoint.seenBy(user).filter((entry) => entry.kind === "injected" && entry.text.startsWith("You are number")).length;
  const started = Date.now();
  while (shown() < count) {
    if (Date.now() - started > 10_000) throw new Error("no queue update came");
    await new Promise((resolve) => setTimeout(resolve, 50));
    await world.settle();
  }
}

async function conversation(world: World): Promise<void> {
  const tom = world.newUser({ firstname: "Tom", lastname: "Miller", email: "tom@example.com" });
  const user = world.newUser({ firstname: "Jane", lastname: "Doe", email: "jane@example.com" });
  const step = stepper(world, user);
  heading("1. A new user asks for a human, waits in the queue (Tom is ahead)");
  await world.say(tom, "agent please");
  await step(() => world.say(user, "Hi, my internet is down since this morning"));
  await step(() => world.say(user, "I'd like to talk to a human, please"));
  await step(() => queueUpdatesShown(world, user, 1));
  await step(async () => {
    world.chatwoot.agent.reply(world.conversationOf(tom), "Hi Tom, I'm Ben.");
    await queueUpdatesShown(world, user, 2);
  }, "another agent answers Tom, who was first in the queue");
  const id = world.conversationOf(user);
  heading("2. Messages and files both ways");
  await step(() => {
    world.chatwoot.agent.reply(id, "Hi Jane, I'm Anna. Could you send me a photo of your router's lights?");
  });
  await step(() => world.say(user, "Here it is", { attachments: [world.endpoint.upload("router.png", "image/png", Buffer.from("89504e470d0a1a0a", "hex"))] }));
  await step(() => {
    world.chatwoot.agent.reply(id, "Thanks! Please follow these steps.", { files: [{ name: "reset-steps.pdf", contentType: "application/pdf", data: Buffer.from("%PDF-1.7") }] });
  });
  heading("3. The agent resolves: back to the bot; then reopens");
  await step(() => world.say(user, "It works again, thank you!"));
  await step(() => world.chatwoot.agent.resolve(id), "resolves the conversation");
  await step(() => world.say(user, "What are your opening hours?"));
  await step(() => world.chatwoot.agent.reopen(id), "reopens the conversation");
  await step(() => world.say(user, "One more question about my bill"));
  heading("4. Another user presses the Cancel button while waiting");
  const max = world.newUser({ firstname: "Max", lastname: "Weber", email: "max@example.com" });
  const maxStep = stepper(world, max);
  await maxStep(() => world.say(max, "Can I speak to a person?"));
  await maxStep(() => world.say(max, "Cancel"));
  const outcome = JSON.stringify((max.context.chatwoot as { outcome?: unknown } | undefined)?.outcome ?? null);
  line("bot", "•", style.dim(`context.chatwoot.outcome = ${outcome}`), style.bot);
}

async function main(): Promise<void> {
  ensureBuilt();
  const validate = existsSync(process.env.CHATWOOT_SWAGGER ?? resolve(REPO_ROOT, "../shared/chatwoot/swagger.json"));
  const world = await startWorld({
    simulator: { validate },
    handover: { queueUpdates: true },
    session: { agentNameFormat: "{agent}: {text}" },
    // QUEUE_UPDATE_INTERVAL_SECONDS is 60 by default; the demo does not wait that long.
    queueUpdateIntervalMs: 500,
  });
  process.stdout.write(style.dim(`Chatwoot simulator ${world.chatwoot.baseUrl}${validate ? " (requests checked against Chatwoot's OpenAPI spec)" : ""}\nRelay ${world.relayUrl} · Cognigy Endpoint ${world.endpoint.baseUrl}\n`));
  // Agent 7 shows customers her display name, as Chatwoot's agents can choose.
  world.chatwoot.store.setDisplayName(7, "Anna");
  try {
    await conversation(world);
  } finally {
    await world.close();
  }
  const violations = world.chatwoot.violations;
  if (violations.length > 0) throw new Error(`the simulator refused requests: ${violations.join("; ")}`);
  process.stdout.write(`\n${style.dim("Done: the extension, the relay and both stand-ins agreed on every step.")}\n`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`demo failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
