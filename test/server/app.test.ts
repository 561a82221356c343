import { createClient } from "graphql-ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { type RunningApp, startTestApp } from "../support/app.ts";

async function postGraphql(url: string, query: string) {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ query }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe("the server", () => {
  let server: RunningApp;
  beforeAll(async () => {
    server = await startTestApp({ FAKE_NOW: "2026-11-24T10:00:00+09:00" });
  });
  afterAll(() => server.stop());

  it("answers { __typename } on POST /graphql", async () => {
    expect(await postGraphql(server.graphqlUrl, "{ __typename }")).toEqual({
      status: 200,
      body: { data: { __typename: "Query" } },
    });
  });

  it("runs on the FAKE_NOW clock", async () => {
    const { body } = await postGraphql(server.graphqlUrl, "{ serverTime }");
    const serverTime = Date.parse((body.data as { serverTime: string }).serverTime);
    expect(serverTime - Date.parse("2026-11-24T01:00:00Z")).toBeGreaterThanOrEqual(0);
    expect(serverTime - Date.parse("2026-11-24T01:00:00Z")).toBeLessThan(60_000);
  });

  it("answers a malformed query with a GraphQL error, not a crash", async () => {
    const { body } = await postGraphql(server.graphqlUrl, "{ noSuchField }");
    expect(body.data).toBeUndefined();
    expect((body.errors as { message: string }[])[0]?.message).toBe(
      'Cannot query field "noSuchField" on type "Query".',
    );
    expect((await postGraphql(server.graphqlUrl, "{ __typename }")).status).toBe(200);
  });

  it("reports health with the database it uses", async () => {
    const response = await fetch(`${server.url}/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      status: "ok",
      database: expect.stringMatching(/pglite|postgres/),
    });
  });

  it("speaks graphql-transport-ws on the same port and path", async () => {
    const client = createClient({ url: server.wsUrl, webSocketImpl: WebSocket, retryAttempts: 0 });
    try {
      const result = await new Promise((resolve, reject) => {
        let last: unknown;
        client.subscribe(
          { query: "{ __typename }" },
          { next: (value) => (last = value), error: reject, complete: () => resolve(last) },
        );
      });
      expect(result).toEqual({ data: { __typename: "Query" } });
    } finally {
      await client.dispose();
    }
  });

  it("wrote the demo data on its first start", async () => {
    expect(await server.app.database.prisma.line.count()).toBe(1050);
  });
});

describe("stopping the server", () => {
  it("closes open WebSockets, refuses new connections and can be called twice", async () => {
    const server = await startTestApp();
    const socket = new WebSocket(server.wsUrl, "graphql-transport-ws");
    await new Promise((resolve, reject) => socket.once("open", resolve).once("error", reject));
    const closed = new Promise<number>((resolve) => socket.once("close", (code) => resolve(code)));

    await Promise.all([server.stop(), server.stop()]);

    expect(await closed).toBe(1001);
    await expect(fetch(`${server.url}/health`)).rejects.toThrow();
  });
});
