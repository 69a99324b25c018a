import { renderQuickReplies } from "../../src/cognigy/render-quick-replies";

describe("renderQuickReplies", () => {
  it("writes Cognigy's documented quick replies (top-level type) and Webchat's copy, which is all Webchat v3 reads (G15)", () => {
    expect(renderQuickReplies("Still there?", [{ title: "Yes", payload: "yes" }, { title: "End chat", payload: "end chat" }])).toEqual({
      text: "Still there?",
      data: {
        type: "quickReplies",
        _cognigy: {
          _default: {
            _quickReplies: {
              type: "quick_replies",
              text: "Still there?",
              quickReplies: [
                { id: 1, contentType: "postback", title: "Yes", payload: "yes" },
                { id: 2, contentType: "postback", title: "End chat", payload: "end chat" },
              ],
            },
          },
          _webchat: {
            message: {
              text: "Still there?",
              quick_replies: [
                { content_type: "text", title: "Yes", payload: "yes" },
                { content_type: "text", title: "End chat", payload: "end chat" },
              ],
            },
          },
        },
      },
    });
  });
});
