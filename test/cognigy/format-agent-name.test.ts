import { formatAgentName } from "../../src/cognigy/format-agent-name";

describe("formatAgentName", () => {
  it.each<[string, string, string, string, string]>([
    ["empty format: the text as sent", "", "Anna", "Hello", "Hello"],
    ["name and text", "{agent}: {text}", "Anna", "Hello", "Anna: Hello"],
    ["name after the text", "{text} — {agent}", "Anna", "Hello", "Hello — Anna"],
    ["a format without {text} is a prefix", "{agent} says:", "Anna", "Hello", "Anna says: Hello"],
    ["no name (an automation rule): the text as sent", "{agent}: {text}", "", "Thanks for waiting", "Thanks for waiting"],
    ["a name of blanks counts as none", "{agent}: {text}", "  ", "Hi", "Hi"],
    ["no text (attachments only): nothing to format", "{agent}: {text}", "Anna", "", ""],
    ["the name is trimmed", "{agent}: {text}", " Anna ", "Hi", "Anna: Hi"],
    ["tokens in the name or text are not replaced again", "{agent}: {text}", "{text}", "{agent}", "{text}: {agent}"],
    ["every occurrence", "{agent}: {text} ({agent})", "Anna", "Hi", "Anna: Hi (Anna)"],
  ])("%s", (_, format, agent, text, expected) => {
    expect(formatAgentName(format, agent, text)).toBe(expected);
  });
});
