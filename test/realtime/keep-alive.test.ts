// WebSocket keep-alive: the server pings; a client that stops answering is
// disconnected, one that answers stays.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { type RunningApp, startTestApp } from "../support/app.ts";
import { waitUntil } from "../support/wait.ts";

let server: RunningApp;
beforeAll(async () => {
  server = await startTestApp({ WS_KEEPALIVE_MS: "200" }, { startWorker: false });
});
afterAll(() => server.stop());

function connect(autoPong: boolean) {
  const socket = new WebSocket(server.wsUrl, "graphql-transport-ws", { autoPong });
  const closed = new Promise<number>((resolve) => socket.once("close", (code) => resolve(code)));
  const opened = new Promise((resolve) => socket.once("open", resolve));
  return { socket, closed, opened };
}

describe("WebSocket keep-alive", () => {
  it("terminates a client that stops answering pings and keeps one that answers", async () => {
    const silent = connect(false);
    const healthy = connect(true);
    await Promise.all([silent.opened, healthy.opened]);
    let pings = 0;
    healthy.socket.on("ping", () => pings++);

    // Two intervals without a pong: terminated (1006: closed without a close frame).
    expect(await silent.closed).toBe(1006);
    // Every ping is a round that judged the healthy client alive; two more
    // rounds after the silent one was closed, and it is still there.
    const pingsAtClose = pings;
    await waitUntil(
      () => pings,
      (n) => n >= pingsAtClose + 2,
      { what: "two more keep-alive rounds" },
    );
    expect(healthy.socket.readyState).toBe(WebSocket.OPEN);
    healthy.socket.close();
  });
});
