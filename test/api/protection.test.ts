// Limits that keep one client from hurting the server, and browsers from being
// tricked into calling it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningApp, startTestApp } from "../support/app.ts";
import { graphql, loginAs } from "../support/graphql.ts";

let server: RunningApp;
let token: string;
beforeAll(async () => {
  server = await startTestApp();
  token = await loginAs(server.graphqlUrl, "Manager@admin");
});
afterAll(() => server.stop());

describe("operation limits (graphql-armor)", () => {
  it("refuses a query nested deeper than 12 levels", async () => {
    let selection = "id";
    for (let i = 0; i < 3; i++) {
      selection = `lines(first: 1) { edges { node { group { ${selection} } } } }`;
    }
    const result = await graphql(server.graphqlUrl, `{ ${selection} }`, {}, token);
    expect(result.data).toBeUndefined();
    expect(result.errors?.[0]?.message).toBe("Syntax Error: Query depth limit of 12 exceeded, found 13.");
  });

  it("refuses an operation whose estimated cost is too high", async () => {
    const result = await graphql(server.graphqlUrl, "{ lines(first: 5000) { edges { cursor } } }", {}, token);
    expect(result.data).toBeUndefined();
    expect(result.errors?.[0]?.message).toMatch(/^Syntax Error: Query Cost limit of 20000 exceeded/);
  });

  it("refuses more than 20 aliases", async () => {
    const aliases = Array.from({ length: 25 }, (_, i) => `a${i}: viewer { kind }`).join(" ");
    const result = await graphql(server.graphqlUrl, `{ ${aliases} }`, {}, token);
    expect(result.data).toBeUndefined();
    expect(result.errors?.[0]?.message).toMatch(/Aliases limit of 20 exceeded/);
  });

  it("refuses a page of more than 200 lines (BAD_USER_INPUT), instead of clamping it", async () => {
    const result = await graphql<{ lines: { edges: unknown[] } }>(
      server.graphqlUrl,
      "{ lines(first: 300) { edges { cursor } } }",
      {},
      token,
    );
    expect(result.data).toBeUndefined();
    expect(result.errors).toMatchObject([
      { message: "一度に取得できるのは200件までです。", extensions: { code: "BAD_USER_INPUT" } },
    ]);
  });

  it("does not suggest field names to a probing client", async () => {
    const result = await graphql(server.graphqlUrl, "{ line { phoneNumbr } }", {}, token);
    expect(JSON.stringify(result.errors)).not.toContain("Did you mean");
  });
});

describe("CSRF prevention", () => {
  it("refuses a simple GET request a foreign page could make, and accepts one with the preflight header", async () => {
    const url = `${server.graphqlUrl}?query=${encodeURIComponent("{ __typename }")}`;
    expect((await fetch(url)).status).toBe(403);
    const allowed = await fetch(url, { headers: { "x-graphql-yoga-csrf": "1" } });
    expect(allowed.status).toBe(200);
    expect(await allowed.json()).toEqual({
      data: { __typename: "Query" },
      extensions: { rateLimit: expect.objectContaining({ cost: 1 }) },
    });
  });

  it("refuses a form-encoded POST", async () => {
    const response = await fetch(server.graphqlUrl, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: `query=${encodeURIComponent("{ __typename }")}`,
    });
    expect(response.status).toBe(403);
  });
});

describe("limits over WebSocket", () => {
  it("refuses a too costly subscription as an error of that operation; the socket stays usable", async () => {
    const { collect, wsClient } = await import("../support/subscriptions.ts");
    const client = wsClient(server.wsUrl, token);
    try {
      const items = "items(first: 200) { edges { node { phoneNumber name status } } }";
      const refused = await collect(
        client,
        `subscription { receiptProgress(receiptId: "x") { receipt { a: ${items} b: ${items} c: ${items} d: ${items} } } }`,
        {},
      );
      expect(JSON.stringify(refused.error)).toContain("Query Cost limit of 20000 exceeded");
      const ok = await collect(client, "{ viewer { kind } }", {});
      expect(ok).toMatchObject({ completed: true, events: [{ viewer: { kind: "ADMINISTRATOR" } }] });
    } finally {
      await client.dispose();
    }
  });
});
