// A tiny GraphQL-over-HTTP client for tests, as an integrator would call the API.
export interface GraphqlResponse<T = Record<string, unknown>> {
  status: number;
  data?: T;
  errors?: { message: string; extensions?: { code?: string } }[];
}

export async function graphql<T = any>(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  token?: string,
): Promise<GraphqlResponse<T>> {
  const response = await fetch(url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as Omit<GraphqlResponse<T>, "status">;
  return { status: response.status, ...body };
}

export async function loginAs(url: string, loginId: string, password = "demo-pass"): Promise<string> {
  const result = await graphql<{ login: { token: string | null; userErrors: unknown[] } }>(
    url,
    "mutation ($loginId: String!, $password: String!) { login(loginId: $loginId, password: $password) { token userErrors { code message } } }",
    { loginId, password },
  );
  const token = result.data?.login.token;
  if (!token) throw new Error(`login as ${loginId} failed: ${JSON.stringify(result)}`);
  return token;
}

/** The first `count` lines the caller sees that a selection may hold (active, not 3G: R3, R16), in phone order. */
export async function activeLineIds(url: string, token: string, count: number): Promise<string[]> {
  const page = await graphql<{ lines: { edges: { node: { id: string } }[] } }>(
    url,
    "query ($n: Int!) { lines(first: $n, filter: {contractStatus: ACTIVE, outOfService: false}) { edges { node { id } } } }",
    { n: count },
    token,
  );
  const ids = page.data?.lines.edges.map((e) => e.node.id) ?? [];
  if (ids.length !== count) throw new Error(`expected ${count} active lines: ${JSON.stringify(page)}`);
  return ids;
}

/** Submits one permission change (the same targets on every line); returns the receipt. */
export async function submitPermissionChange(
  url: string,
  token: string,
  lineIds: string[],
  targets = { backup: true, phonebookMigration: true },
): Promise<{ id: string; number: string }> {
  const result = await graphql<{
    submitPermissionChange: { receipt: { id: string; number: string } | null; userErrors: unknown[] };
  }>(
    url,
    "mutation ($input: PermissionChangeInput!) { submitPermissionChange(input: $input) { receipt { id number } userErrors { code message } } }",
    { input: { lines: lineIds.map((lineId) => ({ lineId, ...targets })) } },
    token,
  );
  const receipt = result.data?.submitPermissionChange.receipt;
  if (!receipt) throw new Error(`submit refused: ${JSON.stringify(result)}`);
  return receipt;
}
