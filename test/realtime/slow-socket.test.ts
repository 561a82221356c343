// A client that stops reading its WebSocket: the server buffers at most
// WS_MAX_BUFFERED_BYTES for it, then closes the socket with 1013 (try again
// later), so one stalled MDM tool cannot hold the server's memory. The
// client reconnects and resumes with afterSeq.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { type RunningApp, startTestApp } from "../support/app.ts";
import { activeLineIds, loginAs, submitPermissionChange } from "../support/graphql.ts";
import { waitUntil } from "../support/wait.ts";

// Wide events: each carries the receipt's 200 items (~40 KB), so a few
// subscriptions on one socket produce more than loopback's socket buffers
// take (tcp_rmem up to 32 MB here) before the server has to hold any of it.
const WIDE = /* GraphQL */ `
  subscription ($id: ID!) {
    receiptProgress(receiptId: $id, afterSeq: 0) {
      seq snapshot status itemStatus
      receipt {
        number status progress { total succeeded }
        items(first: 200) { edges { node { id phoneNumber name groupName backup phonebookMigration status completedAt } } }
      }
    }
  }`;
const SUBSCRIPTIONS = 5;
const EVENTS_PER_SUBSCRIPTION = 403; // snapshot, accepted, 200 + 200 items, final

let server: RunningApp;
let token: string;
let receiptId: string;

beforeAll(async () => {
  server = await startTestApp({
    FAKE_NOW: "2026-11-24T10:00:00+09:00",
    CARRIER_LATENCY_MS: "0",
    CARRIER_FAILURE_RATE: "0",
    WS_MAX_BUFFERED_BYTES: "65536",
    // The paused client cannot answer pings; keep-alive must not be what closes it.
    WS_KEEPALIVE_MS: "600000",
  });
  token = await loginAs(server.graphqlUrl, "Manager@admin");
  const lineIds = await activeLineIds(server.graphqlUrl, token, 200);
  receiptId = (await submitPermissionChange(server.graphqlUrl, token, lineIds)).id;
  await server.app.worker?.whenIdle();
});
afterAll(() => server.stop());

describe("a client that does not read its socket", () => {
  it("is closed with 1013 once the server holds more than WS_MAX_BUFFERED_BYTES for it", async () => {
    const socket = new WebSocket(server.wsUrl, "graphql-transport-ws");
    const messages: { type: string }[] = [];
    const closed = new Promise<{ code: number; reason: string }>((resolve) =>
      socket.on("close", (code, reason) => resolve({ code, reason: reason.toString() })),
    );
    socket.on("message", (data) => messages.push(JSON.parse(data.toString())));
    await new Promise((resolve) => socket.once("open", resolve));
    socket.send(JSON.stringify({ type: "connection_init", payload: { authorization: `Bearer ${token}` } }));
    await waitUntil(
      () => messages.some((m) => m.type === "connection_ack"),
      (acked) => acked,
      { what: "connection_ack" },
    );

    // Stop reading, then ask for far more than the socket buffers hold.
    (socket as unknown as { _socket: { pause(): void; resume(): void } })._socket.pause();
    for (let i = 0; i < SUBSCRIPTIONS; i++) {
      socket.send(
        JSON.stringify({
          id: String(i),
          type: "subscribe",
          payload: { query: WIDE, variables: { id: receiptId } },
        }),
      );
    }
    // The server fills the socket, notices, and says so; only then read again.
    const notice = await server.waitForLog((line) =>
      line.msg.startsWith("closing a WebSocket that does not read"),
    );
    expect(notice).toMatchObject({ limit: 65536 });
    expect(notice.bufferedBytes).toBeGreaterThan(65536);
    (socket as unknown as { _socket: { resume(): void } })._socket.resume();

    const { code } = await closed;
    expect(code).toBe(1013);
    const delivered = messages.filter((m) => m.type === "next").length;
    // It was cut off well before everything it asked for was sent.
    expect(delivered).toBeGreaterThan(0);
    expect(delivered).toBeLessThan(SUBSCRIPTIONS * EVENTS_PER_SUBSCRIPTION);
  });
});
