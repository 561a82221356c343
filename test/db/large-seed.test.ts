import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../lib/db.ts";
import { seedLargeAccount } from "../../prisma/seed/large.ts";
import { createTestDatabase } from "../support/database.ts";

describe("large account seed (benchmarks)", () => {
  let db: Database;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db.close());

  it("lists every generated line, and a second large account never reuses a phone number", async () => {
    const now = new Date("2026-11-24T10:00:00+09:00");
    const first = await seedLargeAccount(db.prisma, { lines: 2500, code: "A", password: "pw", now });
    const second = await seedLargeAccount(db.prisma, { lines: 1500, code: "B", password: "pw", now });
    expect(first.listed).toBe(2500);
    expect(second.listed).toBe(1500);
    expect(await db.prisma.line.count({ where: { accountId: first.accountId } })).toBe(2500);
    expect(await db.prisma.carrierLine.count()).toBe(4000);
    const groups = await db.prisma.group.findMany({
      where: { accountId: first.accountId },
      include: { _count: { select: { lines: true } } },
    });
    expect(groups.reduce((sum, g) => sum + g._count.lines, 0)).toBe(2500);
  });
});
