// Issue 14.7: what hostile or careless clients do to everyone else. The real
// server runs as its own process (as in production: the attackers' and the
// innocent client's requests come over sockets, not from inside its event
// loop). An innocent MAIN administrator at 127.0.0.5 keeps reading its first
// page (with totalCount) and /health throughout; each attack comes from
// other loopback addresses. For each attack the test records the innocent
// client's latencies next to a baseline taken in the same run without an
// attacker, the server's resident memory, and what the attacker was told.
//
// The bound: the innocent client's p99 under an attack stays under
// max(INNOCENT_P99_FLOOR_MS, INNOCENT_P99_RATIO × baseline p99), the
// baseline being the larger of the first one and one taken just before the
// attack (the machine's load from other processes changes during a run). On
// a 2-core machine the attacker's own traffic shares the CPU with the
// server, so a pure ratio to an idle baseline would be too tight; before
// issue 14, one megabyte search kept /health waiting 48–57 s.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { createPostgresDatabase, usingPostgres } from "../support/database.ts";
import { graphqlFrom } from "../support/graphql.ts";
import { startProbe } from "../support/probe-client.ts";
import {
  collectGarbage,
  killAllServerProcesses,
  type ServerProcess,
  startServerProcess,
} from "../support/server-process.ts";
import { waitUntil } from "../support/wait.ts";

const INNOCENT = "127.0.0.5";
const ATTACKER = "127.0.0.2";
const INNOCENT_P99_FLOOR_MS = 1_000;
/**
 * 4,000 watchers each sent every change (24,000 frames in a few seconds) share
 * the process with the innocent client: each of its requests' steps waits for
 * a delivery slice (services/realtime.ts). Serialising a shared payload once
 * for all its watchers is issue 19's; until then this scenario has its own floor.
 */
const FAN_OUT_P99_FLOOR_MS = 2_500;
const INNOCENT_P99_RATIO = 5;
/**
 * Resident memory the server may keep after an attack, over what it held
 * before; both read after a full collection (garbage V8 has not collected yet
 * moved the reading by ±300 MB in CI).
 */
const MEMORY_BOUND_MB = 96;

const PAGE = `{ lines(first: 50) { totalCount edges { node { id phoneNumber name status backup phonebookMigration group { name } } } } }`;
const WATCH = "subscription { lineStatusChanged { id status version } }";

const dataDir = mkdtempSync(path.join(tmpdir(), "anshin-hostile-"));
let server: ServerProcess;
let innocentToken: string;
const figures: Record<string, unknown> = {};

let dropDatabase = async () => {};

beforeAll(async () => {
  // PGlite in a directory of its own; on PostgreSQL (and Redis) when CI names them.
  const database: Record<string, string> = { DATA_DIR: dataDir };
  if (usingPostgres) {
    const created = await createPostgresDatabase();
    database.DATABASE_URL = created.url;
    dropDatabase = created.drop;
  }
  if (process.env.TEST_REDIS_URL) database.REDIS_URL = process.env.TEST_REDIS_URL;
  server = await startServerProcess(
    {
      ...database,
      FAKE_NOW: "2026-11-24T10:00:00+09:00",
      CARRIER_LATENCY_MS: "20",
      CARRIER_FAILURE_RATE: "0",
      // The probe reads its page hundreds of times a minute, far beyond an
      // administrator; budgets are test/api/rate-limit.test.ts's subject.
      RATE_LIMIT_POINTS: "100000000",
    },
    { inspect: true },
  );
  figures.database = usingPostgres ? "postgres" : "pglite";
  innocentToken = await login(INNOCENT, "Manager@admin");
});

afterAll(async () => {
  await server?.stop();
  killAllServerProcesses();
  await dropDatabase();
  rmSync(dataDir, { recursive: true, force: true });
  mkdirSync("tmp", { recursive: true });
  writeFileSync(
    path.join("tmp", `hostile-figures-${figures.database}.json`),
    `${JSON.stringify(figures, null, 2)}\n`,
  );
  console.info("hostile-client figures:", JSON.stringify(figures));
});

async function login(from: string, loginId: string, password = "demo-pass"): Promise<string> {
  const result = await graphqlFrom<any>(
    from,
    server.graphqlUrl,
    "mutation ($l: String!, $p: String!) { login(loginId: $l, password: $p) { token userErrors { code } } }",
    { l: loginId, p: password },
  );
  const token = result.data?.login?.token;
  if (!token) throw new Error(`login failed: ${JSON.stringify(result)}`);
  return token;
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** The server's resident memory: /proc on Linux, `ps` elsewhere (macOS). */
async function residentMb(): Promise<number> {
  await collectGarbage(server);
  const pid = server.child.pid;
  const kb = existsSync(`/proc/${pid}/status`)
    ? Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0)
    : Number(execFileSync("ps", ["-o", "rss=", "-p", String(pid)], { encoding: "utf8" }).trim());
  return Math.round(kb / 1024);
}

