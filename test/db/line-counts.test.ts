// totalCount from LineCount (services/line-counts.ts, migration line_counts):
// for every filter the fast path serves and every kind of caller, the sum of
// LineCount rows equals line.count — after bulk inserts, group moves, status
// and mail changes, the roster sync, deletes of lines and of groups (SET
// NULL), rolled-back and concurrent writers, and the account's deletion.
// Filters it cannot serve (words, ids, mail dates) count the lines.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Actor, lineScope } from "../../domain/auth/actor.ts";
import type { Database } from "../../lib/db.ts";
import type { Prisma } from "../../prisma/generated/client/client.ts";
import { createCarrierSimulator } from "../../services/carrier/simulator.ts";
import { countingMethod, countLines } from "../../services/line-counts.ts";
import { type LineFilter, lineFilterWhere } from "../../services/line-filter.ts";
import { syncRoster } from "../../services/roster-sync.ts";
import { LINE_COUNTS_NOW, lineCountsScenario } from "../scenarios/line-counts.scenarios.ts";
import { type Seeded, writeScenario } from "../scenarios/scenario.ts";
import { createTestDatabase, usingPostgres } from "../support/database.ts";

const now = new Date(LINE_COUNTS_NOW);
const operations: string[] = [];
let db: Database;
let seeded: Seeded<keyof typeof lineCountsScenario.account.lines>;
let otherAccountId: string;

beforeAll(async () => {
  db = await createTestDatabase({
    onOperation: (model, operation) => operations.push(`${model}.${operation}`),
  });
  seeded = await writeScenario(db.prisma, lineCountsScenario, now);
  otherAccountId = (
    await db.prisma.account.findFirstOrThrow({ where: { carrierCustomerCode: "COUNTS-0002" } })
  ).id;
});
afterAll(() => db.close());

// Twelve writers queue for PGlite's one connection (or the pool) on a loaded machine.
const patient = { maxWait: 30_000, timeout: 30_000 };
const line = (name: keyof typeof seeded.lines) => seeded.lines[name].rawId;
const group = (name: string) => {
  const found = seeded.groups[name];
  if (!found) throw new Error(`no group ${name}`);
  return found.rawId;
};

/** The account's administrators as they stand (a deleted group leaves its GROUP administrators' scopes). */
async function actors(accountId = seeded.accountId): Promise<[string, Actor][]> {
  const admins = await db.prisma.administrator.findMany({
    where: { accountId },
    include: { groupScopes: true },
    orderBy: { loginId: "asc" },
  });
  const token: Actor = {
    kind: "apiToken",
    accountId,
    tokenId: "00000000-0000-7000-8000-000000000001",
    tokenName: "MDM",
    scopes: ["READ_LINES"],
    createdById: admins[0]?.id ?? "",
  };
  return [
    ...admins.map((admin): [string, Actor] => [
      admin.loginId,
      {
        kind: "admin",
        accountId,
        adminId: admin.id,
        sessionId: "test",
        role: admin.role,
        name: admin.name,
        loginId: admin.loginId,
        groupIds: admin.groupScopes.map((scope) => scope.groupId),
      },
    ]),
    ["token:MDM", token],
  ];
}

/**
 * Filters the fast path serves: every value of each counted column's
 * conditions alone, every pair of them, all of them at once, and the corner
 * cases (empty lists, contradictions, blank words).
 */
function countedFilters(): LineFilter[] {
  const dimensions: LineFilter[][] = [
    [{ groupId: { id: group("営業部") } }, { groupId: { id: group("開発部") } }, { ungrouped: true }],
    [{ status: "PROCESSING" }],
    [
      { deviceKind: "IPHONE" },
      { deviceKinds: ["SMARTPHONE", "FEATURE_PHONE_3G"] },
      { outOfService: true },
      { outOfService: false },
    ],
    [{ contractStatus: "CANCELLED" }],
    [{ appDownloadMailNeverSent: true }],
  ];
  const pairs = dimensions.flatMap((first, i) =>
    dimensions.slice(i + 1).flatMap((second) => first.flatMap((a) => second.map((b) => ({ ...a, ...b })))),
  );
  return [
    {},
    ...dimensions.flat(),
    ...pairs,
    { ungrouped: true, status: "PROCESSING", outOfService: false, contractStatus: "ACTIVE" },
    {
      groupId: { id: group("営業部") },
      status: "IN_SERVICE",
      deviceKinds: ["IPHONE", "SMARTPHONE"],
      contractStatus: "ACTIVE",
      appDownloadMailNeverSent: true,
    },
    { deviceKinds: [] },
    { deviceKinds: ["IPHONE"], deviceKind: "SMARTPHONE" },
    { groupId: { id: group("営業部") }, ungrouped: true },
    { ungrouped: false, appDownloadMailNeverSent: false, search: "  " },
  ];
}

