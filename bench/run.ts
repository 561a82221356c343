// `npm run bench` — measures the gateway against its baselines in one run and
// writes bench/results.json. See bench/README.md.
//
//   npm run bench                 full run (several minutes)
//   npm run bench -- --quick      smaller counts, under 2 minutes
//   npm run bench -- --only page,batch   some scenarios (page, throughput, n1, export, batch, fanout, memory, curve)
//   npm run bench -- --db postgres       on PostgreSQL + Redis, with one gateway instance, then two
//
// Processes: this orchestrator; the gateway (bench/server.ts, the real
// buildApp() on PGlite, or one or two of them on PostgreSQL + Redis); the load
// generator (bench/load.ts); and, only while their baseline is measured, a
// bare graphql-yoga server (bench/hello.ts) and a bare `ws` broadcaster
// (bench/raw-ws.ts). With --db postgres, PostgreSQL and Redis run from
// bench/data/postgres and bench/data/redis (scripts/postgres-local.sh,
// scripts/redis-local.sh) for the run's duration.
import { execFile } from "node:child_process";
import { writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs, promisify } from "node:util";
import { benchDir, describeError, type Peer, startPeer } from "./ipc.ts";
import { pageBody, pageQuery } from "./page-query.ts";
import { round, type Summary, summarize, waitFor } from "./stats.ts";

const { values: flags } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    only: { type: "string" },
    lines: { type: "string", default: "100000" },
    concurrency: { type: "string" },
    db: { type: "string", default: "pglite" },
    instances: { type: "string" },
    "pg-port": { type: "string", default: "57132" },
    "redis-port": { type: "string", default: "57179" },
  },
});
const db = flags.db === "postgres" ? "postgres" : flags.db === "pglite" ? "pglite" : null;
if (!db) throw new Error("--db expects pglite or postgres");
/** Gateway instances per pass: PGlite is one process per data directory; PostgreSQL runs one, then two. */
const instanceCounts =
  db === "pglite" ? [1] : (flags.instances ?? "1,2").split(",").map((v) => Number(v.trim()));
if (instanceCounts.some((k) => !Number.isInteger(k) || k < 1 || k > 4))
  throw new Error("--instances expects a list of 1 to 4, e.g. 1,2");
const quick = flags.quick ?? false;
const lines = Number(flags.lines);
if (!Number.isInteger(lines) || lines < 1000) throw new Error("--lines expects an integer ≥ 1000");
const scenarios = ["n1", "page", "throughput", "export", "batch", "fanout", "memory", "curve"] as const;
type Scenario = (typeof scenarios)[number];
const only = new Set((flags.only ?? scenarios.join(",")).split(",").map((s) => s.trim()));
for (const s of only)
  if (!scenarios.includes(s as Scenario)) throw new Error(`unknown scenario ${s} (${scenarios.join(", ")})`);
const wanted = (s: Scenario) => only.has(s);

/** Counts per mode. Quick keeps every scenario, with fewer samples and shorter windows. */
const plan = quick
  ? {
      pageBlocks: 2,
      pagePerBlock: 25,
      deepBlocks: 1,
      deepPerBlock: 3,
      warmup: 10,
      concurrency: 8,
      throughputWarmupMs: 1_000,
      throughputMs: 3_000,
      batchReps: 2,
      batchWarmup: false,
      watchers: 100,
      memoryAt: [500, 1_000],
      exportPages: 10,
      curveLines: [10_000, 100_000],
      curveSamples: 15,
      curveSubmitReps: 2,
      curveWatchers: [50, 100, 200],
    }
  : {
      pageBlocks: 6,
      pagePerBlock: 50,
      deepBlocks: 5,
      deepPerBlock: 8,
      warmup: 30,
      concurrency: 8,
      throughputWarmupMs: 2_000,
      throughputMs: 10_000,
      batchReps: 5,
      batchWarmup: true,
      watchers: 1_000,
      memoryAt: [1_000, 5_000],
      exportPages: 30,
      curveLines: [10_000, 100_000, 1_000_000],
      curveSamples: 40,
      curveSubmitReps: 5,
      curveWatchers: [100, 1_000, 5_000],
    };
if (flags.concurrency) plan.concurrency = Number(flags.concurrency);
const BATCH_LINES = 200;
const deepRows = Math.min(90_000, Math.floor(lines * 0.9));

// --- results -------------------------------------------------------------------

interface Target {
  /** Which number the target is about. */
  on: "ratio" | "value";
  op: "<=" | ">=" | "==";
  limit: number;
}

interface Figure {
  scenario: string;
  /** Where it was measured: "pglite" (embedded, one instance) or "postgres" (+ Redis). */
  database: "pglite" | "postgres";
  /** Gateway instances sharing the load (round-robin). */
  instances: number;
  name: string;
  unit: string;
  value: number | null;
  baselineName: string | null;
  baseline: number | null;
  /** value / baseline. */
  ratio: number | null;
  target: Target | null;
  met: boolean | null;
}

const figures: Figure[] = [];
const topDetails: Record<string, unknown> = {};
/** This pass's details: the top level for PGlite, `runs["postgres×N"]` for each PostgreSQL pass. */
let details: Record<string, unknown> = topDetails;
/** The pass being measured, stamped on every figure. */
const pass: { database: "pglite" | "postgres"; instances: number } = { database: db, instances: 1 };

/** Cost curves: one list of points per series, each point tagged with its pass. */
interface CurvePoint {
  database: string;
  instances: number;
  x: number;
  p50Ms: number;
  p99Ms: number;
  [extra: string]: unknown;
}
const curves: Record<string, { x: string; points: CurvePoint[] }> = {};
function curvePoint(series: string, x: string, point: Omit<CurvePoint, "database" | "instances">) {
  curves[series] ??= { x, points: [] };
  curves[series].points.push({ database: pass.database, instances: pass.instances, ...point } as CurvePoint);
}
const errors: { scenario: string; error: string }[] = [];

function figure(
  scenario: string,
  name: string,
  unit: string,
  value: number | null,
  baseline: { name: string; value: number | null } | null,
  target: Target | null = null,
) {
  const ratio =
    value !== null && baseline?.value !== null && baseline?.value !== undefined && baseline.value !== 0
      ? round(value / baseline.value, 3)
      : null;
  const subject = target?.on === "ratio" ? ratio : value;
  let met: boolean | null = null;
  if (target && subject !== null && Number.isFinite(subject)) {
    met =
      target.op === "<="
        ? subject <= target.limit
        : target.op === ">="
          ? subject >= target.limit
          : subject === target.limit;
  }
  figures.push({
    scenario,
    database: pass.database,
    instances: pass.instances,
    name,
    unit,
    value: value === null ? null : round(value, 2),
    baselineName: baseline?.name ?? null,
    baseline: baseline?.value === null || baseline?.value === undefined ? null : round(baseline.value, 2),
    ratio,
    target,
    met,
  });
}

// --- processes -----------------------------------------------------------------

const peers = new Set<Peer>();
async function start<Info>(name: string, file: string, options: Parameters<typeof startPeer>[2] = {}) {
  const peer = await startPeer<Info>(name, file, options);
  peers.add(peer as Peer);
  return peer;
}
async function stop(peer: Peer | undefined) {
  if (!peer) return;
  peers.delete(peer);
  await peer.close();
}
const shutdown = async () => {
  await Promise.allSettled([...peers].map((p) => p.close()));
};
for (const signal of ["SIGINT", "SIGTERM"] as const)
  process.on(signal, () => {
    console.error("interrupted; stopping the bench processes…");
    void shutdown()
      .then(stopBackends)
      .then(() => process.exit(130));
  });

interface ServerInfo {
  url: string;
  wsUrl: string;
  /** The REST baseline's page (bench/server.ts). */
  restUrl: string;
  loginId: string;
  password: string;
  accountId: string;
  lines: number;
  seededMs: number | null;
}

const serverEnv: Record<string, string> = {
  BENCH_LINES: String(lines),
  BENCH_DATA_DIR: path.join(benchDir, "data", "pglite"),
};
const startServer = (mode: "count" | "main", instance = 0) =>
  start<ServerInfo>(`server:${mode}${instance > 0 ? `#${instance + 1}` : ""}`, "server.ts", {
    env: { ...serverEnv, BENCH_MODE: mode },
    // BENCH_SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the gateway.
    execArgv: ["--expose-gc", ...(process.env.BENCH_SERVER_NODE_ARGS ?? "").split(" ").filter(Boolean)],
    // Seeding 100,000 lines (first run only) and the first daily roster sync take a while.
    readyTimeoutMs: 600_000,
  });

