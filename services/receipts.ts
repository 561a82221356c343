// One way to write a receipt, whatever its kind: the number, the
// administrator it shows, the items, the idempotency key (R17) and the event
// that opens its log are written here; each kind (permission-change.ts,
// mail-requests.ts) supplies only its own checks and items. Also the
// per-receipt event log and finishing a receipt, which the queue uses.
import { v7 as uuidv7 } from "uuid";
import type { Actor } from "../domain/auth/actor.ts";
import { idempotencyMessages } from "../domain/messages.ts";
import { jstDayKey } from "../domain/time.ts";
import type { Db } from "../lib/db.ts";
import { bulkInsert } from "../prisma/bulk.ts";
import type { Prisma } from "../prisma/generated/client/client.ts";
import type { ReceiptItemStatus, ReceiptKind, ReceiptStatus } from "../prisma/generated/client/enums.ts";
import { audit, auditActorOf } from "./audit.ts";
import { changesOf, recordLineChanges } from "./change-feed.ts";
import type { EventsPort } from "./events.ts";
import { earlierRequest, type KeyedRequest, keyColumns, lostKeyRace } from "./idempotency.ts";
import {
  type LineChangedState,
  lineChangedEventsOf,
  receiptAcceptedEvent,
  recordWebhookEvents,
} from "./webhooks/outbox.ts";

type Tx = Prisma.TransactionClient;

/** Why a request was refused: a user error, with the lines it is about. */
export interface ChangeError {
  code: string;
  message: string;
  field?: string;
  lineIds: string[];
}

/** A receipt as its kind describes it, once the kind's own checks have passed. */
export interface ReceiptDraft {
  kind: ReceiptKind;
  items: NewReceiptItem[];
  /** R11: the receipt this one resends. */
  parentId?: string | null;
  /** What the audit log calls it (R15); the entry's detail holds the number and the count of lines. */
  auditAction: string;
  /**
   * Lines whose state acceptance changed (R5 marks them PROCESSING), in their
   * new state (line.changed shows it), told to watchers after the commit.
   */
  linesChanged?: LineChangedState[];
}

/**
 * R17 for every kind: a keyed request its caller made before is answered from
 * the earlier receipt (`replayed`), or refused when its body differs; so is
 * one that lost the race to a concurrent request with the same key (the
 * unique index lets one in). Otherwise `accept` runs.
 */
export async function acceptOnce<T>(
  db: Db,
  actor: Actor,
  kind: ReceiptKind,
  keyed: KeyedRequest | null,
  answers: {
    replayed(earlier: { receiptId: string; items: number }): T;
    refused(errors: ChangeError[]): T;
  },
  accept: () => Promise<T>,
): Promise<T> {
  const replay = async (request: KeyedRequest): Promise<T | null> => {
    const earlier = await earlierRequest(db, actor, kind, request);
    if (earlier === null) return null;
    return earlier === "reused" ? answers.refused([keyReused]) : answers.replayed(earlier);
  };
  if (keyed) {
    const earlier = await replay(keyed);
    if (earlier !== null) return earlier;
  }
  try {
    return await accept();
  } catch (error) {
    if (lostKeyRace(keyed, error)) {
      const raced = await replay(keyed);
      if (raced !== null) return raced;
    }
    throw error;
  }
}

const keyReused: ChangeError = {
  code: "IDEMPOTENCY_KEY_REUSED",
  message: idempotencyMessages.IDEMPOTENCY_KEY_REUSED,
  field: "idempotencyKey",
  lineIds: [],
};

/**
 * Accepts a receipt in one transaction: the kind's checks and writes
 * (`draft`; it throws to refuse, and then nothing is written), then the
 * receipt with its number, administrator and key, its items, the event that
 * opens its log and the audit entry. After the commit `events` hears of the
 * accepted event (the worker looks for the items) and of the lines the kind
 * changed.
 */
export async function acceptReceipt(
  db: Db,
  events: EventsPort,
  actor: Actor,
  acceptance: {
    at: Date;
    keyed?: KeyedRequest | null;
    ip?: string | null;
    /** Interactive transaction limits, for kinds whose checks lock many rows. */
    transaction?: { timeout: number; maxWait: number };
  },
  draft: (tx: Tx) => Promise<ReceiptDraft>,
): Promise<{ receiptId: string; items: number }> {
  const { at } = acceptance;
  const accepted = await db.$transaction(async (tx) => {
    const receipt = await draft(tx);
    const admin = await receiptAdmin(tx, actor);
    const { id, number } = await tx.receipt.create({
      data: {
        accountId: actor.accountId,
        number: await nextReceiptNumber(tx, at),
        kind: receipt.kind,
        adminId: admin.adminId,
        apiTokenId: actor.kind === "apiToken" ? actor.tokenId : null,
        adminName: admin.name,
        adminLoginId: admin.loginId,
        receivedAt: at,
        parentId: receipt.parentId ?? null,
        ...keyColumns(acceptance.keyed ?? null),
      },
    });
    await insertReceiptItems(tx, id, receipt.items);
    const event = await appendEvent(tx, id, { status: "PROCESSING", at });
    await audit(tx, auditActorOf(actor), receipt.auditAction, {
      at,
      ip: acceptance.ip,
      receiptId: id,
      lineIds: receipt.items.map((item) => item.lineId),
      detail: {
        number,
        lines: receipt.items.length,
        ...(receipt.parentId ? { resendOf: receipt.parentId } : {}),
      },
    });
    // Webhooks: the outbox rows commit with the receipt (services/webhooks/outbox.ts).
    const lineIds = receipt.items.map((item) => item.lineId);
    const changed = receipt.linesChanged ?? [];
    const changedIds = changed.map((line) => line.id);
    await recordWebhookEvents(tx, [
      await receiptAcceptedEvent(
        tx,
        { id, accountId: actor.accountId, number, kind: receipt.kind, lineIds, at },
        // The lines acceptance changed are the receipt's lines: their groups are known.
        changed.length === lineIds.length ? changed.map((line) => line.groupId) : undefined,
      ),
      ...lineChangedEventsOf(changed, at),
    ]);
    // The change feed: last, after every line lock (services/change-feed.ts).
    await recordLineChanges(tx, actor.accountId, changesOf(changedIds, "STATUS_CHANGED"), at);
    return { event, items: receipt.items.length, linesChanged: changedIds };
  }, acceptance.transaction);
  events.receiptEvent(accepted.event);
  if (accepted.linesChanged.length > 0) events.linesChanged(actor.accountId, accepted.linesChanged);
  return { receiptId: accepted.event.receiptId, items: accepted.items };
}

/** The name and loginId a receipt shows: the administrator, or the token's creator for MDM tools. */
async function receiptAdmin(tx: Tx, actor: Actor) {
  const adminId = actor.kind === "admin" ? actor.adminId : actor.createdById;
  const admin = await tx.administrator.findUniqueOrThrow({ where: { id: adminId } });
  return {
    adminId: admin.id,
    name: actor.kind === "admin" ? admin.name : `${admin.name} (API: ${actor.tokenName})`,
    loginId: admin.loginId,
  };
}

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
async function insertReceiptItems(tx: Tx, receiptId: string, items: NewReceiptItem[]) {
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
