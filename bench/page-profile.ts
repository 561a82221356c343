// The first page's own cost, in one process: the real buildApp() on the bench
// database (bench/data/pglite, seeded by `npm run bench`), the web client's
// `lines(first: 50)` through yoga (app.fetch: no socket, no HTTP parsing)
// against its `line.findMany` on the same PrismaClient, in interleaved
// blocks. Run it with a CPU profile to see where the difference goes:
//
//   node --import tsx bench/page-profile.ts [requests] [profile.cpuprofile]
//
// It prints ms per request for both and their ratio. With a profile path it
// then runs the requests through yoga, and the findMany, once more each under
// the CPU profiler (node:inspector): two profiles holding nothing else. Not part of `npm run
// bench`: the bench measures over HTTP from another process; this isolates
// the gateway's own work from the loopback and the load generator.
import { writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";
import { openDatabase } from "../lib/db.ts";
import { buildApp } from "../server/app.ts";
import { loadConfig } from "../server/config.ts";
import { pageBody } from "./page-query.ts";

const total = Number(process.argv[2] ?? 2_000);
const profilePath = process.argv[3];
const dataDir = process.env.BENCH_DATA_DIR ?? "bench/data/pglite";
const lines = Number(process.env.BENCH_LINES ?? 100_000);

const config = loadConfig({
  DATA_DIR: dataDir,
  HOST: "127.0.0.1",
  PORT: "0",
  FAKE_NOW: "2026-11-24T10:00:00+09:00",
  LOG_LEVEL: "warn",
  WORKER: "off",
  RATE_LIMIT_POINTS: "0",
  METRICS_PORT: process.env.METRICS_PORT ?? "0",
});
const database = await openDatabase({ dataDir });
const app = await buildApp({ config, database, seedDemo: false });

async function graphql(body: object, authorization?: string) {
  const response = await app.fetch("http://bench/graphql", {
    method: "POST",
    headers: { "content-type": "application/json", ...(authorization ? { authorization } : {}) },
    body: JSON.stringify(body),
  });
  return response.json() as Promise<{ data?: Record<string, unknown>; errors?: unknown[] }>;
}

const login = await graphql({
  query: "mutation ($l: String!, $p: String!) { login(loginId: $l, password: $p) { token } }",
  variables: { l: `Bench-bench${lines}@admin`, p: "demo-pass" },
});
const token = (login.data?.login as { token: string | null } | undefined)?.token;
if (!token) throw new Error(`login failed: ${JSON.stringify(login)}`);
const authorization = `Bearer ${token}`;

const body = pageBody(null);
const first = await graphql(JSON.parse(body), authorization);
const firstLines = first.data?.lines as { edges: unknown[] } | undefined;
if (first.errors || firstLines?.edges.length !== 50) {
  throw new Error(`unexpected page: ${JSON.stringify(first).slice(0, 500)}`);
}

// The findMany the resolver makes (bench/run.ts records it; this is its shape for a MAIN administrator).
const account = await database.prisma.account.findFirstOrThrow({
  where: { carrierCustomerCode: `BENCH-bench${lines}` },
});
const findMany = () =>
  database.prisma.line.findMany({
    where: { AND: [{ accountId: account.id }] },
    include: { group: true },
    orderBy: { phoneNumber: "asc" },
    skip: 0,
    take: 51,
  });

const viaYoga = async () => {
  const response = await app.fetch("http://bench/graphql", {
    method: "POST",
    headers: { "content-type": "application/json", authorization },
    body,
  });
  await response.text();
};

/** Wall and CPU time of n runs (CPU time is steadier on a loaded machine: waiting for a core is not counted). */
async function block(task: () => Promise<unknown>, n: number): Promise<{ wall: number; cpu: number }> {
  const start = performance.now();
  const cpu = process.cpuUsage();
  for (let i = 0; i < n; i++) await task();
  const used = process.cpuUsage(cpu);
  return { wall: performance.now() - start, cpu: (used.user + used.system) / 1000 };
}

// Warm-up (JIT, caches), then interleaved blocks so the machine's load hits both alike.
await block(viaYoga, 100);
await block(findMany, 100);
const perBlock = 100;
const sums = { yoga: { wall: 0, cpu: 0 }, findMany: { wall: 0, cpu: 0 } };
const add = (sum: { wall: number; cpu: number }, t: { wall: number; cpu: number }) => {
  sum.wall += t.wall;
  sum.cpu += t.cpu;
};
for (let done = 0; done < total; done += perBlock) {
  add(sums.yoga, await block(viaYoga, perBlock));
  add(sums.findMany, await block(findMany, perBlock));
}
for (const kind of ["wall", "cpu"] as const) {
  const yoga = sums.yoga[kind] / total;
  const direct = sums.findMany[kind] / total;
  console.log(
    `${kind.padEnd(4)} ms per request: through yoga ${yoga.toFixed(3)}, findMany ${direct.toFixed(3)}, ` +
      `difference ${(yoga - direct).toFixed(3)}, ratio ${(yoga / direct).toFixed(3)}`,
  );
}

if (profilePath) {
  // Each side on its own: <path>.yoga.cpuprofile and <path>.findMany.cpuprofile.
  const session = new Session();
  session.connect();
  await session.post("Profiler.enable");
  await session.post("Profiler.setSamplingInterval", { interval: 100 });
  for (const [name, task] of [
    ["yoga", viaYoga],
    ["findMany", findMany],
  ] as const) {
    await session.post("Profiler.start");
    const { wall } = await block(task, total);
    const { profile } = await session.post("Profiler.stop");
    const path = `${profilePath}.${name}.cpuprofile`;
    writeFileSync(path, JSON.stringify(profile));
    console.log(`profiled ${total} × ${name} (${(wall / total).toFixed(3)} ms each) into ${path}`);
  }
}
await app.stop();
