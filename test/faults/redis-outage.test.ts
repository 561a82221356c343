// Issue 15, point 1: losing Redis degrades, never kills. On the cluster
// layout (two API instances, WORKER=off, and the worker instance, on one
// PostgreSQL and one Redis), Redis is killed (SIGKILL) mid-batch with
// receiptProgress watchers on both API instances and a lineStatusChanged
// watcher on one, kept down while the worker goes on, and started again.
// Everything the API instances' watchers hear crossed Redis. Targets: no
// process exits; the batch finishes, nothing lost or applied twice; every
// watcher's events equal the receipt's log, with no reconnection (the server
// refills the gap itself); /ready says redis down meanwhile; sign-in and
// queries work throughout; one warning per instance and outage.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { graphql } from "../support/graphql.ts";
import { collect, wsClient } from "../support/subscriptions.ts";
import { waitUntil } from "../support/wait.ts";
import {
  batchFigures,
  type Cluster,
  clusterTests,
  compareWithLog,
  type GatewayPart,
  readEventLog,
  readiness,
  reportFigures,
  secondsSince,
  signIn,
  startFaultCluster,
  submitBatch,
  waitForFinal,
  watchReceipt,
} from "./harness.ts";

let cluster: Cluster;

/** What /ready says of Redis (null while nothing answers). */
async function redisState(
  part: GatewayPart,
): Promise<{ http: number; status: string; redis: string } | null> {
  const ready = await readiness(part);
  if (!ready) return null;
  const body = ready.body as { status: string; dependencies: { redis?: { state: string } } };
  return { http: ready.status, status: body.status, redis: body.dependencies.redis?.state ?? "absent" };
}

