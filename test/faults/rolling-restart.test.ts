// A deploy on the cluster layout: both API instances are restarted one after
// the other (SIGTERM, then started again) while a 200-line batch is applied by
// the worker instance and 100 watchers, split across the two instances, follow
// it. A watcher whose socket closes reconnects (to the other instance, as a
// load balancer would send it) and resumes with afterSeq. Targets (issue 15):
// nothing lost or applied twice, nothing failed, no gap in the event log, no
// process exited by itself, every instance stopped with 0, and every watcher's
// events equal to the receipt's event log. Also: a SIGTERM while an API
// instance is starting ends it with 0.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitUntil } from "../support/wait.ts";
import {
  batchFigures,
  type Cluster,
  clusterTests,
  compareWithLog,
  readEventLog,
  receiptStatus,
  reportFigures,
  secondsSince,
  signIn,
  startFaultCluster,
  submitBatch,
  type Watcher,
  waitForFinal,
  waitForReady,
  watchReceipt,
} from "./harness.ts";

const WATCHERS = 100;
/** Watchers are browsers: ten sessions, ten watchers each (WS_MAX_SOCKETS_PER_CREDENTIAL is 20 per instance). */
const SESSIONS = 10;

let cluster: Cluster;

describe.skipIf(!clusterTests)("a rolling restart of both API instances mid-batch", () => {
  beforeAll(async () => {
    cluster = await startFaultCluster({
      // About 40 s of carrier work (200 items × 300–500 ms, two at a time):
      // both restarts happen while the batch is in flight.
      env: { CARRIER_LATENCY_MS: "300-500" },
      workerEnv: { WORKER_CONCURRENCY: "2" },
    });
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it("100 watchers across both instances miss nothing, the batch finishes, every instance exits 0", async () => {
    const tokens: string[] = [];
    for (let i = 0; i < SESSIONS; i++)
      tokens.push(await signIn(cluster, "Manager@admin", cluster.api[i % 2]!));
    const batch = await submitBatch(cluster, tokens[0]!, { lines: 200 });
    const urls = cluster.api.map((api) => api.wsUrl);
    const watchers: Watcher[] = Array.from({ length: WATCHERS }, (_, index) =>
      watchReceipt(urls, tokens[index % SESSIONS]!, batch.id, { index, start: index % 2 }),
    );
    try {
      await waitUntil(
        () => watchers.filter((w) => w.snapshots > 0).length,
        (n) => n === WATCHERS,
        { what: "every watcher to subscribe", timeoutMs: 60_000 },
      );
      // Mid-batch: some items are done, most are not.
      await waitUntil(
        async () => (await readEventLog(cluster, batch.id)).length,
        (n) => n >= 30,
        { what: "the batch to be under way", timeoutMs: 60_000 },
      );

      const restarts: Record<string, unknown>[] = [];
      for (const api of cluster.api) {
        const inFlight = (await receiptStatus(cluster, batch.id)) === "PROCESSING";
        const doneBefore = (await readEventLog(cluster, batch.id)).filter(
          (e) => e.itemStatus === "SUCCEEDED",
        ).length;
        const affected = watchers.filter((w) => !w.completed && w.url === api.wsUrl);
        const signalled = Date.now();
        const exit = await api.stop();
        // Each watcher that was on it is connected again (to the other instance).
        await waitUntil(
          () => affected.filter((w) => w.completed || w.connections.some((c) => c.at > signalled)).length,
          (n) => n === affected.length,
          { what: `the watchers of ${api.name} to reconnect`, timeoutMs: 60_000 },
        );
        const watchersBack = secondsSince(signalled);
        await api.start();
        await waitForReady(api);
        restarts.push({
          instance: api.name,
          batchInFlight: inFlight,
          itemsDoneBefore: doneBefore,
          exitCode: exit.code,
          secondsToExit: Math.round(exit.ms / 100) / 10,
          watchersMoved: affected.length,
          secondsUntilWatchersBack: watchersBack,
          secondsUntilInstanceReady: secondsSince(signalled),
        });
      }

      const status = await waitForFinal(cluster, batch);
      await waitUntil(
        () => watchers.filter((w) => w.completed || w.errors.length > 0).length,
        (n) => n === WATCHERS,
        { what: "every watcher's stream to complete", timeoutMs: 120_000 },
      );
      const log = await readEventLog(cluster, batch.id);
      const comparisons = watchers.map((w) => compareWithLog(w.events, log));
      const figures = await batchFigures(cluster, batch);
      const unequal = comparisons.filter((c) => !c.equal).length;
      reportFigures("rolling restart of both API instances, 100 watchers", {
        receipt: status,
        ...figures,
        eventLogLength: log.length,
        restarts,
        watchers: WATCHERS,
        watchersWithErrors: watchers.filter((w) => w.errors.length > 0).length,
        watchersNotEqualToLog: unequal,
        eventsMissedByWatchers: comparisons.reduce((n, c) => n + c.missing.length, 0),
        eventsReceivedTwice: comparisons.reduce((n, c) => n + c.duplicated.length, 0),
        reconnections: watchers.reduce((n, w) => n + w.connections.length - 1, 0),
        closeCodes: countBy(watchers.flatMap((w) => w.closes)),
        processesExited: cluster.exits.length,
      });

      expect(restarts.map((r) => r.batchInFlight)).toEqual([true, true]);
      expect(restarts.map((r) => r.exitCode)).toEqual([0, 0]);
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
      // Every watcher was moved at least once (each instance was restarted under it).
      expect(watchers.filter((w) => w.connections.length < 2).map((w) => w.index)).toEqual([]);
      expect(cluster.exits).toEqual([]);
    } finally {
      await Promise.all(watchers.map((w) => w.dispose()));
    }
  }, 300_000);

  it("a SIGTERM while an API instance is starting ends it with 0; the next start serves", async () => {
    const api = cluster.api[1];
    expect((await api.stop()).code).toBe(0);
    api.spawn();
    await api.waitForLog((entry) => entry.msg === "starting");
    const exit = await api.stop();
    const messages = api.logs.map((entry) => entry.msg);
    reportFigures("SIGTERM while an API instance starts", {
      exitCode: exit.code,
      secondsToExit: Math.round(exit.ms / 100) / 10,
      listened: messages.some((msg) => msg.startsWith("listening on")),
      processesExited: cluster.exits.length,
    });
    expect(exit.code).toBe(0);
    expect(messages).toContain("shutting down");
    expect(messages.some((msg) => msg.startsWith("listening on"))).toBe(false);
    await api.start();
    await waitForReady(api);
    expect(cluster.exits).toEqual([]);
  }, 120_000);
});

function countBy(values: number[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
}
