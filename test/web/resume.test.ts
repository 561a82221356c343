// The web client's urql client (web/src/client.ts) against the real server,
// subscribed as LiveProgress is (receiptProgressBatch with resumableProgress):
// when its WebSocket drops in the middle of a batch, graphql-ws reconnects and
// the subscription resumes after the last seq it received, so the screen ends
// with exactly the events of the batch, none missed, none twice.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { createUrqlClient } from "../../web/src/client.ts";
import { ReceiptProgressSubscription } from "../../web/src/components/LiveProgress.tsx";
import { resumableProgress } from "../../web/src/components/resumableProgress.ts";
import { type RunningApp, startTestApp } from "../support/app.ts";
import { activeLineIds, loginAs, submitPermissionChange } from "../support/graphql.ts";

/** A WebSocket whose live connections the test can cut. */
const sockets = new Set<WebSocket>();
class TrackedWebSocket extends WebSocket {
  constructor(...args: ConstructorParameters<typeof WebSocket>) {
    super(...args);
    sockets.add(this);
    this.on("close", () => sockets.delete(this));
  }
}

let server: RunningApp;
let token: string;

beforeAll(async () => {
  server = await startTestApp({
    FAKE_NOW: "2026-11-24T10:00:00+09:00",
    CARRIER_LATENCY_MS: "10-30",
    CARRIER_FAILURE_RATE: "0",
    WORKER_CONCURRENCY: "2",
  });
  token = await loginAs(server.graphqlUrl, "Manager@admin");
});
afterAll(() => server.stop());

describe("web client subscriptions", () => {
  it("resume with afterSeq after the connection drops: every seq once, in order, up to the final event", async () => {
    const lineIds = await activeLineIds(server.graphqlUrl, token, 100);
    const { id: receiptId } = await submitPermissionChange(server.graphqlUrl, token, lineIds);

    const client = createUrqlClient(token, () => {}, {
      url: server.graphqlUrl,
      webSocketImpl: TrackedWebSocket,
    });
    const seqs: number[] = [];
    let cuts = 0;
    const final = await new Promise<{ status: string; succeeded: number }>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out after ${seqs.length} events`)), 90_000);
      const { unsubscribe } = client
        .subscription(ReceiptProgressSubscription, { receiptId, afterSeq: null }, resumableProgress)
        .subscribe((result) => {
          if (result.error) return reject(result.error);
          const batch = result.data?.receiptProgressBatch;
          if (!batch) return;
          const before = seqs.length;
          for (const event of batch.events) if (!event.snapshot) seqs.push(event.seq);
          // Cut the connection twice while the batch runs.
          const crossed = (n: number) => before < n && seqs.length >= n;
          if ((crossed(40) || crossed(120)) && cuts < 2) {
            cuts++;
            for (const socket of sockets) socket.terminate();
          }
          const final = batch.events.find((e) => e.item === null && !e.snapshot && e.status !== "PROCESSING");
          if (final) {
            clearTimeout(timer);
            unsubscribe();
            resolve({ status: final.status, succeeded: batch.receipt.progress.succeeded });
          }
        });
    });

    expect(cuts).toBe(2);
    expect(final).toEqual({ status: "SUCCEEDED", succeeded: 100 });
    // From the first live event to the final one: consecutive, none missed, none twice.
    const first = seqs[0] as number;
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => first + i));
    // The batch's log: 1 accepted + 100 PROCESSING + 100 SUCCEEDED + the final event.
    expect(seqs.at(-1)).toBe(202);
  });
});
