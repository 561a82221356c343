// Applies receipt items through the carrier (R7). The queue is the
// ReceiptItem table itself, a transactional outbox: items are written in the
// same transaction as their receipt, claimed with FOR UPDATE SKIP LOCKED under
// a lease, and finished with a guarded update. pg-boss would need several
// connections and LISTEN/NOTIFY, which the embedded single-connection PGlite
// does not offer; this works identically on PGlite and PostgreSQL and across
// several server processes.
//
// Guarantees: an item is never lost (a crashed worker's lease expires and
// another worker claims it); a line's flags change once per item (only the
// lease holder may finish it, and the carrier is idempotent per item id).
import { randomUUID } from "node:crypto";
import { carrierMessages, mailErrorMessages } from "../domain/messages.ts";
import type { Prisma } from "../prisma/generated/client/client.ts";
import type { Db } from "../server/db.ts";
import type { Logger } from "../server/logger.ts";
import { type Carrier, CarrierError } from "./carrier/port.ts";
import { type EventsPort, noEvents } from "./events.ts";
import { MailError } from "./mail/mailer.ts";
import { appendEvent, appendEvents, finishReceiptIfDone, type ReceiptEventRecord } from "./receipts.ts";

export interface WorkerOptions {
  db: Db;
  carrier: Carrier;
  /** Delivers APP_DOWNLOAD_MAIL and PASSWORD_NOTICE_MAIL items. */
  mail?: MailDelivery;
  logger: Logger;
  /** Items applied at once by this process. */
  concurrency?: number;
  /** How long a claim lasts before another worker may take the item over. */
  leaseMs?: number;
  pollMs?: number;
  maxAttempts?: number;
  /** Told of each committed receipt event and line change (realtime fan-out hooks in here). */
  events?: EventsPort;
  /** Business time for completedAt (FAKE_NOW); queue timing always uses real time. */
  now?: () => Date;
}

interface ClaimedItem {
  accountId: string;
  kind: "PERMISSION_CHANGE" | "APP_DOWNLOAD_MAIL" | "PASSWORD_NOTICE_MAIL";
  id: string;
  receiptId: string;
  lineId: string;
  phoneNumber: string;
  backup: boolean | null;
  phonebookMigration: boolean | null;
  attempts: number;
  wasPending: boolean;
}

/** Why an item did not go through, and whether another attempt may help. */
export class ItemFailure extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
  }
}

function asFailure(error: unknown): ItemFailure {
  if (error instanceof ItemFailure) return error;
  if (error instanceof CarrierError) return new ItemFailure(error.code, error.message, error.retryable);
  if (error instanceof MailError)
    return new ItemFailure("MAIL_FAILED", mailErrorMessages.MAIL_FAILED, error.retryable);
  return new ItemFailure("CARRIER_UNAVAILABLE", carrierMessages.CARRIER_UNAVAILABLE, true);
}

export interface MailDelivery {
  deliver(item: {
    itemId: string;
    kind: "APP_DOWNLOAD_MAIL" | "PASSWORD_NOTICE_MAIL";
    lineId: string;
  }): Promise<void>;
}

/** Logs an item's final state and closes its receipt when it was the last open item. */
async function logFinalState(
  tx: Prisma.TransactionClient,
  item: { id: string; receiptId: string },
  itemStatus: "SUCCEEDED" | "FAILED",
  at: Date,
) {
  const event = await appendEvent(tx, item.receiptId, {
    itemId: item.id,
    itemStatus,
    status: "PROCESSING",
    at,
  });
  return [event, await finishReceiptIfDone(tx, item.receiptId, at)];
}

/**
 * Lets sockets and timers run before the next piece of work. With a carrier
 * that answers at once (the simulator at 0 ms) and PGlite, whose queries
 * resolve without an I/O turn, a whole batch ran as one chain of microtasks:
 * npm run bench saw the gateway's event loop stall for the 2.7 s a
 * 200-line batch took, /health and every socket waiting.
 */
const yieldToIo = () => new Promise<void>((resolve) => setImmediate(resolve));