const p = (values: number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0);
};

/** The innocent client's page and /health, on a thread of its own, while `work` runs (and for at least `minRounds`). */
async function innocentLatencies(work: Promise<unknown>, minRounds = 10): Promise<number[]> {
  const probe = startProbe({
    from: INNOCENT,
    graphqlUrl: server.graphqlUrl,
    healthUrl: `http://127.0.0.1:${server.port}/health`,
    token: innocentToken,
    query: PAGE,
    minRounds,
  });
  await work.catch(() => {});
  const { latencies, failures } = await probe.stop();
  expect(failures).toEqual([]);
  return latencies;
}

let baselineP99 = 0;

/** Runs `attack` while the innocent client measures; checks the bound and records the figures. */
async function underAttack<T>(
  name: string,
  attack: () => Promise<T>,
  floorMs = INNOCENT_P99_FLOOR_MS,
): Promise<T> {
  const justBefore = p(await innocentLatencies(Promise.resolve(), 10), 0.99);
  const memoryBefore = await residentMb();
  const running = attack();
  const latencies = await innocentLatencies(running);
  const result = await running;
  const bound = Math.max(floorMs, INNOCENT_P99_RATIO * Math.max(baselineP99, justBefore));
  const memoryAfter = await residentMb();
  figures[name] = {
    baselineJustBeforeP99Ms: justBefore,
    innocentRequests: latencies.length,
    innocentP50Ms: p(latencies, 0.5),
    innocentP99Ms: p(latencies, 0.99),
    innocentMaxMs: p(latencies, 1),
    boundMs: bound,
    memoryBeforeMb: memoryBefore,
    memoryAfterMb: memoryAfter,
  };
  expect(p(latencies, 0.99), `${name}: innocent p99 (ms)`).toBeLessThanOrEqual(bound);
  expect(memoryAfter - memoryBefore, `${name}: memory kept (MB)`).toBeLessThanOrEqual(MEMORY_BOUND_MB);
  return result;
}

/** Runs `count` tasks, `concurrency` at a time. */
async function pool<T>(count: number, concurrency: number, task: (i: number) => Promise<T>): Promise<T[]> {
  const results: T[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const i = next++;
        results[i] = await task(i);
      }
    }),
  );
  return results;
}

