import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../lib/db.ts";
import { givenNames, surnames } from "../../prisma/seed/generate.ts";
import { seedLargeAccount, seedLargeAccountBySql } from "../../prisma/seed/large.ts";
import { createCarrierSimulator } from "../../services/carrier/simulator.ts";
import { syncRoster } from "../../services/roster-sync.ts";
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

  it("writes by SQL lines the roster sync agrees with, after the numbers handed out before", async () => {
    const now = new Date("2026-11-24T10:00:00+09:00");
    const before = await db.prisma.carrierLine.count();
    const lines = 3000;
    const { accountId } = await seedLargeAccountBySql(db.prisma, { lines, code: "SQL", password: "pw", now });
    expect(await db.prisma.line.count({ where: { accountId } })).toBe(lines);
    expect(await db.prisma.carrierLine.count()).toBe(before + lines);
    // The carrier's roster and the listed lines agree: a sync adds and changes nothing.
    const carrier = createCarrierSimulator(db.prisma, { latencyMs: { min: 0, max: 0 }, failureRate: 0 });
    const synced = await syncRoster(db.prisma, carrier, accountId, "MANUAL", now);
    expect({ added: synced.added, updated: synced.updated }).toEqual({ added: 0, updated: 0 });
    // Names cycle through the generator's, so a name's share is known (the bench's search).
    const expected = Array.from({ length: lines }, (_, i) => i).filter(
      (i) => i % surnames.length === 0 && Math.floor(i / surnames.length) % givenNames.length === 3,
    ).length;
    expect(
      await db.prisma.line.count({ where: { accountId, name: `${surnames[0][0]} ${givenNames[3][0]}` } }),
    ).toBe(expected);
    const groups = await db.prisma.group.findMany({
      where: { accountId },
      include: { _count: { select: { lines: true } } },
    });
    expect(groups.map((g) => g._count.lines)).toEqual(Array(50).fill(lines / 50));
  });
});
