// Issue 15, points 5 and 6: deploys drop nothing, and a worker tier. Server
// processes on one PostgreSQL (and one Redis), as they run in production.
//
// - WORKER=only serves /health and /ready alone and applies what a WORKER=off
//   (API-only) instance accepted.
// - SIGTERM mid-batch on one of two instances: readiness 503 at once, its
//   WebSocket watcher closed with 1001 and resuming on the other instance with
//   afterSeq, exit 0 within SHUTDOWN_GRACE_MS, the items it still held at
//   the carrier released and claimed by the other instance at once (not after
//   the 30 s lease), nothing applied twice. Each instance reaches the carrier
//   through its own port of one counting carrier, so the test knows who sent
//   what; the instance to stop gets a carrier slower than its grace, so what
//   it holds at the end is released, not finished.
import type { Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../lib/db.ts";
import { createCarrierServer, listen } from "../../services/carrier/http.ts";
import type { Carrier, PermissionRequest } from "../../services/carrier/port.ts";
import { createCarrierSimulator } from "../../services/carrier/simulator.ts";
import { activeLineIds, loginAs, submitPermissionChange } from "../support/graphql.ts";
import { type LocalPostgres, type LocalRedis, startPostgres, startRedis } from "../support/local-services.ts";
import { killAllServerProcesses, type ServerProcess, startServerProcess } from "../support/server-process.ts";
import { collect, wsClient } from "../support/subscriptions.ts";
import { waitForFinalReceiptOverApi, waitUntil } from "../support/wait.ts";
import { reportFigures } from "./harness.ts";

const gated = !process.env.TEST_CLUSTER;
let postgres: LocalPostgres | undefined;
let redis: LocalRedis | undefined;
const carriers: Server[] = [];
beforeAll(async () => {
  if (gated) return;
  [postgres, redis] = await Promise.all([startPostgres(), startRedis()]);
});
afterAll(async () => {
  killAllServerProcesses();
  for (const server of carriers) {
    server.closeAllConnections();
    server.close();
  }
  await Promise.allSettled([redis?.stop(), postgres?.stop()]);
});

const BUSINESS_HOURS = { FAKE_NOW: "2026-11-24T10:00:00+09:00", CARRIER_FAILURE_RATE: "0" };

async function probe(server: ServerProcess, path: string, init?: RequestInit) {
  const response = await fetch(`http://127.0.0.1:${server.port}${path}`, init);
  const text = await response.text();
  let body: any = text;
  try {
    body = JSON.parse(text);
  } catch {}
  return { status: response.status, body };
}

describe.skipIf(gated)("a worker tier (WORKER=only)", () => {
  it("serves /health and /ready alone, and applies a batch accepted by an API-only instance", async () => {
    const databaseUrl = await postgres!.createDatabase();
    const env = { ...BUSINESS_HOURS, DATABASE_URL: databaseUrl, CARRIER_LATENCY_MS: "5-20" };
    const [api, worker] = await Promise.all([
      startServerProcess({ ...env, WORKER: "off" }),
      startServerProcess({ ...env, WORKER: "only" }),
    ]);

    expect(await probe(worker, "/health")).toMatchObject({ status: 200, body: { status: "ok" } });
    expect(await probe(worker, "/ready")).toEqual({
      status: 200,
      body: {
        status: "ready",
        draining: false,
        dependencies: {
          database: { state: "up", required: true },
          carrier: { state: "up", required: false },
        },
      },
    });
    const post = {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: '{"query":"{ __typename }"}',
    };
    expect((await probe(worker, "/graphql", post)).status).toBe(404);
    expect((await probe(worker, "/graphql")).status).toBe(404);
    // The API-only instance runs no worker: no carrier to report.
    expect(await probe(api, "/ready")).toEqual({
      status: 200,
      body: { status: "ready", draining: false, dependencies: { database: { state: "up", required: true } } },
    });

    const token = await loginAs(api.graphqlUrl, "Manager@admin");
    const receipt = await submitPermissionChange(
      api.graphqlUrl,
      token,
      await activeLineIds(api.graphqlUrl, token, 20),
    );
    const final = await waitForFinalReceiptOverApi(
      api.graphqlUrl,
      token,
      receipt.number,
      "progress { succeeded failed }",
      { timeoutMs: 90_000 },
    );
    expect(final).toEqual({ status: "SUCCEEDED", progress: { succeeded: 20, failed: 0 } });

    expect(await api.stop()).toBe(0);
    expect(await worker.stop()).toBe(0);
  }, 240_000);
});

interface CarrierCall {
  via: "A" | "B";
  requestId: string;
  phoneNumber: string;
  startedAt: number;
  answeredAt?: number;
}

/** One carrier (the simulator on the shared database) reached through one port per instance, counting calls. */
function countingCarrier(simulator: Carrier) {
  const calls: CarrierCall[] = [];
  /** Request ids the carrier has applied, in order; an id seen again changes nothing (idempotent). */
  const applied = new Set<string>();
  const appliedPerLine = new Map<string, Set<string>>();
  const via = (name: CarrierCall["via"], latency: { min: number; max: number }): Carrier => ({
    roster: (code) => simulator.roster(code),
    passwords: (numbers) => simulator.passwords(numbers),
    async applyPermissions(request: PermissionRequest) {
      const call: CarrierCall = {
        via: name,
        requestId: request.requestId,
        phoneNumber: request.phoneNumber,
        startedAt: Date.now(),
      };
      calls.push(call);
      const ms = latency.min + Math.random() * (latency.max - latency.min);
      await new Promise((resolve) => setTimeout(resolve, ms));
      await simulator.applyPermissions(request);
      if (!applied.has(request.requestId)) {
        applied.add(request.requestId);
        const ids = appliedPerLine.get(request.phoneNumber) ?? new Set<string>();
        appliedPerLine.set(request.phoneNumber, ids.add(request.requestId));
      }
      call.answeredAt = Date.now();
    },
  });
  return { calls, applied, appliedPerLine, via };
}

const PROGRESS = /* GraphQL */ `
  subscription ($id: ID!, $after: Int) {
    receiptProgress(receiptId: $id, afterSeq: $after) { seq snapshot itemStatus status }
  }`;
type Progress = {
  receiptProgress: { seq: number; snapshot: boolean; itemStatus: string | null; status: string };
};

describe.skipIf(gated)("SIGTERM mid-batch (a deploy)", () => {
  it("drops nothing: readiness 503 at once, exit 0 within the grace, held items claimed elsewhere at once, none applied twice", async () => {
    const databaseUrl = await postgres!.createDatabase();
    const shared = await openDatabase({ databaseUrl, dataDir: "" });
    try {
      const carrier = countingCarrier(
        createCarrierSimulator(shared.prisma, { latencyMs: { min: 0, max: 0 }, failureRate: 0 }),
      );
      const graceMs = 6_000;
      // A's calls outlast the part of its grace given to work in flight (3 s of 6): released, not finished.
      const carrierA = createCarrierServer(carrier.via("A", { min: 6_500, max: 7_500 }));
      const carrierB = createCarrierServer(carrier.via("B", { min: 30, max: 80 }));
      carriers.push(carrierA, carrierB);
      const [urlA, urlB] = await Promise.all([listen(carrierA, 0), listen(carrierB, 0)]);
      const env = {
        ...BUSINESS_HOURS,
        DATABASE_URL: databaseUrl,
        REDIS_URL: redis!.url,
        WORKER_CONCURRENCY: "4",
      };
      const [a, b] = await Promise.all([
        startServerProcess({
          ...env,
          CARRIER_URL: urlA,
          SHUTDOWN_GRACE_MS: String(graceMs),
          SHUTDOWN_DRAIN_DELAY_MS: "1000",
        }),
        startServerProcess({ ...env, CARRIER_URL: urlB }),
      ]);
      let bExited = false;
      void b.exited.then(() => {
        bExited = true;
      });

      const token = await loginAs(a.graphqlUrl, "Manager@admin");
      const lineIds = await activeLineIds(a.graphqlUrl, token, 200);
      const receipt = await submitPermissionChange(a.graphqlUrl, token, lineIds);
      // A watcher on the instance about to stop.
      const watcherA = wsClient(a.wsUrl, token);
      const onA = collect<Progress>(watcherA, PROGRESS, { id: receipt.id, after: 0 }, { timeoutMs: 120_000 });

      // Mid-batch, with A holding items at the carrier.
      await waitUntil(
        () => carrier.calls,
        (calls) => calls.some((c) => c.via === "A") && calls.filter((c) => c.answeredAt).length >= 30,
        { what: "30 items applied and A holding some", timeoutMs: 90_000 },
      );
      const sigtermAt = Date.now();
      a.child.kill("SIGTERM");
      const draining = await waitUntil(
        () => probe(a, "/ready"),
        (r) => r.status === 503,
        { what: "A's readiness to turn 503", intervalMs: 10 },
      );
      const readyTurnedMs = Date.now() - sigtermAt;
      expect(draining.body).toEqual({ status: "draining", draining: true, dependencies: {} });

      const code = await a.exited;
      const exitedMs = Date.now() - sigtermAt;
      const released = a.entries.find((e) => e.msg === "released the receipt items still in flight");

      // A's watcher was told to go elsewhere (1001) and resumes on B from its last seq.
      const first = await onA;
      await watcherA.dispose();
      const closeCode = (first.error as { code?: number } | undefined)?.code;
      const seenOnA = first.events.filter((e) => !e.receiptProgress.snapshot).map((e) => e.receiptProgress);
      const watcherB = wsClient(b.wsUrl, token);
      const rest = await collect<Progress>(
        watcherB,
        PROGRESS,
        { id: receipt.id, after: seenOnA.at(-1)?.seq ?? 0 },
        { timeoutMs: 120_000 },
      );
      await watcherB.dispose();
      const seenOnB = rest.events.filter((e) => !e.receiptProgress.snapshot).map((e) => e.receiptProgress);

      const final = await waitForFinalReceiptOverApi(
        b.graphqlUrl,
        token,
        receipt.number,
        "progress { succeeded }",
        {
          timeoutMs: 90_000,
        },
      );
      // What A held: every call it made (none could be answered within its lifetime).
      const heldByA = carrier.calls.filter((c) => c.via === "A");
      const takenOver = heldByA.map((held) => {
        const again = carrier.calls.find((c) => c.via === "B" && c.requestId === held.requestId);
        return again ? again.startedAt - sigtermAt : Number.NaN;
      });
      const log = await shared.prisma.receiptEvent.findMany({
        where: { receipt: { number: receipt.number } },
        orderBy: { seq: "asc" },
      });
      const items = await shared.prisma.receiptItem.findMany({
        where: { receipt: { number: receipt.number } },
      });
      const lines = await shared.prisma.line.findMany({ where: { id: { in: items.map((i) => i.lineId) } } });
      const succeededEvents = log.filter((e) => e.itemStatus === "SUCCEEDED").map((e) => e.itemId);
      const figures = {
        secondsUntilReady503: readyTurnedMs / 1000,
        exitCode: code,
        secondsUntilExit: exitedMs / 1000,
        graceSeconds: graceMs / 1000,
        itemsHeldByAAtStop: heldByA.length,
        itemsReleased: released?.released,
        secondsFromSigtermUntilBClaimedEach: takenOver.map((ms) => ms / 1000),
        webSocketCloseCode: closeCode,
        eventsOnA: seenOnA.length,
        eventsOnBAfterResume: seenOnB.length,
        logLength: log.length,
        itemsSucceeded: items.filter((i) => i.status === "SUCCEEDED").length,
        itemsSucceededTwiceInLog: succeededEvents.length - new Set(succeededEvents).size,
        linesChangedTwice: lines.filter((l) => l.version !== 2).length,
        carrierCalls: carrier.calls.length,
        carrierCallsRepeated: carrier.calls.length - new Set(carrier.calls.map((c) => c.requestId)).size,
        linesAppliedByTwoRequests: [...carrier.appliedPerLine.values()].filter((ids) => ids.size > 1).length,
      };
      reportFigures("SIGTERM mid-batch on one of two instances", figures);

      expect(readyTurnedMs).toBeLessThan(1_000);
      expect(code).toBe(0);
      expect(exitedMs).toBeLessThan(graceMs + 1_500);
      expect(a.messages).toContain("draining");
      expect(a.messages.at(-1)).toBe("stopped");
      expect(heldByA.length).toBeGreaterThan(0);
      expect(released?.released).toBe(heldByA.length);
      // Claimed by B as soon as they were released (about 3 s into the grace), not after the 30 s lease.
      for (const ms of takenOver) expect(ms).toBeLessThan(5_000);
      expect(closeCode).toBe(1001);
      expect([...seenOnA, ...seenOnB]).toEqual(
        log.map(({ seq, itemStatus, status }) => ({ seq, itemStatus, status, snapshot: false })),
      );
      expect(final).toEqual({ status: "SUCCEEDED", progress: { succeeded: 200 } });
      expect(figures.itemsSucceeded).toBe(200);
      expect(succeededEvents).toHaveLength(200);
      expect(figures.itemsSucceededTwiceInLog).toBe(0);
      expect(figures.linesChangedTwice).toBe(0);
      expect(figures.linesAppliedByTwoRequests).toBe(0);
      expect(carrier.applied.size).toBe(200);
      expect(bExited).toBe(false);
      expect(await b.stop()).toBe(0);
    } finally {
      await shared.close();
    }
  }, 300_000);
});
