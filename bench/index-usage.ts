// Which indexes the list, search, submit and worker queries use, on
// PostgreSQL: `DATABASE_URL=postgres://… tsx bench/index-usage.ts` creates a
// database on that server (dropped afterwards), seeds a 100,000-line account
// with a history of receipts, runs each query as the app builds it (Prisma,
// captured from its query log) under EXPLAIN ANALYZE, and prints, per query,
// the indexes its plan reads and its time. bench/README.md, "Indexes: which
// earn their keep", is its output.
import { randomUUID } from "node:crypto";
import { parseArgs } from "node:util";
import pg from "pg";
import type { Actor } from "../domain/auth/actor.ts";
import { lineScope } from "../domain/auth/actor.ts";
import { openDatabase } from "../lib/db.ts";
import { type Prisma, PrismaClient } from "../prisma/generated/client/client.ts";
import { applyMigrations } from "../prisma/migrate.ts";
import { seedLargeAccount } from "../prisma/seed/large.ts";
import {
  LINE_ORDER_FIELDS,
  type LineOrder,
  orderByFor,
  orderSelection,
  pastPosition,
} from "../schema/line-order.ts";
import { noEvents } from "../services/events.ts";
import { lineFilterWhere } from "../services/line-filter.ts";
import { submitPermissionChange } from "../services/permission-change.ts";

const { values } = parseArgs({
  options: { lines: { type: "string", default: "100000" }, plans: { type: "boolean", default: false } },
});
/** The sort key of a row in each order but the phone number's (what a cursor holds). */
const sortKeys: Record<string, (r: Record<string, unknown>) => unknown> = {
  GROUP_NAME: (r) => (r.group as { name: string } | null)?.name ?? null,
  NAME: (r) => r.name,
  NAME_KANA: (r) => r.nameKana,
  AFFILIATION: (r) => r.affiliation,
  STATUS: (r) => r.status,
  CONTRACT_STATUS: (r) => r.contractStatus,
  DEVICE_KIND: (r) => r.deviceKind,
  LAST_APP_DOWNLOAD_MAIL_AT: (r) => r.lastAppDownloadMailAt,
};

const serverUrl = process.env.DATABASE_URL;
if (!serverUrl) throw new Error("DATABASE_URL (a PostgreSQL server) is required");
const name = `indexes_${randomUUID().replaceAll("-", "")}`;
async function admin(sql: string) {
  const c = new pg.Client({ connectionString: serverUrl });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}