const log = (message: string) => console.log(`${new Date().toISOString().slice(11, 19)} ${message}`);
const ms = (v: number) => `${v.toFixed(v < 10 ? 2 : v < 100 ? 1 : 0)} ms`;

const N1_QUERY =
  "query ($first: Int!) { lines(first: $first) { edges { node { id phoneNumber group { id name } } } } }";
const nthOf = (items: string[], i: number) => items[i % items.length] as string;

interface Captured {
  model: "line" | "lineCount";
  method: "findMany" | "count" | "aggregate";
  args: unknown;
}

/** The gateway instances of a pass; the load generator spreads requests and sockets over them round-robin. */
interface Cluster {
  /** The first instance: it seeds, runs the in-process baselines and holds batches. */
  server: Peer<ServerInfo>;
  all: Peer<ServerInfo>[];
  /** GraphQL over HTTP, WebSocket and the REST baseline, one address per instance. */
  urls: string[];
  wsUrls: string[];
  restUrls: string[];
}

function clusterOf(all: Peer<ServerInfo>[]): Cluster {
  const server = all[0];
  if (!server) throw new Error("no gateway instance");
  return {
    server,
    all,
    urls: all.map((s) => `${s.info.url}/graphql`),
    wsUrls: all.map((s) => s.info.wsUrl),
    restUrls: all.map((s) => s.info.restUrl),
  };
}

/** Calls `method` on every instance; their answers in instance order. */
const onAll = <T>(c: Cluster, method: string, args?: unknown, timeoutMs?: number) =>
  Promise.all(c.all.map((s) => s.call<T>(method, args, timeoutMs)));

// --- scenarios -----------------------------------------------------------------

/** N+1, and the exact Prisma calls of the page requests (for the in-process baseline). */
async function countScenario(load: Peer, server: Peer<ServerInfo>) {
  const url = `${server.info.url}/graphql`;
  await load.call("login", { url, loginId: server.info.loginId, password: server.info.password });
  const count = async (first: number) => {
    const body = JSON.stringify({ query: N1_QUERY, variables: { first } });
    await load.call("request", { url, body }); // warms up the session's lastUsedAt write
    await server.call("countStart");
    const response = (await load.call("request", { url, body })) as {
      data?: { lines: { edges: unknown[] } };
    };
    const counted = await server.call<{ count: number; statements: string[] }>("countStop");
    if (response.data?.lines.edges.length !== first)
      throw new Error(`lines(first: ${first}) did not return ${first} lines`);
    return counted;
  };
  const ten = await count(10);
  const hundred = await count(100);
  figure(
    "N+1",
    "SQL statements per request, first: 100 vs first: 10 (with group)",
    "statements",
    hundred.count,
    {
      name: "first: 10",
      value: ten.count,
    },
    { on: "ratio", op: "==", limit: 1 },
  );
  details.n1 = { first10: ten, first100: hundred };
  log(`N+1: ${ten.count} statements at first: 10, ${hundred.count} at first: 100`);

  const capture = async (after: string | null, withCount: boolean) => {
    await server.call("captureStart");
    await load.call("request", { url, body: pageBody(after, withCount) }, 120_000);
    const calls = await server.call<Captured[]>("captureStop");
    const findMany = calls.find((c) => c.model === "line" && c.method === "findMany");
    // totalCount: the sum of LineCount rows, or line.count for filters it cannot serve.
    const countCall = calls.find((c) => c.method === "aggregate" || c.method === "count");
    if (!findMany || (withCount && !countCall))
      throw new Error(
        `expected line.findMany${withCount ? " and a count" : ""}, saw ${JSON.stringify(calls)}`,
      );
    if (!withCount && countCall) throw new Error("a page without totalCount still counted the lines");
    return { findMany: findMany.args, count: countCall ?? null, calls: calls.length };
  };
  // The deep page's cursor is built server-side; check the recipe against the API's own cursors.
  const three = (await load.call("request", {
    url,
    body: JSON.stringify({ query: "{ lines(first: 3) { edges { cursor } } }" }),
  })) as { data?: { lines: { edges: { cursor: string }[] } } };
  const built = await server.call<string>("cursorAfter", { rows: 3 });
  if (three.data?.lines.edges[2]?.cursor !== built)
    throw new Error(
      `cursor recipe does not match the API's (${built} vs ${three.data?.lines.edges[2]?.cursor})`,
    );
  const cursor = await server.call<string>("cursorAfter", { rows: deepRows });
  return {
    first: await capture(null, false),
    withCount: await capture(null, true),
    deep: await capture(cursor, false),
    cursor,
  };
}

type Captures = Awaited<ReturnType<typeof countScenario>>;

async function pageScenario(load: Peer, c: Cluster, captures: Captures) {
  const { server } = c;
  // HTTP pages go round-robin to every instance; the in-process baselines run in the first.
  const url = c.urls;
  const authorization = await load.call<string>("login", {
    url: c.urls[0],
    loginId: server.info.loginId,
    password: server.info.password,
  });
  const firstBody = pageBody(null);
  const webBody = pageBody(null, true);
  const deepBody = pageBody(captures.cursor);
  const samples = {
    http: [] as number[],
    direct: [] as number[],
    inProcess: [] as number[],
    httpWithCount: [] as number[],
    withCountAll: [] as number[],
    sessionLookup: [] as number[],
    findManyAndCount: [] as number[],
    deepHttp: [] as number[],
    deepDirect: [] as number[],
    countAlone: [] as number[],
    rest: [] as number[],
    linesCounted: [] as number[],
  };
  const take = (target: number[], values: Float64Array) => target.push(...values);
  const timeout = 300_000;
  const countCall = captures.withCount.count;
  if (!countCall) throw new Error("the page with totalCount made no count");
  const withCount = { findMany: captures.withCount.findMany, count: countCall, authorization };
  // What totalCount cost before LineCount, and still costs for filters it cannot serve (words, ids, mail dates).
  const lineCountCall = {
    model: "line",
    method: "count",
    args: { where: { accountId: server.info.accountId } },
  };
  // Warm-up (JIT, PGlite's caches), then interleaved blocks so drift and
  // neighbours' noise hit both sides alike.
  await load.call("pages", { url, body: firstBody, n: plan.warmup }, timeout);
  await load.call("pages", { url, body: webBody, n: plan.warmup }, timeout);
  await server.call("direct", { args: captures.first.findMany, n: plan.warmup }, timeout);
  await server.call("inProcess", { body: firstBody, authorization, n: plan.warmup }, timeout);
  await server.call("directAll", { ...withCount, n: plan.warmup }, timeout);
  await onAll(c, "restPage", { findMany: captures.first.findMany });
  await load.call("pages", { url: c.restUrls, body: null, n: plan.warmup }, timeout);
  for (let b = 0; b < plan.pageBlocks; b++) {
    const n = plan.pagePerBlock;
    take(samples.http, await load.call("pages", { url, body: firstBody, n }, timeout));
    take(samples.rest, await load.call("pages", { url: c.restUrls, body: null, n }, timeout));
    take(samples.direct, await server.call("direct", { args: captures.first.findMany, n }, timeout));
    take(samples.inProcess, await server.call("inProcess", { body: firstBody, authorization, n }, timeout));
    take(samples.httpWithCount, await load.call("pages", { url, body: webBody, n }, timeout));
    const parts = await server.call<Record<"total" | "auth", Float64Array>>(
      "directAll",
      { ...withCount, n },
      timeout,
    );
    take(samples.withCountAll, parts.total);
    take(samples.sessionLookup, parts.auth);
    take(
      samples.findManyAndCount,
      parts.total.map((t, i) => t - (parts.auth[i] as number)),
    );
  }
  log(
    `first page: HTTP p50 ${ms(summarize(samples.http).p50)}, REST p50 ${ms(summarize(samples.rest).p50)}, its findMany in-process p50 ${ms(summarize(samples.direct).p50)}`,
  );
  await load.call("pages", { url, body: deepBody, n: 1 }, timeout);
  await server.call("direct", { args: captures.deep.findMany, n: 1 }, timeout);
  for (let b = 0; b < plan.deepBlocks; b++) {
    const n = plan.deepPerBlock;
    take(samples.deepHttp, await load.call("pages", { url, body: deepBody, n }, timeout));
    take(samples.deepDirect, await server.call("direct", { args: captures.deep.findMany, n }, timeout));
  }
  for (let b = 0; b < plan.pageBlocks; b++) {
    const n = Math.ceil(plan.pagePerBlock / 2);
    take(samples.countAlone, await server.call("direct", { ...countCall, n }, timeout));
    take(samples.linesCounted, await server.call("direct", { ...lineCountCall, n }, timeout));
  }
  const s = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, summarize(v)])) as Record<
    keyof typeof samples,
    Summary
  >;
  log(`deep page (after ${deepRows.toLocaleString("en")} rows): HTTP p50 ${ms(s.deepHttp.p50)}`);
  const sc = "Page latency";
  const le = (limit: number): Target => ({ on: "ratio", op: "<=", limit });
  const deep = `page after ${deepRows.toLocaleString("en")} rows`;
  figure(
    sc,
    "lines(first: 50) over HTTP, p50",
    "ms",
    s.http.p50,
    { name: "its findMany in-process", value: s.direct.p50 },
    le(1.3),
  );
  figure(sc, "lines(first: 50) over HTTP, p99", "ms", s.http.p99, {
    name: "its findMany in-process",
    value: s.direct.p99,
  });
  figure(
    sc,
    "lines(first: 50) over HTTP vs the same page as REST over HTTP, p50",
    "ms",
    s.http.p50,
    { name: "REST page over HTTP (bare node:http, same findMany, JSON.stringify)", value: s.rest.p50 },
    le(1.3),
  );
  figure(sc, "REST page over HTTP (what the HTTP stack costs by itself), p50", "ms", s.rest.p50, {
    name: "its findMany in-process",
    value: s.direct.p50,
  });
  figure(
    sc,
    "with totalCount over HTTP vs without, p50",
    "ms",
    s.httpWithCount.p50,
    { name: "the page without totalCount over HTTP", value: s.http.p50 },
    le(1.5),
  );
  figure(
    sc,
    `${deep} over HTTP, p50`,
    "ms",
    s.deepHttp.p50,
    { name: "first page over HTTP", value: s.http.p50 },
    le(1.2),
  );
  figure(sc, `${deep} over HTTP, p99`, "ms", s.deepHttp.p99, {
    name: "first page over HTTP",
    value: s.http.p99,
  });
  figure(sc, "with totalCount (the web client's page) over HTTP, p50", "ms", s.httpWithCount.p50, {
    name: "its findMany + count in-process",
    value: s.findManyAndCount.p50,
  });
  figure(sc, "diagnostic: deep page over HTTP, p50", "ms", s.deepHttp.p50, {
    name: "its findMany in-process",
    value: s.deepDirect.p50,
  });
  figure(sc, "diagnostic: first page through yoga in-process (no HTTP), p50", "ms", s.inProcess.p50, {
    name: "its findMany in-process",
    value: s.direct.p50,
  });
  figure(
    sc,
    "diagnostic: session lookup on a cache miss (once per token per 5 s), p50",
    "ms",
    s.sessionLookup.p50,
    {
      name: "page findMany in-process",
      value: s.direct.p50,
    },
  );
  figure(
    sc,
    "with totalCount over HTTP, p50",
    "ms",
    s.httpWithCount.p50,
    { name: "the same page without it", value: s.http.p50 },
    le(1.5),
  );
  figure(
    sc,
    `diagnostic: totalCount's ${countCall.model}.${countCall.method} in-process, p50`,
    "ms",
    s.countAlone.p50,
    {
      name: "page findMany in-process",
      value: s.direct.p50,
    },
  );
  figure(
    sc,
    "diagnostic: line.count over the account in-process (filters LineCount cannot serve), p50",
    "ms",
    s.linesCounted.p50,
    {
      name: "page findMany in-process",
      value: s.direct.p50,
    },
  );
  details.page = {
    samples: { first: samples.http.length, deep: samples.deepHttp.length },
    deepRows,
    summaries: s,
    prismaCalls: captures,
  };
}