describe("an innocent administrator is not hurt by", () => {
  it("(baseline: no attacker)", async () => {
    const latencies = await innocentLatencies(Promise.resolve(), 40);
    baselineP99 = p(latencies, 0.99);
    figures.baseline = {
      innocentRequests: latencies.length,
      innocentP50Ms: p(latencies, 0.5),
      innocentP99Ms: baselineP99,
    };
  });

  it("megabyte searches from a GROUP administrator, 12 at a time", async () => {
    const attacker = await login(ATTACKER, "GroupA@admin");
    const search = "a".repeat(1_000_000);
    const answers = await underAttack("megabyteSearches", () =>
      pool(120, 12, () =>
        graphqlFrom<any>(
          ATTACKER,
          server.graphqlUrl,
          "query ($s: String) { lines(first: 50, filter: {search: $s}) { totalCount } }",
          { s: search },
          bearer(attacker),
        ),
      ),
    );
    expect(new Set(answers.map((a) => a.errors?.[0]?.extensions?.code))).toEqual(new Set(["BAD_USER_INPUT"]));
  });

  it("thousands of lineStatusChanged subscriptions while the innocent administrator changes lines", async () => {
    const attacker = await login(ATTACKER, "GroupA@admin");
    const sockets: { socket: WebSocket; frames: number; errors: string[]; closeCode?: number }[] = [];
    const open = () =>
      new Promise<(typeof sockets)[number]>((resolve) => {
        const socket = new WebSocket(server.wsUrl, "graphql-transport-ws", { localAddress: ATTACKER });
        const entry: (typeof sockets)[number] = { socket, frames: 0, errors: [] };
        socket.on("open", () =>
          socket.send(JSON.stringify({ type: "connection_init", payload: bearer(attacker) })),
        );
        socket.on("message", (data) => {
          const frame = JSON.parse(String(data));
          if (frame.type === "connection_ack") resolve(entry);
          if (frame.type === "next") entry.frames++;
          if (frame.type === "error") entry.errors.push(frame.payload?.[0]?.extensions?.code);
        });
        socket.on("close", (code) => {
          entry.closeCode = code;
          resolve(entry);
        });
      });
    const opened = await pool(21, 4, () => open());
    const refused = opened.filter((s) => s.closeCode !== undefined);
    const held = opened.filter((s) => s.closeCode === undefined);
    expect(refused.map((s) => s.closeCode)).toEqual([4429]);
    expect(held).toHaveLength(20);
    for (const entry of held) {
      for (let i = 0; i < 201; i++) {
        entry.socket.send(JSON.stringify({ id: `w${i}`, type: "subscribe", payload: { query: WATCH } }));
      }
    }
    await waitUntil(
      () => held.map((s) => s.errors.length),
      (counts) => counts.every((n) => n === 1),
      { what: "each socket's 201st subscription refused" },
    );
    expect(new Set(held.flatMap((s) => s.errors))).toEqual(new Set(["TOO_MANY_SUBSCRIPTIONS"]));

    // The innocent administrator changes three of GroupA's lines: 4,000 watchers see each change twice.
    const groupLines = await graphqlFrom<any>(
      ATTACKER,
      server.graphqlUrl,
      "{ lines(first: 3, filter: {contractStatus: ACTIVE, outOfService: false}) { edges { node { id } } } }",
      {},
      bearer(attacker),
    );
    const lineIds: string[] = groupLines.data.lines.edges.map((e: any) => e.node.id);
    const submitted = await underAttack(
      "subscriptionFlood",
      async () => {
        const started = performance.now();
        const result = await graphqlFrom<any>(
          INNOCENT,
          server.graphqlUrl,
          "mutation ($input: PermissionChangeInput!) { submitPermissionChange(input: $input) { receipt { id } userErrors { code } } }",
          {
            input: { lines: lineIds.map((lineId) => ({ lineId, backup: false, phonebookMigration: false })) },
          },
          bearer(innocentToken),
        );
        const submitMs = performance.now() - started;
        await waitUntil(
          () => held.reduce((sum, s) => sum + s.frames, 0),
          (frames) => frames >= 20 * 200 * lineIds.length * 2,
          { what: "every watcher's events", timeoutMs: 120_000 },
        );
        return { result, submitMs };
      },
      FAN_OUT_P99_FLOOR_MS,
    );
    expect(submitted.result.data.submitPermissionChange.userErrors).toEqual([]);
    (figures.subscriptionFlood as Record<string, unknown>).innocentSubmitMs = Math.round(submitted.submitMs);
    (figures.subscriptionFlood as Record<string, unknown>).framesDelivered = held.reduce(
      (sum, s) => sum + s.frames,
      0,
    );
    for (const entry of held) entry.socket.terminate();
  });

  it("huge WebSocket messages before connection_init", async () => {
    const codes = await underAttack("hugeFramesBeforeAuth", () =>
      pool(20, 4, async () => {
        const socket = new WebSocket(server.wsUrl, "graphql-transport-ws", { localAddress: ATTACKER });
        await new Promise((resolve, reject) => {
          socket.once("open", resolve);
          socket.once("error", reject);
        });
        const closed = new Promise<number>((resolve) => socket.once("close", (code) => resolve(code)));
        // The server resets the connection while the message is still being written.
        socket.on("error", () => {});
        socket.send(Buffer.alloc(8 * 1024 * 1024, 0x78));
        return closed;
      }),
    );
    expect(new Set(codes)).toEqual(new Set([1009]));
  });

  it("a flood of wrong passwords for the administrator, from one address", async () => {
    const attempts = await underAttack("loginFlood", async () => {
      const answers = await pool(300, 4, () =>
        graphqlFrom<any>(
          ATTACKER,
          server.graphqlUrl,
          "mutation ($l: String!, $p: String!) { login(loginId: $l, password: $p) { token userErrors { code } } }",
          { l: "Manager@admin", p: "guess" },
        ),
      );
      // Meanwhile the real administrator signs in from elsewhere.
      const real = await login("127.0.0.3", "Manager@admin");
      return { answers, real };
    });
    expect(attempts.real).toBeTruthy();
    const codes = attempts.answers.map((a) => a.data?.login?.userErrors?.[0]?.code);
    expect(codes.filter((c) => c === "LOGIN_LOCKED").length).toBeGreaterThan(250);
    expect(codes.every((c) => c === "LOGIN_LOCKED" || c === "INVALID_CREDENTIALS")).toBe(true);
  });
});
