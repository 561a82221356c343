// Receipts: numbers, the per-receipt event log, and finishing a receipt.
import { v7 as uuidv7 } from "uuid";
import { jstDayKey } from "../domain/time.ts";
import { bulkInsert } from "../prisma/bulk.ts";
import type { Prisma } from "../prisma/generated/client/client.ts";
import type { ReceiptItemStatus, ReceiptStatus } from "../prisma/generated/client/enums.ts";

type Tx = Prisma.TransactionClient;

/** One line of a receipt, as accepted; the worker fills in the rest. */
export interface NewReceiptItem {
  lineId: string;
  groupName: string | null;
  phoneNumber: string;
  lineName: string;
  lineVersion: number;
  /** Target flags for a permission change; null for mails. */
  backup: boolean | null;
  phonebookMigration: boolean | null;
  resendOfId: string | null;
}

/**
 * Writes a receipt's items in one statement, in the order given (position).
 * Prisma's createMany binds every column of every row as its own parameter
 * (2,200 for 200 lines) and was most of a 200-line submit's time (npm run
 * bench); one JSON parameter expanded by Postgres is several times faster.
 * Ids are made here, as Prisma would (@default(uuid(7)) is Prisma-side).
 */
export async function insertReceiptItems(tx: Tx, receiptId: string, items: NewReceiptItem[]) {
  const due = new Date();
  await bulkInsert(
    tx,
    "ReceiptItem",
    items.map((item, position) => ({
      id: uuidv7(),
      receiptId,
      position,
      ...item,
      nextAttemptAt: due,
    })),
  );
}

/**
 * 受付番号: JST YYYYMMDD + an 8-digit daily sequence. The counter row is
 * incremented with one atomic upsert, so numbers stay unique across
 * concurrent requests and several server processes on one database.
 */
export async function nextReceiptNumber(tx: Tx, at: Date): Promise<string> {
  const day = jstDayKey(at);
  const rows = await tx.$queryRaw<{ last: number }[]>`
    INSERT INTO "ReceiptNumberCounter" ("day", "last") VALUES (${day}, 1)
    ON CONFLICT ("day") DO UPDATE SET "last" = "ReceiptNumberCounter"."last" + 1
    RETURNING "last"`;
  const last = rows[0]?.last;
  if (!last || last > 99_999_999) throw new Error(`receipt sequence exhausted for ${day}`);
  return `${day}${String(last).padStart(8, "0")}`;
}

export interface ReceiptEventRecord {
  receiptId: string;
  seq: number;
  itemId: string | null;
  itemStatus: ReceiptItemStatus | null;
  status: ReceiptStatus;
  createdAt: Date;
}

/**
 * Appends to the receipt's ordered event log. Incrementing lastSeq locks the
 * receipt row until the transaction ends, so events of one receipt get
 * gap-free, strictly increasing sequence numbers in commit order.
 */
export async function appendEvent(
  tx: Tx,
  receiptId: string,
  event: { itemId?: string; itemStatus?: ReceiptItemStatus; status: ReceiptStatus; at: Date },
): Promise<ReceiptEventRecord> {
  const { lastSeq } = await tx.receipt.update({
    where: { id: receiptId },
    data: { lastSeq: { increment: 1 } },
    select: { lastSeq: true },
  });
  return tx.receiptEvent.create({
    data: {
      receiptId,
      seq: lastSeq,
      itemId: event.itemId ?? null,
      itemStatus: event.itemStatus ?? null,
      status: event.status,
      createdAt: event.at,
    },
  });
}

/**
 * Appends several events to one receipt's log with two statements instead
 * of two per event (the worker claims up to WORKER_CONCURRENCY items at once,
 * and each claim logs a PROCESSING event per item). Same ordering guarantee
 * as appendEvent: the lastSeq increment locks the receipt row.
 */
export async function appendEvents(
  tx: Tx,
  receiptId: string,
  events: { itemId?: string; itemStatus?: ReceiptItemStatus; status: ReceiptStatus; at: Date }[],
): Promise<ReceiptEventRecord[]> {
  if (events.length === 0) return [];
  const { lastSeq } = await tx.receipt.update({
    where: { id: receiptId },
    data: { lastSeq: { increment: events.length } },
    select: { lastSeq: true },
  });
  const first = lastSeq - events.length + 1;
  const records = events.map((event, i) => ({
    receiptId,
    seq: first + i,
    itemId: event.itemId ?? null,
    itemStatus: event.itemStatus ?? null,
    status: event.status,
    createdAt: event.at,
  }));
  await tx.receiptEvent.createMany({ data: records });
  return records;
}

/**
 * Closes the receipt when none of its items is still open: SUCCEEDED, or
 * FAILED when at least one item failed. Returns the final event, if any.
 */
export async function finishReceiptIfDone(
  tx: Tx,
  receiptId: string,
  at: Date,
): Promise<ReceiptEventRecord | null> {
  const open = await tx.receiptItem.count({
    where: { receiptId, status: { in: ["PENDING", "PROCESSING"] } },
  });
  if (open > 0) return null;
  const failed = await tx.receiptItem.count({ where: { receiptId, status: "FAILED" } });
  const status: ReceiptStatus = failed > 0 ? "FAILED" : "SUCCEEDED";
  const closed = await tx.receipt.updateMany({
    where: { id: receiptId, status: "PROCESSING" },
    data: { status, completedAt: at },
  });
  if (closed.count === 0) return null;
  return appendEvent(tx, receiptId, { status, at });
}
