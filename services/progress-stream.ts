// receiptProgress's stream, without GraphQL: a snapshot, then every item
// transition in `seq` order, then the final event; with `afterSeq`, missed
// events are replayed from the receipt's event log first. The log in the
// database is the source of truth: live pub/sub messages are used when they
// continue the sequence, and any gap (a slow consumer, a message lost between
// instances) is filled from the log, so a stream never skips or repeats a seq.
import { type Actor, receiptScope } from "../domain/auth/actor.ts";
import type { Db } from "../lib/db.ts";
import { endingWith, OVERFLOW, type Realtime, reviveEvent, type Subscription } from "./realtime.ts";
import type { ReceiptEventRecord } from "./receipts.ts";

export interface ProgressEvent {
  seq: number;
  receiptId: string;
  itemId: string | null;
  itemStatus: ReceiptEventRecord["itemStatus"];
  status: ReceiptEventRecord["status"];
  /** The first event: the receipt as it is now (no item). */
  snapshot: boolean;
}

/** The receipt does not exist or the actor may not see it. */
export class ReceiptNotFound extends Error {
  constructor(readonly receiptId: string) {
    super(`receipt ${receiptId} not found`);
    this.name = "ReceiptNotFound";
  }
}

export const isFinal = (e: { itemId: string | null; status: string }) =>
  e.itemId === null && e.status !== "PROCESSING";

// In-process, every subscriber receives the same record object: one
// ProgressEvent per record serves them all (a copy per watcher and event was a
// measurable share of the fan-out's delivery time, bench/README.md).
const events = new WeakMap<ReceiptEventRecord, ProgressEvent>();

export function toEvent(record: ReceiptEventRecord): ProgressEvent {
  let event = events.get(record);
  if (!event) {
    event = {
      seq: record.seq,
      receiptId: record.receiptId,
      itemId: record.itemId,
      itemStatus: record.itemStatus,
      status: record.status,
      snapshot: false,
    };
    events.set(record, event);
  }
  return event;
}

/**
 * The progress of a receipt the actor may see, from a snapshot to its final
 * event; fails with ReceiptNotFound (on the first read) when it may not.
 */
export function watchReceiptProgress(
  deps: { db: Db; realtime: Realtime },
  actor: Actor,
  receiptId: string,
  afterSeq?: number | null,
): AsyncGenerator<ProgressEvent, void, unknown> {
  // Listen before reading, so nothing published meanwhile is missed.
  const live = deps.realtime.subscribe("receipt:event", receiptId);
  return endingWith(progressEvents(deps.db, live, actor, receiptId, afterSeq), live);
}

/** The receipt's snapshot event, or ReceiptNotFound when the actor may not see it. */
export async function progressSnapshot(db: Db, actor: Actor, receiptId: string): Promise<ProgressEvent> {
  const receipt = await db.receipt.findFirst({
    where: { AND: [{ id: receiptId }, receiptScope(actor)] },
    select: { id: true },
  });
  if (!receipt) throw new ReceiptNotFound(receiptId);
  const now = await db.receipt.findUniqueOrThrow({
    where: { id: receipt.id },
    select: { lastSeq: true, status: true },
  });
  return {
    seq: now.lastSeq,
    receiptId: receipt.id,
    itemId: null,
    itemStatus: null,
    status: now.status,
    snapshot: true,
  };
}

/** The receipt's logged events after `cursor`, in seq order. */
export function eventsAfter(db: Db, receiptId: string, cursor: number): Promise<ReceiptEventRecord[]> {
  return db.receiptEvent.findMany({
    where: { receiptId, seq: { gt: cursor } },
    orderBy: { seq: "asc" },
  });
}

/** How long a stream waits for events missing before those that arrived, before it reads the log. */
const GAP_GRACE_MS = 50;
const GAP_POLL_MS = 10;

/** The events after `cursor` among those taken, in seq order, and whether any before them is missing. */
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

/**
 * What continues the sequence after `cursor`, from `messages` just taken from
 * `live`: the events that follow it without a hole, in seq order (none when
 * they were all delivered before). After a gap that stays — an overflow (a
 * slow consumer), an event lost between instances — the log from the cursor
 * on. A gap is most often an event another instance published a moment
 * earlier, still on its way through Redis: it is waited for a little before
 * the log is read, which every watcher of the receipt would do at once (3,500
 * reads in one instance's fan-out, bench/README.md).
 */
export async function continuation(
  db: Db,
  live: Subscription<"receipt:event">,
  receiptId: string,
  cursor: number,
  messages: (ReceiptEventRecord | typeof OVERFLOW)[],
): Promise<ReceiptEventRecord[]> {
  const arrived = new Arrivals(cursor);
  arrived.take(messages);
  for (let waited = 0; arrived.gap() && !arrived.overflowed && waited < GAP_GRACE_MS; waited += GAP_POLL_MS) {
    await new Promise((resolve) => setTimeout(resolve, GAP_POLL_MS));
    arrived.take(live.drain());
  }
  return arrived.gap() ? eventsAfter(db, receiptId, cursor) : arrived.run();
}

/** The snapshot says the stream has nothing more to wait for once the cursor has reached it. */
export const endsAt = (snapshot: ProgressEvent, cursor: number) =>
  snapshot.status !== "PROCESSING" && cursor >= snapshot.seq;

async function* progressEvents(
  db: Db,
  live: Subscription<"receipt:event">,
  actor: Actor,
  receiptId: string,
  afterSeq: number | null | undefined,
) {
  try {
    const snapshot = await progressSnapshot(db, actor, receiptId);
    yield snapshot;
    let cursor = afterSeq ?? snapshot.seq;

    for (const record of await eventsAfter(db, receiptId, cursor)) {
      yield toEvent(record);
      cursor = record.seq;
      if (isFinal(record)) return;
    }
    if (endsAt(snapshot, cursor)) return;

    for await (const message of live) {
      for (const next of await continuation(db, live, receiptId, cursor, [message])) {
        yield toEvent(next);
        cursor = next.seq;
        if (isFinal(next)) return;
      }
    }
  } finally {
    await live.return();
  }
}
