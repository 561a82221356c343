// A tiny GraphQL-over-HTTP client for tests, as an integrator would call the API.
import { request } from "node:http";

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
  const { extensions, ...body } = (await response.json()) as Omit<GraphqlResponse<T>, "status"> & {
    extensions?: Record<string, unknown>;
  };
  // Every answer reports the caller's query-cost budget (extensions.rateLimit); it is left out
  // here, so tests compare what they are about. test/api/rate-limit.test.ts checks the report.
  const { rateLimit: _budget, ...otherExtensions } = extensions ?? {};
  return {
    status: response.status,
    ...body,
    ...(Object.keys(otherExtensions).length > 0 ? { extensions: otherExtensions } : {}),
  };
}

/**
 * The same from a given local address (127.0.0.2, 127.0.0.3 …: on Linux the
 * whole 127.0.0.0/8 is loopback), so a test can be several clients. Node's
 * fetch cannot choose its local address; node:http can. A new connection
 * each time, so the address is the one asked for.
 */
export function graphqlFrom<T = any>(
  localAddress: string,
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Promise<GraphqlResponse<T>> {
  const body = JSON.stringify({ query, variables });
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: "POST",
        localAddress,
        agent: false,
        headers: {
          "content-type": "application/json",
          "content-length": Buffer.byteLength(body),
          ...headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("error", reject);
        res.on("end", () => {
          try {
            const text = Buffer.concat(chunks).toString("utf8");
            resolve({
              status: res.statusCode ?? 0,
              ...(JSON.parse(text) as Omit<GraphqlResponse<T>, "status">),
            });
          } catch (error) {
            reject(error);
          }
        });
      },
    );
    req.on("error", reject);
    req.end(body);
  });
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
