// receiptProgress's stream without GraphQL (services/progress-stream.ts): a
// snapshot, the log replayed after afterSeq, live events, and gaps in what
// pub/sub delivered refilled from the log, so every seq comes once, in order.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Actor } from "../../domain/auth/actor.ts";
import { manualClock } from "../../domain/clock.ts";
import type { Database } from "../../lib/db.ts";
import { createLogger } from "../../lib/logger.ts";
import { seedDemoIfEmpty } from "../../prisma/seed/demo.ts";
import { createCarrierSimulator } from "../../services/carrier/simulator.ts";
import type { EventsPort } from "../../services/events.ts";
import { createMailDelivery } from "../../services/mail/delivery.ts";
import { createMailer } from "../../services/mail/mailer.ts";
import { submitPermissionChange } from "../../services/permission-change.ts";
import { type ProgressEvent, ReceiptNotFound, watchReceiptProgress } from "../../services/progress-stream.ts";
import { createRealtime, type Realtime } from "../../services/realtime.ts";
import { startWorker } from "../../services/worker.ts";
import { createTestDatabase } from "../support/database.ts";

const clock = manualClock("2026-11-24T10:00:00+09:00");
let db: Database;
let realtime: Realtime;
let manager: Actor;

beforeAll(async () => {
  db = await createTestDatabase();
  realtime = createRealtime();
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
afterAll(async () => {
  await realtime.close();
  await db.close();
});

// Loses every even item event on its way, as a message lost between
// instances would be; the receipt's own events (accepted, final) get through.
const lossyEvents: EventsPort = {
  receiptEvent: (event) => {
    if (event.itemId === null || event.seq % 2 === 1)
      realtime.pubsub.publish("receipt:event", event.receiptId, event);
  },
  linesChanged: () => {},
};

async function accept(lines: number) {
  const chosen = await db.prisma.line.findMany({
    where: { accountId: manager.accountId, contractStatus: "ACTIVE", status: "IN_SERVICE" },
    orderBy: { phoneNumber: "asc" },
    take: lines,
  });
  const change = await submitPermissionChange(
    db.prisma,
    clock,
    lossyEvents,
    manager,
    { acceptanceHours: "09:00-23:00" },
    { lines: chosen.map((l) => ({ lineId: l.id, backup: true, phonebookMigration: true })) },
  );
  if (!change.ok) throw new Error(JSON.stringify(change.errors));
  return change.receiptId;
}

async function collect(stream: AsyncIterable<ProgressEvent>) {
  const seen: ProgressEvent[] = [];
  for await (const event of stream) seen.push(event);
  return seen;
}

function runWorker() {
  const carrier = createCarrierSimulator(db.prisma, { latencyMs: { min: 0, max: 0 }, failureRate: 0 });
  return startWorker({
    db: db.prisma,
    carrier,
    mail: createMailDelivery(db.prisma, createMailer(), carrier),
    events: lossyEvents,
    logger: createLogger("silent"),
    pollMs: 20,
    now: clock.now,
  });
}

describe("watchReceiptProgress", () => {
  it("follows a receipt live from its snapshot to its final event, refilling what pub/sub lost", async () => {
    const receiptId = await accept(3);
    const stream = watchReceiptProgress({ db: db.prisma, realtime }, manager, receiptId);
    // The snapshot first, then the worker starts: every later event is live (or refilled).
    const snapshot = await stream.next();
    const worker = runWorker();
    try {
      const events = [snapshot.value as ProgressEvent, ...(await collect(stream))];
      const { lastSeq } = await db.prisma.receipt.findUniqueOrThrow({ where: { id: receiptId } });
      expect(events[0]).toMatchObject({ seq: 1, snapshot: true, itemId: null, status: "PROCESSING" });
      // 3 items × 2 transitions, then the final event: every seq once, in order.
      expect(events.slice(1).map((e) => e.seq)).toEqual([2, 3, 4, 5, 6, 7, 8]);
      expect(lastSeq).toBe(8);
      expect(events.at(-1)).toMatchObject({ itemId: null, status: "SUCCEEDED", snapshot: false });
    } finally {
      await worker.stop();
    }
  });

  it("replays the log after afterSeq and ends with the final event of an ended receipt", async () => {
    const receiptId = await accept(1);
    const worker = runWorker();
    try {
      await collect(watchReceiptProgress({ db: db.prisma, realtime }, manager, receiptId));
    } finally {
      await worker.stop();
    }
    const events = await collect(watchReceiptProgress({ db: db.prisma, realtime }, manager, receiptId, 2));
    expect(events.map((e) => [e.seq, e.snapshot])).toEqual([
      [4, true],
      [3, false],
      [4, false],
    ]);
    expect(realtime.subscribers("receipt:event", receiptId)).toBe(0);
  });

  it("fails with ReceiptNotFound for a receipt the actor may not see", async () => {
    const stream = watchReceiptProgress(
      { db: db.prisma, realtime },
      manager,
      "00000000-0000-0000-0000-000000000001",
    );
    await expect(stream.next()).rejects.toBeInstanceOf(ReceiptNotFound);
  });
});
