// receiptProgressBatch's stream, without GraphQL: the events of
// receiptProgress (./progress-stream.ts), sent together. A watcher gets one
// batch per tick holding every event since its last batch, so a 200-line
// batch watched by a thousand clients costs tens of frames per watcher
// instead of 401 (Hasura's streaming subscriptions with batch_size are the
// model). The same rules hold: the snapshot first, then every event after
// afterSeq exactly once in seq order, gaps refilled from the receipt's event
// log, and the stream ends after the batch holding the final event.
import { LRUCache } from "lru-cache";
import type { Actor } from "../domain/auth/actor.ts";
import type { Db } from "../lib/db.ts";
import {
  continuation,
  endsAt,
  eventsAfter,
  isFinal,
  type ProgressEvent,
  progressSnapshot,
  toEvent,
} from "./progress-stream.ts";
import { endingWith, type Realtime, type Subscription } from "./realtime.ts";
import type { ReceiptEventRecord } from "./receipts.ts";

/** Events one batch holds unless the watcher asks for fewer. */
export const DEFAULT_BATCH_EVENTS = 100;
/** The most events a watcher may ask one batch to hold (maxEvents). */
export const MAX_BATCH_EVENTS = 500;
/**
 * The shortest spell between two batches of one receipt. Events that arrive
 * within it wait for its end; the first after a quiet spell goes at once.
 * The trade between frames and latency is measured in bench/README.md.
 */
export const BATCH_INTERVAL_MS = 100;

export interface ProgressBatch {
  receiptId: string;
  /** The snapshot first (first batch only), then events in seq order. */
  events: ProgressEvent[];
  /** Every event up to this seq has been delivered: resume with afterSeq = lastSeq. */
  lastSeq: number;
  /** The newest state the batch reports (the receipt is read as of it). */
  newestSeq: number;
  /** Names the batch's content: watchers handed the same events get the same key. */
  key: string;
}

/**
 * When the watchers of one receipt on this instance next take what has
 * arrived. Every watcher waiting drains its queue at the same moment, and the
 * queues hold the same events, so their batches are alike: executed and
 * serialized once for all of them (server/shared-subscriptions.ts,
 * server/graphql-ws.ts). Kept per process, like the pub/sub it paces.
 */
const ticks = new LRUCache<string, { last: number; next?: Promise<void> }>({ max: 10_000 });

function nextTick(receiptId: string): Promise<void> {
  let tick = ticks.get(receiptId);
  if (!tick) {
    tick = { last: Number.NEGATIVE_INFINITY };
    ticks.set(receiptId, tick);
  }
  if (tick.next) return tick.next;
  const current = tick;
  const wait = current.last + BATCH_INTERVAL_MS - performance.now();
  current.next = new Promise<void>((resolve) => {
    const fire = () => {
      current.last = performance.now();
      current.next = undefined;
      resolve();
    };
    // After a quiet spell: the next turn, so events published together go together.
    if (wait <= 0) setImmediate(fire);
    else setTimeout(fire, wait);
  });
  return current.next;
}

function batchOf(
  receiptId: string,
  events: ProgressEvent[],
  lastSeq: number,
  snapshot: ProgressEvent | null,
): ProgressBatch {
  const changes = snapshot ? events.slice(1) : events;
  const first = changes[0]?.seq ?? "";
  const last = changes.at(-1)?.seq ?? "";
  const newestSeq = Math.max(snapshot?.seq ?? 0, changes.at(-1)?.seq ?? 0);
  return {
    receiptId,
    events,
    lastSeq,
    newestSeq,
    key: `${snapshot ? `s${snapshot.seq}` : ""}:${first}-${last}:${lastSeq}`,
  };
}

/**
 * `records` (after the snapshot `first`, when given) in batches of at most
 * `maxEvents`; `final` marks the batch holding the final event, after which
 * nothing more is sent. A function of the module, not a closure inside each
 * stream: one of those lives per open subscription.
 */
function batchesOf(
  receiptId: string,
  records: ReceiptEventRecord[],
  first: ProgressEvent | null,
  cursor: number,
  maxEvents: number,
): { batch: ProgressBatch; final: boolean }[] {
  const events = first ? [first, ...records.map(toEvent)] : records.map(toEvent);
  const batches: { batch: ProgressBatch; final: boolean }[] = [];
  for (let at = 0; at < events.length; at += maxEvents) {
    const chunk = events.slice(at, at + maxEvents);
    const changes = chunk.filter((event) => !event.snapshot);
    const lastSeq = changes.at(-1)?.seq ?? cursor;
    const final = changes.some(isFinal);
    batches.push({ batch: batchOf(receiptId, chunk, lastSeq, chunk[0]?.snapshot ? chunk[0] : null), final });
    cursor = lastSeq;
    if (final) break;
  }
  return batches;
}

/**
 * The progress of a receipt the actor may see, in batches of at most
 * `maxEvents` events; fails with ReceiptNotFound (on the first read) when it
 * may not.
 */
export function watchReceiptProgressBatches(
  deps: { db: Db; realtime: Realtime },
  actor: Actor,
  receiptId: string,
  options: { afterSeq?: number | null; maxEvents?: number | null } = {},
): AsyncGenerator<ProgressBatch, void, unknown> {
  // Listen before reading, so nothing published meanwhile is missed.
  const live = deps.realtime.subscribe("receipt:event", receiptId);
  const maxEvents = Math.min(Math.max(1, options.maxEvents ?? DEFAULT_BATCH_EVENTS), MAX_BATCH_EVENTS);
  return endingWith(progressBatches(deps.db, live, actor, receiptId, options.afterSeq, maxEvents), live);
}

async function* progressBatches(
  db: Db,
  live: Subscription<"receipt:event">,
  actor: Actor,
  receiptId: string,
  afterSeq: number | null | undefined,
  maxEvents: number,
) {
  try {
    const snapshot = await progressSnapshot(db, actor, receiptId);
    let cursor = afterSeq ?? snapshot.seq;
    for (const { batch, final } of batchesOf(
      receiptId,
      await eventsAfter(db, receiptId, cursor),
      snapshot,
      cursor,
      maxEvents,
    )) {
      yield batch;
      cursor = batch.lastSeq;
      if (final) return;
    }
    if (endsAt(snapshot, cursor)) return;

    for (;;) {
      const first = await live.next();
      if (first.done) return;
      await nextTick(receiptId);
      const records = await continuation(db, live, receiptId, cursor, [first.value, ...live.drain()]);
      for (const { batch, final } of batchesOf(receiptId, records, null, cursor, maxEvents)) {
        yield batch;
        cursor = batch.lastSeq;
        if (final) return;
      }
    }
  } finally {
    await live.return();
  }
}
