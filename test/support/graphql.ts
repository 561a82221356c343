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
