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
//
// Outages are waited out: a temporary carrier or SMTP error is retried with
// capped exponential backoff and full jitter until RETRY_HORIZON_MS after the
// item's first attempt; only a permanent answer or that horizon fails it. A
// circuit breaker per dependency (services/circuits.ts) stops the calls while
// it is down: items that need it are not claimed, or are put back without
// using an attempt, until it half-opens; when it answers again, the items
// waiting for it are due at once.
import { randomUUID } from "node:crypto";
import { carrierMessages, mailErrorMessages } from "../domain/messages.ts";
import type { Prisma } from "../prisma/generated/client/client.ts";
import type { Db } from "../server/db.ts";
import type { Logger } from "../server/logger.ts";
import { type Carrier, CarrierError } from "./carrier/port.ts";
import {
  CircuitOpenError,
  type CircuitOptions,
  type Circuits,
  createCircuits,
  type Dependency,
  type DependencyCircuit,
} from "./circuits.ts";
import { type DatabaseOutage, isDatabaseUnavailable, trackDatabaseOutage } from "./errors.ts";
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
  /** Backoff and horizon of temporary errors (defaults: defaultRetryPolicy). */
  retry?: Partial<RetryPolicy>;
  /** This worker's circuit breakers, shared by its concurrent items. */
  circuits?: CircuitOptions;
  /** Injected for deterministic tests (the backoff's jitter). */
  random?: () => number;
  /** Told of each committed receipt event and line change (realtime fan-out hooks in here). */
  events?: EventsPort;
  /** Business time for completedAt (FAKE_NOW); queue timing always uses real time. */
  now?: () => Date;
  /** Where the process reports a database outage (logged once per outage); the worker's own by default. */
  databaseOutage?: DatabaseOutage;
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
  firstAttemptAt: Date;
  waitingFor: WaitingFor | null;
  wasPending: boolean;
}

type WaitingFor = "CARRIER" | "MAIL_SERVER";
const waitingFor: Record<Dependency, WaitingFor> = { carrier: "CARRIER", smtp: "MAIL_SERVER" };

/** The dependencies an item's kind calls, in the order it calls them. */
const needs: Record<ClaimedItem["kind"], Dependency[]> = {
  PERMISSION_CHANGE: ["carrier"],
  APP_DOWNLOAD_MAIL: ["smtp"],
  PASSWORD_NOTICE_MAIL: ["carrier", "smtp"],
};

/** Which dependency a temporary error came from (null: neither, e.g. the database). */
function dependencyOf(error: unknown): Dependency | null {
  if (error instanceof CarrierError) return "carrier";
  if (error instanceof MailError) return "smtp";
  return null;
}

/** The code and message an item fails with when its dependency stayed down past the horizon. */
const unavailable: Record<Dependency, () => ItemFailure> = {
  carrier: () => new ItemFailure("CARRIER_UNAVAILABLE", carrierMessages.CARRIER_UNAVAILABLE, true),
  smtp: () => new ItemFailure("MAIL_FAILED", mailErrorMessages.MAIL_FAILED, true),
};

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

export interface RetryPolicy {
  /** The backoff's first ceiling; it doubles with each attempt. */
  baseMs: number;
  /** The largest backoff. */
  capMs: number;
  /** Temporary errors fail an item only this long after its first attempt. */
  horizonMs: number;
}

/**
 * 1 s, 2 s, 4 s … 5 min ceilings, retried for 24 h: webhook senders retry for
 * about three days (Standard Webhooks, Svix), a day covers a carrier's or
 * mail server's maintenance night, and an administrator still learns within
 * the working day after that an item did not go through.
 */
export const defaultRetryPolicy: RetryPolicy = { baseMs: 1_000, capMs: 300_000, horizonMs: 24 * 3_600_000 };

/**
 * The wait before retry number `attempt` (1 = after the first attempt): "full
 * jitter" (AWS Architecture Blog, Exponential Backoff and Jitter), uniformly
 * below a ceiling that doubles per attempt up to the cap, so items that failed
 * together do not come back together.
 */
export function retryDelayMs(
  attempt: number,
  policy: Pick<RetryPolicy, "baseMs" | "capMs">,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** Math.min(Math.max(attempt - 1, 0), 40));
  return Math.floor(random() * ceiling);
}

