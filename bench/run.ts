// `npm run bench` — measures the gateway against its baselines in one run and
// writes bench/results.json. See bench/README.md.
//
//   npm run bench                 full run (several minutes)
//   npm run bench -- --quick      smaller counts, under 2 minutes
//   npm run bench -- --only page,batch   some scenarios (page, throughput, n1, export, batch, fanout, memory)
//
// Processes: this orchestrator; the gateway (bench/server.ts, the real
// buildApp() on PGlite); the load generator (bench/load.ts); and, only while
// their baseline is measured, a bare graphql-yoga server (bench/hello.ts) and
// a bare `ws` broadcaster (bench/raw-ws.ts).
import { writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { benchDir, describeError, type Peer, startPeer } from "./ipc.ts";
import { round, type Summary, summarize, waitFor } from "./stats.ts";

const { values: flags } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    only: { type: "string" },
    lines: { type: "string", default: "100000" },
    concurrency: { type: "string" },
  },
});
const quick = flags.quick ?? false;
const lines = Number(flags.lines);
if (!Number.isInteger(lines) || lines < 1000) throw new Error("--lines expects an integer ≥ 1000");
const scenarios = ["n1", "page", "throughput", "export", "batch", "fanout", "memory"] as const;
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
const details: Record<string, unknown> = {};
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
process.on("SIGINT", () => {
  console.error("interrupted; stopping the bench processes…");
  void shutdown().then(() => process.exit(130));
});

interface ServerInfo {
  url: string;
  wsUrl: string;
  loginId: string;
  password: string;
  accountId: string;
  lines: number;
  seededMs: number | null;
}

const serverEnv = {
  BENCH_LINES: String(lines),
  BENCH_DATA_DIR: path.join(benchDir, "data", "pglite"),
};
const startServer = (mode: "count" | "main") =>
  start<ServerInfo>(`server:${mode}`, "server.ts", {
    env: { ...serverEnv, BENCH_MODE: mode },
    // BENCH_SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the gateway.
    execArgv: ["--expose-gc", ...(process.env.BENCH_SERVER_NODE_ARGS ?? "").split(" ").filter(Boolean)],
    // Seeding 100,000 lines (first run only) and the first daily roster sync take a while.
    readyTimeoutMs: 600_000,
  });

const log = (message: string) => console.log(`${new Date().toISOString().slice(11, 19)} ${message}`);
const ms = (v: number) => `${v.toFixed(v < 10 ? 2 : v < 100 ? 1 : 0)} ms`;

// The page as the permission screen of the web client asks for it, with or
// without totalCount (which costs its own COUNT over the account's lines).
const pageQuery = (withCount: boolean) => /* GraphQL */ `
  query PermissionLines($first: Int, $after: String, $filter: LineFilter) {
    lines(first: $first, after: $after, filter: $filter) {
      ${withCount ? "totalCount" : ""}
      pageInfo { hasNextPage endCursor hasPreviousPage startCursor }
      edges {
        cursor
        node {
          id phoneNumber name status contractStatus backup phonebookMigration version
          group { id name }
        }
      }
    }
  }`;
const N1_QUERY =
  "query ($first: Int!) { lines(first: $first) { edges { node { id phoneNumber group { id name } } } } }";
const pageBody = (after: string | null, withCount = false) =>
  JSON.stringify({ query: pageQuery(withCount), variables: { first: 50, after } });

interface Captured {
  method: string;
  args: unknown;
}

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
    const findMany = calls.find((c) => c.method === "findMany");
    const countCall = calls.find((c) => c.method === "count");
    if (!findMany || (withCount && !countCall))
      throw new Error(
        `expected line.findMany${withCount ? " and line.count" : ""}, saw ${JSON.stringify(calls)}`,
      );
    if (!withCount && countCall) throw new Error("a page without totalCount still counted the lines");
    return { findMany: findMany.args, count: countCall?.args ?? null, calls: calls.length };
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

