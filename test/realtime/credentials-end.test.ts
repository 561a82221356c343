// Subscriptions end when their credentials end. A WebSocket authenticates
// once, with connection_init; when that session is logged out, that API token
// revoked, or either expires, each of the socket's streams gets an `error`
// message with extensions.code UNAUTHENTICATED and nothing more, and the
// socket starts no new operation with those credentials. The socket itself
// stays open.
//
// Every instance here caches actors for a minute (ACTOR_CACHE_MS), so what
// ends the streams is the revocation itself, not a cache running out.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashSecret } from "../../domain/auth/tokens.ts";
import { authErrorMessages } from "../../domain/messages.ts";
import { type RunningApp, startTestApp } from "../support/app.ts";
import { graphql, loginAs, submitPermissionChange } from "../support/graphql.ts";
import { type Frame, openRawSocket } from "../support/raw-ws.ts";
import { collect, wsClient } from "../support/subscriptions.ts";
import { waitForFinalReceiptOverApi, waitUntil } from "../support/wait.ts";

const LINES = /* GraphQL */ `subscription { lineStatusChanged { id status version } }`;
const PROGRESS = /* GraphQL */ `
  subscription ($id: ID!) { receiptProgress(receiptId: $id, afterSeq: 0) { seq status } }`;
const CREATE_TOKEN = /* GraphQL */ `
  mutation ($input: CreateApiTokenInput!) {
    createApiToken(input: $input) { token apiToken { id } userErrors { code message } }
  }`;
const REVOKE_TOKEN = /* GraphQL */ `
  mutation ($id: ID!) { revokeApiToken(id: $id) { userErrors { code message } } }`;

/** What a stream whose credentials ended receives, as its `error` message's payload. */
const ENDED = [{ message: authErrorMessages.UNAUTHENTICATED, extensions: { code: "UNAUTHENTICATED" } }];

let server: RunningApp;
let manager: string;
let lines: string[];
beforeAll(async () => {
  server = await startTestApp({
    FAKE_NOW: "2026-11-24T10:00:00+09:00",
    // Slow enough that a 20-line batch is still running while a test acts on it.
    CARRIER_LATENCY_MS: "150-300",
    CARRIER_FAILURE_RATE: "0",
    WORKER_CONCURRENCY: "1",
    ACTOR_CACHE_MS: "60000",
  });
  manager = await loginAs(server.graphqlUrl, "Manager@admin");
  const page: any = await graphql(
    server.graphqlUrl,
    "{ lines(first: 20, filter: {contractStatus: ACTIVE, deviceKind: SMARTPHONE}) { edges { node { id } } } }",
    {},
    manager,
  );
  lines = page.data.lines.edges.map((e: any) => e.node.id);
  expect(lines).toHaveLength(20);
});
afterAll(() => server.stop());

const subscribers = (topic: "lines:changed" | "receipt:event", count: number) =>
  waitUntil(
    () => server.app.realtime.subscribers(topic),
    (n) => n === count,
    { what: `${count} ${topic} subscription(s) on the server` },
  );

/** A batch that runs for a few seconds (see CARRIER_LATENCY_MS), submitted by the manager. */
const startBatch = () => submitPermissionChange(server.graphqlUrl, manager, lines);
const finishBatch = (receipt: { number: string }) =>
  waitForFinalReceiptOverApi(server.graphqlUrl, manager, receipt.number);

async function createToken(expiresAt?: string) {
  const result: any = await graphql(
    server.graphqlUrl,
    CREATE_TOKEN,
    { input: { name: "MDM watcher", scopes: ["READ_LINES", "READ_RECEIPTS"], expiresAt } },
    manager,
  );
  const created = result.data?.createApiToken;
  if (!created?.token) throw new Error(`createApiToken refused: ${JSON.stringify(result)}`);
  return { secret: created.token as string, id: created.apiToken.id as string };
}

/** The server clock (FAKE_NOW), as bounds: it is at least `low` and at most `high` ms past Date.now(). */
async function serverClock() {
  const before = Date.now();
  const result: any = await graphql(server.graphqlUrl, "{ serverTime }");
  const after = Date.now();
  const at = Date.parse(result.data.serverTime);
  return { at, low: at - after, high: at - before };
}

