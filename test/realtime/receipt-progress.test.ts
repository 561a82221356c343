// receiptProgress over graphql-ws and SSE: snapshot, every transition in seq
// order, the final event, completion; resuming with afterSeq loses nothing.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningApp, startTestApp } from "../support/app.ts";
import { graphql, loginAs } from "../support/graphql.ts";
import { collect, collectSse, wsClient } from "../support/subscriptions.ts";

const PROGRESS = /* GraphQL */ `
  subscription ($id: ID!, $after: Int) {
    receiptProgress(receiptId: $id, afterSeq: $after) {
      seq snapshot status itemStatus
      item { phoneNumber status }
      receipt { number status progress { total succeeded failed } }
    }
  }`;

interface Event {
  receiptProgress: {
    seq: number;
    snapshot: boolean;
    status: string;
    itemStatus: string | null;
    item: { phoneNumber: string; status: string } | null;
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
    CARRIER_LATENCY_MS: "2-10",
    CARRIER_FAILURE_RATE: "0",
    WORKER_CONCURRENCY: "4",
  });
  token = await loginAs(server.graphqlUrl, "Manager@admin");
  const page: any = await graphql(
    server.graphqlUrl,
    "{ lines(first: 200, filter: {contractStatus: ACTIVE, outOfService: false}) { edges { node { id } } } }",
    {},
    token,
  );
  lineIds = page.data.lines.edges.map((e: any) => e.node.id);
});
afterAll(() => server.stop());

async function submit(ids: string[], backup: boolean) {
  const result: any = await graphql(
    server.graphqlUrl,
    "mutation ($input: PermissionChangeInput!) { submitPermissionChange(input: $input) { receipt { id number } userErrors { code } } }",
    { input: { lines: ids.map((lineId) => ({ lineId, backup, phonebookMigration: true })) } },
    token,
  );
  expect(result.data.submitPermissionChange.userErrors).toEqual([]);
  return result.data.submitPermissionChange.receipt as { id: string; number: string };
}

const seqs = (events: Event[]) => events.map((e) => e.receiptProgress.seq);

