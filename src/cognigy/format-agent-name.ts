/** The longest format read: a prefix such as "{agent} (Support): {text}" needs far less. */
export const MAX_AGENT_NAME_FORMAT = 200;

/**
 * An agent's text with the agent's name, as the designer's format says:
 * `{agent}` becomes the name and `{text}` the text, in one pass, so a name or
 * a text holding "{text}" is never replaced again. A format without `{text}`
 * is a prefix (the text follows after a space). An empty format, or no name
 * (an automation rule's message), leaves the text as sent.
 */
export function formatAgentName(format: string, agentName: string, text: string): string {
  const trimmed = format.trim();
  if (trimmed === "" || agentName.trim() === "" || text === "") return text;
  const template = trimmed.includes("{text}") ? trimmed : `${trimmed} {text}`;
  return template.replace(/\{(agent|text)\}/g, (_, token: string) => (token === "agent" ? agentName.trim() : text));
}
