import { describeWait, renderQueueUpdate, waitMinutes } from "../../src/cognigy/render-queue-update";

const DEFAULT = "You are number {position} in the queue. Estimated wait: {wait}.";

describe("describeWait", () => {
  it.each([
    [0, "less than a minute"],
    [59, "less than a minute"],
    [60, "about 1 minute"],
    [89, "about 1 minute"],
    [90, "about 2 minutes"],
    [240, "about 4 minutes"],
    [3_569, "about 59 minutes"],
    [3_570, "about 1 hour"],
    [3_600, "about 1 hour"],
    [4_200, "about 1 hour 10 minutes"],
    [3_660, "about 1 hour 1 minute"],
    [7_200, "about 2 hours"],
    [9_000, "about 2 hours 30 minutes"],
  ])("%i s reads %s", (seconds, words) => {
    expect(describeWait(seconds)).toBe(words);
  });
});

describe("waitMinutes", () => {
  it.each([
    [0, 1],
    [29, 1],
    [90, 2],
    [240, 4],
    [4_200, 70],
  ])("%i s is %i minute(s)", (seconds, minutes) => {
    expect(waitMinutes(seconds)).toBe(minutes);
  });
});

describe("renderQueueUpdate", () => {
  it.each<[string, string, number, number | null, string]>([
    ["the default with an estimate", DEFAULT, 3, 240, "You are number 3 in the queue. Estimated wait: about 4 minutes."],
    ["the default, next in line, short wait", DEFAULT, 1, 20, "You are number 1 in the queue. Estimated wait: less than a minute."],
    ["the default without an estimate: the wait sentence is dropped", DEFAULT, 3, null, "You are number 3 in the queue."],
    ["minutes as a number, for other languages", "Sie sind Nummer {position}. Wartezeit: ca. {waitMinutes} Min.", 2, 600, "Sie sind Nummer 2. Wartezeit: ca. 10 Min."],
    ["a localised template without an estimate, sentence by sentence", "Sie sind Nummer {position}. Wartezeit: ca. {waitMinutes} Min.", 2, null, "Sie sind Nummer 2."],
    ["line breaks end a sentence", "Position: {position}\nWait: {wait}", 5, null, "Position: 5"],
    ["a template only about the wait says nothing without an estimate", "Estimated wait: {wait}", 4, null, ""],
    ["a question or exclamation ends a sentence", "You're next! Ready in {wait}? Thanks.", 1, null, "You're next! Thanks."],
    ["a decimal point is no sentence end", "Queue v1.5: you are {position}. Wait {wait}.", 2, null, "Queue v1.5: you are 2."],
    ["full-width stops end a sentence", "順番は{position}番です。待ち時間は{waitMinutes}分です。", 2, null, "順番は2番です。"],
    ["unknown braces stay", "{position} {name}", 2, 60, "2 {name}"],
  ])("%s", (_, template, position, wait, expected) => {
    expect(renderQueueUpdate(template, position, wait)).toBe(expected);
  });

  it("replaces in one pass: a token produced by a replacement is not replaced again", () => {
    expect(renderQueueUpdate("{position}{wait}", 7, 60)).toBe("7about 1 minute");
  });

  it("renders a long template of full stops in linear time", () => {
    const template = `${".".repeat(400)}{wait}`;
    expect(renderQueueUpdate(template, 1, null)).toBe("");
  });
});
