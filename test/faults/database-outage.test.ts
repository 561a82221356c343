// Issue 15.3: PostgreSQL stopped for 20 s in the middle of a 200-line batch.
// Meanwhile every operation that needs the database is answered honestly:
// SERVICE_UNAVAILABLE, 503 with Retry-After over HTTP, a per-operation error
// over WebSocket (never "Unexpected error.", never 500), while /health stays
// 200. Once PostgreSQL is back the same process answers again and finishes
// the batch by itself: no item lost, none applied twice, no restart.
//
// Runs on a PostgreSQL of its own (Debian's binaries, scripts/postgres-local.sh),
// so only where CI provides them: TEST_CLUSTER=1 npx vitest run test/faults
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { openDatabase } from "../../lib/db.ts";
import { activeLineIds, graphql, loginAs, submitPermissionChange } from "../support/graphql.ts";
import { type Frame, openRawSocket, type RawSocket } from "../support/raw-ws.ts";
import { killAllServerProcesses, type ServerProcess, startServerProcess } from "../support/server-process.ts";
import { type Collected, collectSse } from "../support/subscriptions.ts";
import { waitUntil } from "../support/wait.ts";

const run = promisify(execFile);
const script = path.resolve(import.meta.dirname, "../../scripts/postgres-local.sh");
const OUTAGE_MS = 20_000;
const BATCH = 200;

/** A free loopback port in 55400–55499 (not CI's 55432). */
async function freePort(): Promise<number> {
  for (;;) {
    const port = 55400 + Math.floor(Math.random() * 100);
    if (port === 55432) continue;
    const free = await new Promise<boolean>((resolve) => {
      const probe = createServer();
      probe.once("error", () => resolve(false));
      probe.listen(port, "127.0.0.1", () => probe.close(() => resolve(true)));
    });
    if (free) return port;
  }
}

interface HttpAnswer {
  status: number;
  retryAfter: string | null;
  body: { data?: any; errors?: { message: string; extensions?: Record<string, any> }[] };
}

/** A GraphQL request whose status and Retry-After header the test reads. */
async function post(url: string, query: string, variables: Record<string, unknown> = {}, token?: string) {
  const response = await fetch(url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify({ query, variables }),
  });
  return {
    status: response.status,
    retryAfter: response.headers.get("retry-after"),
    body: (await response.json()) as HttpAnswer["body"],
  } satisfies HttpAnswer;
}

const LOGIN =
  "mutation ($l: String!, $p: String!) { login(loginId: $l, password: $p) { token userErrors { code } } }";
const LINES = "{ lines(first: 1) { totalCount } }";
const PROGRESS_QUERY = "query ($n: String!) { receipt(number: $n) { progress { succeeded processing } } }";
const PROGRESS = "subscription ($id: ID!) { receiptProgress(receiptId: $id) { seq status } }";

/**
 * The errors an operation got over WebSocket: an `error` message (refused
 * before it ran, or a stream that failed) or a result's errors (a query whose
 * fields failed).
 */
function errorsOf(frame: Frame | undefined): { message: string; extensions?: Record<string, any> }[] {
  if (frame?.type === "error") return frame.payload;
  return frame?.payload?.errors ?? [];
}

/** Opens a WebSocket and sends connection_init; resolves with how the server answered. */
function connectionInit(url: string, token: string): Promise<{ ack: boolean; close?: number }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, "graphql-transport-ws");
    socket.once("error", reject);
    socket.once("open", () =>
      socket.send(JSON.stringify({ type: "connection_init", payload: { authorization: `Bearer ${token}` } })),
    );
    socket.on("message", (data) => {
      if ((JSON.parse(String(data)) as { type: string }).type === "connection_ack") {
        socket.close(1000);
        resolve({ ack: true });
      }
    });
    socket.once("close", (code) => resolve({ ack: false, close: code }));
  });
}

function countBy(values: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
}

let dir: string;
let port: number;
let databaseUrl: string;
let server: ServerProcess;

beforeAll(async () => {
  if (!process.env.TEST_CLUSTER) return;
  dir = mkdtempSync(path.join(tmpdir(), "anshin-db-outage-"));
  port = await freePort();
  databaseUrl = (await run(script, ["start", String(port), dir])).stdout.trim();
  server = await startServerProcess({
    DATABASE_URL: databaseUrl,
    FAKE_NOW: "2026-11-24T10:00:00+09:00",
    // About 8 s for the batch: the outage lands in its middle.
    CARRIER_LATENCY_MS: "100-200",
    CARRIER_FAILURE_RATE: "0",
    WORKER_CONCURRENCY: "4",
  });
});

