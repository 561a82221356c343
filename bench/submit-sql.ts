// Where a 200-line submitPermissionChange spends its time, statement by
// statement, on PGlite (in memory) or on PostgreSQL (DATABASE_URL, a fresh
// database is created on that server and dropped afterwards):
//   tsx bench/submit-sql.ts [--lines 100000] [--reps 15]
// Prints the p50 of 1-line and 200-line submits (alternating, after a
// warm-up) and, for the 200-line ones, each statement's median duration from
// Prisma's query log.
import { randomUUID } from "node:crypto";
import { parseArgs } from "node:util";
import pg from "pg";
import type { Actor } from "../domain/auth/actor.ts";
import { openDatabase } from "../lib/db.ts";
import { PrismaClient } from "../prisma/generated/client/client.ts";
import { applyMigrations } from "../prisma/migrate.ts";
import { seedLargeAccount } from "../prisma/seed/large.ts";
import { noEvents } from "../services/events.ts";
import { submitPermissionChange } from "../services/permission-change.ts";

const { values } = parseArgs({
  options: { lines: { type: "string", default: "100000" }, reps: { type: "string", default: "15" } },
});
const lineCount = Number(values.lines);
const reps = Number(values.reps);
const now = new Date("2026-11-24T10:00:00+09:00");

async function admin(url: string, sql: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

const serverUrl = process.env.DATABASE_URL;
let url: string | undefined;
let drop = async () => {};
if (serverUrl) {
  const name = `submit_${randomUUID().replaceAll("-", "")}`;
  await admin(serverUrl, `CREATE DATABASE ${name}`);
  const u = new URL(serverUrl);
  u.pathname = `/${name}`;
  url = u.toString();
  drop = () => admin(serverUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
}
const db = await openDatabase({ databaseUrl: url, dataDir: "memory://" });
await applyMigrations(db.adapterFactory);
const t0 = performance.now();
const { accountId } = await seedLargeAccount(db.prisma, {
  lines: lineCount,
  code: "sql",
  password: "x",
  now,
});
// Experiments: statements to run after seeding (e.g. DROP INDEX …), separated by ";".
for (const sql of (process.env.EXTRA_SQL ?? "").split(";").filter((s) => s.trim()))
  await db.prisma.$executeRawUnsafe(sql);
console.log(`${db.kind}: seeded ${lineCount} lines in ${Math.round(performance.now() - t0)} ms`);

const timings = new Map<string, number[]>();
let recording = false;
const logged = new PrismaClient({ adapter: db.adapterFactory, log: [{ emit: "event", level: "query" }] });
logged.$on("query", (e) => {
  if (!recording) return;
  const key = e.query.replace(/\s+/g, " ").slice(0, 110);
  const list = timings.get(key) ?? [];
  list.push(Number(e.duration));
  timings.set(key, list);
});

const a = await db.prisma.administrator.findFirstOrThrow({ where: { accountId } });
const actor: Actor = {
  kind: "admin",
  accountId,
  adminId: a.id,
  sessionId: "bench",
  role: "MAIN",
  name: a.name,
  loginId: a.loginId,
  groupIds: [],
};
const eligible = await db.prisma.line.findMany({
  where: {
    accountId,
    status: "IN_SERVICE",
    contractStatus: "ACTIVE",
    deviceKind: { not: "FEATURE_PHONE_3G" },
  },
  select: { id: true },
  orderBy: { phoneNumber: "asc" },
});
let next = 0;
const pick = (n: number) => {
  next += n;
  return eligible.slice(next - n, next).map((l) => l.id);
};

const clock = { now: () => now };
const p50 = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)] ?? Number.NaN;
const taken: Record<number, number[]> = { 1: [], 200: [] };
for (let rep = -3; rep < reps; rep++) {
  for (const size of [1, 200]) {
    const ids = pick(size);
    recording = rep >= 0 && size === 200;
    const start = performance.now();
    const result = await submitPermissionChange(
      logged,
      clock,
      noEvents,
      actor,
      { acceptanceHours: "00:00-24:00" },
      { lines: ids.map((lineId) => ({ lineId, backup: true, phonebookMigration: false })) },
    );
    const ms = performance.now() - start;
    recording = false;
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    if (rep >= 0) taken[size]?.push(ms);
  }
}
const one = p50(taken[1] ?? []);
const many = p50(taken[200] ?? []);
console.log(
  `submit p50: 1 line ${one.toFixed(1)} ms, 200 lines ${many.toFixed(1)} ms, ratio ${(many / one).toFixed(2)}`,
);
const rows = [...timings.entries()]
  .map(([sql, ds]) => ({
    perSubmit: ds.length / reps,
    p50: p50(ds),
    sum: ds.reduce((s, d) => s + d, 0) / reps,
    sql,
  }))
  .sort((x, y) => y.sum - x.sum);
console.log("per 200-line submit: calls, median ms, ms in all, statement");
for (const r of rows.slice(0, 25))
  console.log(
    `${String(r.perSubmit).padStart(5)} ${r.p50.toFixed(1).padStart(6)} ${r.sum.toFixed(1).padStart(7)}  ${r.sql}`,
  );
console.log(`sum of statements: ${rows.reduce((s, r) => s + r.sum, 0).toFixed(1)} ms`);
await logged.$disconnect();
await db.close();
await drop();
