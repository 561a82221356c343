// Many watchers of one receipt cost the database about what one watcher
// costs, and one watcher does not read per event: the receipt, its progress
// and its items are read once for all the events already committed (here the
// whole replay of a finished receipt), not once per event per watcher.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningApp, startTestApp } from "../support/app.ts";
import { activeLineIds, loginAs, submitPermissionChange } from "../support/graphql.ts";
import { recordOperations, tally } from "../support/operations.ts";
import { collect, wsClient } from "../support/subscriptions.ts";

const PROGRESS = /* GraphQL */ `
  subscription ($id: ID!) {
    receiptProgress(receiptId: $id, afterSeq: 0) {
      seq status
      item { phoneNumber status }
      receipt { number status progress { total succeeded } }
    }
  }`;

let server: RunningApp;
let token: string;
const operations = recordOperations();
const receipts: string[] = [];

beforeAll(async () => {
  server = await startTestApp(
    {
      FAKE_NOW: "2026-11-24T10:00:00+09:00",
      CARRIER_LATENCY_MS: "0",
      CARRIER_FAILURE_RATE: "0",
      // The session stays cached for the whole file: on a loaded machine the
      // default few seconds run out between calls, and its read would show up
      // among the recorded ones (the actor cache is test/api/auth.test.ts's subject).
      ACTOR_CACHE_MS: "60000",
    },
    { onOperation: operations.onOperation },
  );
  token = await loginAs(server.graphqlUrl, "Manager@admin");
  const ids = await activeLineIds(server.graphqlUrl, token, 100);
  // Two batches of 50 lines, finished before anyone watches.
  for (const batch of [ids.slice(0, 50), ids.slice(50)]) {
    const receipt = await submitPermissionChange(server.graphqlUrl, token, batch, {
      backup: false,
      phonebookMigration: true,
    });
    receipts.push(receipt.id);
  }
  await server.app.worker?.whenIdle();
  await server.app.worker?.stop();
});
afterAll(() => server.stop());

/** The database calls of `watchers` clients replaying one receipt's progress from the start. */
async function watch(receiptId: string, watchers: number) {
  const clients = Array.from({ length: watchers }, () => wsClient(server.wsUrl, token));
  const { result: results, calls } = await operations.during(async () => {
    const results = await Promise.all(clients.map((c) => collect<any>(c, PROGRESS, { id: receiptId })));
    await Promise.all(clients.map((c) => c.dispose()));
    return results;
  });
  for (const r of results) {
    expect(r.error).toBeUndefined();
    expect(r.completed).toBe(true);
    // snapshot, accepted, 50 PROCESSING, 50 SUCCEEDED, final
    expect(r.events).toHaveLength(103);
    expect(r.events.at(-1).receiptProgress.receipt.progress).toEqual({ total: 50, succeeded: 50 });
  }
  // The webhook dispatcher keeps polling after the worker has stopped (raw SQL,
  // services/webhooks/dispatcher.ts); the progress stream makes no raw query.
  return calls.filter((call) => call !== "$queryRaw");
}

describe("shared reads for subscribers", () => {
  it("ten watchers replaying a 50-line receipt cost about one watcher's reads, not ten", async () => {
    const one = await watch(receipts[0] as string, 1);
    const ten = await watch(receipts[1] as string, 10);
    // One watcher of 103 events: the access check, the snapshot, the log, and
    // the receipt, its progress and its items read once for all the events
    // (was ~210 statements, two per event).
    expect(one).toMatchInlineSnapshot(`
      [
        "Receipt.findFirst",
        "Receipt.findUniqueOrThrow",
        "Receipt.findUniqueOrThrow",
        "ReceiptItem.groupBy",
        "ReceiptEvent.findMany",
        "Receipt.findUniqueOrThrow",
        "ReceiptItem.findMany",
      ]
    `);
    // Each extra watcher adds only its own access check, snapshot and log read;
    // the receipt, its progress and its items are still read once. The
    // watchers run concurrently, so their calls interleave: count them.
    expect(tally(ten)).toMatchInlineSnapshot(`
      {
        "Receipt.findFirst": 10,
        "Receipt.findUniqueOrThrow": 12,
        "ReceiptEvent.findMany": 10,
        "ReceiptItem.findMany": 1,
        "ReceiptItem.groupBy": 1,
      }
    `);
  });
});