describe("a WebSocket's streams end with its credentials", () => {
  it("logout: both streams get an UNAUTHENTICATED error and nothing after it, and the socket starts no new operation", async () => {
    const session = await loginAs(server.graphqlUrl, "Manager@admin");
    const socket = await openRawSocket(server.wsUrl, session);
    try {
      socket.subscribe("lines", LINES);
      await subscribers("lines:changed", 1);
      const receipt = await startBatch();
      socket.subscribe("progress", PROGRESS, { id: receipt.id });
      // Both streams are delivering the batch.
      await socket.waitForFrame((f) => f.id === "lines" && f.type === "next");
      await socket.waitForFrame((f) => f.id === "progress" && f.type === "next");

      const loggedOut: any = await graphql(server.graphqlUrl, "mutation { logout }", {}, session);
      expect(loggedOut.data).toEqual({ logout: true });
      const ended = {
        lines: await socket.waitForFrame((f) => f.id === "lines" && f.type !== "next"),
        progress: await socket.waitForFrame((f) => f.id === "progress" && f.type !== "next"),
      };
      expect(ended.lines).toEqual({ id: "lines", type: "error", payload: ENDED });
      expect(ended.progress).toEqual({ id: "progress", type: "error", payload: ENDED });
      // The server stopped listening for them...
      await subscribers("lines:changed", 0);
      await subscribers("receipt:event", 0);

      // ...and the socket cannot start anything new with the ended session.
      socket.subscribe("again", LINES);
      expect(await socket.waitForFrame((f) => f.id === "again")).toEqual({
        id: "again",
        type: "error",
        payload: ENDED,
      });
      expect(server.app.realtime.subscribers("lines:changed")).toBe(0);

      // The batch went on to its end; by then nothing more has come for either stream.
      const final = await finishBatch(receipt);
      expect(final.status).toBe("SUCCEEDED");
      const end = await socket.barrier();
      const framesAfter = (frame: Frame) => socket.frames.slice(socket.frames.indexOf(frame) + 1, end);
      expect(framesAfter(ended.lines).filter((f) => f.id === "lines")).toEqual([]);
      expect(framesAfter(ended.progress).filter((f) => f.id === "progress")).toEqual([]);
      expect(socket.frames.filter((f) => f.id === "progress" && f.type === "next").length).toBeLessThan(
        1 + 2 + 2 * lines.length,
      );
      expect(socket.closed).toBeNull();
    } finally {
      await socket.close();
    }
  });

  it("revokeApiToken: the token's streams end with UNAUTHENTICATED (graphql-ws client)", async () => {
    const token = await createToken();
    const client = wsClient(server.wsUrl, token.secret);
    try {
      const watchingLines = collect<any>(client, LINES, {}, { timeoutMs: 60_000 });
      await subscribers("lines:changed", 1);
      const receipt = await startBatch();
      const watchingProgress = collect<any>(client, PROGRESS, { id: receipt.id }, { timeoutMs: 60_000 });
      await subscribers("receipt:event", 1);

      const revoked: any = await graphql(server.graphqlUrl, REVOKE_TOKEN, { id: token.id }, manager);
      expect(revoked.data).toEqual({ revokeApiToken: { userErrors: [] } });
      const [linesEnd, progressEnd] = await Promise.all([watchingLines, watchingProgress]);
      expect(linesEnd.error).toEqual(ENDED);
      expect(progressEnd.error).toEqual(ENDED);
      expect(progressEnd.completed).toBe(false);
      await subscribers("lines:changed", 0);
      await subscribers("receipt:event", 0);
      await finishBatch(receipt);
    } finally {
      await client.dispose();
    }
  });

  it("an API token that expires ends its streams at its expiry, not before", async () => {
    const clock = await serverClock();
    const expiresAt = clock.at + 5_000;
    const token = await createToken(new Date(expiresAt).toISOString());
    const client = wsClient(server.wsUrl, token.secret);
    try {
      const watching = collect<any>(client, LINES, {}, { timeoutMs: 60_000 });
      await subscribers("lines:changed", 1);
      const { error } = await watching;
      // The server clock when the error arrived was at most Date.now() + high.
      expect(Date.now() + clock.high).toBeGreaterThanOrEqual(expiresAt);
      expect(error).toEqual(ENDED);
      await subscribers("lines:changed", 0);
    } finally {
      await client.dispose();
    }
  });

  it("a login session that expires ends its streams at its expiry, not before", async () => {
    const session = await loginAs(server.graphqlUrl, "Manager@admin");
    // A session that runs out in a few seconds (they last 12 hours), set
    // before this instance has seen it, so nothing cached predates it.
    const clock = await serverClock();
    const expiresAt = clock.at + 5_000;
    await server.app.database.prisma.adminSession.update({
      where: { tokenHash: hashSecret(session) },
      data: { expiresAt: new Date(expiresAt) },
    });
    const socket = await openRawSocket(server.wsUrl, session);
    try {
      socket.subscribe("lines", LINES);
      await subscribers("lines:changed", 1);
      const ended = await socket.waitForFrame((f) => f.id === "lines");
      expect(Date.now() + clock.high).toBeGreaterThanOrEqual(expiresAt);
      expect(ended).toEqual({ id: "lines", type: "error", payload: ENDED });
      await subscribers("lines:changed", 0);
      socket.subscribe("again", LINES);
      expect(await socket.waitForFrame((f) => f.id === "again")).toEqual({
        id: "again",
        type: "error",
        payload: ENDED,
      });
    } finally {
      await socket.close();
    }
  });

  it("a socket whose credentials ended before it was opened is refused with 4403", async () => {
    const token = await createToken();
    await graphql(server.graphqlUrl, REVOKE_TOKEN, { id: token.id }, manager);
    await expect(openRawSocket(server.wsUrl, token.secret)).rejects.toThrow(/4403/);
  });
});
