// receiptProgressBatch: the events of receiptProgress, sent together. Every
// watcher still gets the snapshot first, then every seq exactly once in
// order, then completion; a watcher that drops resumes with the batch's
// lastSeq and misses nothing; batches hold at most maxEvents events.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningApp, startTestApp } from "../support/app.ts";
import { activeLineIds, loginAs, submitPermissionChange } from "../support/graphql.ts";
import { collect, wsClient } from "../support/subscriptions.ts";

const BATCHES = /* GraphQL */ `
  subscription ($id: ID!, $after: Int, $max: Int) {
    receiptProgressBatch(receiptId: $id, afterSeq: $after, maxEvents: $max) {
      lastSeq
      events { seq snapshot status itemStatus item { phoneNumber status } }
      receipt { number status progress { total succeeded failed } }
    }
  }`;

const PER_EVENT = /* GraphQL */ `
  subscription ($id: ID!, $after: Int) {
    receiptProgress(receiptId: $id, afterSeq: $after) { seq snapshot status itemStatus item { phoneNumber status } }
  }`;

interface ProgressEvent {
  seq: number;
  snapshot: boolean;
  status: string;
  itemStatus: string | null;
  item: { phoneNumber: string; status: string } | null;
}

interface Batch {
  receiptProgressBatch: {
    lastSeq: number;
    events: ProgressEvent[];
    receipt: {
      number: string;
      status: string;
      progress: { total: number; succeeded: number; failed: number };
    };
  };
}

let server: RunningApp;
let token: string;
let lineIds: string[];

beforeAll(async () => {
  server = await startTestApp({
    FAKE_NOW: "2026-11-24T10:00:00+09:00",
    CARRIER_LATENCY_MS: "0",
    CARRIER_FAILURE_RATE: "0",
    WORKER_CONCURRENCY: "8",
  });
  token = await loginAs(server.graphqlUrl, "Manager@admin");
  lineIds = await activeLineIds(server.graphqlUrl, token, 200);
});
afterAll(() => server.stop());

const submit = (ids: string[], backup: boolean) =>
  submitPermissionChange(server.graphqlUrl, token, ids, { backup, phonebookMigration: true });

const events = (batches: Batch[]) => batches.flatMap((b) => b.receiptProgressBatch.events);
const changes = (batches: Batch[]) => events(batches).filter((e) => !e.snapshot);
const oneTo = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

