import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyMigrations, diffSchemaAgainstMigrations, loadMigrations } from "../../prisma/migrate.ts";
import type { Database } from "../../server/db.ts";
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
