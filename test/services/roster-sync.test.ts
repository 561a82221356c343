// R8 in practice: 手動更新 lists today's new lines; the daily sync lists
// them from the next day; nothing is listed before its contract date.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Actor } from "../../domain/auth/actor.ts";
import { manualClock } from "../../domain/clock.ts";
import { carrierMessages } from "../../domain/messages.ts";
import type { Database } from "../../lib/db.ts";
import { seedDemoIfEmpty } from "../../prisma/seed/demo.ts";
import { type Carrier, CarrierError } from "../../services/carrier/port.ts";
import { createCarrierSimulator } from "../../services/carrier/simulator.ts";
import { refreshLines, runDailySyncs, syncRoster } from "../../services/roster-sync.ts";
import { createTestDatabase } from "../support/database.ts";

const clock = manualClock("2026-11-24T10:00:00+09:00");
let db: Database;
let accountId: string;

beforeAll(async () => {
  db = await createTestDatabase();
  await seedDemoIfEmpty(db.prisma, { password: "pw", now: clock.now() });
  accountId = (await db.prisma.account.findFirstOrThrow({ where: { name: "デモ株式会社" } })).id;
});
afterAll(() => db.close());

const carrier = () => createCarrierSimulator(db.prisma, { latencyMs: { min: 0, max: 0 }, failureRate: 0 });
const listed = () => db.prisma.line.count({ where: { accountId } });

describe("R8 roster sync", () => {
  it("the daily sync on the day of addition lists nothing new", async () => {
    expect(await runDailySyncs(db.prisma, carrier(), clock.now())).toBe(2);
    expect(await listed()).toBe(1000);
    // Once a day: a second call the same day does nothing.
    expect(await runDailySyncs(db.prisma, carrier(), clock.now())).toBe(0);
  });

  it("手動更新 lists the three lines added today, not the one contracted tomorrow", async () => {
    clock.set("2026-11-24T11:00:00+09:00");
    const result = await syncRoster(db.prisma, carrier(), accountId, "MANUAL", clock.now());
    expect(result).toEqual({ added: 3, updated: 0, addedPhoneNumbers: expect.any(Array) });
    expect(await listed()).toBe(1003);
    const added = await db.prisma.line.findMany({
      where: { accountId, changeKind: { in: ["NEW_LINE", "MNP_PORT_IN"] } },
    });
    expect([...result.addedPhoneNumbers].sort()).toEqual(added.map((l) => l.phoneNumber).sort());
    expect(added.map((l) => l.changeKind).sort()).toEqual(["MNP_PORT_IN", "NEW_LINE", "NEW_LINE"]);
    // R1 defaults for contracts from 2017-05-10: backup off, migration on.
    expect(added.every((l) => !l.backup && l.phonebookMigration)).toBe(true);
  });

  it("the next day's daily sync lists the line whose contract date has come, and picks up changed facts", async () => {
    const someone = await db.prisma.line.findFirstOrThrow({
      where: { accountId },
      orderBy: { phoneNumber: "asc" },
    });
    await db.prisma.carrierLine.update({
      where: { phoneNumber: someone.phoneNumber },
      data: { affiliation: "新設部 1課" },
    });
    clock.set("2026-11-25T06:00:00+09:00");
    expect(await runDailySyncs(db.prisma, carrier(), clock.now())).toBe(2);
    expect(await listed()).toBe(1004);
    const changed = await db.prisma.line.findUniqueOrThrow({ where: { id: someone.id } });
    expect(changed.affiliation).toBe("新設部 1課");
    expect(changed.version).toBe(someone.version + 1);
    const runs = await db.prisma.lineSyncRun.findMany({
      where: { accountId },
      orderBy: { startedAt: "asc" },
    });
    expect(runs.map((r) => [r.trigger, r.added, r.updated])).toEqual([
      ["DAILY", 0, 0],
      ["MANUAL", 3, 0],
      ["DAILY", 1, 1],
    ]);
  });
});

describe("手動更新 when the carrier cannot hand over the roster", () => {
  it("answers CARRIER_UNAVAILABLE as a user error, lists nothing, and records the failed run", async () => {
    const admin = await db.prisma.administrator.findUniqueOrThrow({ where: { loginId: "Manager@admin" } });
    const manager: Actor = {
      kind: "admin",
      accountId,
      adminId: admin.id,
      sessionId: "test",
      role: "MAIN",
      name: admin.name,
      loginId: admin.loginId,
      groupIds: [],
    };
    const unreachable: Carrier = {
      roster: async () => {
        throw new CarrierError("CARRIER_UNAVAILABLE", carrierMessages.CARRIER_UNAVAILABLE, true);
      },
      applyPermissions: async () => {},
      passwords: async () => new Map(),
    };
    const before = await listed();
    expect(await refreshLines(db.prisma, clock, unreachable, manager)).toEqual({
      ok: false,
      errors: [{ code: "CARRIER_UNAVAILABLE", message: "キャリアに接続できませんでした。" }],
    });
    expect(await listed()).toBe(before);
    const run = await db.prisma.lineSyncRun.findFirstOrThrow({
      where: { accountId, trigger: "MANUAL" },
      orderBy: { startedAt: "desc" },
    });
    expect(run.error).toContain("キャリアに接続できませんでした。");
    expect(await db.prisma.auditEvent.count({ where: { accountId, action: "LINES_REFRESHED" } })).toBe(0);
  });
});
