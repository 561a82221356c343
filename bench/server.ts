// The gateway under test, in its own process: the real buildApp() on the
// embedded default (PGlite in bench/data), or on PostgreSQL + Redis when the
// orchestrator hands it their URLs (`--db postgres`, one or two instances),
// with a 100,000-line account seeded once and reused. Besides serving HTTP and
// WebSocket on 127.0.0.1, it answers the orchestrator's calls for what has to
// happen inside the server process: the in-process Prisma baseline, the REST
// baseline's route, SQL statement counts, the time each receipt event is
// published, memory, the cost curves' accounts, and holding a batch's items
// back until the watchers are subscribed.
//
// BENCH_MODE=count opens the database with Prisma's query log (to count SQL
// statements) and without the worker; BENCH_MODE=main (default) is the server
// as `npm start` runs it, with the worker and the simulated carrier at zero
// latency.
import http from "node:http";
import { formatPrismaCursor } from "@pothos/plugin-prisma";
import { decodeGlobalID, encodeGlobalID } from "@pothos/plugin-relay";
import { jstDate } from "../domain/time.ts";
import { type Database, openDatabase } from "../lib/db.ts";
import { applyMigrations } from "../prisma/migrate.ts";
import { seedLargeAccount, seedLargeAccountBySql } from "../prisma/seed/large.ts";
import { buildApp } from "../server/app.ts";
import { loadConfig } from "../server/config.ts";
import { authenticate } from "../services/auth.ts";
import { EXPORT_PAGE_SIZE } from "../services/exports.ts";
import { serve } from "./ipc.ts";
import { loopDelayHandlers, memoryAfterGc, waitFor } from "./stats.ts";

const mode = process.env.BENCH_MODE === "count" ? "count" : "main";
const lines = Number(process.env.BENCH_LINES ?? 100_000);
const dataDir = process.env.BENCH_DATA_DIR ?? "bench/data/pglite";
/** `--db postgres`: PostgreSQL and Redis started by the orchestrator (unset: PGlite, in-process pub/sub). */
const databaseUrl = process.env.BENCH_DATABASE_URL || undefined;
const redisUrl = process.env.BENCH_REDIS_URL || undefined;
const FAKE_NOW = "2026-11-24T10:00:00+09:00";
const code = `bench${lines}`;
const loginId = `Bench-${code}@admin`;
const password = "demo-pass";

// --- database ----------------------------------------------------------------
const config = loadConfig({
  DATA_DIR: dataDir,
  ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
  ...(redisUrl ? { REDIS_URL: redisUrl } : {}),
  // Any free port: several gateways (and other programs) may run at once.
  METRICS_PORT: "0",
  HOST: "127.0.0.1",
  PORT: "0",
  FAKE_NOW,
  CARRIER_LATENCY_MS: "0",
  CARRIER_FAILURE_RATE: "0",
  LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? "warn",
  WORKER: mode === "count" ? "off" : "on",
  // The fan-out and memory scenarios open thousands of sockets and operations
  // with one session on purpose: they measure delivery, not the per-client caps.
  WS_MAX_SOCKETS_PER_CREDENTIAL: "100000",
  WS_MAX_SUBSCRIPTIONS_PER_SOCKET: "100000",
  RATE_LIMIT_POINTS: "0",
});

let counting = false;
const statements: string[] = [];
const histogram = new Map<string, number>();
const opened = await openDatabase({
  databaseUrl: config.databaseUrl,
  dataDir: config.dataDir,
  // BENCH_SQL_HISTOGRAM=1 (diagnostics only) logs every statement of the main
  // server too, so `sqlHistogram` can tell what the database spent a scenario on.
  onQuery:
    mode === "count" || process.env.BENCH_SQL_HISTOGRAM === "1"
      ? (sql) => {
          if (counting) statements.push(sql);
          if (mode === "main") {
            const key = sql.replace(/\s+/g, " ").trim().slice(0, 100);
            histogram.set(key, (histogram.get(key) ?? 0) + 1);
          }
        }
      : undefined,
});

// In count mode, record the arguments of the Prisma calls a request makes on
// `line` and `lineCount` (totalCount's sum), so the main run can replay
// exactly the same queries in-process.
type Model = "line" | "lineCount";
let capturing = false;
const captured: { model: Model; method: string; args: unknown }[] = [];
const database: Database = mode === "count" ? { ...opened, prisma: captureLineCalls(opened.prisma) } : opened;

