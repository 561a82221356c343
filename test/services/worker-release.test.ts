// A worker that stops (a deploy) releases the items still at the carrier when
// its time is up: another worker claims them at once, not after the lease,
// and the late answers of the first change nothing (each line once).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Actor } from "../../domain/auth/actor.ts";
import { manualClock } from "../../domain/clock.ts";
import type { Database } from "../../lib/db.ts";
import { createLogger } from "../../lib/logger.ts";
import { seedDemoIfEmpty } from "../../prisma/seed/demo.ts";
import type { Carrier, PermissionRequest } from "../../services/carrier/port.ts";
import { noEvents } from "../../services/events.ts";
import { submitPermissionChange } from "../../services/permission-change.ts";
import { startWorker } from "../../services/worker.ts";
import { createTestDatabase } from "../support/database.ts";

const clock = manualClock("2026-11-24T10:00:00+09:00");
let db: Database;
let manager: Actor;

beforeAll(async () => {
  db = await createTestDatabase();
  await seedDemoIfEmpty(db.prisma, { password: "pw", now: clock.now() });
  const admin = await db.prisma.administrator.findUniqueOrThrow({ where: { loginId: "Manager@admin" } });
  manager = {
    kind: "admin",
    accountId: admin.accountId,
    adminId: admin.id,
    sessionId: "test",
    role: "MAIN",
    name: admin.name,
    loginId: admin.loginId,
    groupIds: [],
  };
});
afterAll(() => db.close());

function carrier(apply: (request: PermissionRequest) => Promise<void>): Carrier {
  return { roster: async () => [], passwords: async () => new Map(), applyPermissions: apply };
}

async function submitLines(count: number, offset: number) {
  const lines = await db.prisma.line.findMany({
    where: {
      accountId: manager.accountId,
      contractStatus: "ACTIVE",
      deviceKind: { not: "FEATURE_PHONE_3G" },
    },
    orderBy: { phoneNumber: "asc" },
    skip: offset,
    take: count,
  });
  const submitted = await submitPermissionChange(
    db.prisma,
    clock,
    noEvents,
    manager,
    { acceptanceHours: "09:00-23:00" },
    { lines: lines.map((l) => ({ lineId: l.id, backup: !l.backup, phonebookMigration: true })) },
  );
  if (!submitted.ok) throw new Error(JSON.stringify(submitted.errors));
  return { lines, receiptId: submitted.receiptId };
}

describe("stopping a worker", () => {
  it("lets the items in flight finish when they answer before its deadline", async () => {
    const { receiptId } = await submitLines(3, 20);
    let calls = 0;
    let answer!: () => void;
    const answered = new Promise<void>((resolve) => {
      answer = resolve;
    });
    const worker = startWorker({
      db: db.prisma,
      carrier: carrier(async () => {
        calls++;
        await answered;
      }),
      logger: createLogger("silent"),
      concurrency: 4,
      pollMs: 20,
      now: clock.now,
    });
    await expect.poll(() => calls).toBe(3);
    const stopped = worker.stop({ finishBy: Date.now() + 30_000 });
    answer();
    await stopped;
    const items = await db.prisma.receiptItem.findMany({ where: { receiptId } });
    expect(items.map((i) => [i.status, i.attempts, i.leaseOwner])).toEqual(
      Array(3).fill(["SUCCEEDED", 1, null]),
    );
  });

  it("releases the items still in flight at its deadline; another worker claims them at once", async () => {
    const { lines, receiptId } = await submitLines(4, 0);

    // The first worker's carrier answers only when the test lets it.
    const held: PermissionRequest[] = [];
    let answer!: () => void;
    const answered = new Promise<void>((resolve) => {
      answer = resolve;
    });
    const first = startWorker({
      db: db.prisma,
      carrier: carrier(async (request) => {
        held.push(request);
        await answered;
      }),
      logger: createLogger("silent"),
      concurrency: 4,
      leaseMs: 30_000,
      pollMs: 20,
      now: clock.now,
    });
    await expect.poll(() => held.length).toBe(4);

    const stoppedAt = Date.now();
    await first.stop({ finishBy: stoppedAt });
    const released = await db.prisma.receiptItem.findMany({ where: { receiptId: receiptId } });
    for (const item of released) {
      expect(item).toMatchObject({ status: "PROCESSING", leaseOwner: null, attempts: 0 });
      expect(item.leaseUntil!.getTime()).toBeLessThanOrEqual(Date.now());
    }

    const taken: { requestId: string; at: number }[] = [];
    const second = startWorker({
      db: db.prisma,
      carrier: carrier(async (request) => {
        taken.push({ requestId: request.requestId, at: Date.now() });
      }),
      logger: createLogger("silent"),
      concurrency: 4,
      leaseMs: 30_000,
      pollMs: 20,
      now: clock.now,
    });
    await second.whenIdle();
    await second.stop();
    // The same requests (the carrier is idempotent per request id), well before the 30 s lease.
    expect(taken.map((t) => t.requestId).sort()).toEqual(held.map((r) => r.requestId).sort());
    expect(Math.max(...taken.map((t) => t.at)) - stoppedAt).toBeLessThan(5_000);

    // The first worker's calls come back late: they record nothing.
    answer();
    await first.stop();
    const items = await db.prisma.receiptItem.findMany({ where: { receiptId: receiptId } });
    expect(items.map((i) => [i.status, i.attempts])).toEqual(Array(4).fill(["SUCCEEDED", 1]));
    const events = await db.prisma.receiptEvent.findMany({
      where: { receiptId: receiptId },
      orderBy: { seq: "asc" },
    });
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expect(events.filter((e) => e.itemStatus === "SUCCEEDED")).toHaveLength(4);
    expect(events.filter((e) => e.itemStatus === "PROCESSING")).toHaveLength(4);
    const after = await db.prisma.line.findMany({ where: { id: { in: lines.map((l) => l.id) } } });
    for (const line of after) {
      const before = lines.find((l) => l.id === line.id)!;
      expect(line).toMatchObject({
        version: before.version + 1,
        backup: !before.backup,
        status: "IN_SERVICE",
      });
    }
  });
});
