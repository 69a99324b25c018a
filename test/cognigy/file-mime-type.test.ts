import { fileMimeType, UNKNOWN_MIME_TYPE } from "../../src/cognigy/file-mime-type";

describe("fileMimeType", () => {
  it.each([
    ["report.pdf", "application/pdf"],
    ["REPORT.PDF", "application/pdf"],
    ["notes.txt", "text/plain"],
    ["table.final.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"],
    ["letter.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"],
    ["archive.zip", "application/zip"],
    ["data.csv", "text/csv"],
    ["README", UNKNOWN_MIME_TYPE],
    ["archive.7z", UNKNOWN_MIME_TYPE],
    ["trailing.", UNKNOWN_MIME_TYPE],
    ["odd.constructor", UNKNOWN_MIME_TYPE],
    ["odd.__proto__", UNKNOWN_MIME_TYPE],
  ])("%s → %s", (name, expected) => {
    expect(fileMimeType(name)).toBe(expected);
  });
});
