import { MAX_CANCEL_BUTTON_TEXT, renderAcceptedMessage } from "../../src/cognigy/render-accepted-message";

const MESSAGE = "Please wait a moment, I am connecting you with a colleague.";

describe("renderAcceptedMessage", () => {
  it("sends the message with the cancel button as a quick reply in Cognigy's and Webchat's formats; the payload is the button's text", () => {
    const { output, cancelPayload } = renderAcceptedMessage(MESSAGE, "Cancel");
    expect(cancelPayload).toBe("Cancel");
    expect(output).toEqual({
      text: MESSAGE,
      data: {
        type: "quickReplies",
        _cognigy: {
          _default: { _quickReplies: { type: "quick_replies", text: MESSAGE, quickReplies: [{ id: 1, contentType: "postback", title: "Cancel", payload: "Cancel" }] } },
          _webchat: { message: { text: MESSAGE, quick_replies: [{ content_type: "text", title: "Cancel", payload: "Cancel" }] } },
        },
      },
    });
  });

  it.each<[string, string, string, { text: string } | null, string | null]>([
    ["an empty button text: the message alone", MESSAGE, "", { text: MESSAGE }, null],
    ["a button text of blanks: the message alone", MESSAGE, "   ", { text: MESSAGE }, null],
    ["an empty message: nothing said, no button", "", "Cancel", null, null],
    ["a message of blanks: nothing said, no button", "  \n", "Cancel", null, null],
  ])("%s", (_, message, button, output, payload) => {
    const rendered = renderAcceptedMessage(message, button);
    expect(rendered.output).toEqual(output);
    expect(rendered.cancelPayload).toBe(payload);
  });

  it("trims the button text and folds its white space", () => {
    expect(renderAcceptedMessage(MESSAGE, "  Stop\n waiting ").cancelPayload).toBe("Stop waiting");
  });

  it(`cuts a button text longer than ${MAX_CANCEL_BUTTON_TEXT} characters, the same in title and payload`, () => {
    const { output, cancelPayload } = renderAcceptedMessage(MESSAGE, "x".repeat(500));
    expect(cancelPayload).toHaveLength(MAX_CANCEL_BUTTON_TEXT);
    expect(JSON.stringify(output?.data)).toContain(`"title":"${cancelPayload}","payload":"${cancelPayload}"`);
  });
});