describe("receiptProgress", () => {
  it("streams a 200-line batch: snapshot, 200 PROCESSING + 200 SUCCEEDED in seq order, final, complete", async () => {
    const receipt = await submit(lineIds, true);
    const client = wsClient(server.wsUrl, token);
    try {
      const full = await collect<Event>(
        client,
        PROGRESS,
        { id: receipt.id, after: 0 },
        { timeoutMs: 90_000 },
      );
      expect(full.error).toBeUndefined();
      expect(full.completed).toBe(true);
      const [snapshot, ...events] = full.events;
      expect(snapshot!.receiptProgress).toMatchObject({ snapshot: true, item: null });
      expect(seqs(events)).toEqual(Array.from({ length: 402 }, (_, i) => i + 1));
      expect(events.filter((e) => e.receiptProgress.itemStatus === "PROCESSING")).toHaveLength(200);
      expect(events.filter((e) => e.receiptProgress.itemStatus === "SUCCEEDED")).toHaveLength(200);
      const last = events.at(-1)!.receiptProgress;
      expect(last).toMatchObject({ status: "SUCCEEDED", item: null });
      expect(last.receipt).toMatchObject({
        number: receipt.number,
        status: "SUCCEEDED",
        progress: { total: 200, succeeded: 200 },
      });

      // Subscribing after the end: the snapshot, then completion at once.
      const late = await collect<Event>(client, PROGRESS, { id: receipt.id });
      expect(late.completed).toBe(true);
      expect(late.events.map((e) => [e.receiptProgress.snapshot, e.receiptProgress.status])).toEqual([
        [true, "SUCCEEDED"],
      ]);
    } finally {
      await client.dispose();
    }
  });

  it("a watcher that drops halfway and resumes with its last seq ends with the same events as one that never dropped", async () => {
    const receipt = await submit(lineIds.slice(0, 100), false);
    const steady = wsClient(server.wsUrl, token);
    const flaky = wsClient(server.wsUrl, token);
    try {
      const steadyRun = collect<Event>(steady, PROGRESS, { id: receipt.id, after: 0 });
      const firstHalf = await collect<Event>(
        flaky,
        PROGRESS,
        { id: receipt.id, after: 0 },
        { stopAfter: 60 },
      );
      await flaky.dispose();
      const lastSeq = firstHalf.events.at(-1)!.receiptProgress.seq;
      const resumed = wsClient(server.wsUrl, token);
      const secondHalf = await collect<Event>(resumed, PROGRESS, { id: receipt.id, after: lastSeq });
      await resumed.dispose();
      const reference = await steadyRun;

      const items = (events: Event[]) =>
        events.filter((e) => !e.receiptProgress.snapshot).map((e) => e.receiptProgress);
      const stitched = [...items(firstHalf.events), ...items(secondHalf.events)];
      expect(stitched.map((e) => [e.seq, e.itemStatus, e.item?.phoneNumber ?? null])).toEqual(
        items(reference.events).map((e) => [e.seq, e.itemStatus, e.item?.phoneNumber ?? null]),
      );
      expect(secondHalf.completed).toBe(true);
      expect(stitched).toHaveLength(202);
    } finally {
      await steady.dispose();
    }
  });

  it("works over SSE with the same events", async () => {
    const receipt = await submit(lineIds.slice(100, 110), true);
    const sse = await collectSse<Event>(server.graphqlUrl, token, PROGRESS, { id: receipt.id, after: 0 });
    expect(sse.error).toBeUndefined();
    expect(sse.completed).toBe(true);
    expect(seqs(sse.events.slice(1))).toEqual(Array.from({ length: 22 }, (_, i) => i + 1));
    expect(sse.events.at(-1)!.receiptProgress.status).toBe("SUCCEEDED");
  });

  it("a mail receipt streams as a permission change does: accepted, each item's PROCESSING and SUCCEEDED, final", async () => {
    const page: any = await graphql(
      server.graphqlUrl,
      "{ lines(first: 5, filter: {contractStatus: ACTIVE, deviceKind: IPHONE}) { edges { node { id } } } }",
      {},
      token,
    );
    const sent: any = await graphql(
      server.graphqlUrl,
      "mutation ($input: SendMailInput!) { sendPasswordNotice(input: $input) { receipt { id number } userErrors { code } } }",
      { input: { lineIds: page.data.lines.edges.map((e: any) => e.node.id) } },
      token,
    );
    expect(sent.data.sendPasswordNotice.userErrors).toEqual([]);
    const receipt = sent.data.sendPasswordNotice.receipt as { id: string; number: string };
    const client = wsClient(server.wsUrl, token);
    try {
      const full = await collect<Event>(client, PROGRESS, { id: receipt.id, after: 0 });
      expect(full.error).toBeUndefined();
      expect(full.completed).toBe(true);
      const [snapshot, accepted, ...events] = full.events;
      expect(snapshot!.receiptProgress).toMatchObject({ snapshot: true, item: null });
      expect(accepted!.receiptProgress).toMatchObject({
        seq: 1,
        snapshot: false,
        status: "PROCESSING",
        item: null,
      });
      expect(seqs(events)).toEqual(Array.from({ length: 11 }, (_, i) => i + 2));
      expect(events.filter((e) => e.receiptProgress.itemStatus === "PROCESSING")).toHaveLength(5);
      expect(events.filter((e) => e.receiptProgress.itemStatus === "SUCCEEDED")).toHaveLength(5);
      expect(events.at(-1)!.receiptProgress).toMatchObject({
        status: "SUCCEEDED",
        item: null,
        receipt: { number: receipt.number, status: "SUCCEEDED", progress: { total: 5, succeeded: 5 } },
      });
    } finally {
      await client.dispose();
    }
  });

  it("another account's receipt cannot be watched; bad credentials close the socket with 4403", async () => {
    const receipt = await submit(lineIds.slice(110, 111), true);
    const other = await loginAs(server.graphqlUrl, "Other@admin");
    const client = wsClient(server.wsUrl, other);
    try {
      const refused = await collect<Event>(client, PROGRESS, { id: receipt.id });
      expect(JSON.stringify(refused.error)).toContain("NOT_FOUND");
      expect(refused.events).toEqual([]);
    } finally {
      await client.dispose();
    }
    const forged = wsClient(server.wsUrl, "ses_not-a-token");
    const closed = await collect<Event>(forged, PROGRESS, { id: receipt.id });
    expect((closed.error as { code?: number }).code).toBe(4403);
    await forged.dispose();
  });
});