await admin(`CREATE DATABASE ${name}`);
const url = new URL(serverUrl);
url.pathname = `/${name}`;
const db = await openDatabase({ databaseUrl: url.toString(), dataDir: "" });
const raw = new pg.Client({ connectionString: url.toString() });
try {
  await applyMigrations(db.adapterFactory);
  // To compare with another set of indexes: statements run after migrating, separated by ";".
  for (const sql of (process.env.EXTRA_SQL ?? "").split(";").filter((s) => s.trim()))
    await db.prisma.$executeRawUnsafe(sql);
  const now = new Date("2026-11-24T10:00:00+09:00");
  const { accountId } = await seedLargeAccount(db.prisma, {
    lines: Number(values.lines),
    code: "ix",
    password: "x",
    now,
  });
  const a = await db.prisma.administrator.findFirstOrThrow({ where: { accountId } });
  const actor: Actor = {
    kind: "admin",
    accountId,
    adminId: a.id,
    sessionId: "x",
    role: "MAIN",
    name: a.name,
    loginId: a.loginId,
    groupIds: [],
  };
  // History: 50 finished 200-line receipts, then one accepted and waiting.
  const eligible = await db.prisma.line.findMany({
    where: { accountId, contractStatus: "ACTIVE", deviceKind: { not: "FEATURE_PHONE_3G" } },
    select: { id: true },
    orderBy: { id: "asc" },
  });
  const clock = { now: () => now };
  for (let r = 0; r <= 50; r++) {
    const ids = eligible.slice(r * 1000, r * 1000 + 200).map((l) => l.id);
    const result = await submitPermissionChange(
      db.prisma,
      clock,
      noEvents,
      actor,
      { acceptanceHours: "00:00-24:00" },
      {
        lines: ids.map((lineId) => ({ lineId, backup: true, phonebookMigration: true })),
      },
    );
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    if (r === 50) break;
    await db.prisma.receiptItem.updateMany({
      where: { receiptId: result.receiptId },
      data: { status: "SUCCEEDED", completedAt: now },
    });
    await db.prisma.line.updateMany({
      where: { id: { in: ids } },
      data: { status: "IN_SERVICE", version: { increment: 1 } },
    });
    await db.prisma.receipt.update({
      where: { id: result.receiptId },
      data: { status: "SUCCEEDED", completedAt: now },
    });
  }
  // 5 % of the lines got the app-download mail at some point.
  await db.prisma
    .$executeRaw`UPDATE "Line" SET "lastAppDownloadMailAt" = ${now}::timestamp - ("phoneNumber"::text COLLATE "C" > '') ::int * interval '1 day' * (abs(hashtext("id"::text)) % 300) WHERE abs(hashtext("id"::text)) % 20 = 0`;
  await db.prisma.$executeRawUnsafe("VACUUM ANALYZE");

  await raw.connect();
  const captured: { sql: string; params: unknown[] }[] = [];
  const logged = new PrismaClient({ adapter: db.adapterFactory, log: [{ emit: "event", level: "query" }] });
  logged.$on("query", (e) => captured.push({ sql: e.query, params: JSON.parse(e.params) }));
  const report: { label: string; indexes: string; seq: string; ms: number }[] = [];
  async function explain(label: string, run: () => Promise<unknown>) {
    captured.length = 0;
    await run();
    const statements = captured.filter(
      (c) =>
        !/^(BEGIN|COMMIT|ROLLBACK)/.test(c.sql) &&
        !c.sql.startsWith('SELECT "public"."Group"."id", "public"."Group"."name" FROM'),
    );
    for (const [i, s] of statements.entries()) {
      const res = await raw.query(`EXPLAIN (ANALYZE, FORMAT JSON) ${s.sql}`, s.params as unknown[]);
      const plan = (res.rows[0] as { "QUERY PLAN": { Plan: PlanNode; "Execution Time": number }[] })[
        "QUERY PLAN"
      ][0];
      if (!plan) continue;
      const indexes = new Set<string>();
      const seqs = new Set<string>();
      walk(plan.Plan, indexes, seqs);
      report.push({
        label: statements.length > 1 ? `${label} [${i + 1}]` : label,
        indexes: [...indexes].join(", ") || "—",
        seq: [...seqs].join(", "),
        ms: plan["Execution Time"],
      });
      if (values.plans) {
        const text = await raw.query(`EXPLAIN (ANALYZE, COSTS OFF) ${s.sql}`, s.params as unknown[]);
        console.log(`--- ${label}\n${text.rows.map((r) => r["QUERY PLAN"]).join("\n")}`);
      }
    }
  }
  interface PlanNode {
    "Node Type": string;
    "Index Name"?: string;
    "Relation Name"?: string;
    Plans?: PlanNode[];
  }
  function walk(node: PlanNode, indexes: Set<string>, seqs: Set<string>) {
    if (node["Index Name"])
      indexes.add(`${node["Index Name"]}${node["Node Type"] === "Index Only Scan" ? " (only)" : ""}`);
    if (node["Node Type"] === "Seq Scan") seqs.add(node["Relation Name"] ?? "?");
    for (const child of node.Plans ?? []) walk(child, indexes, seqs);
  }

  // The list: one page (first: 50) and the next page by keyset, as readLines builds them.
  const group = await db.prisma.group.findFirstOrThrow({ where: { accountId } });
  const someIds = eligible.slice(70_000, 70_050).map((l) => ({ id: l.id, typename: "Line" }));
  const filters: [string, Record<string, unknown> | null][] = [
    ["no filter", null],
    ["search name 山田", { search: "山田" }],
    ["search kana やま", { search: "やま" }],
    ["search phone 9012", { search: "9012" }],
    ["ids (50)", { ids: someIds }],
    ["deviceKinds [IPHONE]", { deviceKinds: ["IPHONE"] }],
    ["groupId", { groupId: { id: group.id } }],
    ["ungrouped", { ungrouped: true }],
    ["status PROCESSING", { status: "PROCESSING" }],
    ["status IN_SERVICE", { status: "IN_SERVICE" }],
    ["deviceKind WINDOWS10_MOBILE", { deviceKind: "WINDOWS10_MOBILE" }],
    ["contractStatus CANCELLED", { contractStatus: "CANCELLED" }],
    [
      "lastAppDownloadMail from/to (30 days)",
      { lastAppDownloadMailFrom: new Date(now.getTime() - 30 * 864e5), lastAppDownloadMailTo: now },
    ],
    ["appDownloadMailNeverSent", { appDownloadMailNeverSent: true }],
    ["outOfService true", { outOfService: true }],
    ["outOfService false", { outOfService: false }],
  ];
  const page = async (where: Prisma.LineWhereInput, order: LineOrder, backwards = false) => {
    const first = (await logged.line.findMany({
      where,
      select: { ...orderSelection(order), id: true, group: { select: { id: true, name: true } } },
      orderBy: orderByFor(order, backwards),
      take: 51,
    })) as unknown as Record<string, unknown>[];
    return first;
  };
  const keyOf = (order: LineOrder, row: Record<string, unknown>) => {
    return {
      key: (sortKeys[order.field]?.(row) ?? null) as string | Date | null,
      phoneNumber: row.phoneNumber as string,
    };
  };
  const defaultOrder: LineOrder = { field: "PHONE_NUMBER", direction: "ASC" };
  for (const [label, filter] of filters) {
    const where: Prisma.LineWhereInput = { AND: [lineScope(actor), ...lineFilterWhere(filter as never)] };
    let rows: Record<string, unknown>[] = [];
    await explain(`lines page 1: ${label}`, async () => {
      rows = await page(where, defaultOrder);
    });
    const last = rows[49];
    if (last)
      await explain(`lines page 2: ${label}`, () =>
        page({ AND: [where, pastPosition(defaultOrder, keyOf(defaultOrder, last), false)] }, defaultOrder),
      );
    await explain(`totalCount: ${label}`, () => logged.line.count({ where }));
  }
  for (const field of LINE_ORDER_FIELDS.filter((f) => f !== "PHONE_NUMBER")) {
    for (const direction of ["ASC", "DESC"] as const) {
      const order: LineOrder = { field, direction };
      const where: Prisma.LineWhereInput = { AND: [lineScope(actor)] };
      let rows: Record<string, unknown>[] = [];
      await explain(`lines orderBy ${field} ${direction} page 1`, async () => {
        rows = await page(where, order);
      });
      const last = rows[49];
      if (last)
        await explain(`lines orderBy ${field} ${direction} page 2`, () =>
          page({ AND: [where, pastPosition(order, keyOf(order, last), false)] }, order),
        );
    }
  }
  // A GROUP administrator's list (two groups).
  const groups = await db.prisma.group.findMany({ where: { accountId }, take: 2 });
  const groupAdmin = { ...actor, role: "GROUP" as const, groupIds: groups.map((g) => g.id) };
  await explain("lines page 1: GROUP administrator (2 groups)", () =>
    page({ AND: [lineScope(groupAdmin)] }, defaultOrder),
  );
  await explain("totalCount: GROUP administrator (2 groups)", () =>
    logged.line.count({ where: lineScope(groupAdmin) }),
  );

  // Submit (R5 lock + mark), a group's members and its 3G count (expandSelection), the worker.
  const fresh = eligible.slice(90_000, 90_200).map((l) => l.id);
  await explain("submit: lines by id", () =>
    logged.line.findMany({ where: { AND: [{ id: { in: fresh } }, lineScope(actor)] } }),
  );
  await explain("submit: groups with members and 3G count", () =>
    logged.group.findMany({
      where: { id: { in: [group.id] }, accountId },
      include: {
        lines: { where: lineScope(actor) },
        _count: { select: { lines: { where: { deviceKind: "FEATURE_PHONE_3G" } } } },
      },
    }),
  );
  await explain("worker: claim", () =>
    logged.$transaction(async (tx) => {
      const at = new Date();
      await tx.$queryRaw`
        WITH picked AS (
          SELECT i."id", i."status" FROM "ReceiptItem" i
          JOIN "Receipt" r ON r."id" = i."receiptId"
          WHERE ((i."status" = 'PENDING' AND i."nextAttemptAt" <= ${at})
             OR (i."status" = 'PROCESSING' AND i."leaseUntil" < ${at}))
            AND r."kind"::text <> ALL(${[]}::text[])
          ORDER BY i."nextAttemptAt", i."receiptId", i."position"
          LIMIT ${8}
          FOR UPDATE OF i SKIP LOCKED
        ) SELECT * FROM picked`;
    }),
  );
  const pending = await db.prisma.receipt.findFirstOrThrow({ where: { status: "PROCESSING" } });
  const done = await db.prisma.receipt.findFirstOrThrow({ where: { status: "SUCCEEDED" } });
  await explain("worker: open items of a receipt (finishReceiptIfDone)", () =>
    logged.receiptItem.count({ where: { receiptId: pending.id, status: { in: ["PENDING", "PROCESSING"] } } }),
  );
  await explain("worker: failed items of a receipt", () =>
    logged.receiptItem.count({ where: { receiptId: done.id, status: "FAILED" } }),
  );
  await explain("receipt progress (items by status)", () =>
    logged.receiptItem.groupBy({ by: ["status"], where: { receiptId: done.id }, _count: true }),
  );
  await explain("receipt items page (position order)", () =>
    logged.receiptItem.findMany({ where: { receiptId: done.id }, orderBy: { position: "asc" }, take: 51 }),
  );
  await explain("receipt items page, status FAILED", () =>
    logged.receiptItem.findMany({
      where: { receiptId: done.id, status: "FAILED" },
      orderBy: { position: "asc" },
      take: 51,
    }),
  );
  await explain(
    "queue depth (metrics)",
    () =>
      logged.$queryRaw`
      SELECT r."kind"::text AS kind, count(*)::int AS open
      FROM "ReceiptItem" i JOIN "Receipt" r ON r."id" = i."receiptId"
      WHERE i."status" IN ('PENDING', 'PROCESSING') GROUP BY r."kind"`,
  );
  const line = await db.prisma.line.findFirstOrThrow({ where: { id: fresh[0] } });
  await explain("line(phoneNumber)", () =>
    logged.line.findFirst({ where: { ...lineScope(actor), phoneNumber: line.phoneNumber } }),
  );
  await logged.$disconnect();

  const width = Math.max(...report.map((r) => r.label.length));
  for (const r of report)
    console.log(
      `${r.label.padEnd(width)}  ${r.ms.toFixed(2).padStart(8)} ms  ${r.indexes}${r.seq ? `  SEQ SCAN ${r.seq}` : ""}`,
    );
  const sizes = await raw.query(`
    SELECT indexrelname AS name, relname AS table, idx_scan, pg_size_pretty(pg_relation_size(indexrelid)) AS size
    FROM pg_stat_user_indexes WHERE relname IN ('Line', 'ReceiptItem') ORDER BY relname, indexrelname`);
  for (const s of sizes.rows) console.log(`${s.table}.${s.name}: ${s.size}`);
} finally {
  await raw.end().catch(() => {});
  await db.close();
  await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
}