export function startWorker(options: WorkerOptions) {
  const { db, carrier, logger } = options;
  const owner = `worker-${randomUUID()}`;
  const concurrency = options.concurrency ?? 8;
  const leaseMs = options.leaseMs ?? 30_000;
  const pollMs = options.pollMs ?? 200;
  const retry = { ...defaultRetryPolicy, ...options.retry };
  const random = options.random ?? Math.random;
  const circuits: Circuits = createCircuits(options.circuits);
  for (const circuit of [circuits.carrier, circuits.smtp]) {
    circuit.onChange((state) => {
      if (state === "open")
        logger.warn({ dependency: circuit.dependency }, "circuit open: items that need it wait");
      else if (state === "closed") {
        logger.info({ dependency: circuit.dependency }, "circuit closed: waiting items are due now");
        void resumeWaiting(circuit.dependency);
      }
    });
  }
  const businessNow = options.now ?? (() => new Date());
  const events = options.events ?? noEvents;
  const databaseOutage = options.databaseOutage ?? trackDatabaseOutage(logger);
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
    // Kinds whose dependency is down stay where they are until it may be probed.
    const blocked = (Object.keys(needs) as ClaimedItem["kind"][]).filter((kind) =>
      needs[kind].some((dependency) => circuits[dependency].blockedUntil()),
    );
    const claimed = await db.$transaction(async (tx) => {
      const rows = await tx.$queryRaw<ClaimedItem[]>`
        WITH picked AS (
          SELECT i."id", i."status" FROM "ReceiptItem" i
          JOIN "Receipt" r ON r."id" = i."receiptId"
          WHERE ((i."status" = 'PENDING' AND i."nextAttemptAt" <= ${now})
             OR (i."status" = 'PROCESSING' AND i."leaseUntil" < ${now}))
            AND r."kind"::text <> ALL(${blocked}::text[])
          ORDER BY i."nextAttemptAt", i."receiptId", i."position"
          LIMIT ${limit}
          FOR UPDATE OF i SKIP LOCKED
        )
        UPDATE "ReceiptItem" i SET "status" = 'PROCESSING', "leaseOwner" = ${owner},
          "leaseUntil" = ${leaseUntil}, "attempts" = i."attempts" + 1,
          "firstAttemptAt" = COALESCE(i."firstAttemptAt", ${now})
        FROM picked, "Receipt" r WHERE i."id" = picked."id" AND r."id" = i."receiptId"
        RETURNING r."accountId"::text AS "accountId", r."kind"::text AS kind, i."id"::text AS id, i."receiptId"::text AS "receiptId", i."lineId"::text AS "lineId",
          i."phoneNumber" AS "phoneNumber", i."backup", i."phonebookMigration", i."attempts",
          i."firstAttemptAt", i."waitingFor"::text AS "waitingFor",
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
        data: {
          status: "SUCCEEDED",
          completedAt: at,
          leaseOwner: null,
          leaseUntil: null,
          waitingFor: null,
          retryAt: null,
        },
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

  const horizonEnd = (item: ClaimedItem) => item.firstAttemptAt.getTime() + retry.horizonMs;

  /** After a temporary error: again after a backoff, until the horizon has passed. */
  async function retryOrFail(item: ClaimedItem, error: ItemFailure, dependency: Dependency | null) {
    const now = Date.now();
    if (!error.retryable || now >= horizonEnd(item)) return fail(item, error);
    // A blip is just retried; while the circuit is open, the item says what it waits for.
    const down = dependency !== null && circuits[dependency].state() !== "closed";
    await retryLater(item, {
      retryAt: new Date(Math.min(now + retryDelayMs(item.attempts, retry, random), horizonEnd(item))),
      waitingFor: down ? waitingFor[dependency] : item.waitingFor,
      refund: false,
    });
  }

  /** Not attempted, its dependency being down: back when the circuit may be probed, no attempt used. */
  async function putBack(item: ClaimedItem, dependency: Dependency, until: Date) {
    const end = horizonEnd(item);
    if (Date.now() >= end) return fail(item, unavailable[dependency](), true);
    await retryLater(item, {
      retryAt: new Date(Math.min(until.getTime(), end)),
      waitingFor: waitingFor[dependency],
      refund: true,
    });
  }

  /**
   * Releases the item with a lease that ends when its next attempt is due:
   * the claim query takes it again then. Logs one event when the item starts
   * waiting for a dependency, so watchers see why; none per retry.
   */
  async function retryLater(
    item: ClaimedItem,
    next: { retryAt: Date; waitingFor: WaitingFor | null; refund: boolean },
  ) {
    const at = businessNow();
    const logged = await db.$transaction(async (tx) => {
      const done = await tx.receiptItem.updateMany({
        where: { id: item.id, status: "PROCESSING", leaseOwner: owner },
        data: {
          leaseUntil: next.retryAt,
          leaseOwner: null,
          // Behind the items that were due before it: each gets its turn (the claim orders by it).
          nextAttemptAt: next.retryAt,
          retryAt: next.retryAt,
          waitingFor: next.waitingFor,
          ...(next.refund ? { attempts: { decrement: 1 } } : {}),
        },
      });
      if (done.count === 0 || !next.waitingFor || next.waitingFor === item.waitingFor) return [];
      return [
        await appendEvent(tx, item.receiptId, {
          itemId: item.id,
          itemStatus: "PROCESSING",
          status: "PROCESSING",
          at,
        }),
      ];
    });
    logged.forEach(emit);
  }

  /** A dependency answers again: items waiting for it are due now, not at the end of their backoff. */
  async function resumeWaiting(dependency: Dependency) {
    try {
      const now = new Date();
      await db.receiptItem.updateMany({
        where: {
          status: "PROCESSING",
          leaseOwner: null,
          waitingFor: waitingFor[dependency],
          leaseUntil: { gt: now },
        },
        data: { leaseUntil: now, nextAttemptAt: now, retryAt: now },
      });
      wake?.();
    } catch (error) {
      logger.warn({ err: error, dependency }, "could not resume the items waiting for a dependency");
    }
  }

  async function fail(item: ClaimedItem, error: ItemFailure, refund = false) {
    const at = businessNow();
    const logged = await db.$transaction(async (tx) => {
      const done = await tx.receiptItem.updateMany({
        where: { id: item.id, status: "PROCESSING", leaseOwner: owner },
        data: {
          status: "FAILED",
          completedAt: at,
          errorCode: error.code,
          errorMessage: error.message,
          leaseOwner: null,
          leaseUntil: null,
          waitingFor: null,
          retryAt: null,
          ...(refund ? { attempts: { decrement: 1 } } : {}),
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

  /**
   * Calls the item's dependencies through their circuits, nested in the order
   * the item calls them (a password notice asks the carrier, then sends): each
   * circuit counts only its own dependency's errors.
   */
  function perform(item: ClaimedItem): Promise<void> {
    const call = needs[item.kind].reduceRight<() => Promise<void>>(
      (inner, dependency) => () => circuits[dependency].run(inner),
      () => performUnguarded(item),
    );
    return call();
  }

  async function performUnguarded(item: ClaimedItem) {
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

  async function apply(item: ClaimedItem, leaseEnds = Date.now() + leaseMs) {
    await yieldToIo();
    try {
      // A circuit may have opened since the claim: not worth a call.
      for (const dependency of needs[item.kind]) {
        const until = circuits[dependency].blockedUntil();
        if (until) throw new CircuitOpenError(dependency, until);
      }
      await perform(item);
      await succeed(item);
    } catch (error) {
      // The database is down: nothing can be recorded, and it is neither the
      // carrier's fault nor the item's. The item keeps its lease and is
      // applied again as soon as the database answers (the carrier is
      // idempotent per item); should the lease run out first, it is claimed
      // again like a crashed worker's.
      if (isDatabaseUnavailable(error)) {
        databaseOutage.failed(error, "applying a receipt item");
        if (await databaseAnswers(leaseEnds - 1_000)) await apply(item, leaseEnds);
        return;
      }
      const couldNotRecord = (e: unknown) => logger.error({ err: e }, "could not record failure");
      if (error instanceof CircuitOpenError) {
        await putBack(item, error.dependency, error.until).catch(couldNotRecord);
        return;
      }
      const failure = asFailure(error);
      if (failure.retryable)
        logger.warn({ err: error, itemId: item.id }, "item attempt failed; retried later");
      await retryOrFail(item, failure, dependencyOf(error)).catch(couldNotRecord);
    }
  }

  /** Waits, while this worker runs and until `deadline`, for the database to answer again. */
  async function databaseAnswers(deadline: number): Promise<boolean> {
    while (!stopped && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      if (!databaseOutage.down) return true;
      try {
        await db.$queryRaw`SELECT 1`;
        databaseOutage.answered();
        return true;
      } catch {
        // Still down.
      }
    }
    return false;
  }

  async function loop() {
    while (!stopped) {
      await yieldToIo();
      let claimed: ClaimedItem[] = [];
      const free = concurrency - inFlight;
      if (free > 0) {
        try {
          claimed = await claim(free);
          databaseOutage.answered();
        } catch (error) {
          if (stopped) break;
          // Every poll fails while the database is down: logged once per outage.
          if (isDatabaseUnavailable(error)) databaseOutage.failed(error, "claiming receipt items");
          else logger.error({ err: error }, "claiming receipt items failed");
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
    circuits.dispose();
  }

  /** Gives up this worker's leases; the attempts they started are not counted. */
  async function release() {
    try {
      const released = await db.$executeRaw`
        UPDATE "ReceiptItem" SET "leaseUntil" = ${new Date()}, "leaseOwner" = NULL,
          "attempts" = GREATEST("attempts" - 1, 0)
        WHERE "leaseOwner" = ${owner} AND "status" = 'PROCESSING'`;
      logger.info({ released, inFlight }, "released the receipt items still in flight");
    } catch (error) {
      // Their leases run out as after a crash.
      logger.error({ err: error }, "could not release receipt items");
    }
  }

  const running = loop();
  return {
    owner,
    /** The carrier's and the mail server's circuit breakers of this worker. */
    circuits: circuits as Readonly<Record<Dependency, DependencyCircuit>>,
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
    /**
     * Stops claiming. Items in flight may finish until `finishBy` (epoch ms;
     * by default however long they take); those still in flight then are
     * released: their lease ends now, so another worker claims them at once
     * instead of after the lease. Should a released item's call still go
     * through here, its guarded update finds the lease gone and records
     * nothing; the carrier is idempotent per item, so the next worker's call
     * changes nothing twice.
     */
    async stop(options: { finishBy?: number } = {}) {
      stopped = true;
      wake?.();
      await running;
      const finishBy = options.finishBy ?? Number.POSITIVE_INFINITY;
      while (inFlight > 0 && Date.now() < finishBy) await new Promise((resolve) => setTimeout(resolve, 20));
      if (inFlight > 0) await release();
    },
  };
}

export type Worker = ReturnType<typeof startWorker>;
