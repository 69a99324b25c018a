/**
 * Common document types by file extension. Chatwoot's webhook gives a file's
 * kind, not its content type; Webchat's file tile needs a `mimeType` and uses
 * it only to decide whether to preview an image, which an agent's "file" never
 * is (Chatwoot sends images, GIFs included, as kind "image").
 */
const BY_EXTENSION: ReadonlyMap<string, string> = new Map(Object.entries({
  pdf: "application/pdf",
  txt: "text/plain",
  csv: "text/csv",
  json: "application/json",
  xml: "application/xml",
  zip: "application/zip",
  doc: "application/msword",
  docx: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
  xls: "application/vnd.ms-excel",
  xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
  ppt: "application/vnd.ms-powerpoint",
  pptx: "application/vnd.openxmlformats-officedocument.presentationml.presentation",
  odt: "application/vnd.oasis.opendocument.text",
  ods: "application/vnd.oasis.opendocument.spreadsheet",
  rtf: "application/rtf",
}));

export const UNKNOWN_MIME_TYPE = "application/octet-stream";

/** The content type a file name suggests; application/octet-stream when it suggests none. */
export function fileMimeType(fileName: string): string {
  const dot = fileName.lastIndexOf(".");
  if (dot < 0) return UNKNOWN_MIME_TYPE;
  return BY_EXTENSION.get(fileName.slice(dot + 1).toLowerCase()) ?? UNKNOWN_MIME_TYPE;
}
