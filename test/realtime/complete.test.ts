// graphql-transport-ws: once a client has sent `complete` for an operation,
// the server sends nothing more for it — not the event it was already
// reading when the `complete` came, not a `complete` of its own. A bare `ws`
// client keeps every frame, so the test sees what graphql-ws's client hides.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { operationIdOf } from "../../server/graphql-ws.ts";
import { type RunningApp, startTestApp } from "../support/app.ts";
import { graphql, loginAs, submitPermissionChange } from "../support/graphql.ts";
import { type Frame, openRawSocket } from "../support/raw-ws.ts";
import { waitForFinalReceiptOverApi, waitUntil } from "../support/wait.ts";

const LINES = /* GraphQL */ `subscription { lineStatusChanged { id status version group { name } } }`;
const PROGRESS = /* GraphQL */ `
  subscription ($id: ID!) { receiptProgress(receiptId: $id, afterSeq: 0) { seq status item { status } } }`;

let server: RunningApp;
let manager: string;
beforeAll(async () => {
  server = await startTestApp({
    FAKE_NOW: "2026-11-24T10:00:00+09:00",
    CARRIER_LATENCY_MS: "10-40",
    CARRIER_FAILURE_RATE: "0",
  });
  manager = await loginAs(server.graphqlUrl, "Manager@admin");
});
afterAll(() => server.stop());

/** 200 lines a permission change may select: active, and not out of service (R16). */
async function selectableLineIds(): Promise<string[]> {
  const page: any = await graphql(
    server.graphqlUrl,
    "{ lines(first: 200, filter: {contractStatus: ACTIVE, deviceKind: SMARTPHONE}) { edges { node { id } } } }",
    {},
    manager,
  );
  const ids = page.data.lines.edges.map((e: any) => e.node.id);
  if (ids.length !== 200) throw new Error(`expected 200 lines: ${JSON.stringify(page)}`);
  return ids;
}

const nexts = (frames: Frame[], id: string) => frames.filter((f) => f.id === id && f.type === "next");

describe("complete from the client", () => {
  it("mid-batch, no frame for the completed operations arrives after the server has read the complete", async () => {
    const socket = await openRawSocket(server.wsUrl, manager);
    // A second watcher, left alone, tells when the batch's events have all gone out.
    const control = await openRawSocket(server.wsUrl, manager);
    try {
      socket.subscribe("lines", LINES);
      control.subscribe("lines", LINES);
      await waitUntil(
        () => server.app.realtime.subscribers("lines:changed"),
        (n) => n === 2,
        { what: "both lineStatusChanged subscriptions on the server" },
      );
      const receipt = await submitPermissionChange(server.graphqlUrl, manager, await selectableLineIds());
      socket.subscribe("progress", PROGRESS, { id: receipt.id });
      control.subscribe("progress", PROGRESS, { id: receipt.id });

      // Mid-stream, as the 20th event of each operation arrives, the client completes it.
      const counts = new Map<string, number>();
      // The server reads a socket's frames in order: by the time it answers
      // the ping sent right after a complete, it has read the complete. Frames
      // already on the wire before that are fine; none may come after.
      const completed = new Map<string, Promise<number>>();
      socket.onFrame = (frame) => {
        if (frame.type !== "next" || !frame.id || completed.has(frame.id)) return;
        const count = (counts.get(frame.id) ?? 0) + 1;
        counts.set(frame.id, count);
        if (count === 20) {
          socket.complete(frame.id);
          completed.set(frame.id, socket.barrier());
        }
      };
      await waitUntil(
        () => completed.size,
        (n) => n === 2,
        { what: "20 events of each stream" },
      );
      const afterComplete = {
        lines: await completed.get("lines"),
        progress: await completed.get("progress"),
      };

      // The batch finishes and the control watcher has seen all of it...
      await waitForFinalReceiptOverApi(server.graphqlUrl, manager, receipt.number);
      await control.waitForFrame((f) => f.id === "progress" && f.type === "complete", {
        what: "the control watcher's progress stream to complete",
      });
      await waitUntil(
        () => nexts(control.frames, "lines").length,
        (n) => n === 400,
        { what: "the control watcher to hear every line go PROCESSING and back" },
      );
      await waitUntil(
        () => server.app.realtime.subscribers("receipt:event", receipt.id),
        (n) => n === 0,
        { what: "no receiptProgress subscription left on the server" },
      );
      // ...and whatever the server still had for our socket has arrived.
      const end = await socket.barrier();

      const framesAfter = (id: "lines" | "progress") =>
        socket.frames.slice((afterComplete[id] as number) + 1, end).filter((f) => f.id === id);
      expect(framesAfter("lines")).toEqual([]);
      expect(framesAfter("progress")).toEqual([]);
      // The batch went on: the control watcher heard all 402 item events and the final one.
      expect(nexts(control.frames, "progress").length).toBe(403);
      expect(nexts(socket.frames, "progress").length).toBeLessThan(403);
      // The server stopped listening for the completed lineStatusChanged.
      expect(server.app.realtime.subscribers("lines:changed")).toBe(1);
    } finally {
      await socket.close();
      await control.close();
    }
  });
});

describe("the transport's view of a frame", () => {
  it("reads the operation id of next, error and complete frames, whatever the id holds", () => {
    for (const id of ["1", "e2c5b0a4-9f1d-4c1e-8d0a-6b5a3f7c2e11", 'a"b', "a\\", '","type":"next', "日本"]) {
      for (const type of ["next", "error", "complete"]) {
        expect(operationIdOf(JSON.stringify({ id, type, payload: { data: null } }))).toBe(id);
      }
    }
    expect(operationIdOf(JSON.stringify({ type: "connection_ack" }))).toBeNull();
    expect(operationIdOf(JSON.stringify({ type: "pong", payload: { id: "1" } }))).toBeNull();
  });
});
