// The carrier worker's failure paths: permanent rejections and temporary errors.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Actor } from "../../domain/auth/actor.ts";
import { manualClock } from "../../domain/clock.ts";
import type { Database } from "../../lib/db.ts";
import { createLogger } from "../../lib/logger.ts";
import { seedDemoIfEmpty } from "../../prisma/seed/demo.ts";
import { type Carrier, CarrierError } from "../../services/carrier/port.ts";
import { noEvents } from "../../services/events.ts";
import { submitPermissionChange } from "../../services/permission-change.ts";
import { startWorker, type Worker } from "../../services/worker.ts";
import { createTestDatabase } from "../support/database.ts";
import { waitForFinalReceipt } from "../support/wait.ts";

const clock = manualClock("2026-11-24T10:00:00+09:00");
const settings = { acceptanceHours: "09:00-23:00" };
let db: Database;
let manager: Actor;
let worker: Worker | undefined;

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
afterEach(async () => {
  await worker?.stop();
  worker = undefined;
});
afterAll(() => db.close());

async function submit(count: number, offset: number) {
  const lines = await db.prisma.line.findMany({
    // Lines a selection may hold (R3, R16): active and not 3G.
    where: {
      accountId: manager.accountId,
      contractStatus: "ACTIVE",
      deviceKind: { not: "FEATURE_PHONE_3G" },
    },
    orderBy: { phoneNumber: "asc" },
    skip: offset,
    take: count,
  });
  const result = await submitPermissionChange(db.prisma, clock, noEvents, manager, settings, {
    lines: lines.map((l) => ({ lineId: l.id, backup: true, phonebookMigration: !l.phonebookMigration })),
  });
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return { receiptId: result.receiptId, lines };
}

function run(carrier: Carrier) {
  worker = startWorker({
    db: db.prisma,
    carrier,
    logger: createLogger("silent"),
    pollMs: 20,
    now: clock.now,
  });
  return worker;
}

describe("the carrier worker", () => {
  it("a permanent rejection fails the item with its reason; the line keeps its flags and is free again", async () => {
    const { receiptId, lines } = await submit(3, 0);
    await run({
      roster: async () => [],
      passwords: async () => new Map(),
      applyPermissions: async () => {
        throw new CarrierError(
          "CARRIER_REJECTED",
          "キャリアで設定を反映できませんでした。再度お試しください。",
          false,
        );
      },
    }).whenIdle();

    const receipt = await db.prisma.receipt.findUniqueOrThrow({
      where: { id: receiptId },
      include: { items: true },
    });
    expect(receipt.status).toBe("FAILED");
    expect(receipt.completedAt).toEqual(clock.now());
    for (const item of receipt.items) {
      expect(item).toMatchObject({
        status: "FAILED",
        errorCode: "CARRIER_REJECTED",
        errorMessage: "キャリアで設定を反映できませんでした。再度お試しください。",
        attempts: 1,
      });
    }
    const after = await db.prisma.line.findMany({ where: { id: { in: lines.map((l) => l.id) } } });
    for (const line of after) {
      const before = lines.find((l) => l.id === line.id)!;
      expect(line).toMatchObject({
        status: "IN_SERVICE",
        version: before.version,
        backup: before.backup,
        phonebookMigration: before.phonebookMigration,
      });
    }
  });

  it("temporary errors are retried with backoff until the carrier accepts", async () => {
    const { receiptId } = await submit(2, 10);
    const calls = new Map<string, number>();
    await run({
      roster: async () => [],
      passwords: async () => new Map(),
      applyPermissions: async ({ requestId }) => {
        const n = (calls.get(requestId) ?? 0) + 1;
        calls.set(requestId, n);
        if (n < 3) throw new CarrierError("BUSY", "busy", true);
      },
    }).whenIdle();
    // whenIdle can resolve while retries wait for their backoff; wait for the receipt to close.
    const receipt = await waitForFinalReceipt(() =>
      db.prisma.receipt.findUniqueOrThrow({ where: { id: receiptId }, include: { items: true } }),
    );
    expect(receipt.status).toBe("SUCCEEDED");
    expect(receipt.items.map((i) => [i.status, i.attempts])).toEqual([
      ["SUCCEEDED", 3],
      ["SUCCEEDED", 3],
    ]);
    expect([...calls.values()]).toEqual([3, 3]);
    const events = await db.prisma.receiptEvent.findMany({ where: { receiptId }, orderBy: { seq: "asc" } });
    // accepted, one PROCESSING per item (retries add none), one SUCCEEDED per item, final.
    expect(events.map((e) => e.itemStatus ?? e.status)).toEqual([
      "PROCESSING",
      "PROCESSING",
      "PROCESSING",
      "SUCCEEDED",
      "SUCCEEDED",
      "SUCCEEDED",
    ]);
  });
});