async function throughputScenario(load: Peer, c: Cluster) {
  const { server } = c;
  // Each connection stays with one instance; the connections go round-robin.
  const url = c.urls;
  await load.call("login", { url: c.urls[0], loginId: server.info.loginId, password: server.info.password });
  const options = {
    concurrency: plan.concurrency,
    warmupMs: plan.throughputWarmupMs,
    durationMs: plan.throughputMs,
  };
  interface Throughput {
    rps: number;
    completed: number;
    errors: number;
    firstError: string | null;
    latencyMs: Summary;
  }
  const timeout = plan.throughputMs + plan.throughputWarmupMs + 120_000;
  const app = await load.call<Throughput>(
    "throughput",
    { url, body: pageBody(null, true), auth: true, ...options },
    timeout,
  );
  if (app.errors > 0)
    throw new Error(`lines page under load: ${app.errors} errors, first: ${app.firstError}`);
  const hello = await start<{ url: string }>("hello", "hello.ts");
  let bare: Throughput;
  try {
    bare = await load.call<Throughput>(
      "throughput",
      { url: hello.info.url, body: JSON.stringify({ query: "{ hello }" }), auth: false, ...options },
      timeout,
    );
  } finally {
    await stop(hello as Peer);
  }
  if (bare.errors > 0)
    throw new Error(`hello world under load: ${bare.errors} errors, first: ${bare.firstError}`);
  log(`throughput: lines page ${app.rps.toFixed(0)} req/s, yoga hello world ${bare.rps.toFixed(0)} req/s`);
  figure(
    "Throughput",
    `web client's lines page (first: 50, totalCount) req/s, concurrency ${plan.concurrency}; higher is better`,
    "req/s",
    app.rps,
    {
      name: "bare graphql-yoga hello world",
      value: bare.rps,
    },
  );
  details.throughput = { ...options, lines: app, helloWorld: bare };
}

interface Submitted {
  ms: number;
  startedAt: number;
  receiptId: string;
  number: string;
}
interface Watched {
  timedOut: boolean;
  frames: Int32Array;
  completed: number;
  errors: string[];
  seqs: Int32Array[];
  times: Float64Array[];
  payloads: string[];
}

/** A slow client's reading rate in the export scenario (bytes per second). */
const SLOW_CLIENT_BYTES_PER_SECOND = 2 * 2 ** 20;
/** How often the gateway's heap is collected and read while an export's memory is measured. */
const HEAP_SAMPLE_MS = 100;

interface Exported {
  status: number;
  bytes: number;
  lines: number;
  firstByteMs: number;
  ms: number;
  pages: Summary;
  loop: { p50: number; p99: number; max: number };
}

/**
 * CSV出力 of the whole account (GET /export/lines.csv, server/exports.ts):
 * how long the file takes against its keyset reads alone, Shift_JIS against
 * UTF-8; the web client's page for another connection meanwhile against the
 * page alone; and the gateway's live heap (collected every HEAP_SAMPLE_MS)
 * during the whole account's file against one group's, and with a client
 * that reads slowly. Each is its own run, so the collections and the pages
 * do not slow the timed files.
 */