export function backoffMs(attempt: number): number {
  return Math.min(60_000, 500 * 2 ** (attempt - 1));
}

export function startWorker(options: WorkerOptions) {
  const { db, carrier, logger } = options;
  const owner = `worker-${randomUUID()}`;
  const concurrency = options.concurrency ?? 8;
  const leaseMs = options.leaseMs ?? 30_000;
  const pollMs = options.pollMs ?? 200;
  const maxAttempts = options.maxAttempts ?? 5;
  const businessNow = options.now ?? (() => new Date());
  const events = options.events ?? noEvents;
  const emit = (event: ReceiptEventRecord | null) => {
    if (event) events.receiptEvent(event);
  };

  let stopped = false;
  let inFlight = 0;
  let wake: (() => void) | undefined;
  const idle = new Set<() => void>();

  async function claim(limit: number): Promise<ClaimedItem[]> {
    const now = new Date();
    const leaseUntil = new Date(now.getTime() + leaseMs);
    const logged: ReceiptEventRecord[] = [];
    const claimed = await db.$transaction(async (tx) => {
      const rows = await tx.$queryRaw<ClaimedItem[]>`
        WITH picked AS (
          SELECT i."id", i."status" FROM "ReceiptItem" i
          JOIN "Receipt" r ON r."id" = i."receiptId"
          WHERE (i."status" = 'PENDING' AND i."nextAttemptAt" <= ${now})
             OR (i."status" = 'PROCESSING' AND i."leaseUntil" < ${now})
          ORDER BY i."nextAttemptAt", i."receiptId", i."position"
          LIMIT ${limit}
          FOR UPDATE OF i SKIP LOCKED
        )
        UPDATE "ReceiptItem" i SET "status" = 'PROCESSING', "leaseOwner" = ${owner},
          "leaseUntil" = ${leaseUntil}, "attempts" = i."attempts" + 1
        FROM picked, "Receipt" r WHERE i."id" = picked."id" AND r."id" = i."receiptId"
        RETURNING r."accountId"::text AS "accountId", r."kind"::text AS kind, i."id"::text AS id, i."receiptId"::text AS "receiptId", i."lineId"::text AS "lineId",
          i."phoneNumber" AS "phoneNumber", i."backup", i."phonebookMigration", i."attempts",
          (picked."status" = 'PENDING') AS "wasPending"`;
      // One PROCESSING event per newly started item, appended per receipt.
      const started = new Map<string, ClaimedItem[]>();
      for (const row of rows.filter((r) => r.wasPending)) {
        started.set(row.receiptId, [...(started.get(row.receiptId) ?? []), row]);
      }
      for (const [receiptId, items] of started) {
        const at = businessNow();
        logged.push(
          ...(await appendEvents(
            tx,
            receiptId,
            items.map((item) => ({
              itemId: item.id,
              itemStatus: "PROCESSING" as const,
              status: "PROCESSING" as const,
              at,
            })),
          )),
        );
      }
      return rows;
    });
    // Published after the commit, so a subscriber reading the receipt for
    // these events sees them.
    logged.forEach(emit);
    return claimed;
  }

  async function succeed(item: ClaimedItem) {
    const at = businessNow();
    const logged = await db.$transaction(async (tx) => {
      const done = await tx.receiptItem.updateMany({
        where: { id: item.id, status: "PROCESSING", leaseOwner: owner },
        data: { status: "SUCCEEDED", completedAt: at, leaseOwner: null, leaseUntil: null },
      });
      if (done.count === 0) return []; // lease lost: another worker owns the item now
      if (item.kind === "PERMISSION_CHANGE") {
        await tx.line.update({
          where: { id: item.lineId },
          data: {
            backup: item.backup ?? undefined,
            phonebookMigration: item.phonebookMigration ?? undefined,
            version: { increment: 1 },
            status: "IN_SERVICE",
          },
        });
      } else if (item.kind === "APP_DOWNLOAD_MAIL") {
        await tx.line.update({ where: { id: item.lineId }, data: { lastAppDownloadMailAt: at } });
      }
      return logFinalState(tx, item, "SUCCEEDED", at);
    });
    logged.forEach(emit);
    if (logged.length > 0) events.linesChanged(item.accountId, [item.lineId]);
  }

  async function fail(item: ClaimedItem, error: ItemFailure) {
    const at = businessNow();
    const retry = error.retryable && item.attempts < maxAttempts;
    const logged = await db.$transaction(async (tx) => {
      if (retry) {
        // Back off by releasing the item with a lease that ends when the next
        // attempt is due: the claim query takes it again after that, and no
        // new PROCESSING event is logged for a retry.
        await tx.receiptItem.updateMany({
          where: { id: item.id, status: "PROCESSING", leaseOwner: owner },
          data: {
            status: "PROCESSING",
            leaseUntil: new Date(Date.now() + backoffMs(item.attempts)),
            leaseOwner: null,
          },
        });
        return [];
      }
      const done = await tx.receiptItem.updateMany({
        where: { id: item.id, status: "PROCESSING", leaseOwner: owner },
        data: {
          status: "FAILED",
          completedAt: at,
          errorCode: error.code,
          errorMessage: error.message,
          leaseOwner: null,
          leaseUntil: null,
        },
      });
      if (done.count === 0) return [];
      // The flags stay as they were; the line is free for the next change.
      if (item.kind === "PERMISSION_CHANGE") {
        await tx.line.update({ where: { id: item.lineId }, data: { status: "IN_SERVICE" } });
      }
      return logFinalState(tx, item, "FAILED", at);
    });
    logged.forEach(emit);
    if (logged.length > 0 && item.kind === "PERMISSION_CHANGE")
      events.linesChanged(item.accountId, [item.lineId]);
  }

  async function perform(item: ClaimedItem) {
    if (item.kind === "PERMISSION_CHANGE") {
      await carrier.applyPermissions({
        requestId: item.id,
        phoneNumber: item.phoneNumber,
        backup: item.backup ?? false,
        phonebookMigration: item.phonebookMigration ?? false,
      });
      return;
    }
    if (!options.mail) throw new ItemFailure("MAIL_FAILED", mailErrorMessages.MAIL_FAILED, true);
    await options.mail.deliver({ itemId: item.id, kind: item.kind, lineId: item.lineId });
  }

  async function apply(item: ClaimedItem) {
    await yieldToIo();
    try {
      await perform(item);
      await succeed(item);
    } catch (error) {
      const failure = asFailure(error);
      if (failure.code === "CARRIER_UNAVAILABLE") logger.warn({ err: error, itemId: item.id }, "item failed");
      await fail(item, failure).catch((e: unknown) => logger.error({ err: e }, "could not record failure"));
    }
  }

  async function loop() {
    while (!stopped) {
      await yieldToIo();
      let claimed: ClaimedItem[] = [];
      const free = concurrency - inFlight;
      if (free > 0) {
        try {
          claimed = await claim(free);
        } catch (error) {
          if (stopped) break;
          logger.error({ err: error }, "claiming receipt items failed");
        }
      }
      for (const item of claimed) {
        inFlight++;
        void apply(item).finally(() => {
          inFlight--;
          wake?.();
        });
      }
      if (claimed.length === 0 && inFlight === 0) for (const resolve of idle) resolve();
      if (claimed.length === 0 || inFlight >= concurrency) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, pollMs);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        wake = undefined;
      }
    }
  }

  const running = loop();
  return {
    owner,
    /** Look for work now (after a submit) instead of at the next poll. */
    kick() {
      wake?.();
    },
    /** Resolves when this worker has found nothing to do and nothing is in flight. */
    whenIdle(): Promise<void> {
      return new Promise((resolve) => {
        const done = () => {
          idle.delete(done);
          resolve();
        };
        idle.add(done);
        wake?.();
      });
    },
    async stop() {
      stopped = true;
      wake?.();
      await running;
      while (inFlight > 0) await new Promise((resolve) => setTimeout(resolve, 20));
    },
  };
}

export type Worker = ReturnType<typeof startWorker>;