afterAll(async () => {
  if (!process.env.TEST_CLUSTER) return;
  killAllServerProcesses();
  await run(script, ["stop", dir]).catch(() => {});
  rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!process.env.TEST_CLUSTER)("PostgreSQL stopped for 20 s mid-batch", () => {
  it("answers SERVICE_UNAVAILABLE (503, Retry-After) meanwhile, then recovers and finishes the batch", async () => {
    let exitedWith: number | null | "running" = "running";
    void server.exited.then((code) => {
      exitedWith = code;
    });
    const token = await loginAs(server.graphqlUrl, "Manager@admin");
    // A session that no request has used yet: it is in no cache when the outage comes.
    const unusedToken = await loginAs(server.graphqlUrl, "Substitute@admin");
    const lineIds = await activeLineIds(server.graphqlUrl, token, BATCH);
    const receipt = await submitPermissionChange(server.graphqlUrl, token, lineIds);
    const socket: RawSocket = await openRawSocket(server.wsUrl, token);

    const underWay = await waitUntil(
      () => graphql(server.graphqlUrl, PROGRESS_QUERY, { n: receipt.number }, token),
      (r) => r.data?.receipt.progress.succeeded >= 20 && r.data.receipt.progress.processing >= 1,
      { what: "the batch to be under way" },
    );

    // ---- The outage --------------------------------------------------------
    await run(script, ["stop", dir]);
    const stoppedAt = Date.now();
    const answers: { what: string; answer: HttpAnswer }[] = [];
    const health: number[] = [];
    let round = 0;
    let sse: Collected<unknown> | undefined;
    while (Date.now() - stoppedAt < OUTAGE_MS) {
      round++;
      answers.push({ what: "query", answer: await post(server.graphqlUrl, LINES, {}, token) });
      answers.push({
        what: "login",
        answer: await post(server.graphqlUrl, LOGIN, { l: "Manager@admin", p: "demo-pass" }),
      });
      answers.push({
        what: "query, unused session",
        answer: await post(server.graphqlUrl, LINES, {}, unusedToken),
      });
      answers.push({
        what: "mutation",
        answer: await post(server.graphqlUrl, "mutation { logout }", {}, unusedToken),
      });
      health.push((await fetch(`${server.graphqlUrl.replace("/graphql", "")}/health`)).status);
      if (round === 1) {
        // Over the WebSocket opened before: a query, and a subscription that
        // cannot read, each end with the code; the socket stays open.
        socket.subscribe("q1", LINES);
        socket.subscribe("s1", PROGRESS, { id: receipt.id });
        await socket.waitForFrame((f) => f.id === "q1" && (f.type === "error" || f.type === "next"));
        await socket.waitForFrame((f) => f.id === "s1" && (f.type === "error" || f.type === "next"));
        // The same subscription over SSE ends with the code too.
        sse = await collectSse(server.graphqlUrl, token, PROGRESS, { id: receipt.id });
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const wsQuery = socket.frames.find((f) => f.id === "q1" && f.type !== "complete");
    const wsSubscription = socket.frames.find((f) => f.id === "s1" && f.type !== "complete");
    // A new socket presenting credentials is told to come back later (1013), not refused.
    const newSocket = await connectionInit(server.wsUrl, token);

    // ---- PostgreSQL is back ---------------------------------------------
    await run(script, ["start", String(port), dir]);
    const restartedAt = Date.now();
    const firstQuery = await waitUntil(
      () => post(server.graphqlUrl, LINES, {}, token),
      (a) => a.status === 200 && !a.body.errors,
      { what: "a query to succeed again", intervalMs: 100 },
    );
    const queryBackMs = Date.now() - restartedAt;
    const login = await post(server.graphqlUrl, LOGIN, { l: "Manager@admin", p: "demo-pass" });
    const loginBackMs = Date.now() - restartedAt;
    // The worker goes on by itself: the next item it finishes.
    const succeeded = async () =>
      (await graphql(server.graphqlUrl, PROGRESS_QUERY, { n: receipt.number }, token)).data?.receipt.progress
        .succeeded as number;
    const succeededAtRestart = await succeeded();
    await waitUntil(succeeded, (n) => n > succeededAtRestart, {
      what: "the worker to finish an item again",
      intervalMs: 100,
    });
    const workerBackMs = Date.now() - restartedAt;
    const final = await waitUntil(
      () =>
        graphql(
          server.graphqlUrl,
          "query ($n: String!) { receipt(number: $n) { status progress { total succeeded failed pending processing } } }",
          { n: receipt.number },
          token,
        ),
      (r) => r.data?.receipt.status !== "PROCESSING",
      { what: "the batch to finish", timeoutMs: 120_000, intervalMs: 250 },
    );
    const batchDoneMs = Date.now() - restartedAt;
    const recovered = await server.waitForLog((e) => e.msg === "database reachable again");
    const socketClosed = socket.closed;
    await socket.close();

    // What the database holds: every item once, every line changed once.
    const db = await openDatabase({ databaseUrl, dataDir: "" });
    let items: { status: string; attempts: number; lineId: string }[];
    let finalEvents: number;
    let distinctFinal: number;
    let versions: number[];
    try {
      const row = await db.prisma.receipt.findUniqueOrThrow({ where: { number: receipt.number } });
      items = await db.prisma.receiptItem.findMany({ where: { receiptId: row.id } });
      const events = await db.prisma.receiptEvent.findMany({
        where: { receiptId: row.id, itemId: { not: null } },
      });
      const final = events.filter((e) => e.itemStatus === "SUCCEEDED" || e.itemStatus === "FAILED");
      finalEvents = final.length;
      distinctFinal = new Set(final.map((e) => e.itemId)).size;
      versions = (await db.prisma.line.findMany({ where: { id: { in: items.map((i) => i.lineId) } } })).map(
        (l) => l.version,
      );
    } finally {
      await db.close();
    }

    const outageLog = server.entries.filter((e) => e.msg.startsWith("database unreachable"));
    const errorsLogged = server.entries.filter((e) => (e.level as number) >= 50);
    const figures = {
      outageSeconds: (restartedAt - stoppedAt) / 1000,
      requestsDuringOutage: answers.length,
      answeredServiceUnavailable: answers.filter(
        ({ answer }) =>
          answer.status === 503 && answer.body.errors?.[0]?.extensions?.code === "SERVICE_UNAVAILABLE",
      ).length,
      unexpectedErrors: answers.filter(({ answer }) =>
        answer.body.errors?.some((e) => e.message === "Unexpected error."),
      ).length,
      http500: answers.filter(({ answer }) => answer.status >= 500 && answer.status !== 503).length,
      healthNot200: health.filter((status) => status !== 200).length,
      secondsToFirstQueryAfterRestart: queryBackMs / 1000,
      secondsToLoginAfterRestart: loginBackMs / 1000,
      secondsToNextItemDoneAfterRestart: workerBackMs / 1000,
      secondsToBatchDoneAfterRestart: batchDoneMs / 1000,
      outageLoggedDownMs: recovered.downMs,
      outageWarnings: outageLog.length,
      errorLinesLogged: errorsLogged.length,
      warningsLogged: countBy(server.entries.filter((e) => e.level === 40).map((e) => e.msg)),
      itemsOpenWhenStopped: BATCH - underWay.data.receipt.progress.succeeded,
      itemsLost: BATCH - items.filter((i) => i.status === "SUCCEEDED" || i.status === "FAILED").length,
      itemsFailed: items.filter((i) => i.status === "FAILED").length,
      itemsAppliedTwice: versions.filter((v) => v > 2).length + (finalEvents - distinctFinal),
      processExited: exitedWith !== "running",
    };
    console.log("database outage figures:", JSON.stringify(figures, null, 2));

    // Meanwhile: honest, coded answers.
    for (const { what, answer } of answers) {
      expect(answer.status, what).toBe(503);
      expect(answer.retryAfter, what).toMatch(/^\d+$/);
      expect(answer.body.errors?.[0]?.extensions, what).toMatchObject({
        code: "SERVICE_UNAVAILABLE",
        retryAfter: Number(answer.retryAfter),
      });
    }
    expect(figures.unexpectedErrors).toBe(0);
    expect(health.every((status) => status === 200)).toBe(true);
    expect(errorsOf(wsQuery)).toMatchObject([{ extensions: { code: "SERVICE_UNAVAILABLE" } }]);
    expect(errorsOf(wsQuery)[0]?.extensions?.http).toBeUndefined();
    expect(wsSubscription).toMatchObject({
      type: "error",
      payload: [{ extensions: { code: "SERVICE_UNAVAILABLE" } }],
    });
    expect(socketClosed).toBeNull();
    expect(sse?.events).toEqual([]);
    expect(sse?.error).toMatchObject([{ extensions: { code: "SERVICE_UNAVAILABLE" } }]);
    expect(newSocket).toEqual({ ack: false, close: 1013 });
    // Logged once as a warning, and its end once; no error lines about it.
    expect(outageLog).toHaveLength(1);
    expect(outageLog[0]?.level).toBe(40);
    expect(errorsLogged.map((e) => e.msg)).toEqual([]);

    // Afterwards: the same process answers and finishes the batch by itself.
    expect(firstQuery.body.data).toMatchObject({ lines: { totalCount: expect.any(Number) } });
    expect(login.body.data?.login.token).toEqual(expect.any(String));
    expect(final.data.receipt).toEqual({
      status: "SUCCEEDED",
      progress: { total: BATCH, succeeded: BATCH, failed: 0, pending: 0, processing: 0 },
    });
    expect(figures.itemsLost).toBe(0);
    expect(figures.itemsAppliedTwice).toBe(0);
    expect(versions).toEqual(Array(BATCH).fill(2));
    expect(finalEvents).toBe(BATCH);
    expect(exitedWith).toBe("running");
  }, 240_000);
});