/** The file comes from the first instance; pages meanwhile go to it too (the scenario is about one process). */
async function exportScenario(load: Peer, c: Cluster) {
  const { server } = c;
  const base = server.info.url;
  const graphqlUrl = `${base}/graphql`;
  await load.call("login", { url: graphqlUrl, loginId: server.info.loginId, password: server.info.password });
  const timeout = 600_000;
  const body = pageBody(null, true);
  const group = await server.call<{ id: string; lines: number }>("firstGroup");
  const run = async (
    query: string,
    rows: number,
    options: { pages?: boolean; bytesPerSecond?: number } = {},
  ): Promise<Exported> => {
    await server.call("loopDelayStart");
    const file = await load.call<Omit<Exported, "loop">>(
      "exportCsv",
      {
        url: `${base}/export/lines.csv?${query}`,
        graphqlUrl,
        pageBody: options.pages ? body : undefined,
        bytesPerSecond: options.bytesPerSecond,
      },
      timeout,
    );
    const loop = await server.call<Exported["loop"]>("loopDelayStop");
    if (file.status !== 200) throw new Error(`export ${query}: HTTP ${file.status}`);
    if (file.lines !== rows + 1)
      throw new Error(`export ${query}: ${file.lines} lines, expected ${rows + 1}`);
    return { ...file, loop };
  };
  /** The highest live heap (and RSS) above a collected heap while `task` runs. */
  const heldDuring = async <T>(task: () => Promise<T>) => {
    await server.call("memoryPeakStart", { everyMs: HEAP_SAMPLE_MS });
    const result = await task();
    return { result, held: await server.call<{ heapUsed: number; rss: number }>("memoryPeakStop") };
  };
  const all = server.info.lines;
  // Warm-up: the first export plans its queries.
  await run(`encoding=utf8&groupId=${encodeURIComponent(group.id)}`, group.lines);
  const reads = await server.call<{ ms: number; rows: number }>("keysetRead", {}, timeout);
  const rowsHeld = await server.call<{ heldBytes: number }>("keysetRead", { hold: true }, timeout);
  const utf8 = await run("encoding=utf8", all);
  const sjis = await run("encoding=sjis", all);
  const alone = summarize(
    await load.call<Float64Array>("pages", { url: graphqlUrl, body, n: plan.exportPages }, timeout),
  );
  const busy = await run("encoding=utf8", all, { pages: true });
  const small = await heldDuring(() =>
    run(`encoding=utf8&groupId=${encodeURIComponent(group.id)}`, group.lines),
  );
  const large = await heldDuring(() => run("encoding=utf8", all));
  const slow = await heldDuring(() =>
    run("encoding=utf8", all, { bytesPerSecond: SLOW_CLIENT_BYTES_PER_SECOND }),
  );
  const MiB = 2 ** 20;
  const n = all.toLocaleString("en");
  const sc = "CSV export";
  figure(sc, `${n} lines, UTF-8 with BOM: the whole file`, "ms", utf8.ms, {
    name: "its keyset reads alone, in-process",
    value: reads.ms,
  });
  figure(sc, `${n} lines, Shift_JIS: the whole file`, "ms", sjis.ms, { name: "UTF-8", value: utf8.ms });
  figure(sc, "lines(first: 50) with totalCount during the file, p50", "ms", busy.pages.p50, {
    name: "the same page alone",
    value: alone.p50,
  });
  figure(sc, "lines(first: 50) with totalCount during the file, max", "ms", busy.pages.max, {
    name: "the same page alone, max",
    value: alone.max,
  });
  figure(sc, "gateway event-loop delay during the file, max", "ms", utf8.loop.max, null);
  figure(sc, `gateway live heap peak during the file, ${n} lines`, "MiB", large.held.heapUsed / MiB, {
    name: "its rows held at once, in-process",
    value: rowsHeld.heldBytes / MiB,
  });
  figure(
    sc,
    `gateway live heap peak during one group's file (${group.lines.toLocaleString("en")} lines)`,
    "MiB",
    small.held.heapUsed / MiB,
    null,
  );
  figure(
    sc,
    `gateway live heap peak during the file, read at ${SLOW_CLIENT_BYTES_PER_SECOND / MiB} MiB/s`,
    "MiB",
    slow.held.heapUsed / MiB,
    { name: "read at once", value: large.held.heapUsed / MiB },
  );
  details.export = {
    reads,
    rowsHeld,
    group,
    utf8,
    sjis,
    alone,
    busy,
    held: { small: small.held, large: large.held, slow: slow.held },
    slowClientBytesPerSecond: SLOW_CLIENT_BYTES_PER_SECOND,
    heapSampleMs: HEAP_SAMPLE_MS,
  };
  log(
    `export: ${n} lines in ${ms(utf8.ms)} (${(utf8.bytes / MiB).toFixed(1)} MiB), Shift_JIS ${ms(sjis.ms)}, a page meanwhile p50 ${ms(busy.pages.p50)} (alone ${ms(alone.p50)})`,
  );
}

async function batchScenario(load: Peer, c: Cluster) {
  const { server } = c;
  await load.call("login", { url: c.urls[0], loginId: server.info.loginId, password: server.info.password });
  const accept: Record<number, number[]> = { 1: [], [BATCH_LINES]: [] };
  const final: Record<number, number[]> = { 1: [], [BATCH_LINES]: [] };
  await server.call("waitIdle", { timeoutMs: 120_000 }, 130_000);
  // One unmeasured round first (JIT, caches), except in a quick run.
  for (let rep = plan.batchWarmup ? -1 : 0; rep < plan.batchReps; rep++) {
    for (const size of [1, BATCH_LINES]) {
      const lineIds = await server.call<string[]>("pickLines", { n: size });
      const tag = `batch-${rep}-${size}`;
      // With several instances, the watcher is on another instance than the submit.
      const k = rep + 1 + (size === 1 ? 0 : 1);
      await load.call("wsOpen", { wsUrl: nthOf(c.wsUrls, k + 1), n: 1, tag });
      const submitted = await load.call<Submitted>("submit", { url: nthOf(c.urls, k), lineIds }, 120_000);
      // afterSeq 0: whatever happened before the subscription is replayed, so
      // the last event is the final one whenever the watcher joined.
      await load.call("subscribeAll", { tag, receiptId: submitted.receiptId, afterSeq: 0 });
      const watched = await load.call<Watched>("awaitAll", { tag, timeoutMs: 120_000 }, 130_000);
      await load.call("wsClose", { tag });
      if (watched.timedOut || watched.completed !== 1)
        throw new Error(
          `the ${size}-line receipt did not complete (${watched.errors.join("; ") || "timeout"})`,
        );
      const times = watched.times[0] as Float64Array;
      const seqs = watched.seqs[0] as Int32Array;
      const expectedEvents = 2 * size + 2; // accepted, PROCESSING and final per item, the final event
      if (Math.max(...seqs) !== expectedEvents)
        throw new Error(
          `the ${size}-line receipt ended at seq ${Math.max(...seqs)}, expected ${expectedEvents}`,
        );
      const status = await server.call<{ status: string }>("receipt", { receiptId: submitted.receiptId });
      if (status.status !== "SUCCEEDED") throw new Error(`the ${size}-line receipt ended ${status.status}`);
      if (rep >= 0) {
        accept[size]?.push(submitted.ms);
        final[size]?.push((times[times.length - 1] as number) - submitted.startedAt);
      }
      await server.call("waitIdle", { timeoutMs: 120_000 }, 130_000);
    }
  }
  const a1 = summarize(accept[1] ?? []);
  const a200 = summarize(accept[BATCH_LINES] ?? []);
  const f1 = summarize(final[1] ?? []);
  const f200 = summarize(final[BATCH_LINES] ?? []);
  log(
    `batch: accepted 1 line in ${ms(a1.p50)}, 200 lines in ${ms(a200.p50)}; 200 final after ${ms(f200.p50)}`,
  );
  figure(
    "Batch",
    `${BATCH_LINES}-line submit accepted, p50`,
    "ms",
    a200.p50,
    { name: "1-line submit", value: a1.p50 },
    {
      on: "ratio",
      op: "<=",
      limit: 2,
    },
  );
  figure("Batch", `${BATCH_LINES}-line receipt final (submit → last event), p50`, "ms", f200.p50, {
    name: "1-line receipt final",
    value: f1.p50,
  });
  details.batch = { reps: plan.batchReps, acceptMs: { 1: a1, 200: a200 }, finalMs: { 1: f1, 200: f200 } };
}

type Form = "event" | "batch";
const FORM_FIELD: Record<Form, string> = { event: "receiptProgress", batch: "receiptProgressBatch" };

/** Whether the gateway's schema has a subscription field (the batched form arrives with another branch). */
async function hasSubscriptionField(load: Peer, c: Cluster, field: string) {
  const answer = (await load.call("request", {
    url: c.urls[0],
    body: JSON.stringify({ query: '{ __type(name: "Subscription") { fields { name } } }' }),
  })) as { data?: { __type: { fields: { name: string }[] } | null }; errors?: unknown };
  const fields = answer.data?.__type?.fields.map((f) => f.name);
  // Only an answer that lists the fields says "absent"; anything else is a failure, not a skip.
  if (!fields?.includes(FORM_FIELD.event))
    throw new Error(
      `introspection did not list the subscription fields: ${JSON.stringify(answer).slice(0, 200)}`,
    );
  return fields.includes(field);
}

interface FanoutRun {
  n: number;
  form: Form;
  receiptStatus: string;
  lastSeq: number;
  published: Map<number, number>;
  /** Events each instance published (its worker's items). */
  publishedPerInstance: number[];
  payloads: string[];
  delivered: number;
  expected: number;
  lost: number;
  duplicates: number;
  outOfOrder: number;
  completed: number;
  timedOut: boolean;
  watcherErrors: string[];
  latency: Summary;
  framesPerWatcher: Summary;
  eventsPerSecond: number;
  publishSpanMs: number;
  connectMs: number;
  subscribeMs: number;
  /** The gateways' event-loop delay (the worst instance) and, with probes, the gateway's answers meanwhile. */
  loopDelay: { p50: number; p99: number; max: number };
  loopDelayPerInstance: { p50: number; p99: number; max: number }[];
  loadLoopDelay: { p50: number; p99: number; max: number };
  health: Summary | null;
  typename: Summary | null;
  sql: [string, number][] | null;
}

/**
 * One 200-line batch watched by `n` graphql-ws connections (round-robin over
 * the instances) in one subscription form. The batch is accepted with its
 * items held back, every watcher subscribes (and has its snapshot), then the
 * items are released all at once: every event of the run is published while
 * all watchers listen. Publish times come from every instance (whichever
 * worker applied the item published its events).
 */
