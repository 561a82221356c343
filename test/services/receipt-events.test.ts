// One place records and publishes receipt events: permission changes, mails
// and resends tell the events port of their accepted event after the commit,
// the worker of every later one, and for each receipt the port hears exactly
// its event log, in seq order, whatever its kind.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Actor } from "../../domain/auth/actor.ts";
import { manualClock } from "../../domain/clock.ts";
import type { Database } from "../../lib/db.ts";
import { createLogger } from "../../lib/logger.ts";
import { seedDemoIfEmpty } from "../../prisma/seed/demo.ts";
import { createCarrierSimulator } from "../../services/carrier/simulator.ts";
import { type EventsPort, publishingEvents } from "../../services/events.ts";
import { createMailDelivery } from "../../services/mail/delivery.ts";
import { createMailer } from "../../services/mail/mailer.ts";
import { requestMail, resendMail } from "../../services/mail-requests.ts";
import { submitPermissionChange } from "../../services/permission-change.ts";
import { createRealtime } from "../../services/realtime.ts";
import type { ReceiptEventRecord } from "../../services/receipts.ts";
import { startWorker } from "../../services/worker.ts";
import { createTestDatabase } from "../support/database.ts";
import { waitUntil } from "../support/wait.ts";

const clock = manualClock("2026-11-24T10:00:00+09:00");
let db: Database;

/** Until the receipt has ended (its last event logged). */
const finished = (receiptId: string) =>
  waitUntil(
    () => db.prisma.receipt.findUnique({ where: { id: receiptId }, select: { status: true } }),
    (receipt) => receipt !== null && receipt.status !== "PROCESSING",
    { what: `receipt ${receiptId} to end` },
  );
let manager: Actor;
const told: ReceiptEventRecord[] = [];
const linesTold: string[][] = [];
const events: EventsPort = {
  receiptEvent: (event) => told.push(event),
  linesChanged: (_accountId, lineIds) => linesTold.push(lineIds),
};

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

const toldFor = (receiptId: string) =>
  told
    .filter((e) => e.receiptId === receiptId)
    .map(({ seq, itemId, itemStatus, status }) => ({
      seq,
      itemId,
      itemStatus,
      status,
    }));

async function logOf(receiptId: string) {
  const rows = await db.prisma.receiptEvent.findMany({ where: { receiptId }, orderBy: { seq: "asc" } });
  return rows.map(({ seq, itemId, itemStatus, status }) => ({ seq, itemId, itemStatus, status }));
}

/** A receipt's events by what they say, items told apart by nothing but their status. */
const shape = (log: { itemId: string | null; itemStatus: string | null; status: string }[]) =>
  log.map((e) => (e.itemId === null ? `receipt:${e.status}` : `item:${e.itemStatus}`));

describe("the events port", () => {
  it("hears each receipt's whole event log in seq order, a mail's and a resend's as a permission change's", async () => {
    const smartphones = await db.prisma.line.findMany({
      where: {
        accountId: manager.accountId,
        contractStatus: "ACTIVE",
        deviceKind: "SMARTPHONE",
        appPreinstalled: false,
      },
      orderBy: { phoneNumber: "asc" },
      take: 4,
    });
    const accepted = { status: "PROCESSING", itemId: null, itemStatus: null, seq: 1 };

    const change = await submitPermissionChange(
      db.prisma,
      clock,
      events,
      manager,
      { acceptanceHours: "09:00-23:00" },
      {
        lines: smartphones.slice(0, 2).map((l) => ({ lineId: l.id, backup: true, phonebookMigration: true })),
      },
    );
    if (!change.ok) throw new Error(JSON.stringify(change.errors));
    // Told at acceptance, with the lines it marked PROCESSING, before any worker ran.
    expect(toldFor(change.receiptId)).toEqual([accepted]);
    const changed = smartphones.slice(0, 2).map((l) => l.id);
    expect(linesTold.map((ids) => [...ids].sort())).toEqual([[...changed].sort()]);

    const mail = await requestMail(db.prisma, clock, events, manager, "APP_DOWNLOAD_MAIL", {
      lineIds: smartphones.slice(2, 4).map((l) => l.id),
    });
    if (!mail.ok) throw new Error(JSON.stringify(mail.errors));
    expect(toldFor(mail.receiptId)).toEqual([accepted]);

    const worker = startWorker({
      db: db.prisma,
      carrier: createCarrierSimulator(db.prisma, { latencyMs: { min: 0, max: 0 }, failureRate: 0 }),
      mail: createMailDelivery(
        db.prisma,
        createMailer(),
        createCarrierSimulator(db.prisma, { latencyMs: { min: 0, max: 0 }, failureRate: 0 }),
      ),
      events,
      logger: createLogger("silent"),
      pollMs: 20,
      now: clock.now,
    });
    try {
      // The worker finds new items at its next poll: wait for the receipts to end, not for a quiet moment.
      await finished(change.receiptId);
      await finished(mail.receiptId);
      const resend = await resendMail(db.prisma, clock, events, manager, "APP_DOWNLOAD_MAIL", {
        receiptId: mail.receiptId,
      });
      if (!resend.ok) throw new Error(JSON.stringify(resend.errors));
      expect(toldFor(resend.receiptId)).toEqual([accepted]);
      await finished(resend.receiptId);

      const twoItems = [
        "receipt:PROCESSING",
        "item:PROCESSING",
        "item:PROCESSING",
        "item:SUCCEEDED",
        "item:SUCCEEDED",
        "receipt:SUCCEEDED",
      ];
      for (const receiptId of [change.receiptId, mail.receiptId, resend.receiptId]) {
        const log = await logOf(receiptId);
        expect(toldFor(receiptId)).toEqual(log);
        expect(log.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6]);
        // Items may finish in either order, and one may finish before the other starts.
        expect([...shape(log)].sort()).toEqual([...twoItems].sort());
        expect(shape(log)[0]).toBe("receipt:PROCESSING");
        expect(shape(log).at(-1)).toBe("receipt:SUCCEEDED");
      }
      // Lines changed again as each item succeeded (a mail's too: its 依頼メール送信日時).
      expect(linesTold.slice(1).flat()).toEqual(expect.arrayContaining([...changed, smartphones[2]!.id]));
    } finally {
      await worker.stop();
    }
  });
});

describe("the server's events port (publishingEvents)", () => {
  it("publishes to the receipt's and the account's topics, and wakes the worker for an accepted receipt only", async () => {
    const realtime = createRealtime();
    let wakes = 0;
    const port = publishingEvents(realtime.pubsub, () => wakes++);
    // Listening before anything is published, as a watcher of the receipt would.
    const watcher = realtime.subscribe("receipt:event", "r1");
    const lines = realtime.subscribe("lines:changed", "a1");
    const at = new Date();
    const accepted = {
      receiptId: "r1",
      seq: 1,
      itemId: null,
      itemStatus: null,
      status: "PROCESSING" as const,
      createdAt: at,
    };
    const started = { ...accepted, seq: 2, itemId: "i1", itemStatus: "PROCESSING" as const };
    const final = { ...accepted, seq: 3, status: "SUCCEEDED" as const };
    for (const event of [accepted, started, final]) port.receiptEvent(event);
    port.linesChanged("a1", ["l1"]);
    expect([
      (await watcher.next()).value,
      (await watcher.next()).value,
      (await watcher.next()).value,
    ]).toEqual([accepted, started, final]);
    expect((await lines.next()).value).toEqual({ lineIds: ["l1"] });
    expect(wakes).toBe(1);
    await watcher.return();
    await lines.return();
    await realtime.close();
  });
});