const combination = `"accountId", "groupId", "status", "deviceKind", "contractStatus"`;

/** Per combination of the counted columns: LineCount's sum and the lines' count. */
async function combinations() {
  const [counted, lines] = await Promise.all([
    db.prisma.$queryRawUnsafe<unknown[]>(
      `SELECT ${combination}, "appDownloadMailSent" AS "sent", sum("lines")::int AS "n" FROM "LineCount"
       GROUP BY ${combination}, "appDownloadMailSent" HAVING sum("lines") <> 0 ORDER BY ${combination}, "sent"`,
    ),
    db.prisma.$queryRawUnsafe<unknown[]>(
      `SELECT ${combination}, "lastAppDownloadMailAt" IS NOT NULL AS "sent", count(*)::int AS "n" FROM "Line"
       GROUP BY ${combination}, "sent" ORDER BY ${combination}, "sent"`,
    ),
  ]);
  return { counted, lines };
}

/** LineCount agrees with the lines, and countLines with line.count for every counted filter and caller. */
async function expectExactCounts() {
  const { counted, lines } = await combinations();
  expect(counted).toEqual(lines);
  const filters = countedFilters();
  expect(filters.filter((filter) => countingMethod(filter) !== "lineCounts")).toEqual([]);
  const mismatches: unknown[] = [];
  for (const accountId of [seeded.accountId, otherAccountId]) {
    for (const [who, actor] of await actors(accountId)) {
      for (const filter of filters) {
        const where: Prisma.LineWhereInput = { AND: [lineScope(actor), ...lineFilterWhere(filter)] };
        const [fast, counted] = await Promise.all([
          countLines(db.prisma, actor, filter),
          db.prisma.line.count({ where }),
        ]);
        if (fast !== counted) mismatches.push({ who, filter, fast, counted });
      }
    }
  }
  expect(mismatches).toEqual([]);
}

function deferred() {
  let resolve = () => {};
  const promise = new Promise<void>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}

async function total(loginId: string, filter: LineFilter = {}) {
  const found = (await actors()).find(([who]) => who === loginId);
  if (!found) throw new Error(`no administrator ${loginId}`);
  return countLines(db.prisma, found[1], filter);
}

