// Liveness, readiness and the stop sequence of one instance (issue 15), in
// process on PGlite: /health touches nothing, /ready lists every dependency
// and turns 503 the moment a stop begins; a stop lets a request in flight
// finish, ends SSE streams and WebSockets (1001) at once; WORKER=only serves
// nothing but the two probes; Redis unreachable from the start leaves the
// instance serving, its own watchers served, and /ready saying redis down.
import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { loadConfig } from "../../server/config.ts";
import { type RunningApp, startTestApp } from "../support/app.ts";
import { activeLineIds, graphql, loginAs, submitPermissionChange } from "../support/graphql.ts";
import { collect, wsClient } from "../support/subscriptions.ts";
import { waitUntil } from "../support/wait.ts";

const BUSINESS_HOURS = { FAKE_NOW: "2026-11-24T10:00:00+09:00", CARRIER_FAILURE_RATE: "0" };

async function getJson(url: string) {
  const response = await fetch(url);
  return { status: response.status, body: (await response.json()) as any };
}

/** Readiness's database probe, and nothing else (the webhook dispatcher's `SELECT 1 FROM …` is not it). */
const READINESS_PROBE = /^\s*SELECT 1\s*;?\s*$/i;

describe("liveness and readiness", () => {
  let server: RunningApp;
  const queries: string[] = [];
  beforeAll(async () => {
    server = await startTestApp(BUSINESS_HOURS, { onQuery: (sql) => queries.push(sql) });
  });
  afterAll(() => server.stop());

  it("/health answers 200 without touching the database", async () => {
    queries.length = 0;
    const { status, body } = await getJson(`${server.url}/health`);
    expect(status).toBe(200);
    expect(body).toMatchObject({ status: "ok" });
    // (The worker polls meanwhile; readiness would have sent SELECT 1.)
    expect(queries.filter((sql) => READINESS_PROBE.test(sql))).toEqual([]);
  });

  it("/ready checks the database (SELECT 1) and lists each dependency with its state", async () => {
    queries.length = 0;
    const { status, body } = await getJson(`${server.url}/ready`);
    expect(status).toBe(200);
    expect(body).toEqual({
      status: "ready",
      draining: false,
      dependencies: {
        database: { state: "up", required: true },
        // The worker's circuit breaker for the carrier (closed: up).
        carrier: { state: "up", required: false },
      },
    });
    expect(queries.some((sql) => READINESS_PROBE.test(sql))).toBe(true);
  });

  it("an optional dependency down leaves it ready but degraded; a required one makes it 503", async () => {
    server.app.dependencies.register("smtp", () => "down");
    let ready = await getJson(`${server.url}/ready`);
    expect(ready.status).toBe(200);
    expect(ready.body.status).toBe("degraded");
    expect(ready.body.dependencies.smtp).toEqual({ state: "down", required: false });

    // A probe that hangs is down once the readiness timeout (2 s) passes.
    server.app.dependencies.register("archive", () => new Promise(() => {}), { required: true });
    ready = await getJson(`${server.url}/ready`);
    expect(ready.status).toBe(503);
    expect(ready.body).toMatchObject({
      status: "unavailable",
      dependencies: { archive: { state: "down", required: true } },
    });
    server.app.dependencies.register("archive", () => "up", { required: true });
    server.app.dependencies.register("smtp", () => "up");
    expect((await getJson(`${server.url}/ready`)).body.status).toBe("ready");
  });
});

describe("a stop", () => {
  it("turns readiness 503 at once while it still serves (SHUTDOWN_DRAIN_DELAY_MS), then closes WebSockets with 1001", async () => {
    const server = await startTestApp({
      ...BUSINESS_HOURS,
      SHUTDOWN_DRAIN_DELAY_MS: "1500",
      SHUTDOWN_GRACE_MS: "10000",
    });
    const socket = new WebSocket(server.wsUrl, "graphql-transport-ws");
    await new Promise((resolve, reject) => socket.once("open", resolve).once("error", reject));
    const closed = new Promise<{ code: number; at: number }>((resolve) =>
      socket.once("close", (code) => resolve({ code, at: Date.now() })),
    );

    const begun = Date.now();
    const stopped = server.stop();
    const ready = await getJson(`${server.url}/ready`);
    expect(ready).toEqual({ status: 503, body: { status: "draining", draining: true, dependencies: {} } });
    // Still serving meanwhile, but every answer now closes its connection.
    const response = await fetch(server.graphqlUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: "{ __typename }" }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("connection")).toBe("close");
    // Liveness stays: the process is fine, it is only leaving.
    expect((await getJson(`${server.url}/health`)).status).toBe(200);

    const { code, at } = await closed;
    expect(code).toBe(1001);
    expect(at - begun).toBeGreaterThanOrEqual(1400);
    await stopped;
    await expect(fetch(`${server.url}/health`)).rejects.toThrow();
  });

  it("lets a request in flight finish and ends SSE streams at once", async () => {
    const server = await startTestApp(BUSINESS_HOURS);
    const token = await loginAs(server.graphqlUrl, "Manager@admin");

    // An SSE stream that would never end by itself.
    const sse = await fetch(server.graphqlUrl, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        accept: "text/event-stream",
        authorization: `Bearer ${token}`,
      },
      body: JSON.stringify({ query: "subscription { lineStatusChanged { id } }" }),
    });
    expect(sse.status).toBe(200);
    const sseEnded = sse.text().then(
      () => "ended",
      () => "ended",
    );

    // A request whose body is still on its way: the server has read its
    // headers (it answered 100 Continue) when the stop begins.
    const body = JSON.stringify({ query: "{ viewer { administrator { loginId } } }" });
    const answered = new Promise<{ status: number; connection: string | undefined; body: string }>(
      (resolve, reject) => {
        const req = request(server.graphqlUrl, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            "content-length": Buffer.byteLength(body),
            authorization: `Bearer ${token}`,
            expect: "100-continue",
          },
        });
        req.on("continue", () => {
          void server.stop();
          // The rest of the request arrives after the stop has begun.
          setImmediate(() => req.end(body));
        });
        req.on("response", (res) => {
          let text = "";
          res.on("data", (chunk: Buffer) => {
            text += chunk.toString("utf8");
          });
          res.on("end", () =>
            resolve({ status: res.statusCode ?? 0, connection: res.headers.connection, body: text }),
          );
        });
        req.on("error", reject);
        req.flushHeaders();
      },
    );
    const begun = Date.now();
    const result = await answered;
    expect(result.status).toBe(200);
    expect(JSON.parse(result.body).data).toEqual({ viewer: { administrator: { loginId: "Manager@admin" } } });
    expect(result.connection).toBe("close");
    expect(await sseEnded).toBe("ended");
    await server.stop();
    // Nothing waited for the grace (25 s by default).
    expect(Date.now() - begun).toBeLessThan(5_000);
  });
});