describe("receiptProgressBatch", () => {
  it("ten watchers of a 200-line batch each get the snapshot, then seqs 1–402 once and in order, in fewer than 402 frames", async () => {
    const receipt = await submit(lineIds, true);
    const clients = Array.from({ length: 10 }, () => wsClient(server.wsUrl, token));
    try {
      const runs = await Promise.all(
        clients.map((client) =>
          collect<Batch>(client, BATCHES, { id: receipt.id, after: 0 }, { timeoutMs: 90_000 }),
        ),
      );
      for (const run of runs) {
        expect(run.error).toBeUndefined();
        expect(run.completed).toBe(true);
        expect(run.events[0]!.receiptProgressBatch.events[0]).toMatchObject({ snapshot: true, item: null });
        expect(events(run.events).filter((e) => e.snapshot)).toHaveLength(1);
        expect(changes(run.events).map((e) => e.seq)).toEqual(oneTo(402));
        expect(changes(run.events).filter((e) => e.itemStatus === "SUCCEEDED")).toHaveLength(200);
        expect(run.events.length).toBeLessThan(402);
        for (const batch of run.events) {
          expect(batch.receiptProgressBatch.events.length).toBeGreaterThan(0);
          expect(batch.receiptProgressBatch.events.length).toBeLessThanOrEqual(100);
        }
        const last = run.events.at(-1)!.receiptProgressBatch;
        expect(last.lastSeq).toBe(402);
        expect(last.events.at(-1)).toMatchObject({ seq: 402, status: "SUCCEEDED", item: null });
        expect(last.receipt).toEqual({
          number: receipt.number,
          status: "SUCCEEDED",
          progress: { total: 200, succeeded: 200, failed: 0 },
        });
      }
    } finally {
      await Promise.all(clients.map((client) => client.dispose()));
    }
  });

  it("after the end, afterSeq: 0 replays the whole log in batches of maxEvents, the same events as receiptProgress", async () => {
    const receipt = await submit(lineIds.slice(0, 40), false);
    const client = wsClient(server.wsUrl, token);
    try {
      const reference = await collect<{ receiptProgress: ProgressEvent }>(client, PER_EVENT, {
        id: receipt.id,
        after: 0,
      });
      expect(reference.completed).toBe(true);
      const replay = await collect<Batch>(client, BATCHES, { id: receipt.id, after: 0, max: 7 });
      expect(replay.completed).toBe(true);
      // The snapshot and 82 events, seven at a time.
      expect(replay.events.map((b) => b.receiptProgressBatch.events.length)).toEqual([
        ...Array(11).fill(7),
        6,
      ]);
      // (An item is shown as of its event or later, so only the event's own fields are compared.)
      const own = (e: ProgressEvent) => [
        e.seq,
        e.snapshot,
        e.status,
        e.itemStatus,
        e.item?.phoneNumber ?? null,
      ];
      expect(changes(replay.events).map(own)).toEqual(
        reference.events.slice(1).map((e) => own(e.receiptProgress)),
      );
      expect(replay.events[0]!.receiptProgressBatch.events[0]).toMatchObject({
        seq: 82,
        snapshot: true,
        status: "SUCCEEDED",
      });
      expect(replay.events.map((b) => b.receiptProgressBatch.lastSeq)).toEqual([
        6, 13, 20, 27, 34, 41, 48, 55, 62, 69, 76, 82,
      ]);

      // Without afterSeq, a finished receipt is its snapshot alone.
      const late = await collect<Batch>(client, BATCHES, { id: receipt.id });
      expect(late.completed).toBe(true);
      expect(late.events.map((b) => b.receiptProgressBatch)).toMatchObject([
        { lastSeq: 82, events: [{ seq: 82, snapshot: true, status: "SUCCEEDED" }] },
      ]);
    } finally {
      await client.dispose();
    }
  });

  it("a watcher that drops after two batches and resumes with lastSeq ends with every event once", async () => {
    const receipt = await submit(lineIds.slice(40, 140), true);
    const flaky = wsClient(server.wsUrl, token);
    const firstPart = await collect<Batch>(
      flaky,
      BATCHES,
      { id: receipt.id, after: 0, max: 10 },
      { stopAfter: 2 },
    );
    await flaky.dispose();
    const resumeAfter = firstPart.events.at(-1)!.receiptProgressBatch.lastSeq;
    const resumed = wsClient(server.wsUrl, token);
    try {
      const rest = await collect<Batch>(resumed, BATCHES, { id: receipt.id, after: resumeAfter });
      expect(rest.completed).toBe(true);
      const stitched = [...changes(firstPart.events), ...changes(rest.events)];
      expect(stitched.map((e) => e.seq)).toEqual(oneTo(202));
    } finally {
      await resumed.dispose();
    }
  });

  it("refuses maxEvents outside 1–500 before any work, and another account's receipt is NOT_FOUND", async () => {
    const receipt = await submit(lineIds.slice(140, 141), true);
    const client = wsClient(server.wsUrl, token);
    const other = await loginAs(server.graphqlUrl, "Other@admin");
    const otherClient = wsClient(server.wsUrl, other);
    try {
      for (const max of [0, 501]) {
        const refused = await collect<Batch>(client, BATCHES, { id: receipt.id, max });
        expect(refused.events).toEqual([]);
        expect(JSON.stringify(refused.error)).toContain("BAD_USER_INPUT");
      }
      const hidden = await collect<Batch>(otherClient, BATCHES, { id: receipt.id });
      expect(hidden.events).toEqual([]);
      expect(JSON.stringify(hidden.error)).toContain("NOT_FOUND");
    } finally {
      await client.dispose();
      await otherClient.dispose();
    }
  });
});
