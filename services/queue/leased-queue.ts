// The durable queue of receipt items. The queue is the ReceiptItem table
// itself, a transactional outbox: items are written in the same transaction
// as their receipt, claimed with FOR UPDATE SKIP LOCKED under a lease, and
// finished with a guarded update. pg-boss would need several connections and
// LISTEN/NOTIFY, which the embedded single-connection PGlite does not offer;
// this works identically on PGlite and PostgreSQL and across several server
// processes.
//
// Guarantees: an item is never lost (a crashed worker's lease expires and
// another worker claims it); an item's effect is recorded once (only the
// lease holder may finish it, and handlers are idempotent per item id).
//
// Outages are waited out: a temporary error is retried with capped
// exponential backoff and full jitter until the retry horizon after the
// item's first attempt; only a permanent answer or that horizon fails it. A
// circuit breaker per dependency (../circuits.ts) stops the calls while it is
// down: items that need it are not claimed, or are put back without using an
// attempt, until it half-opens; when it answers again, the items waiting for
// it are due at once.
//
// What an item does is its receipt kind's handler (../effects/); the queue
// knows only which dependencies a kind calls and how their errors read.
import { randomUUID } from "node:crypto";
import type { Db } from "../../lib/db.ts";
import type { Logger } from "../../lib/logger.ts";
import type { ReceiptKind } from "../../prisma/generated/client/enums.ts";
import { CircuitOpenError, type Circuits, type Dependency } from "../circuits.ts";
import { type DatabaseOutage, isDatabaseUnavailable, trackDatabaseOutage } from "../errors.ts";
import { type EventsPort, noEvents } from "../events.ts";
import { appendEvents, type ReceiptEventRecord } from "../receipts.ts";
import { type FailureModel, ItemFailure, type ItemHandler, type QueueItem } from "./items.ts";
import { itemOutcomes } from "./outcomes.ts";
import { defaultRetryPolicy, type RetryPolicy } from "./retry.ts";

export interface LeasedQueueOptions {
  db: Db;
  logger: Logger;
  /** What an item of each receipt kind does. */
  handlers: Record<ReceiptKind, ItemHandler>;
  /** The breakers of the dependencies handlers call, shared by the concurrent items; retired when the queue stops. */
  circuits: Circuits;
  failures: FailureModel;
  /** Items applied at once by this process. */
  concurrency?: number;
  /** How long a claim lasts before another worker may take the item over. */
  leaseMs?: number;
  pollMs?: number;
  /** Backoff and horizon of temporary errors (defaults: defaultRetryPolicy). */
  retry?: Partial<RetryPolicy>;
  /** Injected for deterministic tests (the backoff's jitter). */
  random?: () => number;
  /** Told of each committed receipt event and line change (realtime fan-out hooks in here). */
  events?: EventsPort;
  /** Business time for completedAt (FAKE_NOW); queue timing always uses real time. */
  now?: () => Date;
  /** Where the process reports a database outage (logged once per outage); the queue's own by default. */
  databaseOutage?: DatabaseOutage;
}

/**
 * Lets sockets and timers run before the next piece of work. With a
 * dependency that answers at once (the carrier simulator at 0 ms) and PGlite,
 * whose queries resolve without an I/O turn, a whole batch ran as one chain of
 * microtasks and the event loop stalled for as long as the batch took,
 * /health and every socket waiting.
 */
const yieldToIo = () => new Promise<void>((resolve) => setImmediate(resolve));

