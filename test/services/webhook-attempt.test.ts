// One webhook attempt (services/webhooks/dispatcher.ts postWebhook) and the
// outcome it reports to the metrics port (gateway_webhook_deliveries_total):
// delivered (2xx), failed (another status), timeout (no answer in time, or
// no connection), blocked (the SSRF guard refused the address at connect
// time). Receivers on 127.0.0.1.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { postWebhook } from "../../services/webhooks/dispatcher.ts";

const allowed = { allowedHosts: ["127.0.0.1"] };
const target = (url: string) => ({ url, secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw" });
const message = { id: "msg_1", body: '{"type":"webhook.ping"}' };

let server: Server;
let base: string;
/** The paths requested, in order. */
const received: string[] = [];
beforeAll(async () => {
  server = createServer((req, res) => {
    received.push(req.url ?? "");
    req.resume();
    req.on("end", () => {
      if (req.url === "/ok") res.writeHead(204).end();
      else if (req.url === "/fail") res.writeHead(503).end();
      // /slow: never answers; the attempt's timeout ends it.
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe("postWebhook's outcome", () => {
  it("is delivered for a 2xx and failed for another status", async () => {
    expect(await postWebhook(allowed, target(`${base}/ok`), message, 5_000)).toMatchObject({
      statusCode: 204,
      error: null,
      outcome: "delivered",
    });
    expect(await postWebhook(allowed, target(`${base}/fail`), message, 5_000)).toMatchObject({
      statusCode: 503,
      error: "HTTP 503",
      outcome: "failed",
    });
  });

  it("is timeout when no answer comes in time or nothing listens", async () => {
    expect(await postWebhook(allowed, target(`${base}/slow`), message, 200)).toMatchObject({
      statusCode: null,
      error: "timeout",
      outcome: "timeout",
    });
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    expect(await postWebhook(allowed, target(`http://127.0.0.1:${port}/`), message, 5_000)).toMatchObject({
      statusCode: null,
      outcome: "timeout",
    });
  });

  it("is blocked when the guard refuses the address (not on the allow-list), literal or resolved", async () => {
    const before = received.length;
    // An address literal: Node calls no lookup for it; refused before connecting.
    const literal = await postWebhook({ allowedHosts: [] }, target(`${base}/ok`), message, 5_000);
    expect(literal).toEqual({
      statusCode: null,
      latencyMs: 0,
      error: "127.0.0.1 is an address not allowed",
      outcome: "blocked",
    });
    // A name resolving to loopback: refused in the socket's lookup (DNS rebinding).
    const port = new URL(base).port;
    const named = await postWebhook(
      { allowedHosts: [], resolve: async () => [{ address: "127.0.0.1", family: 4 }] },
      target(`http://receiver.example:${port}/ok`),
      message,
      5_000,
    );
    expect(named).toMatchObject({ statusCode: null, outcome: "blocked" });
    expect(named.error).toBe("receiver.example resolves to an address not allowed");
    // Nothing reached the receiver.
    expect(received.length).toBe(before);
  });
});