async function fanoutRun(
  load: Peer,
  c: Cluster,
  n: number,
  form: Form,
  options: { probes: boolean; keepPayloads: boolean },
): Promise<FanoutRun> {
  const { server } = c;
  const url = c.urls[0] as string;
  await load.call("login", { url, loginId: server.info.loginId, password: server.info.password });
  await onAll(c, "waitIdle", { timeoutMs: 120_000 }, 130_000);
  const tag = `fanout-${form}-${n}`;
  const opened = await load.call<{ ms: number }>("wsOpen", { wsUrl: c.wsUrls, n, tag }, 300_000);
  log(`fan-out (${FORM_FIELD[form]}): ${n} graphql-ws connections open in ${ms(opened.ms)}`);
  let submitted: Submitted;
  try {
    const lineIds = await server.call<string[]>("pickLines", { n: BATCH_LINES });
    await server.call("hold", { on: true });
    try {
      submitted = await load.call<Submitted>("submit", { url, lineIds }, 120_000);
    } finally {
      await server.call("hold", { on: false });
    }
  } catch (error) {
    await load.call("wsClose", { tag }, 120_000);
    throw error;
  }
  const receiptId = submitted.receiptId;
  let watched: Watched;
  let published: Map<number, number>;
  let publishedPerInstance: number[] = [];
  let sub: { subscribed: number; failed: number; firstError: string | null; ms: number };
  let loopDelays: { p50: number; p99: number; max: number }[];
  let loadLoopDelay: { p50: number; p99: number; max: number };
  let health: Summary | null = null;
  let typename: Summary | null = null;
  let sql: [string, number][] | null = null;
  try {
    const held = await server.call<number>("heldItems", { receiptId });
    if (held !== BATCH_LINES) throw new Error(`expected ${BATCH_LINES} held items, found ${held}`);
    await onAll(c, "track", { receiptId });
    sub = await load.call(
      "subscribeAll",
      { tag, receiptId, form, keepPayloads: options.keepPayloads, timeoutMs: 240_000 },
      250_000,
    );
    if (sub.failed > 0) throw new Error(`${sub.failed} watchers could not subscribe: ${sub.firstError}`);
    log(
      `fan-out (${FORM_FIELD[form]}): ${sub.subscribed} watchers subscribed in ${ms(sub.ms)}; releasing the batch`,
    );
    if (process.env.BENCH_SQL_HISTOGRAM === "1") await server.call("sqlHistogram");
    await onAll(c, "loopDelayStart");
    await load.call("loopDelayStart");
    if (options.probes) {
      // Is the gateway still answering while it delivers? /ready reads the
      // database (SELECT 1); `{ __typename }` without a token touches no database.
      await load.call("probeStart", { name: "health", url: `${server.info.url}/ready` });
      await load.call("probeStart", {
        name: "typename",
        url,
        body: JSON.stringify({ query: "{ __typename }" }),
      });
    }
  } catch (error) {
    await server.call("release", { receiptId }).catch(() => undefined);
    await load.call("wsClose", { tag }, 120_000);
    throw error;
  }
  try {
    await server.call("release", { receiptId });
    await onAll(c, "kick");
    watched = await load.call<Watched>("awaitAll", { tag, timeoutMs: 240_000 }, 300_000);
    loopDelays = await onAll(c, "loopDelayStop");
    loadLoopDelay = await load.call("loopDelayStop");
    if (options.probes) {
      health = await load.call<Summary>("probeStop", { name: "health" }, 200_000);
      typename = await load.call<Summary>("probeStop", { name: "typename" }, 200_000);
    }
    // Each seq was published by one instance; in seq order, as the raw baseline replays them.
    const merged = new Map<number, number>();
    const perInstance = await onAll<[number, number][]>(c, "published", { receiptId });
    publishedPerInstance = perInstance.map((times) => times.length);
    for (const times of perInstance)
      for (const [seq, at] of times) merged.set(seq, Math.min(at, merged.get(seq) ?? at));
    published = new Map([...merged.entries()].sort((x, y) => x[0] - y[0]));
    if (process.env.BENCH_SQL_HISTOGRAM === "1") sql = await server.call("sqlHistogram");
  } finally {
    await load.call("wsClose", { tag }, 120_000);
  }
  const receipt = await server.call<{ status: string; lastSeq: number }>("receipt", { receiptId });

  // Per watcher: the first event is its snapshot; every seq published after
  // it must arrive exactly once, in order. A batched frame's events all
  // arrived when the frame did.
  const latencies: number[] = [];
  let delivered = 0;
  let expected = 0;
  let lost = 0;
  let duplicates = 0;
  let outOfOrder = 0;
  let lastReceive = 0;
  for (let w = 0; w < watched.seqs.length; w++) {
    const seqs = watched.seqs[w] as Int32Array;
    const times = watched.times[w] as Float64Array;
    const snapshotSeq = seqs[0] ?? 0;
    const seen = new Set<number>();
    let previous = snapshotSeq;
    for (let i = 1; i < seqs.length; i++) {
      const seq = seqs[i] as number;
      const at = times[i] as number;
      if (seen.has(seq)) duplicates++;
      if (seq <= previous) outOfOrder++;
      previous = seq;
      seen.add(seq);
      delivered++;
      lastReceive = Math.max(lastReceive, at);
      const publishedAt = published.get(seq);
      if (publishedAt !== undefined) latencies.push(at - publishedAt);
    }
    for (const seq of published.keys()) {
      if (seq <= snapshotSeq) continue;
      expected++;
      if (!seen.has(seq)) lost++;
    }
  }
  const firstPublish = Math.min(...published.values());
  const lastPublish = Math.max(...published.values());
  const latency = summarize(latencies);
  const eventsPerSecond = delivered / ((lastReceive - firstPublish) / 1000);
  const framesPerWatcher = summarize(watched.frames);
  log(
    `fan-out (${FORM_FIELD[form]}, ${n} watchers): ${delivered} of ${expected} events delivered in ${framesPerWatcher.p50} frames per watcher (p50), ${lost} lost, publish→receive p50 ${ms(latency.p50)} p99 ${ms(latency.p99)}, ${eventsPerSecond.toFixed(0)} events/s`,
  );
  const worst = (key: "p50" | "p99" | "max") => Math.max(...loopDelays.map((d) => d[key]));
  return {
    n,
    form,
    receiptStatus: receipt.status,
    lastSeq: receipt.lastSeq,
    published,
    publishedPerInstance,
    payloads: watched.payloads,
    delivered,
    expected,
    lost,
    duplicates,
    outOfOrder,
    completed: watched.completed,
    timedOut: watched.timedOut,
    watcherErrors: watched.errors.slice(0, 5),
    latency,
    framesPerWatcher,
    eventsPerSecond,
    publishSpanMs: lastPublish - firstPublish,
    connectMs: opened.ms,
    subscribeMs: sub.ms,
    loopDelay: { p50: worst("p50"), p99: worst("p99"), max: worst("max") },
    loopDelayPerInstance: loopDelays,
    loadLoopDelay,
    health,
    typename,
    sql,
  };
}

const roundDelay = (d: { p50: number; p99: number; max: number }) => ({
  p50: round(d.p50),
  p99: round(d.p99),
  max: round(d.max),
});

/** What a fan-out run leaves in results.json's details. */
const fanoutDetails = (run: FanoutRun) => ({
  watchers: run.n,
  form: FORM_FIELD[run.form],
  receiptStatus: run.receiptStatus,
  lastSeq: run.lastSeq,
  eventsPublished: run.published.size,
  ...(run.publishedPerInstance.length > 1 ? { eventsPublishedPerInstance: run.publishedPerInstance } : {}),
  ...(run.sql ? { sqlDuringDelivery: run.sql.slice(0, 25) } : {}),
  publishSpanMs: run.publishSpanMs,
  connectMs: run.connectMs,
  subscribeMs: run.subscribeMs,
  delivered: run.delivered,
  expected: run.expected,
  lost: run.lost,
  duplicates: run.duplicates,
  outOfOrder: run.outOfOrder,
  completed: run.completed,
  framesPerWatcher: run.framesPerWatcher,
  gatewayEventLoopDelayMs: roundDelay(run.loopDelay),
  ...(run.loopDelayPerInstance.length > 1
    ? { gatewayEventLoopDelayPerInstanceMs: run.loopDelayPerInstance.map(roundDelay) }
    : {}),
  healthDuringDeliveryMs: run.health,
  typenameDuringDeliveryMs: run.typename,
  loadGeneratorEventLoopDelayMs: roundDelay(run.loadLoopDelay),
  timedOut: run.timedOut,
  watcherErrors: run.watcherErrors,
  latencyMs: run.latency,
  eventsPerSecond: round(run.eventsPerSecond, 1),
});

