// Several instances on one PostgreSQL and one Redis (run by CI, which starts
// both): a watcher on instance A sees every event of a batch submitted on
// instance B, and when B is killed mid-batch, instance C's workers finish the
// batch and the watcher misses nothing. A runs no worker (WORKER=off), so
// everything it hears crossed Redis. A logout on one instance ends the
// session on the others at once, although each caches sessions (here for a
// minute, ACTOR_CACHE_MS), and ends the session's open streams there.
import { randomUUID } from "node:crypto";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { authErrorMessages } from "../../domain/messages.ts";
import { graphql, loginAs, submitPermissionChange } from "../support/graphql.ts";
import { killAllServerProcesses, startServerProcess } from "../support/server-process.ts";
import { collect, wsClient } from "../support/subscriptions.ts";
import { waitForFinalReceiptOverApi, waitUntil } from "../support/wait.ts";

const serverUrl = process.env.TEST_DATABASE_URL;
const redisUrl = process.env.TEST_REDIS_URL;
const name = `multi_${randomUUID().replaceAll("-", "")}`;

async function admin(sql: string) {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

afterAll(async () => {
  killAllServerProcesses();
  if (serverUrl) await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
});

describe.skipIf(!serverUrl || !redisUrl)("two instances behind one Redis", () => {
  it("a watcher on A misses nothing of a batch submitted on B, even when B dies mid-batch and C finishes it", async () => {
    await admin(`CREATE DATABASE ${name}`);
    const url = new URL(serverUrl!);
    url.pathname = `/${name}`;
    const env = {
      DATABASE_URL: url.toString(),
      REDIS_URL: redisUrl!,
      FAKE_NOW: "2026-11-24T10:00:00+09:00",
      CARRIER_LATENCY_MS: "20-60",
      CARRIER_FAILURE_RATE: "0",
      WORKER_CONCURRENCY: "2",
      WORKER_LEASE_MS: "1000",
      ACTOR_CACHE_MS: "60000",
    };
    // All start together: migrations and demo data happen exactly once.
    const [a, b, c] = await Promise.all([
      startServerProcess({ ...env, WORKER: "off" }),
      startServerProcess(env),
      startServerProcess(env),
    ]);
    const token = await loginAs(b.graphqlUrl, "Manager@admin");
    const page: any = await graphql(
      b.graphqlUrl,
      "{ lines(first: 200, filter: {contractStatus: ACTIVE, outOfService: false}) { totalCount edges { node { id } } } }",
      {},
      token,
    );
    expect(page.data.lines.totalCount).toBe(977);
    const submitted: any = await graphql(
      b.graphqlUrl,
      "mutation ($input: PermissionChangeInput!) { submitPermissionChange(input: $input) { receipt { id } } }",
      {
        input: {
          lines: page.data.lines.edges.map((e: any) => ({
            lineId: e.node.id,
            backup: true,
            phonebookMigration: true,
          })),
        },
      },
      token,
    );
    const receiptId = submitted.data.submitPermissionChange.receipt.id;

    // Crash B once the watcher has seen 20 items succeed: the batch is under way,
    // and B holds leases on items in flight that C must take over.
    let seen = 0;
    let succeeded = 0;
    let reachedMidBatch!: () => void;
    const midBatch = new Promise<void>((resolve) => {
      reachedMidBatch = resolve;
    });
    const watcher = wsClient(a.wsUrl, token);
    const watching = collect<any>(
      watcher,
      "subscription ($id: ID!) { receiptProgress(receiptId: $id, afterSeq: 0) { seq snapshot itemStatus status } }",
      { id: receiptId },
      {
        timeoutMs: 120_000,
        onEvent: ({ receiptProgress: event }) => {
          if (event.snapshot) return;
          seen++;
          if (event.itemStatus === "SUCCEEDED") succeeded++;
          if (succeeded >= 20) reachedMidBatch();
        },
      },
    );
    const reached = await Promise.race([
      midBatch.then(() => "20 items succeeded"),
      watching.then(({ error }) => `the stream ended first (${String(error ?? "completed")})`),
    ]);
    expect(reached).toBe("20 items succeeded");
    await b.kill();
    // The kill landed mid-batch: the watcher had not yet seen the batch finish
    // (accepted + 200 PROCESSING + 200 final item events + the final event = 402).
    expect(seen).toBeLessThan(402);

    const { events, completed, error } = await watching;
    await watcher.dispose();
    expect(error).toBeUndefined();
    expect(completed).toBe(true);
    const stream = events.filter((e) => !e.receiptProgress.snapshot).map((e) => e.receiptProgress);
    expect(stream.map((e) => e.seq)).toEqual(Array.from({ length: 402 }, (_, i) => i + 1));
    expect(stream.filter((e) => e.itemStatus === "SUCCEEDED")).toHaveLength(200);
    expect(stream.at(-1)).toMatchObject({ status: "SUCCEEDED" });

    // A logout on C reaches A over Redis. The instances trust a cached session
    // for a minute (ACTOR_CACHE_MS), so A answering `viewer: null` well within
    // that minute of first seeing the session shows the eviction came over
    // Redis, not from the cache expiring. A fresh session keeps that minute
    // independent of how long the batch above took.
    const session = await loginAs(c.graphqlUrl, "Manager@admin");
    const viewer = "{ viewer { administrator { loginId } } }";
    const signedIn = { viewer: { administrator: { loginId: "Manager@admin" } } };
    expect((await graphql(a.graphqlUrl, viewer, {}, session)).data).toEqual(signedIn); // now cached on A
    // The session also watches lines on A; one-line changes made on C (whose
    // worker applies them) until A's stream hears one show it is live.
    const streamOnA = wsClient(a.wsUrl, session);
    let heard = 0;
    const watchingOnA = collect<any>(
      streamOnA,
      "subscription { lineStatusChanged { id status } }",
      {},
      { timeoutMs: 60_000, onEvent: () => heard++ },
    );
    await waitUntil(
      async () => {
        if (heard > 0) return heard;
        const change = await submitPermissionChange(c.graphqlUrl, token, [page.data.lines.edges[0].node.id]);
        await waitForFinalReceiptOverApi(c.graphqlUrl, token, change.number);
        return heard;
      },
      (count) => count > 0,
      { what: "the stream on A to hear a change made on C" },
    );
    expect((await graphql(c.graphqlUrl, "mutation { logout }", {}, session)).data).toEqual({ logout: true });
    // The stream on A ends with the session, as an UNAUTHENTICATED error.
    const endedOnA = await watchingOnA;
    await streamOnA.dispose();
    expect(endedOnA.error).toEqual([
      { message: authErrorMessages.UNAUTHENTICATED, extensions: { code: "UNAUTHENTICATED" } },
    ]);
    const after = await waitUntil(
      () => graphql(a.graphqlUrl, viewer, {}, session),
      (result) => result.data?.viewer === null,
      { timeoutMs: 30_000, what: "A to drop the session logged out on C" },
    );
    expect(after.data).toEqual({ viewer: null });
    expect(await a.stop()).toBe(0);
    expect(await c.stop()).toBe(0);
  }, 180_000);
});
