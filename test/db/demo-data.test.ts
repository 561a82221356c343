// SPEC §6: the demo data written on first start.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyPassword } from "../../domain/auth/password.ts";
import { defaultPermissions } from "../../domain/rules/defaults.ts";
import { addDays, fromDateOnly, jstDate } from "../../domain/time.ts";
import type { Database } from "../../lib/db.ts";
import { DEMO_ACCOUNT, OTHER_ACCOUNT, seedDemoIfEmpty } from "../../prisma/seed/demo.ts";
import { createTestDatabase } from "../support/database.ts";

const now = new Date("2026-11-24T10:00:00+09:00");
const today = jstDate(now);

describe("demo data", () => {
  let db: Database;
  let demoId: string;
  beforeAll(async () => {
    db = await createTestDatabase();
    // Two processes starting together on one database: exactly one seeds.
    const results = await Promise.all([
      seedDemoIfEmpty(db.prisma, { password: "demo-pass", now }),
      seedDemoIfEmpty(db.prisma, { password: "demo-pass", now }),
    ]);
    expect(results.sort()).toEqual([false, true]);
    demoId = (await db.prisma.account.findFirstOrThrow({ where: { name: DEMO_ACCOUNT } })).id;
  });
  afterAll(() => db.close());

  it("is written into an empty database only, never again", async () => {
    expect(await seedDemoIfEmpty(db.prisma, { password: "demo-pass", now })).toBe(false);
    expect(await db.prisma.account.count()).toBe(2);
  });

  it("デモ株式会社 lists 1,000 lines in 10 groups; サンプル商事 lists 50", async () => {
    expect(await db.prisma.line.count({ where: { accountId: demoId } })).toBe(1000);
    expect(await db.prisma.group.count({ where: { accountId: demoId } })).toBe(10);
    const other = await db.prisma.account.findFirstOrThrow({ where: { name: OTHER_ACCOUNT } });
    expect(await db.prisma.line.count({ where: { accountId: other.id } })).toBe(50);
  });

  it("exactly one group contains a 3G line", async () => {
    const groups = await db.prisma.group.findMany({
      where: { accountId: demoId, lines: { some: { deviceKind: "FEATURE_PHONE_3G" } } },
    });
    expect(groups.map((g) => g.name)).toEqual(["物流部"]);
  });

  it("has every device kind, cancelled lines, shared-phonebook and preinstalled lines", async () => {
    const kinds = await db.prisma.line.groupBy({ by: ["deviceKind"], where: { accountId: demoId } });
    expect(kinds.map((k) => k.deviceKind).sort()).toEqual(
      ["FEATURE_PHONE_3G", "FEATURE_PHONE_4G", "IPHONE", "SMARTPHONE", "WINDOWS10_MOBILE"].sort(),
    );
    expect(
      await db.prisma.line.count({ where: { accountId: demoId, contractStatus: "CANCELLED" } }),
    ).toBeGreaterThan(0);
    expect(
      await db.prisma.line.count({ where: { accountId: demoId, sharedPhonebook: true } }),
    ).toBeGreaterThan(0);
    expect(
      await db.prisma.line.count({ where: { accountId: demoId, appPreinstalled: true } }),
    ).toBeGreaterThan(0);
  });

  it("has contract dates on both sides of 2017-05-10, every line at its R1 defaults", async () => {
    const lines = await db.prisma.line.findMany({ where: { accountId: demoId } });
    const dates = lines.map((l) => fromDateOnly(l.contractedOn));
    expect(dates.some((d) => d <= "2017-05-09")).toBe(true);
    expect(dates.some((d) => d >= "2017-05-10")).toBe(true);
    for (const line of lines) {
      expect({ backup: line.backup, phonebookMigration: line.phonebookMigration }).toEqual(
        defaultPermissions(fromDateOnly(line.contractedOn)),
      );
      expect(line.status).toBe("IN_SERVICE");
      expect(line.version).toBe(1);
    }
  });

  it("has two active 4G feature phones upgraded from 3G, one more and one less than 60 days ago", async () => {
    const upgraded = await db.prisma.line.findMany({
      where: { accountId: demoId, upgradedFrom3gOn: { not: null } },
      orderBy: { upgradedFrom3gOn: "asc" },
    });
    expect(upgraded).toHaveLength(2);
    expect(upgraded.every((l) => l.deviceKind === "FEATURE_PHONE_4G" && l.contractStatus === "ACTIVE")).toBe(
      true,
    );
    const [longAgo, recent] = upgraded.map((l) => fromDateOnly(l.upgradedFrom3gOn as Date));
    expect(longAgo! < addDays(today, -60)).toBe(true);
    expect(recent! > addDays(today, -60)).toBe(true);
  });

  it("the carrier roster also holds lines added today that only 手動更新 will list (R8)", async () => {
    const account = await db.prisma.account.findUniqueOrThrow({ where: { id: demoId } });
    const roster = await db.prisma.carrierLine.findMany({
      where: { customerCode: account.carrierCustomerCode },
      select: { phoneNumber: true },
    });
    const listed = new Set(
      (await db.prisma.line.findMany({ where: { accountId: demoId }, select: { phoneNumber: true } })).map(
        (l) => l.phoneNumber,
      ),
    );
    const unlisted = await db.prisma.carrierLine.findMany({
      where: { phoneNumber: { in: roster.map((r) => r.phoneNumber).filter((p) => !listed.has(p)) } },
    });
    expect(unlisted.map((l) => l.changeKind).sort()).toEqual([
      "MNP_PORT_IN",
      "NEW_LINE",
      "NEW_LINE",
      "NEW_LINE",
    ]);
    expect(unlisted.filter((l) => fromDateOnly(l.contractedOn) === today)).toHaveLength(3);
    expect(unlisted.filter((l) => fromDateOnly(l.contractedOn) > today)).toHaveLength(1);
  });

  it("has the three demo administrators and Other@admin, all with DEMO_PASSWORD", async () => {
    const admins = await db.prisma.administrator.findMany({
      include: { groupScopes: { include: { group: true } }, account: true },
      orderBy: { loginId: "asc" },
    });
    expect(admins.map((a) => [a.loginId, a.role, a.name, a.account.name])).toEqual([
      ["GroupA@admin", "GROUP", "グループ管理者A", DEMO_ACCOUNT],
      ["Manager@admin", "MAIN", "管理者", DEMO_ACCOUNT],
      ["Other@admin", "MAIN", "サンプル商事 管理者", OTHER_ACCOUNT],
      ["Substitute@admin", "SUB", "代理管理者(サブ管理者)", DEMO_ACCOUNT],
    ]);
    expect(admins[0]!.groupScopes.map((s) => s.group.name)).toEqual(["営業部"]);
    for (const admin of admins) {
      expect(admin.passwordHash).not.toContain("demo-pass");
      expect(await verifyPassword(admin.passwordHash, "demo-pass")).toBe(true);
    }
  });

  it("has no receipts yet", async () => {
    expect(await db.prisma.receipt.count()).toBe(0);
  });
});
