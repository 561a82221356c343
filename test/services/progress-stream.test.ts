// receiptProgress's and receiptProgressBatch's streams without GraphQL
// (services/progress-stream.ts, services/progress-batches.ts): a snapshot, the
// log replayed after afterSeq, live events, and gaps in what pub/sub delivered
// refilled from the log, so every seq comes once, in order. With two
// instances, a watcher hears half of a receipt's events through Redis, a
// moment after the other half: both streams wait briefly for what is missing
// instead of reading the log.
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
import { type ProgressBatch, watchReceiptProgressBatches } from "../../services/progress-batches.ts";
import { type ProgressEvent, ReceiptNotFound, watchReceiptProgress } from "../../services/progress-stream.ts";
import { createRealtime, type Realtime } from "../../services/realtime.ts";
import type { ReceiptEventRecord } from "../../services/receipts.ts";
import { startWorker } from "../../services/worker.ts";
import { createTestDatabase } from "../support/database.ts";

const clock = manualClock("2026-11-24T10:00:00+09:00");
let db: Database;
let realtime: Realtime;
let manager: Actor;
/** Reads of a receipt's event log: the replay after afterSeq, and refills. */
let logReads = 0;

beforeAll(async () => {
  db = await createTestDatabase({
    onQuery: (sql) => {
      if (/^SELECT .* FROM "public"\."ReceiptEvent"/s.test(sql)) logReads++;
    },
  });
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

const publish = (event: ReceiptEventRecord) =>
  realtime.pubsub.publish("receipt:event", event.receiptId, event);

// Loses every even item event on its way, as a message lost between
// instances would be; the receipt's own events (accepted, final) get through.
const lossyEvents: EventsPort = {
  receiptEvent: (event) => {
    if (event.itemId === null || event.seq % 2 === 1) publish(event);
  },
  linesChanged: () => {},
};

/** Every even item event comes 15 ms late, after the next one: as if published by the other instance. */
const lateThroughRedis: EventsPort = {
  receiptEvent: (event) => {
    if (event.itemId !== null && event.seq % 2 === 0) setTimeout(() => publish(event), 15);
    else publish(event);
  },
  linesChanged: () => {},
};

async function accept(lines: number, events: EventsPort = lossyEvents) {
  const chosen = await db.prisma.line.findMany({
    where: { accountId: manager.accountId, contractStatus: "ACTIVE", status: "IN_SERVICE" },
    orderBy: { phoneNumber: "asc" },
    take: lines,
  });
  const change = await submitPermissionChange(
    db.prisma,
    clock,
    events,
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

function runWorker(events: EventsPort = lossyEvents) {
  const carrier = createCarrierSimulator(db.prisma, { latencyMs: { min: 0, max: 0 }, failureRate: 0 });
  return startWorker({
    db: db.prisma,
    carrier,
    mail: createMailDelivery(db.prisma, createMailer(), carrier),
    events,
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

/** The snapshot's batch first; then the worker runs and the rest of the stream is read, counting log reads. */
async function watchWhileApplying(receiptId: string, events: EventsPort) {
  const stream = watchReceiptProgressBatches({ db: db.prisma, realtime }, manager, receiptId);
  const first = await stream.next();
  const batches = [first.value as ProgressBatch];
  logReads = 0;
  const worker = runWorker(events);
  try {
    for await (const batch of stream) batches.push(batch);
  } finally {
    await worker.stop();
  }
  return { batches, logReadsAfterSnapshot: logReads };
}

const seqsAfterSnapshot = (batches: ProgressBatch[]) =>
  batches.flatMap((b) => b.events.filter((e) => !e.snapshot).map((e) => e.seq));

describe("watchReceiptProgressBatches with two instances", () => {
  it("waits for events still on their way instead of reading the log: every seq once, in order", async () => {
    const receiptId = await accept(6, lateThroughRedis);
    const { batches, logReadsAfterSnapshot } = await watchWhileApplying(receiptId, lateThroughRedis);
    // The snapshot at seq 1; 6 items × 2 transitions and the final event follow.
    expect(batches[0]?.events[0]).toMatchObject({ seq: 1, snapshot: true });
    expect(seqsAfterSnapshot(batches)).toEqual(Array.from({ length: 13 }, (_, i) => i + 2));
    expect(batches.at(-1)?.events.at(-1)).toMatchObject({ itemId: null, status: "SUCCEEDED" });
    expect(logReadsAfterSnapshot).toBe(0);
  });

  it("reads the log for events that never come: every seq once, in order", async () => {
    const receiptId = await accept(3, lossyEvents);
    const { batches, logReadsAfterSnapshot } = await watchWhileApplying(receiptId, lossyEvents);
    expect(seqsAfterSnapshot(batches)).toEqual([2, 3, 4, 5, 6, 7, 8]);
    expect(batches.at(-1)?.events.at(-1)).toMatchObject({ itemId: null, status: "SUCCEEDED" });
    expect(logReadsAfterSnapshot).toBeGreaterThan(0);
  });
});

describe("watchReceiptProgress with two instances", () => {
  it("waits for events still on their way instead of reading the log: every seq once, in order", async () => {
    const receiptId = await accept(6, lateThroughRedis);
    const stream = watchReceiptProgress({ db: db.prisma, realtime }, manager, receiptId);
    const snapshot = (await stream.next()).value as ProgressEvent;
    logReads = 0;
    const worker = runWorker(lateThroughRedis);
    const events: ProgressEvent[] = [];
    try {
      for await (const event of stream) events.push(event);
    } finally {
      await worker.stop();
    }
    expect(snapshot).toMatchObject({ seq: 1, snapshot: true });
    expect(events.map((e) => e.seq)).toEqual(Array.from({ length: 13 }, (_, i) => i + 2));
    // The one read of the log after the snapshot (the replay after afterSeq), and no refill.
    expect(logReads).toBe(1);
  });
});
