import { randomUUID } from "crypto";
import type { EntrypointState } from "./cognigy-entrypoint";
import { checkInputSize } from "./cognigy-limits";

export interface Session {
  userId: string;
  sessionId: string;
  URLToken: string;
  channel: string;
  context: Record<string, unknown>;
  profile: Record<string, unknown>;
  /** `input.execution`: how many inputs this session has had (DOC input.md:68). */
  execution?: number;
  /** Where the next input starts in a project (see cognigy-entrypoint.ts); absent until the session's first project input. */
  entrypoint?: EntrypointState;
}

export interface TurnInputSpec {
  text?: string;
  data?: Record<string, unknown>;
  intent?: string;
  inputId?: string;
  extra?: Record<string, unknown>;
}

export function createSession(overrides: Partial<Session> = {}): Session {
  return { userId: `user-${randomUUID()}`, sessionId: `session-${randomUUID()}`, URLToken: "url-token-0123456789", channel: "webchat3", context: {}, profile: {}, ...overrides };
}

/** The input object Cognigy builds for a message; `flowName` and the rest are filled in as the input runs. */
export function makeInput(session: Session, spec: TurnInputSpec, platform: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    text: spec.text ?? "",
    data: spec.data ?? {},
    intent: spec.intent ?? null,
    userId: session.userId,
    sessionId: session.sessionId,
    URLToken: session.URLToken,
    inputId: spec.inputId ?? randomUUID(),
    channel: session.channel,
    ...platform,
    ...spec.extra,
  };
}

/** A new input reaches the session: refused over 65 kB, else counted (`input.execution`). */
export function beginInput(session: Session, spec: TurnInputSpec): number {
  checkInputSize(spec.text ?? "", spec.data ?? {});
  session.execution = (session.execution ?? 0) + 1;
  return session.execution;
}