async function fanoutScenario(load: Peer, c: Cluster) {
  const n = plan.watchers;
  const run = await fanoutRun(load, c, n, "event", { probes: true, keepPayloads: true });
  const { published } = run;

  // Baselines: the same frames, broadcast by a bare `ws` server to as many
  // clients, (a) as fast as it can (capacity: events/s) and (b) on the
  // gateway's own publish schedule (latency under the same burst).
  const frames = run.payloads;
  const publishTimes = [...published.entries()].filter(([seq]) => seq > 1).map(([, t]) => t);
  const offsets = publishTimes.slice(0, frames.length).map((t) => t - (publishTimes[0] as number));
  const raw = await start<{ url: string }>("raw-ws", "raw-ws.ts");
  const rawRun = async (paced: boolean) => {
    await load.call("rawReset");
    const dueAt = await raw.call<number[]>(
      "broadcast",
      { frames, clients: n, offsets: paced ? offsets : undefined },
      300_000,
    );
    const received = await load.call<{ timedOut: boolean; times: Float64Array[] }>(
      "rawAwait",
      { expected: frames.length, timeoutMs: 120_000 },
      130_000,
    );
    if (received.timedOut) throw new Error("raw ws clients did not receive every frame in time");
    const latencies: number[] = [];
    let last = 0;
    let delivered = 0;
    for (const times of received.times) {
      for (let k = 0; k < times.length; k++) {
        latencies.push((times[k] as number) - (dueAt[k] as number));
        last = Math.max(last, times[k] as number);
        delivered++;
      }
    }
    return {
      delivered,
      latencyMs: summarize(latencies),
      framesPerSecond: round(delivered / ((last - (dueAt[0] as number)) / 1000), 1),
    };
  };
  let fast: Awaited<ReturnType<typeof rawRun>>;
  let paced: Awaited<ReturnType<typeof rawRun>>;
  try {
    await load.call("rawOpen", { url: raw.info.url, n }, 300_000);
    fast = await rawRun(false);
    paced = await rawRun(true);
    await load.call("rawClose");
  } finally {
    await stop(raw as Peer);
  }
  log(
    `raw ws: ${fast.framesPerSecond.toFixed(0)} frames/s flat out; on the gateway's schedule send→receive p50 ${ms(paced.latencyMs.p50)} p99 ${ms(paced.latencyMs.p99)}`,
  );

  const sc = `Fan-out (${n} watchers)`;
  figure(
    sc,
    "events delivered",
    "events",
    run.delivered,
    { name: "events published × watchers", value: run.expected },
    {
      on: "ratio",
      op: "==",
      limit: 1,
    },
  );
  figure(sc, "events lost", "events", run.lost, null, { on: "value", op: "==", limit: 0 });
  figure(
    sc,
    "watcher streams that did not complete (see details.fanout.watcherErrors)",
    "watchers",
    n - run.completed,
    null,
  );
  figure(sc, "gateway event-loop delay during delivery, max", "ms", run.loopDelay.max, null);
  figure(sc, "GET /ready (SELECT 1) during delivery, max", "ms", run.health?.max ?? null, null);
  figure(sc, "POST { __typename } (no database) during delivery, max", "ms", run.typename?.max ?? null, null);
  figure(sc, "publish→receive p50", "ms", run.latency.p50, {
    name: "raw ws, same schedule, p50",
    value: paced.latencyMs.p50,
  });
  figure(
    sc,
    "publish→receive p99",
    "ms",
    run.latency.p99,
    { name: "raw ws, same schedule, p99", value: paced.latencyMs.p99 },
    {
      on: "value",
      op: "<=",
      limit: 250,
    },
  );
  figure(sc, "events/s delivered (higher is better)", "events/s", run.eventsPerSecond, {
    name: "raw ws broadcast of the same frames, flat out",
    value: fast.framesPerSecond,
  });
  details.fanout = {
    ...fanoutDetails(run),
    raw: { frames: frames.length, flatOut: fast, onGatewaySchedule: paced },
  };
  if (run.receiptStatus !== "SUCCEEDED") throw new Error(`the fan-out receipt ended ${run.receiptStatus}`);

  // The batched form, on a batch of its own, compared with the per-event run above.
  const scb = `Fan-out batched (${n} watchers, ${FORM_FIELD.batch})`;
  if (!(await hasSubscriptionField(load, c, FORM_FIELD.batch))) {
    const note = `skipped: Subscription.${FORM_FIELD.batch} is not in the gateway's schema`;
    log(`fan-out batched: ${note}`);
    figure(scb, `not measured (${note})`, "", null, null);
    details.fanoutBatch = { skipped: note };
    return;
  }
  const batch = await fanoutRun(load, c, n, "batch", { probes: true, keepPayloads: false });
  figure(scb, "frames per watcher, p50", "frames", batch.framesPerWatcher.p50, {
    name: `${FORM_FIELD.event}: one frame per event`,
    value: run.framesPerWatcher.p50,
  });
  figure(scb, "events lost", "events", batch.lost, null, { on: "value", op: "==", limit: 0 });
  figure(
    scb,
    "events delivered",
    "events",
    batch.delivered,
    {
      name: "events published × watchers",
      value: batch.expected,
    },
    { on: "ratio", op: "==", limit: 1 },
  );
  figure(scb, "publish→receive p50", "ms", batch.latency.p50, {
    name: `${FORM_FIELD.event}, p50`,
    value: run.latency.p50,
  });
  figure(
    scb,
    "publish→receive p99",
    "ms",
    batch.latency.p99,
    { name: `${FORM_FIELD.event}, p99`, value: run.latency.p99 },
    { on: "value", op: "<=", limit: 250 },
  );
  figure(scb, "events/s delivered (higher is better)", "events/s", batch.eventsPerSecond, {
    name: `${FORM_FIELD.event}`,
    value: run.eventsPerSecond,
  });
  figure(scb, "gateway event-loop delay during delivery, max", "ms", batch.loopDelay.max, {
    name: `${FORM_FIELD.event}`,
    value: run.loopDelay.max,
  });
  details.fanoutBatch = fanoutDetails(batch);
  if (batch.receiptStatus !== "SUCCEEDED")
    throw new Error(`the batched fan-out receipt ended ${batch.receiptStatus}`);
}

/** Subscriptions opened and closed before the memory scenario's first reading. */
const MEMORY_WARM_UP = 100;

