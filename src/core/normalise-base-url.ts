/** The path without its trailing slashes; a loop, as `/\/+$/` is quadratic on a long run of slashes not at the end (issue 12 §2). */
function withoutTrailingSlashes(path: string): string {
  let end = path.length;
  while (end > 0 && path.charCodeAt(end - 1) === 0x2f) end -= 1;
  return path.slice(0, end);
}

/** An http(s) base URL as `origin + path`, without trailing slash; undefined for anything else (credentials, query, fragment included). */
export function normaliseBaseUrl(raw: string): string | undefined {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    return undefined;
  }
  if ((url.protocol !== "https:" && url.protocol !== "http:") || url.username !== "" || url.password !== "" || url.search !== "" || url.hash !== "") {
    return undefined;
  }
  return `${url.origin}${withoutTrailingSlashes(url.pathname)}`;
}
