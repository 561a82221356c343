// How an attempt ends, recorded under the lease: each update is guarded by
// the lease owner, so a worker that lost its lease records nothing; the
// receipt's log and its watchers hear of it after the commit.
import type { Db } from "../../lib/db.ts";
import type { Prisma } from "../../prisma/generated/client/client.ts";
import type { ReceiptKind, WaitingFor } from "../../prisma/generated/client/enums.ts";
import type { Circuits, Dependency } from "../circuits.ts";
import type { EventsPort } from "../events.ts";
import { appendEvent, finishReceiptIfDone, type ReceiptEventRecord } from "../receipts.ts";
import { itemCompletedEvents, lineChangedEvents, recordWebhookEvents } from "../webhooks/outbox.ts";
import type { FailureModel, ItemFailure, ItemHandler, QueueItem } from "./items.ts";
import { type RetryPolicy, retryDelayMs } from "./retry.ts";

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

/** Webhooks of a finished item, in its transaction: the item, its receipt if it closed, the lines it changed. */
async function recordFinished(
  tx: Prisma.TransactionClient,
  itemId: string,
  logged: (ReceiptEventRecord | null)[],
  lines: string[],
  at: Date,
) {
  await recordWebhookEvents(tx, [
    ...(await lineChangedEvents(tx, lines, at)),
    ...(await itemCompletedEvents(tx, itemId, at, logged[1] != null)),
  ]);
}

export function itemOutcomes(deps: {
  db: Db;
  /** The lease owner: this queue. */
  owner: string;
  handlers: Record<ReceiptKind, ItemHandler>;
  circuits: Circuits;
  failures: FailureModel;
  retry: RetryPolicy;
  random: () => number;
  events: EventsPort;
  /** Business time for completedAt and the log. */
  now: () => Date;
}) {
  const { db, owner, handlers, circuits, failures, retry, random, events } = deps;
  const emit = (event: ReceiptEventRecord | null) => {
    if (event) events.receiptEvent(event);
  };

  async function succeed(item: QueueItem) {
    const at = deps.now();
    const { logged, lines } = await db.$transaction(async (tx) => {
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
      // Lease lost: another worker owns the item now.
      if (done.count === 0) return { logged: [], lines: [] };
      const lines = await handlers[item.kind].succeeded(tx, item, at);
      const finished = await logFinalState(tx, item, "SUCCEEDED", at);
      await recordFinished(tx, item.id, finished, lines, at);
      return { logged: finished, lines };
    });
    logged.forEach(emit);
    if (lines.length > 0) events.linesChanged(item.accountId, lines);
  }

  async function fail(item: QueueItem, error: ItemFailure, refund = false) {
    const at = deps.now();
    const { logged, lines } = await db.$transaction(async (tx) => {
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
      if (done.count === 0) return { logged: [], lines: [] };
      const lines = await handlers[item.kind].failed(tx, item, at);
      const finished = await logFinalState(tx, item, "FAILED", at);
      await recordFinished(tx, item.id, finished, lines, at);
      return { logged: finished, lines };
    });
    logged.forEach(emit);
    if (lines.length > 0) events.linesChanged(item.accountId, lines);
  }

  const horizonEnd = (item: QueueItem) => item.firstAttemptAt.getTime() + retry.horizonMs;

  /** After a temporary error: again after a backoff, until the horizon has passed. */
  async function retryOrFail(item: QueueItem, error: ItemFailure, dependency: Dependency | null) {
    const now = Date.now();
    if (!error.retryable || now >= horizonEnd(item)) return fail(item, error);
    // A blip is just retried; while the circuit is open, the item says what it waits for.
    const down = dependency !== null && circuits[dependency].state() !== "closed";
    await retryLater(item, {
      retryAt: new Date(Math.min(now + retryDelayMs(item.attempts, retry, random), horizonEnd(item))),
      waitingFor: down ? failures.waitingFor[dependency] : item.waitingFor,
      refund: false,
    });
  }

  /** Not attempted, its dependency being down: back when the circuit may be probed, no attempt used. */
  async function putBack(item: QueueItem, dependency: Dependency, until: Date) {
    const end = horizonEnd(item);
    if (Date.now() >= end) return fail(item, failures.unavailable(dependency), true);
    await retryLater(item, {
      retryAt: new Date(Math.min(until.getTime(), end)),
      waitingFor: failures.waitingFor[dependency],
      refund: true,
    });
  }

  /**
   * Releases the item with a lease that ends when its next attempt is due:
   * the claim query takes it again then. Logs one event when the item starts
   * waiting for a dependency, so watchers see why; none per retry.
   */
  async function retryLater(
    item: QueueItem,
    next: { retryAt: Date; waitingFor: WaitingFor | null; refund: boolean },
  ) {
    const at = deps.now();
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

  return { succeed, retryOrFail, putBack };
}
