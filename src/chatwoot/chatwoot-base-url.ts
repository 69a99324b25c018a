import { normaliseBaseUrl } from "../core/normalise-base-url";

/** Chatwoot's base URL, accepted as `https://host`, `https://host/prefix` and either with `/api/v1`. */
export function normaliseChatwootBaseUrl(raw: string): string | undefined {
  return normaliseBaseUrl(raw)?.replace(/\/api\/v1$/i, "");
}
