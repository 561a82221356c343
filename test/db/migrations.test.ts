import { cp, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../lib/db.ts";
import {
  applyMigrations,
  diffSchemaAgainstMigrations,
  loadMigrations,
  migrationsDir,
} from "../../prisma/migrate.ts";
import { earlierRequest, keyedRequest } from "../../services/idempotency.ts";
import { LINE_COUNTS_NOW, lineCountsScenario } from "../scenarios/line-counts.scenarios.ts";
import { writeScenario } from "../scenarios/scenario.ts";
import { createTestDatabase } from "../support/database.ts";

describe("migrations without Prisma's native engines", () => {
  let db: Database;
  beforeAll(async () => {
    db = await createTestDatabase({ migrate: false });
  });
  afterAll(() => db.close());

  it("schema.prisma and prisma/migrations describe the same database (no un-migrated change)", async () => {
    expect(await diffSchemaAgainstMigrations()).toBeNull();
  });

  it("applies every migration to an empty database and records it in _prisma_migrations", async () => {
    const { migrationDirectories } = await loadMigrations();
    const names = migrationDirectories.map((m) => m.path);
    expect(names.length).toBeGreaterThan(0);

    expect(await applyMigrations(db.adapterFactory)).toEqual(names);
    const recorded = await db.prisma.$queryRaw<{ migration_name: string; finished_at: Date | null }[]>`
      SELECT migration_name, finished_at FROM _prisma_migrations ORDER BY migration_name`;
    expect(recorded.map((r) => r.migration_name)).toEqual(names);
    expect(recorded.every((r) => r.finished_at !== null)).toBe(true);
  });

  it("applying again changes nothing", async () => {
    expect(await applyMigrations(db.adapterFactory)).toEqual([]);
  });

  it("leaves a usable schema behind", async () => {
    const account = await db.prisma.account.create({
      data: { name: "検証株式会社", carrierCustomerCode: "TEST-MIGRATION" },
    });
    expect(await db.prisma.account.findUnique({ where: { id: account.id } })).toMatchObject({
      name: "検証株式会社",
    });
  });
});

/** A database migrated up to (not including) the migration named `name`; the temporary history is removed by `done`. */
async function migratedUpTo(name: string) {
  const db = await createTestDatabase({ migrate: false });
  // The history as it stood before: every migration up to this one.
  const { migrationDirectories } = await loadMigrations();
  const index = migrationDirectories.findIndex((m) => m.path.endsWith(`_${name}`));
  expect(index).toBeGreaterThan(0);
  const dir = await mkdtemp(path.join(tmpdir(), "migrations-"));
  await cp(path.join(migrationsDir, "migration_lock.toml"), path.join(dir, "migration_lock.toml"));
  for (const m of migrationDirectories.slice(0, index)) {
    await cp(path.join(migrationsDir, m.path), path.join(dir, m.path), { recursive: true });
  }
  await applyMigrations(db.adapterFactory, { dir });
  return {
    db,
    done: async () => {
      await db.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

describe("idempotency_per_caller on a database with receipts (R17)", () => {
  let db: Database;
  let done: () => Promise<void>;
  beforeAll(async () => {
    ({ db, done } = await migratedUpTo("idempotency_per_caller"));
  });
  afterAll(() => done());

  it("keeps every receipt's key and gives it to its administrator or API token", async () => {
    const prisma = db.prisma;
    const account = await prisma.account.create({
      data: { name: "既存株式会社", carrierCustomerCode: "TEST-R17" },
    });
    const admin = await prisma.administrator.create({
      data: {
        accountId: account.id,
        loginId: "Existing@admin",
        name: "管理者",
        role: "MAIN",
        passwordHash: "x",
      },
    });
    const token = await prisma.apiToken.create({
      data: { accountId: account.id, createdById: admin.id, name: "MDM", prefix: "p", tokenHash: "h" },
    });
    const receipt = (number: string, idempotencyKey: string | null, apiTokenId: string | null) =>
      prisma.$executeRaw`
        INSERT INTO "Receipt" ("id", "accountId", "number", "kind", "adminId", "apiTokenId", "adminName", "adminLoginId", "idempotencyKey")
        VALUES (gen_random_uuid(), ${account.id}::uuid, ${number}, 'PERMISSION_CHANGE', ${admin.id}::uuid,
          ${apiTokenId}::uuid, '管理者', 'Existing@admin', ${idempotencyKey})`;
    await receipt("2026112400000001", "by-admin", null);
    await receipt("2026112400000002", "by-token", token.id);
    await receipt("2026112400000003", null, null);

    await applyMigrations(db.adapterFactory);
    const rows = await prisma.receipt.findMany({
      orderBy: { number: "asc" },
      select: { idempotencyKey: true, idempotencyCallerId: true, idempotencyFingerprint: true },
    });
    expect(rows).toEqual([
      { idempotencyKey: "by-admin", idempotencyCallerId: admin.id, idempotencyFingerprint: null },
      { idempotencyKey: "by-token", idempotencyCallerId: token.id, idempotencyFingerprint: null },
      { idempotencyKey: null, idempotencyCallerId: null, idempotencyFingerprint: null },
    ]);
    // Such a receipt replays for its caller, whatever the body (it has no fingerprint).
    const actor = {
      kind: "admin" as const,
      accountId: account.id,
      adminId: admin.id,
      sessionId: "test",
      role: "MAIN" as const,
      name: admin.name,
      loginId: admin.loginId,
      groupIds: [],
    };
    const keyed = keyedRequest(actor, "by-admin", { lines: [] });
    expect(await earlierRequest(prisma, actor, "PERMISSION_CHANGE", keyed!)).toMatchObject({ items: 0 });
    expect(await earlierRequest(prisma, actor, "APP_DOWNLOAD_MAIL", keyed!)).toBeNull();
  });
});

describe("line_counts on a database with lines", () => {
  let db: Database;
  let done: () => Promise<void>;
  beforeAll(async () => {
    ({ db, done } = await migratedUpTo("line_counts"));
  });
  afterAll(() => done());

  const byCombination = (table: "Line" | "LineCount") =>
    db.prisma.$queryRawUnsafe<unknown[]>(
      `SELECT "accountId", "groupId", "status", "deviceKind", "contractStatus",
         ${table === "Line" ? `"lastAppDownloadMailAt" IS NOT NULL` : `"appDownloadMailSent"`} AS "sent",
         ${table === "Line" ? "count(*)" : `sum("lines")`}::int AS "n"
       FROM "${table}" GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6`,
    );

  it("counts the lines already there, and keeps counting after", async () => {
    const seeded = await writeScenario(db.prisma, lineCountsScenario, new Date(LINE_COUNTS_NOW));
    await db.prisma
      .$executeRaw`UPDATE "Line" SET "status" = 'PROCESSING' WHERE "id" = ${seeded.lines.devIphone.rawId}::uuid`;
    await applyMigrations(db.adapterFactory);
    const lines = await byCombination("Line");
    expect(lines).toHaveLength(16);
    expect(await byCombination("LineCount")).toEqual(lines);
    await db.prisma.line.update({
      where: { id: seeded.lines.devIphone.rawId },
      data: { status: "IN_SERVICE" },
    });
    expect(await byCombination("LineCount")).toEqual(await byCombination("Line"));
  });
});