async function pageScenario(load: Peer, server: Peer<ServerInfo>, captures: Captures) {
  const url = `${server.info.url}/graphql`;
  const authorization = await load.call<string>("login", {
    url,
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
  };
  const take = (target: number[], values: Float64Array) => target.push(...values);
  const timeout = 300_000;
  const withCount = {
    findMany: captures.withCount.findMany,
    count: captures.withCount.count,
    authorization,
  };
  // Warm-up (JIT, PGlite's caches), then interleaved blocks so drift and
  // neighbours' noise hit both sides alike.
  await load.call("pages", { url, body: firstBody, n: plan.warmup }, timeout);
  await load.call("pages", { url, body: webBody, n: plan.warmup }, timeout);
  await server.call("direct", { args: captures.first.findMany, n: plan.warmup }, timeout);
  await server.call("inProcess", { body: firstBody, authorization, n: plan.warmup }, timeout);
  await server.call("directAll", { ...withCount, n: plan.warmup }, timeout);
  for (let b = 0; b < plan.pageBlocks; b++) {
    const n = plan.pagePerBlock;
    take(samples.http, await load.call("pages", { url, body: firstBody, n }, timeout));
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
    `first page: HTTP p50 ${ms(summarize(samples.http).p50)}, its findMany in-process p50 ${ms(summarize(samples.direct).p50)}`,
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
    const count = { args: captures.withCount.count, method: "count", n };
    take(samples.countAlone, await server.call("direct", count, timeout));
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
  figure(sc, "diagnostic: totalCount's line.count in-process, p50", "ms", s.countAlone.p50, {
    name: "page findMany in-process",
    value: s.direct.p50,
  });
  details.page = {
    samples: { first: samples.http.length, deep: samples.deepHttp.length },
    deepRows,
    summaries: s,
    prismaCalls: captures,
  };
}

async function throughputScenario(load: Peer, server: Peer<ServerInfo>) {
  const url = `${server.info.url}/graphql`;
  await load.call("login", { url, loginId: server.info.loginId, password: server.info.password });
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
async function exportScenario(load: Peer, server: Peer<ServerInfo>) {
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

async function batchScenario(load: Peer, server: Peer<ServerInfo>) {
  const url = `${server.info.url}/graphql`;
  await load.call("login", { url, loginId: server.info.loginId, password: server.info.password });
  const accept: Record<number, number[]> = { 1: [], [BATCH_LINES]: [] };
  const final: Record<number, number[]> = { 1: [], [BATCH_LINES]: [] };
  await server.call("waitIdle", { timeoutMs: 120_000 }, 130_000);
  // One unmeasured round first (JIT, caches), except in a quick run.
  for (let rep = plan.batchWarmup ? -1 : 0; rep < plan.batchReps; rep++) {
    for (const size of [1, BATCH_LINES]) {
      const lineIds = await server.call<string[]>("pickLines", { n: size });
      const tag = `batch-${rep}-${size}`;
      await load.call("wsOpen", { wsUrl: server.info.wsUrl, n: 1, tag });
      const submitted = await load.call<Submitted>("submit", { url, lineIds }, 120_000);
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

async function fanoutScenario(load: Peer, server: Peer<ServerInfo>) {
  const url = `${server.info.url}/graphql`;
  const n = plan.watchers;
  await load.call("login", { url, loginId: server.info.loginId, password: server.info.password });
  await server.call("waitIdle", { timeoutMs: 120_000 }, 130_000);
  const opened = await load.call<{ ms: number }>(
    "wsOpen",
    { wsUrl: server.info.wsUrl, n, tag: "fanout" },
    300_000,
  );
  log(`fan-out: ${n} graphql-ws connections open in ${ms(opened.ms)}`);
  // The batch is accepted with its items held back, every watcher subscribes
  // (and has its snapshot), then the items are released all at once: every
  // event of the run is published while all watchers listen.
  const lineIds = await server.call<string[]>("pickLines", { n: BATCH_LINES });
  await server.call("hold", { on: true });
  let submitted: Submitted;
  try {
    submitted = await load.call<Submitted>("submit", { url, lineIds }, 120_000);
  } finally {
    await server.call("hold", { on: false });
  }
  const held = await server.call<number>("heldItems", { receiptId: submitted.receiptId });
  if (held !== BATCH_LINES) throw new Error(`expected ${BATCH_LINES} held items, found ${held}`);
  await server.call("track", { receiptId: submitted.receiptId });
  const sub = await load.call<{ subscribed: number; failed: number; firstError: string | null; ms: number }>(
    "subscribeAll",
    { tag: "fanout", receiptId: submitted.receiptId, keepPayloads: true, timeoutMs: 240_000 },
    250_000,
  );
  if (sub.failed > 0) throw new Error(`${sub.failed} watchers could not subscribe: ${sub.firstError}`);
  log(`fan-out: ${sub.subscribed} watchers subscribed in ${ms(sub.ms)}; releasing the batch`);
  if (process.env.BENCH_SQL_HISTOGRAM === "1") await server.call("sqlHistogram");
  await server.call("loopDelayStart");
  await load.call("loopDelayStart");
  // Is the gateway still answering while it delivers? /ready reads the
  // database (SELECT 1); `{ __typename }` without a token touches no database.
  await load.call("probeStart", { name: "health", url: `${server.info.url}/ready` });
  await load.call("probeStart", {
    name: "typename",
    url: `${server.info.url}/graphql`,
    body: JSON.stringify({ query: "{ __typename }" }),
  });
  await server.call("release", { receiptId: submitted.receiptId });
  const watched = await load.call<Watched>("awaitAll", { tag: "fanout", timeoutMs: 240_000 }, 300_000);
  const loopDelay = await server.call<{ p50: number; p99: number; max: number }>("loopDelayStop");
  const loadLoopDelay = await load.call<{ p50: number; p99: number; max: number }>("loopDelayStop");
  const health = await load.call<Summary>("probeStop", { name: "health" }, 200_000);
  const typename = await load.call<Summary>("probeStop", { name: "typename" }, 200_000);
  const published = new Map(
    await server.call<[number, number][]>("published", { receiptId: submitted.receiptId }),
  );
  await load.call("wsClose", { tag: "fanout" }, 120_000);
  const sql =
    process.env.BENCH_SQL_HISTOGRAM === "1" ? await server.call<[string, number][]>("sqlHistogram") : null;
  const receipt = await server.call<{ status: string; lastSeq: number }>("receipt", {
    receiptId: submitted.receiptId,
  });

  // Per watcher: the first event is its snapshot; every seq published after
  // it must arrive exactly once, in order.
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
  const lat = summarize(latencies);
  const eventsPerSecond = delivered / ((lastReceive - firstPublish) / 1000);
  log(
    `fan-out: ${delivered} of ${expected} events delivered, ${lost} lost, publish→receive p50 ${ms(lat.p50)} p99 ${ms(lat.p99)}, ${eventsPerSecond.toFixed(0)} events/s`,
  );

  // Baselines: the same frames, broadcast by a bare `ws` server to as many
  // clients, (a) as fast as it can (capacity: events/s) and (b) on the
  // gateway's own publish schedule (latency under the same burst).
  const frames = watched.payloads;
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
    delivered,
    { name: "events published × watchers", value: expected },
    {
      on: "ratio",
      op: "==",
      limit: 1,
    },
  );
  figure(sc, "events lost", "events", lost, null, { on: "value", op: "==", limit: 0 });
  figure(
    sc,
    "watcher streams that did not complete (see details.fanout.watcherErrors)",
    "watchers",
    n - watched.completed,
    null,
  );
  figure(sc, "gateway event-loop delay during delivery, max", "ms", loopDelay.max, null);
  figure(sc, "GET /ready (SELECT 1) during delivery, max", "ms", health.max, null);
  figure(sc, "POST { __typename } (no database) during delivery, max", "ms", typename.max, null);
  figure(sc, "publish→receive p50", "ms", lat.p50, {
    name: "raw ws, same schedule, p50",
    value: paced.latencyMs.p50,
  });
  figure(
    sc,
    "publish→receive p99",
    "ms",
    lat.p99,
    { name: "raw ws, same schedule, p99", value: paced.latencyMs.p99 },
    {
      on: "value",
      op: "<=",
      limit: 250,
    },
  );
  figure(sc, "events/s delivered (higher is better)", "events/s", eventsPerSecond, {
    name: "raw ws broadcast of the same frames, flat out",
    value: fast.framesPerSecond,
  });
  details.fanout = {
    watchers: n,
    receiptStatus: receipt.status,
    lastSeq: receipt.lastSeq,
    eventsPublished: published.size,
    ...(sql ? { sqlDuringDelivery: sql.slice(0, 25) } : {}),
    publishSpanMs: lastPublish - firstPublish,
    connectMs: opened.ms,
    subscribeMs: sub.ms,
    delivered,
    expected,
    lost,
    duplicates,
    outOfOrder,
    completed: watched.completed,
    gatewayEventLoopDelayMs: {
      p50: round(loopDelay.p50),
      p99: round(loopDelay.p99),
      max: round(loopDelay.max),
    },
    healthDuringDeliveryMs: health,
    typenameDuringDeliveryMs: typename,
    loadGeneratorEventLoopDelayMs: {
      p50: round(loadLoopDelay.p50),
      p99: round(loadLoopDelay.p99),
      max: round(loadLoopDelay.max),
    },
    timedOut: watched.timedOut,
    watcherErrors: watched.errors.slice(0, 5),
    latencyMs: lat,
    eventsPerSecond: round(eventsPerSecond, 1),
    raw: { frames: frames.length, flatOut: fast, onGatewaySchedule: paced },
  };
  if (receipt.status !== "SUCCEEDED") throw new Error(`the fan-out receipt ended ${receipt.status}`);
}

/** Subscriptions opened and closed before the memory scenario's first reading. */
const MEMORY_WARM_UP = 100;

async function memoryScenario(load: Peer, server: Peer<ServerInfo>) {
  const url = `${server.info.url}/graphql`;
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
    // A warm-up round first, opened and closed: what the first subscriptions
    // leave behind for good (compiled code, parse and validation caches,
    // PGlite's grown memory) is not a cost per subscription.
    await load.call("wsOpen", { wsUrl: server.info.wsUrl, n: MEMORY_WARM_UP, tag: "warm" }, 120_000);
    await load.call("subscribeAll", { tag: "warm", receiptId: submitted.receiptId }, 130_000);
    await load.call("wsClose", { tag: "warm" }, 120_000);
    await server.call("waitNoSubscriptions", { timeoutMs: 60_000 }, 70_000);
    const base = await server.call<Mem>("memory");
    gateway.push({ connections: 0, rss: base.rss, heapUsed: base.heapUsed });
    let open = 0;
    for (const target of plan.memoryAt) {
      await load.call("wsOpen", { wsUrl: server.info.wsUrl, n: target - open, tag: "idle" }, 600_000);
      const sub = await load.call<{ failed: number; firstError: string | null }>(
        "subscribeAll",
        { tag: "idle", receiptId: submitted.receiptId, timeoutMs: 600_000 },
        610_000,
      );
      if (sub.failed > 0) throw new Error(`${sub.failed} idle subscriptions failed: ${sub.firstError}`);
      open = target;
      const m = await server.call<Mem>("memory");
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

// --- run -------------------------------------------------------------------------

function table() {
  const rows = figures.map((f) => [
    f.scenario,
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
  details.secondsTaken = secondsTaken;
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
    // A server with Prisma's query log, without worker: statement counts and
    // the exact Prisma calls of a page request. It also seeds on the first run.
    let t = Date.now();
    let server = await startServer("count");
    secondsTaken["start (count mode, seeds on the first run)"] = round((Date.now() - t) / 1000, 1);
    seededMs = server.info.seededMs;
    if (seededMs !== null) log(`seeded ${server.info.lines} lines in ${(seededMs / 1000).toFixed(1)} s`);
    await attempt("capture", async () => {
      const saved = figures.length;
      captures = await countScenario(load, server);
      if (!wanted("n1")) {
        figures.length = saved;
        delete details.n1;
      }
    });
    await stop(server as Peer);

    // The server as `npm start` runs it (worker on, carrier at zero latency).
    t = Date.now();
    server = await startServer("main");
    secondsTaken["start (main)"] = round((Date.now() - t) / 1000, 1);
    log(`gateway at ${server.info.url} (${server.info.lines} lines)`);
    const running = server;
    if (wanted("page"))
      await attempt("page", async () => {
        if (!captures) throw new Error("no captured Prisma calls (the count step failed)");
        await pageScenario(load, running, captures);
      });
    if (wanted("throughput")) await attempt("throughput", () => throughputScenario(load, running));
    if (wanted("export")) await attempt("export", () => exportScenario(load, running));
    if (wanted("batch")) await attempt("batch", () => batchScenario(load, running));
    if (wanted("fanout")) await attempt("fanout", () => fanoutScenario(load, running));
    if (wanted("memory")) await attempt("memory", () => memoryScenario(load, running));
    await stop(server as Peer);
  } catch (error) {
    errors.push({ scenario: "setup", error: describeError(error) });
    console.error(`bench setup FAILED: ${describeError(error)}`);
  } finally {
    await shutdown();
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
      database: "PGlite (embedded default)",
      carrier: "in-process simulator, 0 ms latency, 0 failures",
      seededThisRunMs: seededMs,
      plan,
    },
    figures,
    details,
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
