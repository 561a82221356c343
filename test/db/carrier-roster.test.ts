// The standalone carrier's roster (seedCarrierRosterIfEmpty): the demo lines,
// written once, and nothing twice when the carrier shares the gateway's PostgreSQL.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Database } from "../../lib/db.ts";
import { seedCarrierRosterIfEmpty, seedDemoIfEmpty } from "../../prisma/seed/demo.ts";
import { createTestDatabase } from "../support/database.ts";

const now = new Date("2026-11-24T10:00:00+09:00");
const options = { password: "demo-pass", now };

describe("the carrier simulator's demo roster", () => {
  let db: Database;
  beforeEach(async () => {
    db = await createTestDatabase();
  });
  afterEach(() => db.close());

  it("is the roster the gateway's demo data writes, written once", async () => {
    // Two carrier processes starting together on one database: exactly one seeds.
    const results = await Promise.all([
      seedCarrierRosterIfEmpty(db.prisma, options),
      seedCarrierRosterIfEmpty(db.prisma, options),
    ]);
    expect(results.sort()).toEqual([false, true]);
    expect(await db.prisma.account.count()).toBe(0);
    const roster = await db.prisma.carrierLine.findMany({ orderBy: { phoneNumber: "asc" } });
    expect(roster).toHaveLength(1054);

    const gateway = await createTestDatabase();
    try {
      await seedDemoIfEmpty(gateway.prisma, options);
      expect(await gateway.prisma.carrierLine.findMany({ orderBy: { phoneNumber: "asc" } })).toEqual(roster);
    } finally {
      await gateway.close();
    }
  });

  it("the carrier after the gateway on one database writes nothing", async () => {
    await seedDemoIfEmpty(db.prisma, options);
    expect(await seedCarrierRosterIfEmpty(db.prisma, options)).toBe(false);
    expect(await db.prisma.carrierLine.count()).toBe(1054);
  });

  it("the gateway after the carrier on one database keeps the roster and lists its lines", async () => {
    expect(await seedCarrierRosterIfEmpty(db.prisma, options)).toBe(true);
    await db.prisma.carrierLine.updateMany({ where: { customerCode: "DEMO-0001" }, data: { backup: true } });
    expect(await seedDemoIfEmpty(db.prisma, options)).toBe(true);
    expect(await db.prisma.carrierLine.count()).toBe(1054);
    expect(await db.prisma.carrierLine.count({ where: { customerCode: "DEMO-0001", backup: false } })).toBe(
      0,
    );
    expect(await db.prisma.line.count()).toBe(1050);
  });
});