describe("LineCount kept by the triggers on Line", () => {
  it("counts the lines the seed wrote in bulk (raw INSERT … SELECT)", async () => {
    expect(await total("Manager@admin")).toBe(14);
    expect(await total("Sales@admin")).toBe(6);
    expect(await total("Both@admin")).toBe(11);
    expect(await total("Nobody@admin")).toBe(0);
    expect(await total("Manager@admin", { outOfService: true })).toBe(2);
    expect(await total("Manager@admin", { ungrouped: true })).toBe(3);
    expect(await total("Manager@admin", { contractStatus: "CANCELLED" })).toBe(3);
    await expectExactCounts();
  });

  it.runIf(usingPostgres)(
    "two transactions that change two combinations in opposite orders both commit (no waiting, no deadlock)",
    async () => {
      // X: 営業部's active iPhones; Y: 開発部's. T1 changes X then Y, T2 Y then X,
      // each holding its first change while the other makes its own: writers that
      // upserted one row per combination would deadlock here.
      const firstDone = deferred();
      const secondDone = deferred();
      const processing = { status: "PROCESSING" as const };
      const t1 = db.prisma.$transaction(async (tx) => {
        await tx.line.update({ where: { id: line("salesIphone") }, data: processing });
        firstDone.resolve();
        await secondDone.promise;
        await tx.line.update({ where: { id: line("devIphone") }, data: processing });
      });
      const t2 = db.prisma.$transaction(async (tx) => {
        await firstDone.promise;
        await tx.line.update({ where: { id: line("devIphone2") }, data: processing });
        secondDone.resolve();
        await tx.line.update({ where: { id: line("salesIphone2") }, data: processing });
      });
      await Promise.all([t1, t2]);
      expect(await total("Manager@admin", { status: "PROCESSING", deviceKind: "IPHONE" })).toBe(4);
      await db.prisma.line.updateMany({ where: { status: "PROCESSING" }, data: { status: "IN_SERVICE" } });
      await expectExactCounts();
    },
  );

  it("concurrent writers, some rolled back, lose no count", async () => {
    const ids = (
      await db.prisma.line.findMany({ where: { accountId: seeded.accountId }, orderBy: { id: "asc" } })
    ).map((l) => l.id);
    const groups = [group("営業部"), group("開発部"), null];
    const writers = Array.from({ length: 12 }, (_, w) =>
      db.prisma
        .$transaction(async (tx) => {
          // Three lines each, in id order (so lines never deadlock), one statement per line.
          const mine = [0, 1, 2].map((k) => ids[(w * 3 + k * 5) % ids.length] as string).sort();
          for (const [k, id] of mine.entries()) {
            await tx.line.update({
              where: { id },
              data: { groupId: groups[(w + k) % 3], status: (w + k) % 2 ? "PROCESSING" : "IN_SERVICE" },
            });
          }
          if (w % 4 === 3) throw new Error("rolled back");
        }, patient)
        .then(
          () => "committed",
          (error: Error) => error.message,
        ),
    );
    const outcomes = await Promise.all(writers);
    expect(outcomes.filter((o) => o === "rolled back")).toHaveLength(3);
    expect(outcomes.filter((o) => o === "committed")).toHaveLength(9);
    expect(await total("Manager@admin")).toBe(14);
    await expectExactCounts();
  });

  it("follows moves between groups, by Prisma and by raw SQL", async () => {
    await db.prisma.line.updateMany({
      where: { accountId: seeded.accountId },
      data: { status: "IN_SERVICE" },
    });
    await db.prisma
      .$executeRaw`UPDATE "Line" SET "groupId" = ${group("営業部")}::uuid WHERE "accountId" = ${seeded.accountId}::uuid`;
    await db.prisma.line.update({ where: { id: line("devIphone") }, data: { groupId: group("開発部") } });
    await db.prisma.line.updateMany({
      where: { id: { in: [line("devAndroid"), line("devWindows")] } },
      data: { groupId: group("開発部") },
    });
    await db.prisma
      .$executeRaw`UPDATE "Line" SET "groupId" = NULL WHERE "id" = ${line("ungroupedIphone")}::uuid`;
    expect(await total("Sales@admin")).toBe(10);
    expect(await total("Manager@admin", { groupId: { id: group("開発部") } })).toBe(3);
    expect(await total("Manager@admin", { ungrouped: true })).toBe(1);
    await expectExactCounts();
  });

  it("follows status changes (a submit's single statement, the worker's per-line updates) and sent mails", async () => {
    await db.prisma.$executeRaw`
      UPDATE "Line" SET "status" = 'PROCESSING' WHERE "id" = ANY(${[line("salesIphone"), line("salesAndroid"), line("devIphone")]}::uuid[])`;
    await db.prisma.line.update({ where: { id: line("salesAndroid") }, data: { status: "IN_SERVICE" } });
    await db.prisma.line.updateMany({
      where: { id: { in: [line("salesIphone2"), line("devWindows")] } },
      data: { lastAppDownloadMailAt: now },
    });
    expect(await total("Manager@admin", { status: "PROCESSING" })).toBe(2);
    expect(await total("Manager@admin", { appDownloadMailNeverSent: true })).toBe(12);
    await expectExactCounts();
  });

  it("a permission change (flags, version) writes nothing to LineCount", async () => {
    const before = await db.prisma.lineCount.findMany({ orderBy: { id: "asc" } });
    await db.prisma.line.updateMany({
      where: { accountId: seeded.accountId },
      data: { backup: true, phonebookMigration: false, version: { increment: 1 } },
    });
    expect(await db.prisma.lineCount.findMany({ orderBy: { id: "asc" } })).toEqual(before);
  });

  it("follows the roster sync: a new line listed, a cancellation, a change of device", async () => {
    const salesIphone2 = await db.prisma.line.findUniqueOrThrow({ where: { id: line("salesIphone2") } });
    await db.prisma.carrierLine.update({
      where: { phoneNumber: salesIphone2.phoneNumber },
      data: { contractStatus: "CANCELLED" },
    });
    const devIphone = await db.prisma.line.findUniqueOrThrow({ where: { id: line("devIphone") } });
    await db.prisma.carrierLine.update({
      where: { phoneNumber: devIphone.phoneNumber },
      data: { deviceKind: "SMARTPHONE" },
    });
    const template = await db.prisma.carrierLine.findUniqueOrThrow({
      where: { phoneNumber: salesIphone2.phoneNumber },
    });
    await db.prisma.carrierLine.create({
      data: { ...template, phoneNumber: "080-9999-0001", contractStatus: "ACTIVE", lastRequestId: null },
    });
    const carrier = createCarrierSimulator(db.prisma, { latencyMs: { min: 0, max: 0 }, failureRate: 0 });
    const synced = await syncRoster(db.prisma, carrier, seeded.accountId, "MANUAL", now);
    expect({ added: synced.added, updated: synced.updated }).toEqual({ added: 1, updated: 2 });
    expect(await total("Manager@admin")).toBe(15);
    expect(await total("Manager@admin", { contractStatus: "CANCELLED" })).toBe(4);
    expect(await total("Manager@admin", { ungrouped: true })).toBe(2);
    await expectExactCounts();
  });

  it("a rolled-back change leaves the counts as they were", async () => {
    const before = await combinations();
    await expect(
      db.prisma.$transaction(async (tx) => {
        await tx.line.deleteMany({ where: { accountId: seeded.accountId, groupId: group("営業部") } });
        await tx.line.updateMany({ where: { accountId: seeded.accountId }, data: { status: "PROCESSING" } });
        throw new Error("rolled back");
      }),
    ).rejects.toThrow("rolled back");
    expect(await combinations()).toEqual(before);
  });

  it("follows deleted lines", async () => {
    await db.prisma.line.delete({ where: { id: line("salesThreeG") } });
    await db.prisma.line.deleteMany({
      where: { id: { in: [line("salesFeature"), line("ungroupedCancelled")] } },
    });
    expect(await total("Manager@admin")).toBe(12);
    expect(await total("Manager@admin", { outOfService: true })).toBe(1);
    await expectExactCounts();
  });

  it("a deleted group's lines are counted as in no group (ON DELETE SET NULL)", async () => {
    await db.prisma.group.delete({ where: { id: group("開発部") } });
    expect(await total("Manager@admin", { ungrouped: true })).toBe(2 + 3);
    expect(await total("Both@admin")).toBe(7);
    expect(await total("Manager@admin", { groupId: { id: group("開発部") } })).toBe(0);
    await expectExactCounts();
  });

  it("a deleted account takes its counts with it (cascade); the other account's stay", async () => {
    await db.prisma.account.delete({ where: { id: seeded.accountId } });
    expect(await db.prisma.lineCount.count({ where: { accountId: seeded.accountId } })).toBe(0);
    const [[, other]] = (await actors(otherAccountId)) as [[string, Actor]];
    expect(await countLines(db.prisma, other, {})).toBe(3);
    const { counted, lines } = await combinations();
    expect(counted).toEqual(lines);
    expect(lines).toHaveLength(3);
  });

  it("TRUNCATE empties it", async () => {
    await db.prisma.$executeRawUnsafe(`TRUNCATE "Line" CASCADE`);
    expect(await db.prisma.lineCount.count()).toBe(0);
  });
});

describe("which filters count the lines", () => {
  it("words, ids and mail dates need the lines; blank words and the counted columns do not", () => {
    expect(countingMethod({ search: "営業" })).toBe("lines");
    expect(countingMethod({ search: "営業", status: "IN_SERVICE" })).toBe("lines");
    expect(countingMethod({ ids: [] })).toBe("lines");
    expect(countingMethod({ lastAppDownloadMailFrom: now })).toBe("lines");
    expect(countingMethod({ lastAppDownloadMailTo: now })).toBe("lines");
    expect(countingMethod({ search: " 　" })).toBe("lineCounts");
    expect(countingMethod(null)).toBe("lineCounts");
    expect(countingMethod({ groupId: null, ids: null, search: null })).toBe("lineCounts");
  });

  it("a search counts with line.count, a counted filter sums LineCount", async () => {
    const [[, manager]] = (await actors(otherAccountId)) as [[string, Actor]];
    operations.length = 0;
    await countLines(db.prisma, manager, { search: "other" });
    expect(operations).toEqual(["Line.count"]);
    operations.length = 0;
    await countLines(db.prisma, manager, { status: "IN_SERVICE" });
    expect(operations).toEqual(["LineCount.aggregate"]);
  });
});