function captureLineCalls(prisma: Database["prisma"]): Database["prisma"] {
  const delegate = (model: Model) =>
    new Proxy(prisma[model], {
      get(target, property, receiver) {
        const value = Reflect.get(target, property, receiver);
        if (typeof value !== "function") return value;
        return (...args: unknown[]) => {
          if (capturing)
            captured.push({ model, method: String(property), args: JSON.parse(JSON.stringify(args[0])) });
          return value.apply(target, args);
        };
      },
    });
  const delegates = { line: delegate("line"), lineCount: delegate("lineCount") };
  return new Proxy(prisma, {
    get(target, property) {
      if (property === "line" || property === "lineCount") return delegates[property];
      const value = Reflect.get(target, property, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

/** A recorded call, replayed on the server's own PrismaClient. */
interface Call {
  model: Model;
  method: "findMany" | "count" | "aggregate";
  args: unknown;
}
function replay({ model, method, args }: Call): Promise<unknown> {
  const delegate = prisma[model] as unknown as Record<Call["method"], (args: unknown) => Promise<unknown>>;
  return delegate[method](args);
}

const prisma = opened.prisma;
const now = new Date(FAKE_NOW);

// Seed once: the account is found again by its carrier code on later runs.
await applyMigrations(opened.adapterFactory);
let account = await prisma.account.findFirst({ where: { carrierCustomerCode: `BENCH-${code}` } });
let seededMs: number | null = null;
if (!account) {
  const started = performance.now();
  console.log(
    `seeding a ${lines.toLocaleString("en")}-line account into ${databaseUrl ? "PostgreSQL" : dataDir} (once; reused later)…`,
  );
  await seedLargeAccount(prisma, { lines, code, password, now });
  seededMs = Math.round(performance.now() - started);
  account = await prisma.account.findFirstOrThrow({ where: { carrierCustomerCode: `BENCH-${code}` } });
}
const accountId = account.id;
const lineCount = await prisma.line.count({ where: { accountId } });

// A previous run that was cut short may have left a hold in place.
await prisma.$executeRawUnsafe(`DROP TRIGGER IF EXISTS bench_hold_items ON "ReceiptItem"`);
await prisma.receiptItem.updateMany({
  where: { nextAttemptAt: { gt: new Date("2099-01-01T00:00:00Z") } },
  data: { nextAttemptAt: new Date() },
});

const app = await buildApp({ config, database, seedDemo: false });
const { url } = await app.start(0, "127.0.0.1");

// --- publish times -----------------------------------------------------------
// Services hand each committed receipt event to the realtime hub's publish()
// (services/events.ts → services/realtime.ts), in the process that committed
// it: this one's worker or mutation. Recording Date.now() there, for the
// receipts the orchestrator asks about, gives each event's publish time on the
// same machine clock the watcher process reads on receipt. In-process, the
// subscribers run after it; over Redis (several instances), the event still
// has Redis and the other instance ahead of it, which the latency includes.
// The orchestrator asks every instance and merges what each published.
const tracked = new Map<string, Map<number, number>>();
{
  const pubsub = app.realtime.pubsub as unknown as {
    publish: (topic: string, id: string, payload: { seq?: number }) => void;
  };
  const publish = pubsub.publish;
  pubsub.publish = (topic, id, payload) => {
    if (tracked.size > 0 && topic === "receipt:event") {
      const times = tracked.get(id);
      if (times && typeof payload?.seq === "number" && !times.has(payload.seq))
        times.set(payload.seq, Date.now());
    }
    publish(topic, id, payload);
  };
}

// --- REST baseline -----------------------------------------------------------
// The page without GraphQL: a bare node:http route on its own loopback port
// (not a product route) that makes the very findMany the GraphQL page makes
// (recorded in count mode, handed over by `restPage`) and answers the same
// JSON shape with JSON.stringify. No session check: the GraphQL request finds
// its session in the actor cache, which costs next to nothing.
let restFindMany: unknown = null;
const restServer = http.createServer((request, response) => {
  request.resume();
  request.on("end", async () => {
    try {
      if (!restFindMany) throw new Error("restPage was not called");
      const rows = (await prisma.line.findMany(restFindMany as never)) as unknown as RestRow[];
      const page = rows.slice(0, 50);
      const edges = page.map((row) => ({
        cursor: formatPrismaCursor(row as never, ["accountId", "phoneNumber"]),
        node: {
          id: encodeGlobalID("Line", row.id),
          phoneNumber: row.phoneNumber,
          name: row.name,
          status: row.status,
          contractStatus: row.contractStatus,
          backup: row.backup,
          phonebookMigration: row.phonebookMigration,
          version: row.version,
          group: row.group ? { id: encodeGlobalID("Group", row.group.id), name: row.group.name } : null,
        },
      }));
      const body = JSON.stringify({
        data: {
          lines: {
            pageInfo: {
              hasNextPage: rows.length > page.length,
              endCursor: edges.at(-1)?.cursor ?? null,
              hasPreviousPage: false,
              startCursor: edges[0]?.cursor ?? null,
            },
            edges,
          },
        },
      });
      response.writeHead(200, {
        "content-type": "application/json",
        "content-length": Buffer.byteLength(body),
      });
      response.end(body);
    } catch (error) {
      response.writeHead(500, { "content-type": "text/plain" });
      response.end(String(error));
    }
  });
});
interface RestRow {
  id: string;
  accountId: string;
  phoneNumber: string;
  name: string;
  status: string;
  contractStatus: string;
  backup: boolean;
  phonebookMigration: boolean;
  version: number;
  group: { id: string; name: string } | null;
}
await new Promise<void>((resolve) => restServer.listen(0, "127.0.0.1", resolve));
const restAddress = restServer.address();
const restUrl = `http://127.0.0.1:${restAddress && typeof restAddress === "object" ? restAddress.port : 0}/page`;

if (mode === "main") {
  // The first start of a (fake) day runs the daily roster sync over all
  // 100,000 lines; wait for it so it does not run under a measurement.
  const today = jstDate(app.clock.now());
  await waitFor(
    "the daily roster sync",
    async () => {
      const runs = await prisma.lineSyncRun.findMany({ where: { accountId, trigger: "DAILY" } });
      const todays = runs.filter((r) => jstDate(r.startedAt) === today);
      return todays.length > 0 && todays.every((r) => r.finishedAt || r.error) ? true : undefined;
    },
    180_000,
    250,
  );
  // …and for batches a cut-short run left unfinished.
  await waitForIdleQueue(180_000);
}

async function waitForIdleQueue(timeoutMs: number) {
  await waitFor(
    "unfinished receipt items",
    async () =>
      (await prisma.receiptItem.count({ where: { status: { in: ["PENDING", "PROCESSING"] } } })) === 0
        ? true
        : undefined,
    timeoutMs,
    100,
  );
}

let linePointer = 0;
/** memoryPeakStart/Stop: the collected heap and RSS at the start, and the highest seen since. */
let peak: { base: Awaited<ReturnType<typeof memoryAfterGc>>; heapUsed: number; rss: number } | null = null;
let peakTimer: NodeJS.Timeout | undefined;
const timings = async (n: number, task: () => Promise<unknown>) => {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const start = performance.now();
    await task();
    out[i] = performance.now() - start;
  }
  return out;
};

serve(
  {
    countStart() {
      statements.length = 0;
      counting = true;
    },
    countStop() {
      counting = false;
      return { count: statements.length, statements: statements.map((s) => s.slice(0, 120)) };
    },
    captureStart() {
      captured.length = 0;
      capturing = true;
    },
    captureStop() {
      capturing = false;
      return [...captured];
    },
    /** The cursor of the rows-th line in phone-number order: a page `after` it starts after `rows` rows. */
    async cursorAfter({ rows }: { rows: number }) {
      const row = await prisma.line.findFirstOrThrow({
        where: { accountId },
        orderBy: { phoneNumber: "asc" },
        skip: rows - 1,
        select: { accountId: true, phoneNumber: true },
      });
      return formatPrismaCursor(row, ["accountId", "phoneNumber"]);
    },
    /** The findMany the REST baseline's route makes (the page's, recorded in count mode). */
    restPage({ findMany }: { findMany: unknown }) {
      restFindMany = findMany;
    },
    /**
     * A cost curve's account of `lines` lines (`curve<lines>`), seeded by SQL
     * on its first use (prisma/seed/large.ts seedLargeAccountBySql) and kept
     * in the data directory. Today's daily roster sync is recorded as done
     * for it: the sync would otherwise re-read a million roster rows at the
     * next start, under the measurements.
     */
    async curveAccount({ lines: size }: { lines: number }) {
      const curveCode = `curve${size}`;
      const found = await prisma.account.findFirst({ where: { carrierCustomerCode: `BENCH-${curveCode}` } });
      let seeded: number | null = null;
      if (!found) {
        const started = performance.now();
        const { accountId: id } = await seedLargeAccountBySql(prisma, {
          lines: size,
          code: curveCode,
          password,
          now,
        });
        await prisma.lineSyncRun.create({
          data: { accountId: id, trigger: "DAILY", startedAt: now, finishedAt: now },
        });
        seeded = Math.round(performance.now() - started);
      }
      return { loginId: `Bench-${curveCode}@admin`, password, seededMs: seeded };
    },
    /** Wakes this instance's worker (another instance released held items). */
    kick() {
      app.worker?.kick();
    },
    /** A captured call (line.findMany by default) on the server's PrismaClient, n times in a row. */
    direct({ args, n, model = "line", method = "findMany" }: Partial<Call> & { args: unknown; n: number }) {
      return timings(n, () => replay({ model, method, args }));
    },
    /**
     * Everything the database does for the request, in-process: the session
     * lookup (authenticate without the gateway's actor cache, i.e. a miss),
     * then the page and the count (the recorded totalCount call) together,
     * as the resolvers run them. Returns the total and the session lookup's share.
     */
    async directAll({
      findMany,
      count,
      authorization,
      n,
    }: {
      findMany: unknown;
      count: Call;
      authorization: string;
      n: number;
    }) {
      const parts = { total: new Float64Array(n), auth: new Float64Array(n) };
      for (let i = 0; i < n; i++) {
        const start = performance.now();
        await authenticate(prisma, app.clock, authorization);
        const authed = performance.now();
        await Promise.all([prisma.line.findMany(findMany as never), replay(count)]);
        parts.total[i] = performance.now() - start;
        parts.auth[i] = authed - start;
      }
      return parts;
    },
    /** The same GraphQL request through yoga in-process (app.fetch): no socket, no HTTP parsing. */
    inProcess({ body, authorization, n }: { body: string; authorization: string; n: number }) {
      return timings(n, async () => {
        const response = await app.fetch("http://bench/graphql", {
          method: "POST",
          headers: { "content-type": "application/json", authorization },
          body,
        });
        await response.text();
      });
    },
    /** Active, in-service lines not handed out before in this run, as global ids. */
    async pickLines({ n }: { n: number }) {
      const rows = await prisma.line.findMany({
        where: { accountId, contractStatus: "ACTIVE", status: "IN_SERVICE" },
        orderBy: { phoneNumber: "asc" },
        skip: linePointer,
        take: n,
        select: { id: true },
      });
      linePointer += n;
      if (rows.length < n) throw new Error(`only ${rows.length} free lines left (wanted ${n})`);
      return rows.map((r) => encodeGlobalID("Line", r.id));
    },
    /**
     * While on, items of new receipts are written with a far-future next
     * attempt, so the worker leaves them alone (a database trigger; nothing in
     * the server changes). `release` makes them due at once and wakes the worker.
     */
    async hold({ on }: { on: boolean }) {
      if (on) {
        await prisma.$executeRawUnsafe(
          `CREATE OR REPLACE FUNCTION bench_hold_items() RETURNS trigger LANGUAGE plpgsql AS $$
           BEGIN NEW."nextAttemptAt" := TIMESTAMP '2100-01-01 00:00:00'; RETURN NEW; END $$`,
        );
        await prisma.$executeRawUnsafe(`DROP TRIGGER IF EXISTS bench_hold_items ON "ReceiptItem"`);
        await prisma.$executeRawUnsafe(
          `CREATE TRIGGER bench_hold_items BEFORE INSERT ON "ReceiptItem" FOR EACH ROW EXECUTE FUNCTION bench_hold_items()`,
        );
      } else {
        await prisma.$executeRawUnsafe(`DROP TRIGGER IF EXISTS bench_hold_items ON "ReceiptItem"`);
      }
    },
    async heldItems({ receiptId }: { receiptId: string }) {
      return prisma.receiptItem.count({
        where: {
          receiptId: decodeGlobalID(receiptId).id,
          status: "PENDING",
          nextAttemptAt: { gt: new Date("2099-01-01T00:00:00Z") },
        },
      });
    },
    async release({ receiptId }: { receiptId: string }) {
      const released = await prisma.receiptItem.updateMany({
        where: { receiptId: decodeGlobalID(receiptId).id, status: "PENDING" },
        data: { nextAttemptAt: new Date() },
      });
      app.worker?.kick();
      return released.count;
    },
    track({ receiptId }: { receiptId: string }) {
      tracked.set(decodeGlobalID(receiptId).id, new Map());
    },
    /** Publish times (ms since the epoch) by seq, and stops tracking the receipt. */
    published({ receiptId }: { receiptId: string }) {
      const id = decodeGlobalID(receiptId).id;
      const times = tracked.get(id) ?? new Map<number, number>();
      tracked.delete(id);
      return [...times.entries()].sort((a, b) => a[0] - b[0]);
    },
    async receipt({ receiptId }: { receiptId: string }) {
      return prisma.receipt.findUniqueOrThrow({
        where: { id: decodeGlobalID(receiptId).id },
        select: { status: true, lastSeq: true },
      });
    },
    async waitIdle({ timeoutMs }: { timeoutMs: number }) {
      await waitForIdleQueue(timeoutMs);
    },
    /** Waits until no receipt subscription is open on this instance (the memory scenario's warm-up closed). */
    async waitNoSubscriptions({ timeoutMs }: { timeoutMs: number }) {
      await waitFor(
        "receipt subscriptions to end",
        () => (app.realtime.subscribers("receipt:event") === 0 ? true : undefined),
        timeoutMs,
        20,
      );
    },
    /** Statements by their first 100 characters since the last call (BENCH_SQL_HISTOGRAM=1 only). */
    sqlHistogram() {
      const top = [...histogram.entries()].sort((a, b) => b[1] - a[1]);
      histogram.clear();
      return top;
    },
    /**
     * The export's reads alone (services/exports.ts reads this way): every
     * line of the account in keyset pages of EXPORT_PAGE_SIZE, with the
     * columns of the line list's file, in-process; no formatting, no HTTP.
     * With `hold`, the pages are kept until the end, as an export that
     * gathered its rows before writing would, and the collected heap they
     * take is measured (`heldBytes`).
     */
    async keysetRead({ hold = false }: { hold?: boolean } = {}) {
      const before = hold ? (await memoryAfterGc()).heapUsed : 0;
      const kept: unknown[][] = [];
      const start = performance.now();
      let rows = 0;
      let after: string | null = null;
      for (;;) {
        const page: { phoneNumber: string }[] = await prisma.line.findMany({
          where: { accountId, ...(after ? { phoneNumber: { gt: after } } : {}) },
          orderBy: { phoneNumber: "asc" },
          take: EXPORT_PAGE_SIZE,
          select: {
            phoneNumber: true,
            name: true,
            deviceKind: true,
            contractStatus: true,
            status: true,
            backup: true,
            phonebookMigration: true,
            group: { select: { name: true } },
          },
        });
        rows += page.length;
        if (hold) kept.push(page);
        if (page.length < EXPORT_PAGE_SIZE) break;
        after = (page.at(-1) as { phoneNumber: string }).phoneNumber;
      }
      const ms = performance.now() - start;
      const heldBytes = hold ? (await memoryAfterGc()).heapUsed - before : null;
      // `kept` is read after the measurement, so it is held until then.
      return { ms, rows, heldBytes, pagesKept: kept.length };
    },
    /** A group of the account (its global id), for an export of one group's lines. */
    async firstGroup() {
      const group = await prisma.group.findFirstOrThrow({ where: { accountId }, orderBy: { name: "asc" } });
      return {
        id: encodeGlobalID("Group", group.id),
        lines: await prisma.line.count({ where: { groupId: group.id } }),
      };
    },
    /**
     * From a collected heap on, until memoryPeakStop: the highest live heap
     * (after a full collection every `everyMs`: what is held, not garbage
     * waiting for the collector) and the highest RSS.
     */
    async memoryPeakStart({ everyMs }: { everyMs: number }) {
      const base = await memoryAfterGc();
      peak = { base, heapUsed: base.heapUsed, rss: base.rss };
      const gc = (globalThis as { gc?: () => void }).gc;
      if (!gc) throw new Error("memoryPeakStart needs the server to run with --expose-gc");
      peakTimer = setInterval(() => {
        gc();
        const m = process.memoryUsage();
        if (!peak) return;
        peak.heapUsed = Math.max(peak.heapUsed, m.heapUsed);
        peak.rss = Math.max(peak.rss, m.rss);
      }, everyMs);
    },
    memoryPeakStop() {
      if (peakTimer) clearInterval(peakTimer);
      const result = peak;
      peak = null;
      if (!result) throw new Error("memoryPeakStart was not called");
      return { heapUsed: result.heapUsed - result.base.heapUsed, rss: result.rss - result.base.rss };
    },
    ...loopDelayHandlers(),
    memory: () => memoryAfterGc(),
    async stop() {
      restServer.closeAllConnections();
      restServer.close();
      await app.stop();
      // PGlite and the WASM schema engine leave timers behind; everything of ours is closed.
      setTimeout(() => process.exit(0), 50);
    },
  },
  {
    url,
    wsUrl: `${url.replace("http", "ws")}/graphql`,
    restUrl,
    loginId,
    password,
    accountId,
    lines: lineCount,
    seededMs,
    mode,
  },
);

process.on("unhandledRejection", (error) => {
  console.error("unhandled rejection in the bench server:", String(error).slice(0, 300));
});