/** With several instances, connections go round-robin and memory is summed over the instances. */
async function memoryScenario(load: Peer, c: Cluster) {
  const { server } = c;
  const url = c.urls[0] as string;
  await load.call("login", { url, loginId: server.info.loginId, password: server.info.password });
  await server.call("waitIdle", { timeoutMs: 120_000 }, 130_000);
  // A receipt whose one item is held back: its subscriptions stay open and idle.
  const lineIds = await server.call<string[]>("pickLines", { n: 1 });
  await server.call("hold", { on: true });
  let submitted: Submitted;
  try {
    submitted = await load.call<Submitted>("submit", { url, lineIds }, 60_000);
  } finally {
    await server.call("hold", { on: false });
  }
  interface Mem {
    rss: number;
    heapUsed: number;
    gcExposed: boolean;
  }
  const gateway: { connections: number; rss: number; heapUsed: number }[] = [];
  const raw: { connections: number; rss: number; heapUsed: number }[] = [];
  try {
    const memory = async () => {
      const all = await onAll<Mem>(c, "memory");
      return {
        rss: all.reduce((sum, m) => sum + m.rss, 0),
        heapUsed: all.reduce((sum, m) => sum + m.heapUsed, 0),
      };
    };
    // A warm-up round first, opened and closed: what the first subscriptions
    // leave behind for good (compiled code, parse and validation caches,
    // PGlite's grown memory) is not a cost per subscription.
    await load.call("wsOpen", { wsUrl: c.wsUrls, n: MEMORY_WARM_UP, tag: "warm" }, 120_000);
    await load.call("subscribeAll", { tag: "warm", receiptId: submitted.receiptId }, 130_000);
    await load.call("wsClose", { tag: "warm" }, 120_000);
    await onAll(c, "waitNoSubscriptions", { timeoutMs: 60_000 }, 70_000);
    const base = await memory();
    gateway.push({ connections: 0, rss: base.rss, heapUsed: base.heapUsed });
    let open = 0;
    for (const target of plan.memoryAt) {
      await load.call("wsOpen", { wsUrl: c.wsUrls, n: target - open, tag: "idle" }, 600_000);
      const sub = await load.call<{ failed: number; firstError: string | null }>(
        "subscribeAll",
        { tag: "idle", receiptId: submitted.receiptId, timeoutMs: 600_000 },
        610_000,
      );
      if (sub.failed > 0) throw new Error(`${sub.failed} idle subscriptions failed: ${sub.firstError}`);
      open = target;
      const m = await memory();
      gateway.push({ connections: open, rss: m.rss, heapUsed: m.heapUsed });
      log(`memory: ${open} idle subscriptions, server RSS ${(m.rss / 2 ** 20).toFixed(0)} MiB`);
    }
  } finally {
    await load.call("wsClose", { tag: "idle" }, 120_000);
    await server.call("release", { receiptId: submitted.receiptId });
  }
  const rawServer = await start<{ url: string }>("raw-ws", "raw-ws.ts", { execArgv: ["--expose-gc"] });
  try {
    // The same warm-up as the gateway's.
    await load.call("rawOpen", { url: rawServer.info.url, n: MEMORY_WARM_UP }, 120_000);
    await load.call("rawClose");
    await waitFor(
      "raw clients to close",
      async () => ((await rawServer.call<number>("clients")) === 0 ? true : undefined),
      60_000,
      50,
    );
    const base = await rawServer.call<Mem>("memory");
    raw.push({ connections: 0, rss: base.rss, heapUsed: base.heapUsed });
    let open = 0;
    for (const target of plan.memoryAt) {
      await load.call("rawOpen", { url: rawServer.info.url, n: target - open }, 300_000);
      open = target;
      const m = await rawServer.call<Mem>("memory");
      raw.push({ connections: open, rss: m.rss, heapUsed: m.heapUsed });
    }
  } finally {
    await load.call("rawClose");
    await stop(rawServer as Peer);
  }
  await server.call("waitIdle", { timeoutMs: 120_000 }, 130_000);
  const per = (rows: typeof gateway, i: number, key: "rss" | "heapUsed" = "rss") => {
    const row = rows[i + 1];
    const base = rows[0];
    return row && base ? (row[key] - base[key]) / row.connections / 1024 : null;
  };
  plan.memoryAt.forEach((connections, i) => {
    figure(
      "Memory",
      `RSS per idle subscription at ${connections.toLocaleString("en")} connections`,
      "KiB",
      per(gateway, i),
      {
        name: "bare ws server, per idle connection",
        value: per(raw, i),
      },
    );
  });
  plan.memoryAt.forEach((connections, i) => {
    figure(
      "Memory",
      `JS heap per idle subscription at ${connections.toLocaleString("en")} connections`,
      "KiB",
      per(gateway, i, "heapUsed"),
      {
        name: "bare ws server, per idle connection",
        value: per(raw, i, "heapUsed"),
      },
    );
  });
  details.memory = {
    gateway,
    rawWs: raw,
    note: `RSS after 3 forced GCs (node --expose-gc), minus the RSS with none open (after ${MEMORY_WARM_UP} were opened and closed)`,
  };
}

/** A search an administrator might type: one surname and given name of the generated lines (1 in 300). */
const CURVE_SEARCH = "佐藤 美咲";

/**
 * Cost curves: how the page, totalCount and a search grow with the account
 * (separate accounts of 10,000, 100,000 and 1,000,000 lines, seeded by SQL
 * once), how a submit's acceptance grows with its lines, and how fan-out
 * latency grows with the watchers. Each point is a p50 (and p99) over HTTP
 * or WebSocket from the load generator, round-robin over the instances.
 */
async function curveScenario(load: Peer, c: Cluster) {
  const { server } = c;
  const timeout = 900_000;
  const queries = {
    page: { label: "lines(first: 50), no totalCount", body: pageBody(null) },
    count: { label: "lines { totalCount }", body: JSON.stringify({ query: "{ lines { totalCount } }" }) },
    search: {
      label: `lines(first: 50, filter: {search: "${CURVE_SEARCH}"})`,
      body: JSON.stringify({
        query: pageQuery(false),
        variables: { first: 50, filter: { search: CURVE_SEARCH } },
      }),
    },
  };
  type Kind = keyof typeof queries;
  const bySize: Record<Kind, { size: number; s: Summary }[]> = { page: [], count: [], search: [] };
  for (const size of plan.curveLines) {
    const account = await server.call<{ loginId: string; password: string; seededMs: number | null }>(
      "curveAccount",
      { lines: size },
      1_800_000,
    );
    if (account.seededMs !== null)
      log(
        `curve: seeded a ${size.toLocaleString("en")}-line account in ${(account.seededMs / 1000).toFixed(1)} s`,
      );
    await load.call("login", { url: c.urls[0], loginId: account.loginId, password: account.password });
    // The account is what the curve says it is, and the search finds some of its lines.
    const counted = (await load.call("request", { url: c.urls[0], body: queries.count.body })) as {
      data?: { lines: { totalCount: number } };
    };
    if (counted.data?.lines.totalCount !== size)
      throw new Error(`curve account has ${counted.data?.lines.totalCount} lines, expected ${size}`);
    const found = (await load.call("request", { url: c.urls[0], body: queries.search.body }, timeout)) as {
      data?: { lines: { edges: unknown[] } };
    };
    if (!found.data?.lines.edges.length)
      throw new Error(`"${CURVE_SEARCH}" matched no line of ${size} lines`);
    for (const kind of Object.keys(queries) as Kind[]) {
      const { body } = queries[kind];
      await load.call("pages", { url: c.urls, body, n: 3 }, timeout);
      const s = summarize(
        await load.call<Float64Array>("pages", { url: c.urls, body, n: plan.curveSamples }, timeout),
      );
      bySize[kind].push({ size, s });
      curvePoint(kind, "lines in the account", { x: size, p50Ms: s.p50, p99Ms: s.p99 });
    }
    log(
      `curve at ${size.toLocaleString("en")} lines: page p50 ${ms(bySize.page.at(-1)?.s.p50 ?? Number.NaN)}, count ${ms(bySize.count.at(-1)?.s.p50 ?? Number.NaN)}, search ${ms(bySize.search.at(-1)?.s.p50 ?? Number.NaN)}`,
    );
  }
  const sc = "Cost curve";
  for (const kind of Object.keys(queries) as Kind[]) {
    const [smallest, ...rest] = bySize[kind];
    if (!smallest) continue;
    const at = (n: number) => `${n.toLocaleString("en")} lines`;
    figure(sc, `${queries[kind].label} p50 at ${at(smallest.size)}`, "ms", smallest.s.p50, null);
    for (const point of rest)
      figure(sc, `${queries[kind].label} p50 at ${at(point.size)}`, "ms", point.s.p50, {
        name: `at ${at(smallest.size)}`,
        value: smallest.s.p50,
      });
  }

  // Acceptance by batch size, on the bench account.
  await load.call("login", { url: c.urls[0], loginId: server.info.loginId, password: server.info.password });
  await onAll(c, "waitIdle", { timeoutMs: 120_000 }, 130_000);
  const submitSizes = [1, 50, BATCH_LINES];
  const accept = new Map<number, number[]>(submitSizes.map((size) => [size, []]));
  for (let rep = -1; rep < plan.curveSubmitReps; rep++) {
    for (const size of submitSizes) {
      const lineIds = await server.call<string[]>("pickLines", { n: size });
      const submitted = await load.call<Submitted>(
        "submit",
        { url: nthOf(c.urls, rep + size), lineIds },
        120_000,
      );
      if (rep >= 0) accept.get(size)?.push(submitted.ms);
      await onAll(c, "waitIdle", { timeoutMs: 180_000 }, 190_000);
    }
  }
  const one = summarize(accept.get(1) ?? []);
  for (const size of submitSizes) {
    const s = summarize(accept.get(size) ?? []);
    curvePoint("submit", "lines in the submit", { x: size, p50Ms: s.p50, p99Ms: s.p99 });
    figure(
      sc,
      `submitPermissionChange accepted, ${size} line${size === 1 ? "" : "s"}, p50`,
      "ms",
      s.p50,
      size === 1 ? null : { name: "1 line", value: one.p50 },
    );
  }

  // Fan-out latency by watchers, in each form the schema offers.
  const forms: Form[] = (await hasSubscriptionField(load, c, FORM_FIELD.batch))
    ? ["event", "batch"]
    : ["event"];
  if (forms.length === 1)
    log(`curve: ${FORM_FIELD.batch} is not in the schema; its fan-out curve is skipped`);
  for (const form of forms) {
    const runs: FanoutRun[] = [];
    for (const watchers of plan.curveWatchers) {
      const run = await fanoutRun(load, c, watchers, form, { probes: false, keepPayloads: false });
      if (run.receiptStatus !== "SUCCEEDED") throw new Error(`a fan-out receipt ended ${run.receiptStatus}`);
      runs.push(run);
      curvePoint(form === "event" ? "fanout" : "fanoutBatch", "watchers", {
        x: watchers,
        p50Ms: run.latency.p50,
        p99Ms: run.latency.p99,
        lost: run.lost,
        framesPerWatcherP50: run.framesPerWatcher.p50,
        eventsPerSecond: round(run.eventsPerSecond, 1),
      });
    }
    const [first] = runs;
    for (const run of runs)
      figure(
        sc,
        `${FORM_FIELD[form]} publish→receive p99 at ${run.n.toLocaleString("en")} watchers (${run.lost} lost)`,
        "ms",
        run.latency.p99,
        run === first || !first
          ? null
          : { name: `at ${first.n.toLocaleString("en")} watchers`, value: first.latency.p99 },
      );
  }
  details.curve = { search: CURVE_SEARCH, samples: plan.curveSamples, submitReps: plan.curveSubmitReps };
}