describe.skipIf(!clusterTests)("Redis killed and started again mid-batch", () => {
  beforeAll(async () => {
    cluster = await startFaultCluster({
      // About 15 s of carrier work (200 items × 200–400 ms, four at a time).
      workerEnv: { WORKER_CONCURRENCY: "4" },
    });
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it("no instance exits, the batch finishes, every watcher gets the whole log, /ready says redis down meanwhile", async () => {
    const gateways = [...cluster.api, cluster.worker];
    const token = await signIn(cluster);
    const lineWatcher = wsClient(cluster.api[1].wsUrl, token);
    const lines = collect<unknown>(
      lineWatcher,
      "subscription { lineStatusChanged { id } }",
      {},
      {
        timeoutMs: 240_000,
      },
    );
    const batch = await submitBatch(cluster, token, { lines: 200 });
    const watchers = cluster.api.map((api, index) => watchReceipt([api.wsUrl], token, batch.id, { index }));
    try {
      // Mid-batch: events have crossed Redis to both API instances.
      await waitUntil(
        () => Math.min(...watchers.map((w) => w.events.length)),
        (n) => n >= 60,
        { what: "both watchers to hear 60 events over Redis", timeoutMs: 120_000 },
      );
      const killedAt = Date.now();
      await cluster.redis.kill();
      const succeededAtKill = (await readEventLog(cluster, batch.id)).filter(
        (e) => e.itemStatus === "SUCCEEDED",
      ).length;
      expect(succeededAtKill).toBeLessThan(200);

      // Every instance says so, and goes on serving.
      const down = await Promise.all(
        gateways.map((part) =>
          waitUntil(
            () => redisState(part),
            (state) => state?.redis === "down",
            { what: `${part.name}'s /ready to say redis down`, timeoutMs: 30_000, intervalMs: 100 },
          ),
        ),
      );
      const secondsUntilReadySaidDown = secondsSince(killedAt);
      const heardAfterDetection = watchers.map((w) => w.events.length);
      // Sign-in and queries: counted in each instance's memory meanwhile.
      const during = await signIn(cluster, "Manager@admin", cluster.api[1]);
      const viewer = await graphql(
        cluster.api[0].graphqlUrl,
        "{ viewer { administrator { loginId } } }",
        {},
        during,
      );
      // The worker needs only the database: the batch moves on without Redis.
      await waitUntil(
        async () =>
          (await readEventLog(cluster, batch.id)).filter((e) => e.itemStatus === "SUCCEEDED").length,
        (n) => n >= Math.min(succeededAtKill + 40, 200),
        { what: "the batch to move on without Redis", timeoutMs: 120_000, intervalMs: 200 },
      );
      const succeededWhileDown =
        (await readEventLog(cluster, batch.id)).filter((e) => e.itemStatus === "SUCCEEDED").length -
        succeededAtKill;
      // Nothing crossed the missing Redis (counted from when /ready saw it gone,
      // past what the sockets had already received when the kill landed).
      const heardWhileDown = watchers.map((w, i) => w.events.length - (heardAfterDetection[i] ?? 0));

      const restartedAt = Date.now();
      const downSeconds = secondsSince(killedAt);
      await cluster.redis.start();
      await Promise.all(
        gateways.map((part) =>
          waitUntil(
            () => redisState(part),
            (state) => state?.redis === "up",
            { what: `${part.name}'s /ready to say redis up`, timeoutMs: 30_000, intervalMs: 100 },
          ),
        ),
      );
      const secondsUntilReadyAgain = secondsSince(restartedAt);
      const heardAtRestart = watchers.map((w) => w.events.length);
      await waitUntil(
        () => watchers.every((w, i) => w.completed || w.events.length > (heardAtRestart[i] ?? 0)),
        (yes) => yes,
        { what: "both watchers to hear again", timeoutMs: 60_000, intervalMs: 20 },
      );
      const secondsUntilWatchersHeardAgain = secondsSince(restartedAt);

      const status = await waitForFinal(cluster, batch);
      await waitUntil(
        () => watchers.filter((w) => w.completed || w.errors.length > 0).length,
        (n) => n === watchers.length,
        { what: "both watchers' streams to complete", timeoutMs: 120_000 },
      );
      const log = await readEventLog(cluster, batch.id);
      const comparisons = watchers.map((w) => compareWithLog(w.events, log));
      const figures = await batchFigures(cluster, batch);
      const endedLines = await lines;
      await lineWatcher.dispose();
      const warnings = gateways.map(
        (part) => part.logs.filter((entry) => entry.msg.startsWith("realtime: Redis unreachable")).length,
      );
      reportFigures("Redis killed and restarted mid-batch", {
        receipt: status,
        ...figures,
        eventLogLength: log.length,
        redisDownSeconds: downSeconds,
        secondsUntilReadySaidRedisDown: secondsUntilReadySaidDown,
        readinessWhileDown: down.map((state) => `${state?.http} ${state?.status}`),
        itemsSucceededWhileRedisDown: succeededWhileDown,
        eventsHeardByApiWatchersWhileDown: heardWhileDown,
        secondsUntilReadyAfterRestart: secondsUntilReadyAgain,
        secondsUntilWatchersHeardAgain,
        watchersNotEqualToLog: comparisons.filter((c) => !c.equal).length,
        eventsMissedByWatchers: comparisons.reduce((n, c) => n + c.missing.length, 0),
        eventsReceivedTwice: comparisons.reduce((n, c) => n + c.duplicated.length, 0),
        watcherReconnections: watchers.reduce((n, w) => n + w.connections.length - 1, 0),
        lineWatcherEndedWith: (endedLines.error as { extensions?: { code?: string } }[] | undefined)?.[0]
          ?.extensions?.code,
        warningsPerInstance: warnings,
        processesExited: cluster.exits.length,
      });

      for (const state of down) expect(state).toEqual({ http: 200, status: "degraded", redis: "down" });
      expect(viewer.data).toEqual({ viewer: { administrator: { loginId: "Manager@admin" } } });
      expect(succeededWhileDown).toBeGreaterThanOrEqual(Math.min(40, 200 - succeededAtKill));
      expect(heardWhileDown).toEqual([0, 0]);
      expect(status).toBe("SUCCEEDED");
      expect(figures).toMatchObject({
        items: 200,
        succeeded: 200,
        lost: 0,
        appliedTwice: 0,
        failedBecauseOfOutage: 0,
        eventLogGaps: 0,
        finalEvents: 1,
      });
      expect(watchers.flatMap((w) => w.errors)).toEqual([]);
      expect(comparisons.filter((c) => !c.equal)).toEqual([]);
      // The server refilled the gap itself: no watcher had to reconnect.
      expect(watchers.map((w) => w.connections.length)).toEqual([1, 1]);
      // The line watcher was told it may have missed changes (subscribe again and refetch).
      expect(endedLines.error).toEqual([expect.objectContaining({ extensions: { code: "SLOW_CONSUMER" } })]);
      // One warning per instance and outage, not one per reconnection attempt.
      expect(warnings).toEqual([1, 1, 1]);
      expect(cluster.exits).toEqual([]);
      for (const part of gateways) expect((await part.stop()).code).toBe(0);
    } finally {
      await Promise.all(watchers.map((w) => w.dispose()));
    }
  }, 400_000);
});