describe("the settings", () => {
  it("WORKER=only runs the worker without the API; the drain delay must be shorter than the grace", () => {
    expect(loadConfig({ WORKER: "only" })).toMatchObject({ runWorker: true, serveApi: false });
    expect(loadConfig({ WORKER: "off" })).toMatchObject({ runWorker: false, serveApi: true });
    expect(loadConfig({})).toMatchObject({
      runWorker: true,
      serveApi: true,
      shutdownGraceMs: 25_000,
      shutdownDrainDelayMs: 0,
    });
    expect(() => loadConfig({ SHUTDOWN_GRACE_MS: "5000", SHUTDOWN_DRAIN_DELAY_MS: "5000" })).toThrow(
      /SHUTDOWN_DRAIN_DELAY_MS/,
    );
    expect(() => loadConfig({ SHUTDOWN_GRACE_MS: "10" })).toThrow(/SHUTDOWN_GRACE_MS/);
  });
});

describe("WORKER=only", () => {
  let server: RunningApp;
  beforeAll(async () => {
    server = await startTestApp({ ...BUSINESS_HOURS, WORKER: "only" });
  });
  afterAll(() => server.stop());

  it("serves /health and /ready and nothing else: no GraphQL, no WebSocket, no web client", async () => {
    expect((await getJson(`${server.url}/health`)).status).toBe(200);
    expect(await getJson(`${server.url}/ready`)).toMatchObject({ status: 200, body: { status: "ready" } });
    const post = await fetch(server.graphqlUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: "{ __typename }" }),
    });
    expect(post.status).toBe(404);
    expect((await fetch(`${server.url}/`)).status).toBe(404);
    const socket = new WebSocket(server.wsUrl, "graphql-transport-ws");
    const outcome = await new Promise<string>((resolve) => {
      socket.once("open", () => resolve("open"));
      socket.once("error", () => resolve("refused"));
    });
    expect(outcome).toBe("refused");
    // It runs the worker.
    expect(server.app.worker).not.toBeNull();
  });
});

describe("Redis unreachable from the start", () => {
  let server: RunningApp;
  beforeAll(async () => {
    server = await startTestApp({
      ...BUSINESS_HOURS,
      // Nothing listens on port 1.
      REDIS_URL: "redis://127.0.0.1:1",
      CARRIER_LATENCY_MS: "30-60",
      WORKER_CONCURRENCY: "4",
    });
  });
  afterAll(() => server.stop());

  it("the instance starts and serves, its own watchers miss nothing, /ready says redis down", async () => {
    const ready = await getJson(`${server.url}/ready`);
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({ status: "degraded", dependencies: { redis: { state: "down" } } });

    // Sign-in and rate limits count in memory meanwhile.
    const token = await loginAs(server.graphqlUrl, "Manager@admin");
    const lineIds = await activeLineIds(server.graphqlUrl, token, 40);
    const client = wsClient(server.wsUrl, token);
    const receipt = await submitPermissionChange(server.graphqlUrl, token, lineIds);
    const watched = await collect<any>(
      client,
      "subscription ($id: ID!) { receiptProgress(receiptId: $id, afterSeq: 0) { seq snapshot status } }",
      { id: receipt.id },
      { timeoutMs: 45_000 },
    );
    await client.dispose();
    expect(watched.error).toBeUndefined();
    expect(watched.completed).toBe(true);
    const seqs = watched.events.filter((e) => !e.receiptProgress.snapshot).map((e) => e.receiptProgress.seq);
    // accepted + 40 PROCESSING + 40 final + the receipt's final event.
    expect(seqs).toEqual(Array.from({ length: 82 }, (_, i) => i + 1));
    // The batch was under way when the watcher started (the log alone would
    // not have finished its stream): the rest came live, delivered here
    // although no publish reached Redis.
    expect(watched.events[0].receiptProgress).toMatchObject({ snapshot: true, status: "PROCESSING" });

    const warned = server.logs.filter((line) => line.msg.startsWith("realtime: Redis unreachable"));
    expect(warned).toHaveLength(1);
    const viewer = await graphql(server.graphqlUrl, "{ viewer { administrator { loginId } } }", {}, token);
    expect(viewer.data).toEqual({ viewer: { administrator: { loginId: "Manager@admin" } } });
    await waitUntil(
      () => server.app.realtime.subscribers("receipt:event"),
      (count) => count === 0,
    );
  });
});
