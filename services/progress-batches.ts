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
  endsAt,
  eventsAfter,
  isFinal,
  type ProgressEvent,
  progressSnapshot,
  toEvent,
} from "./progress-stream.ts";
import { endingWith, OVERFLOW, type Realtime, reviveEvent, type Subscription } from "./realtime.ts";
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

/** How long a batch waits for the events missing before those that arrived, before reading the log. */
const GAP_GRACE_MS = 50;
const GAP_POLL_MS = 10;

/** The events of one tick after `cursor`, in seq order, and whether any before them is missing. */
class Arrivals {
  private readonly bySeq = new Map<number, ReceiptEventRecord>();
  overflowed = false;

  constructor(private readonly cursor: number) {}

  take(messages: (ReceiptEventRecord | typeof OVERFLOW)[]) {
    for (const message of messages) {
      if (message === OVERFLOW) {
        this.overflowed = true;
        continue;
      }
      const record = reviveEvent(message);
      if (record.seq > this.cursor) this.bySeq.set(record.seq, record);
    }
  }

  /** The events that continue the sequence from the cursor without a hole. */
  run(): ReceiptEventRecord[] {
    const run: ReceiptEventRecord[] = [];
    for (let seq = this.cursor + 1; this.bySeq.has(seq); seq++)
      run.push(this.bySeq.get(seq) as ReceiptEventRecord);
    return run;
  }

  /** Something is missing: the queue overflowed, or an event arrived after a hole. */
  gap(): boolean {
    return this.overflowed || this.run().length < this.bySeq.size;
  }
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
      const arrived = new Arrivals(cursor);
      arrived.take([first.value, ...live.drain()]);
      // A gap is most often an event another instance published a moment
      // earlier, still on its way through Redis: wait for it a little before
      // reading the log, which a thousand watchers would each do at once.
      for (
        let waited = 0;
        arrived.gap() && !arrived.overflowed && waited < GAP_GRACE_MS;
        waited += GAP_POLL_MS
      ) {
        await new Promise((resolve) => setTimeout(resolve, GAP_POLL_MS));
        arrived.take(live.drain());
      }
      // What continues the sequence, or — after a gap that stayed (an
      // overflow, an event lost between instances) — the log from the cursor on.
      const records = arrived.gap() ? await eventsAfter(db, receiptId, cursor) : arrived.run();
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
