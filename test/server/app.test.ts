import { createClient } from "graphql-ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { type RunningApp, startTestApp } from "../support/app.ts";
import { ensureWebBuilt } from "../support/web-build.ts";

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
    await ensureWebBuilt();
    server = await startTestApp({ FAKE_NOW: "2026-11-24T10:00:00+09:00" });
  });
  afterAll(() => server.stop());

  it("answers { __typename } on POST /graphql", async () => {
    expect(await postGraphql(server.graphqlUrl, "{ __typename }")).toEqual({
      status: 200,
      body: {
        data: { __typename: "Query" },
        extensions: { rateLimit: expect.objectContaining({ cost: 1 }) },
      },
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
      expect(result).toEqual({
        data: { __typename: "Query" },
        extensions: { rateLimit: expect.objectContaining({ cost: 1 }) },
      });
    } finally {
      await client.dispose();
    }
  });

  it("serves /favicon.ico (an icon, not a 404 or the client's index.html)", async () => {
    const response = await fetch(`${server.url}/favicon.ico`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^image\/(x-icon|vnd\.microsoft\.icon)/);
    // An ICO file: reserved 0, type 1 (icon), one image.
    expect([...new Uint8Array(await response.arrayBuffer()).slice(0, 6)]).toEqual([0, 0, 1, 0, 1, 0]);
  });

  it("serves GraphiQL to a browser's GET /graphql with every asset inline (no CDN)", async () => {
    const response = await fetch(server.graphqlUrl, { headers: { accept: "text/html" } });
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain("<title>Anshin Backup GraphQL</title>");
    expect(html).not.toMatch(/<(script|link)[^>]+(src|href)="https?:/);
    expect(html).not.toMatch(/unpkg\.com|jsdelivr|esm\.sh/);
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
