import { routeProblem, readTurnInput, type TurnInput } from "../../src/cognigy/turn-input";

const COMPLETE: TurnInput = {
  userId: "user-1",
  sessionId: "session-1",
  urlToken: "0123abcd",
  inputId: "input-1",
  text: "Hello",
  intent: "greeting",
  data: { chatwoot: { v: 1 } },
  flowName: "",
  activeOptionalQuestion: null,
  execution: null,
};

describe("readTurnInput", () => {
  it("reads the fields the nodes use, the URL token from URLToken", () => {
    const input = { userId: "user-1", sessionId: "session-1", URLToken: "0123abcd", inputId: "input-1", text: "Hello", intent: "greeting", data: { chatwoot: { v: 1 } }, channel: "webchat3" };
    expect(readTurnInput(input)).toEqual(COMPLETE);
  });

  it("reads the top-level input.attachments only when the channel sent some (G10)", () => {
    expect(readTurnInput({ attachments: ["https://files.example/a.png"] }).attachments).toEqual(["https://files.example/a.png"]);
    expect(readTurnInput({ attachments: [] })).not.toHaveProperty("attachments");
    expect(readTurnInput({ attachments: "https://files.example/a.png" })).not.toHaveProperty("attachments");
  });

  it("reads a missing input as empty fields", () => {
    expect(readTurnInput(undefined)).toEqual({ userId: "", sessionId: "", urlToken: "", inputId: "", text: "", intent: "", data: {}, flowName: "", activeOptionalQuestion: null, execution: null });
  });

  it("reads fields of the wrong type as empty", () => {
    // The platform hands over plain JSON; its declared types are not a guarantee.
    const input: unknown = JSON.parse('{"userId":"u","text":5,"intent":null,"urlToken":"lower-case key is not Cognigy\'s","data":["x"]}');
    expect(readTurnInput(typeof input === "object" && input !== null ? input : undefined)).toEqual({
      userId: "u",
      sessionId: "",
      urlToken: "",
      inputId: "",
      text: "",
      intent: "",
      data: {},
      flowName: "",
      activeOptionalQuestion: null,
      execution: null,
    });
  });

  it("keeps the text as the user typed it", () => {
    expect(readTurnInput({ text: "  spaced  " }).text).toBe("  spaced  ");
  });
});

describe("routeProblem", () => {
  it("finds no problem in a complete input", () => {
    expect(routeProblem(COMPLETE)).toBeUndefined();
  });

  it.each([
    { name: "no user id", change: { userId: "" }, expected: "input.userId is empty" },
    { name: "no session id", change: { sessionId: "" }, expected: "input.sessionId is empty" },
    { name: "no URL token (Interaction Panel)", change: { urlToken: "" }, expected: "input.URLToken is empty" },
    { name: "nothing at all", change: { userId: "", sessionId: "", urlToken: "" }, expected: "input.userId is empty" },
    { name: "a user id too long to seal", change: { userId: "u".repeat(513) }, expected: "input.userId is longer than 512 characters" },
  ])("names the field for $name", ({ change, expected }) => {
    expect(routeProblem({ ...COMPLETE, ...change })).toBe(expected);
  });

  it("does not need the text, intent or input id to route replies back", () => {
    expect(routeProblem({ ...COMPLETE, text: "", intent: "", inputId: "" })).toBeUndefined();
  });
});