export function startLeasedQueue(options: LeasedQueueOptions) {
  const { db, logger, handlers, circuits, failures } = options;
  const owner = `worker-${randomUUID()}`;
  const concurrency = options.concurrency ?? 8;
  const leaseMs = options.leaseMs ?? 30_000;
  const pollMs = options.pollMs ?? 200;
  const retry = { ...defaultRetryPolicy, ...options.retry };
  const random = options.random ?? Math.random;
  for (const dependency of Object.keys(failures.waitingFor) as Dependency[]) {
    circuits[dependency].onChange((state) => {
      if (state === "open") logger.warn({ dependency }, "circuit open: items that need it wait");
      else if (state === "closed") {
        logger.info({ dependency }, "circuit closed: waiting items are due now");
        void resumeWaiting(dependency);
      }
    });
  }
  const businessNow = options.now ?? (() => new Date());
  const events = options.events ?? noEvents;
  const databaseOutage = options.databaseOutage ?? trackDatabaseOutage(logger);
  const { succeed, retryOrFail, putBack } = itemOutcomes({
    db,
    owner,
    handlers,
    circuits,
    failures,
    retry,
    random,
    events,
    now: businessNow,
  });

  let stopped = false;
  let inFlight = 0;
  let wake: (() => void) | undefined;
  const idle = new Set<() => void>();

  async function claim(limit: number): Promise<QueueItem[]> {
    const now = new Date();
    const leaseUntil = new Date(now.getTime() + leaseMs);
    const logged: ReceiptEventRecord[] = [];
    // Kinds whose dependency is down stay where they are until it may be probed.
    const blocked = (Object.keys(handlers) as ReceiptKind[]).filter((kind) =>
      handlers[kind].needs.some((dependency) => circuits[dependency].blockedUntil()),
    );
    const claimed = await db.$transaction(async (tx) => {
      const rows = await tx.$queryRaw<QueueItem[]>`
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
      const started = new Map<string, QueueItem[]>();
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
    for (const event of logged) events.receiptEvent(event);
    return claimed;
  }

  /** A dependency answers again: items waiting for it are due now, not at the end of their backoff. */
  async function resumeWaiting(dependency: Dependency) {
    try {
      const now = new Date();
      await db.receiptItem.updateMany({
        where: {
          status: "PROCESSING",
          leaseOwner: null,
          waitingFor: failures.waitingFor[dependency],
          leaseUntil: { gt: now },
        },
        data: { leaseUntil: now, nextAttemptAt: now, retryAt: now },
      });
      wake?.();
    } catch (error) {
      logger.warn({ err: error, dependency }, "could not resume the items waiting for a dependency");
    }
  }

  /**
   * Calls the item's dependencies through their circuits, nested in the order
   * the item calls them (a password notice asks the carrier, then sends): each
   * circuit counts only its own dependency's errors.
   */
  function perform(item: QueueItem): Promise<void> {
    const handler = handlers[item.kind];
    const call = handler.needs.reduceRight<() => Promise<void>>(
      (inner, dependency) => () => circuits[dependency].run(inner),
      () => handler.perform(item),
    );
    return call();
  }

  async function apply(item: QueueItem, leaseEnds = Date.now() + leaseMs) {
    await yieldToIo();
    try {
      // A circuit may have opened since the claim: not worth a call.
      for (const dependency of handlers[item.kind].needs) {
        const until = circuits[dependency].blockedUntil();
        if (until) throw new CircuitOpenError(dependency, until);
      }
      await perform(item);
      await succeed(item);
    } catch (error) {
      // The database is down: nothing can be recorded, and it is neither the
      // dependency's fault nor the item's. The item keeps its lease and is
      // applied again as soon as the database answers (handlers are
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
      const { failure, dependency } =
        error instanceof ItemFailure ? { failure: error, dependency: null } : failures.explain(error);
      if (failure.retryable)
        logger.warn({ err: error, itemId: item.id }, "item attempt failed; retried later");
      await retryOrFail(item, failure, dependency).catch(couldNotRecord);
    }
  }

  /** Waits, while this queue runs and until `deadline`, for the database to answer again. */
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
      let claimed: QueueItem[] = [];
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

  /** Gives up this queue's leases; the attempts they started are not counted. */
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
    /** Look for work now (after a submit) instead of at the next poll. */
    kick() {
      wake?.();
    },
    /** Resolves when this queue has found nothing to do and nothing is in flight. */
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
     * nothing; handlers are idempotent per item, so the next worker's call
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