// --- PostgreSQL and Redis (--db postgres) -------------------------------------

const execFileAsync = promisify(execFile);
const repoRoot = path.dirname(benchDir);
const backendDirs = {
  postgres: path.join(benchDir, "data", "postgres"),
  redis: path.join(benchDir, "data", "redis"),
};
let backendsStarted = false;

/** Starts PostgreSQL and Redis on loopback from bench/data (kept between runs: the seed is reused). */
async function startBackends() {
  backendsStarted = true;
  const script = (name: string) => path.join(repoRoot, "scripts", name);
  // A run killed without its cleanup may have left them running.
  await stopBackends();
  const run = async (name: string, args: string[]) => {
    const { stdout } = await execFileAsync(script(name), args, { timeout: 300_000 });
    const url = stdout.trim().split("\n").at(-1);
    if (!url) throw new Error(`${name} printed no URL`);
    return url;
  };
  const databaseUrl = await run("postgres-local.sh", [
    "start",
    String(flags["pg-port"]),
    backendDirs.postgres,
  ]);
  const redisUrl = await run("redis-local.sh", ["start", String(flags["redis-port"]), backendDirs.redis]);
  log(`PostgreSQL at ${databaseUrl}, Redis at ${redisUrl}`);
  return { databaseUrl, redisUrl };
}

async function stopBackends() {
  if (!backendsStarted) return;
  await Promise.allSettled([
    execFileAsync(path.join(repoRoot, "scripts", "postgres-local.sh"), ["stop", backendDirs.postgres], {
      timeout: 60_000,
    }),
    execFileAsync(path.join(repoRoot, "scripts", "redis-local.sh"), ["stop", backendDirs.redis], {
      timeout: 60_000,
    }),
  ]);
}

// --- run -------------------------------------------------------------------------

function table() {
  const rows = figures.map((f) => [
    f.database === "pglite" ? f.scenario : `${f.scenario} [PostgreSQL ×${f.instances}]`,
    f.name,
    f.value === null ? "—" : `${f.value} ${f.unit}`,
    f.baseline === null ? "—" : `${f.baseline} (${f.baselineName})`,
    f.ratio === null ? "—" : String(f.ratio),
    f.target ? `${f.target.on} ${f.target.op} ${f.target.limit}` : "",
    f.met === null ? "" : f.met ? "met" : "MISSED",
  ]);
  const header = ["scenario", "figure", "value", "baseline", "ratio", "target", ""];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(" | ")} |`;
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

async function main() {
  const began = Date.now();
  const loadAtStart = os.loadavg();
  log(
    `bench ${quick ? "(quick)" : "(full)"}: ${lines.toLocaleString("en")}-line account, ${os.cpus().length} CPUs`,
  );
  const load = await start("load", "load.ts", { execArgv: ["--expose-gc"] });
  let captures: Captures | null = null;
  let seededMs: number | null = null;
  const secondsTaken: Record<string, number> = {};
  topDetails.secondsTaken = secondsTaken;
  const attempt = async (scenario: string, task: () => Promise<void>) => {
    const started = Date.now();
    try {
      await task();
      secondsTaken[scenario] = round((Date.now() - started) / 1000, 1);
    } catch (error) {
      const message = describeError(error);
      errors.push({ scenario, error: message });
      console.error(`${scenario} FAILED: ${message}`);
    }
  };
  try {
    if (db === "postgres") {
      const { databaseUrl, redisUrl } = await startBackends();
      serverEnv.BENCH_DATABASE_URL = databaseUrl;
      serverEnv.BENCH_REDIS_URL = redisUrl;
    }
    // A server with Prisma's query log, without worker: statement counts and
    // the exact Prisma calls of a page request. It also seeds on the first run.
    let t = Date.now();
    const counting = await startServer("count");
    secondsTaken["start (count mode, seeds on the first run)"] = round((Date.now() - t) / 1000, 1);
    seededMs = counting.info.seededMs;
    if (seededMs !== null) log(`seeded ${counting.info.lines} lines in ${(seededMs / 1000).toFixed(1)} s`);
    await attempt("capture", async () => {
      const saved = figures.length;
      captures = await countScenario(load, counting);
      if (!wanted("n1")) {
        figures.length = saved;
        delete details.n1;
      }
    });
    await stop(counting as Peer);

    // The server as `npm start` runs it (worker on, carrier at zero latency):
    // one instance; on PostgreSQL also two, each with its worker (two
    // `npm start`s on one database and Redis), the load spread round-robin.
    const runs: Record<string, unknown> = {};
    if (db === "postgres") topDetails.runs = runs;
    for (const k of instanceCounts) {
      pass.instances = k;
      const tag = db === "postgres" ? ` [postgres×${k}]` : "";
      if (db === "postgres") {
        details = {};
        runs[`postgres×${k}`] = details;
      }
      t = Date.now();
      const servers: Peer<ServerInfo>[] = [];
      try {
        // One after the other: the first migrates and waits for the day's roster sync.
        for (let i = 0; i < k; i++) servers.push(await startServer("main", i));
        secondsTaken[`start (main)${tag}`] = round((Date.now() - t) / 1000, 1);
        const c = clusterOf(servers);
        log(`gateway${k > 1 ? "s" : ""} at ${c.urls.join(", ")} (${c.server.info.lines} lines)`);
        const run = (scenario: Scenario, task: () => Promise<void>) =>
          wanted(scenario) ? attempt(`${scenario}${tag}`, task) : Promise.resolve();
        await run("page", async () => {
          if (!captures) throw new Error("no captured Prisma calls (the count step failed)");
          await pageScenario(load, c, captures);
        });
        await run("throughput", () => throughputScenario(load, c));
        await run("export", () => exportScenario(load, c));
        await run("batch", () => batchScenario(load, c));
        await run("fanout", () => fanoutScenario(load, c));
        await run("memory", () => memoryScenario(load, c));
        await run("curve", () => curveScenario(load, c));
      } finally {
        for (const server of servers.reverse()) await stop(server as Peer);
      }
    }
  } catch (error) {
    errors.push({ scenario: "setup", error: describeError(error) });
    console.error(`bench setup FAILED: ${describeError(error)}`);
  } finally {
    await shutdown();
    await stopBackends();
  }

  const results = {
    generatedAt: new Date().toISOString(),
    mode: quick ? "quick" : "full",
    durationS: Math.round((Date.now() - began) / 1000),
    machine: {
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model ?? "unknown",
      memoryMiB: Math.round(os.totalmem() / 2 ** 20),
      node: process.version,
      platform: `${os.platform()} ${os.release()}`,
      loadAverageAtStart: loadAtStart.map((v) => round(v, 2)),
      loadAverageAtEnd: os.loadavg().map((v) => round(v, 2)),
    },
    settings: {
      lines,
      database:
        db === "pglite"
          ? "PGlite (embedded default)"
          : "PostgreSQL + Redis on loopback (scripts/postgres-local.sh, scripts/redis-local.sh)",
      instances: instanceCounts,
      ...(db === "postgres" ? { workers: "every instance runs its worker (WORKER=on, as npm start)" } : {}),
      carrier: "in-process simulator, 0 ms latency, 0 failures",
      seededThisRunMs: seededMs,
      plan,
    },
    figures,
    ...(Object.keys(curves).length > 0 ? { curves } : {}),
    details: topDetails,
    errors,
  };
  const file = path.join(benchDir, "results.json");
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`\n${table()}\n`);
  console.log(`Wrote ${path.relative(process.cwd(), file)} in ${results.durationS} s.`);
  if (errors.length > 0) {
    console.error(`${errors.length} scenario(s) failed: ${errors.map((e) => e.scenario).join(", ")}`);
    process.exit(1);
  }
  process.exit(0);
}

await main();
