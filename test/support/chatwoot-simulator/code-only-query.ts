/**
 * Query parameters Chatwoot's code reads although its OpenAPI spec omits them,
 * per operation. The simulator checks them here and hands the rest to the spec
 * validator, which refuses any undeclared parameter.
 *
 * `GET /conversations` (Api::V1::Accounts::ConversationsController#index → ConversationFinder,
 * app/finders/conversation_finder.rb): `conversation_type` (mention, participating, unattended:
 * filter_by_conversation_type) and `sort_by` (the keys of SORT_OPTIONS).
 */
const CODE_ONLY_QUERY: Record<string, Record<string, readonly string[]>> = {
  "GET /api/v1/accounts/{account_id}/conversations": {
    conversation_type: ["mention", "participating", "unattended"],
    sort_by: [
      "last_activity_at_asc",
      "last_activity_at_desc",
      "created_at_asc",
      "created_at_desc",
      "priority_asc",
      "priority_desc",
      "waiting_since_asc",
      "waiting_since_desc",
      "priority_desc_created_at_asc",
    ],
  },
};

/** Splits a request's query: the code-only parameters of `operation` (checked: problems listed), and the rest for the spec. */
export function splitCodeOnlyQuery(operation: string | null, query: Record<string, string>): { codeOnly: Record<string, string>; rest: Record<string, string>; problems: string[] } {
  const allowed = operation === null ? undefined : CODE_ONLY_QUERY[operation];
  const codeOnly: Record<string, string> = {};
  const rest: Record<string, string> = {};
  const problems: string[] = [];
  for (const [key, value] of Object.entries(query)) {
    const values = allowed?.[key];
    if (values === undefined) rest[key] = value;
    else if (values.includes(value)) codeOnly[key] = value;
    else problems.push(`${operation ?? ""}: query parameter "${key}" must be one of ${values.join(", ")} (got "${value.slice(0, 40)}")`);
  }
  return { codeOnly, rest, problems };
}

/** The operation a path belongs to, for the code-only check before the spec validator matches it. */
export function codeOnlyOperation(method: string, path: string): string | null {
  return method === "GET" && /^\/api\/v1\/accounts\/[^/]+\/conversations$/.test(path) ? "GET /api/v1/accounts/{account_id}/conversations" : null;
}
