// receiptProgress: a snapshot, then every item transition in `seq` order,
// then the final event; with `afterSeq`, missed events are replayed from the
// receipt's event log first. The log in the database is the source of truth:
// live pub/sub messages are used when they continue the sequence, and any gap
// (a slow consumer, a message lost between instances) is filled from the log,
// so a stream never skips or repeats a seq.
import { GraphQLError } from "graphql";
import { authErrorMessages } from "../domain/messages.ts";
import { sharedEvent } from "../lib/shared-event.ts";
import { endingWith, OVERFLOW, reviveEvent, type Subscription } from "../services/realtime.ts";
import type { ReceiptEventRecord } from "../services/receipts.ts";
import { actorOf, builder, type Context } from "./builder.ts";
import { rawId } from "./ids.ts";
import { ReceiptItemStatusEnum, ReceiptStatusEnum, visibleReceipts } from "./receipt.ts";

interface ProgressEvent {
  seq: number;
  receiptId: string;
  itemId: string | null;
  itemStatus: ReceiptEventRecord["itemStatus"];
  status: ReceiptEventRecord["status"];
  snapshot: boolean;
}

const ReceiptProgressEventRef = builder.objectRef<ProgressEvent>("ReceiptProgressEvent").implement({
  description:
    "One step of a receipt: the first event is a snapshot (item null); the last has a final status.",
  fields: (t) => ({
    seq: t.exposeInt("seq", { description: "Position in the receipt's event log; resume with afterSeq." }),
    snapshot: t.exposeBoolean("snapshot"),
    status: t.field({
      type: ReceiptStatusEnum,
      resolve: (e) => e.status,
      description: "The receipt's status after this event.",
    }),
    itemStatus: t.field({ type: ReceiptItemStatusEnum, nullable: true, resolve: (e) => e.itemStatus }),
    // The receipt and its items as of this event or later, read once per
    // burst of events for all subscribers on this instance (a read whose
    // lastSeq has reached the event serves it; see SharedReads.latest). Keys
    // name the selection: prismaField passes the fields the query asks for,
    // so Pothos needs no follow-up reads per subscriber.
    receipt: t.prismaField({
      type: "Receipt",
      resolve: (query, e, _args, ctx) =>
        ctx.sharedReads.latest(
          `receipt:${e.receiptId}:${JSON.stringify(query)}`,
          e.seq,
          () =>
            ctx.db.receipt.findUniqueOrThrow({ ...withFields(query, "lastSeq"), where: { id: e.receiptId } }),
          (receipt) => receipt.lastSeq,
        ),
    }),
    item: t.prismaField({
      type: "ReceiptItem",
      nullable: true,
      resolve: async (query, e, _args, ctx) => {
        if (!e.itemId) return null;
        const { items } = await ctx.sharedReads.latest(
          `items:${e.receiptId}:${JSON.stringify(query)}`,
          e.seq,
          async () => {
            // lastSeq first: the items read after it are at least that recent.
            const { lastSeq } = await ctx.db.receipt.findUniqueOrThrow({
              where: { id: e.receiptId },
              select: { lastSeq: true },
            });
            const rows = await ctx.db.receiptItem.findMany({
              ...withFields(query, "id"),
              where: { receiptId: e.receiptId },
            });
            return { lastSeq, items: new Map(rows.map((row) => [row.id, row])) };
          },
          (read) => read.lastSeq,
        );
        return items.get(e.itemId) ?? null;
      },
    }),
  }),
});

/** A Pothos selection that also reads `field` (an include reads every scalar anyway). */
function withFields<Q extends { select?: Record<string, unknown> }>(query: Q, field: string): Q {
  return query.select ? { ...query, select: { ...query.select, [field]: true } } : query;
}

const isFinal = (e: { itemId: string | null; status: string }) =>
  e.itemId === null && e.status !== "PROCESSING";

// Every watcher of a receipt gets the same event alike: executed once for all
// of them (server/shared-subscriptions.ts).
const shared = (event: ProgressEvent) =>
  sharedEvent(event, `receipt:${event.receiptId}:${event.seq}:${event.snapshot ? "snapshot" : "event"}`);

// In-process, every subscriber receives the same record object: one
// ProgressEvent per record serves them all (a copy per watcher and event was a
// measurable share of the fan-out's delivery time, bench/README.md).
const events = new WeakMap<ReceiptEventRecord, ProgressEvent>();

function toEvent(record: ReceiptEventRecord): ProgressEvent {
  let event = events.get(record);
  if (!event) {
    event = makeEvent(record);
    events.set(record, event);
  }
  return event;
}

function makeEvent(record: ReceiptEventRecord): ProgressEvent {
  return shared({
    seq: record.seq,
    receiptId: record.receiptId,
    itemId: record.itemId,
    itemStatus: record.itemStatus,
    status: record.status,
    snapshot: false,
  });
}

function receiptProgress(ctx: Context, receiptId: string, afterSeq: number | null | undefined) {
  // Listen before reading, so nothing published meanwhile is missed.
  const live = ctx.realtime.subscribe("receipt:event", receiptId);
  return endingWith(progressEvents(ctx, live, receiptId, afterSeq), live);
}

async function* progressEvents(
  ctx: Context,
  live: Subscription<"receipt:event">,
  receiptId: string,
  afterSeq: number | null | undefined,
) {
  try {
    const receipt = await ctx.db.receipt.findFirst({
      where: { AND: [{ id: receiptId }, visibleReceipts(ctx)] },
    });
    if (!receipt) throw new GraphQLError(authErrorMessages.NOT_FOUND, { extensions: { code: "NOT_FOUND" } });
    const now = await ctx.db.receipt.findUniqueOrThrow({
      where: { id: receipt.id },
      select: { lastSeq: true, status: true },
    });
    yield shared({
      seq: now.lastSeq,
      receiptId: receipt.id,
      itemId: null,
      itemStatus: null,
      status: now.status,
      snapshot: true,
    });
    let cursor = afterSeq ?? now.lastSeq;

    const replay = async () =>
      ctx.db.receiptEvent.findMany({
        where: { receiptId: receipt.id, seq: { gt: cursor } },
        orderBy: { seq: "asc" },
      });

    for (const record of await replay()) {
      yield toEvent(record);
      cursor = record.seq;
      if (isFinal(record)) return;
    }
    if (now.status !== "PROCESSING" && cursor >= now.lastSeq) return;

    for await (const message of live) {
      // After an overflow (a slow consumer) the gap is refilled from the log.
      const record = message === OVERFLOW ? null : reviveEvent(message);
      if (record && record.seq <= cursor) continue;
      const batch = record && record.seq === cursor + 1 ? [record] : await replay();
      for (const next of batch) {
        if (next.seq <= cursor) continue;
        yield toEvent(next);
        cursor = next.seq;
        if (isFinal(next)) return;
      }
    }
  } finally {
    await live.return();
  }
}

builder.subscriptionField("receiptProgress", (t) =>
  t.field({
    type: ReceiptProgressEventRef,
    authScopes: { scope: "READ_RECEIPTS" },
    args: {
      receiptId: t.arg.id({ required: true }),
      afterSeq: t.arg.int({ description: "The last seq the client has; later events are replayed first." }),
    },
    subscribe: (_root, args, ctx) => {
      actorOf(ctx);
      return receiptProgress(ctx, rawId(args.receiptId, "Receipt"), args.afterSeq);
    },
    resolve: (event) => event,
  }),
);
