// receiptProgress and receiptProgressBatch: the fields and their types. The
// streams' rules (snapshot, replay after afterSeq, live events, refilling a
// gap, batching) are services/progress-stream.ts and progress-batches.ts;
// here a receipt the caller may not see becomes NOT_FOUND, and each event or
// batch is marked as one every watcher receives alike.
import { GraphQLError } from "graphql";
import { authErrorMessages } from "../domain/messages.ts";
import { sharedEvent } from "../lib/shared-event.ts";
import {
  DEFAULT_BATCH_EVENTS,
  type ProgressBatch,
  watchReceiptProgressBatches,
} from "../services/progress-batches.ts";
import { type ProgressEvent, ReceiptNotFound, watchReceiptProgress } from "../services/progress-stream.ts";
import { actorOf, builder, type Context } from "./builder.ts";
import { ReceiptItemStatusEnum, ReceiptRef, ReceiptStatusEnum } from "./receipt.ts";

const ReceiptProgressEventRef = builder.objectRef<ProgressEvent>("ReceiptProgressEvent").implement({
  description:
    "One step of a receipt: the first event is a snapshot (item null); the last has a final status.",
  fields: (t) => ({
    seq: t.exposeInt("seq", { description: "Position in the receipt's event log; resume with afterSeq." }),
    snapshot: t.exposeBoolean("snapshot", {
      description: "True for the first event: the receipt as it stands (item null), not a change.",
    }),
    status: t.field({
      type: ReceiptStatusEnum,
      resolve: (e) => e.status,
      description: "The receipt's status after this event.",
    }),
    itemStatus: t.field({
      type: ReceiptItemStatusEnum,
      nullable: true,
      description: "The item's status this event moved it to; null for the snapshot.",
      resolve: (e) => e.itemStatus,
    }),
    // The receipt and its items as of this event or later, read once per
    // burst of events for all subscribers on this instance (a read whose
    // lastSeq has reached the event serves it; see SharedReads.latest). Keys
    // name the selection: prismaField passes the fields the query asks for,
    // so Pothos needs no follow-up reads per subscriber.
    receipt: t.prismaField({
      type: "Receipt",
      description: "The receipt as of this event or later (progress, status).",
      resolve: (query, e, _args, ctx) => receiptAsOf(ctx, query, e.receiptId, e.seq),
    }),
    item: t.prismaField({
      type: "ReceiptItem",
      nullable: true,
      description: "The item that changed; null for the snapshot.",
      resolve: async (query, e, _args, ctx) => {
        if (!e.itemId) return null;
        const { items } = await ctx.services.sharedReads.latest(
          `items:${e.receiptId}:${JSON.stringify(query)}`,
          e.seq,
          async () => {
            // lastSeq first: the items read after it are at least that recent.
            const { lastSeq } = await ctx.services.db.receipt.findUniqueOrThrow({
              where: { id: e.receiptId },
              select: { lastSeq: true },
            });
            const rows = await ctx.services.db.receiptItem.findMany({
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

/**
 * The receipt as of `seq` or later, read once per burst of events for all
 * subscribers on this instance (a read whose lastSeq has reached the event
 * serves it; see SharedReads.latest).
 */
function receiptAsOf<Q extends { select?: Record<string, unknown> }>(
  ctx: Context,
  query: Q,
  receiptId: string,
  seq: number,
) {
  return ctx.services.sharedReads.latest(
    `receipt:${receiptId}:${JSON.stringify(query)}`,
    seq,
    () =>
      ctx.services.db.receipt.findUniqueOrThrow({
        ...withFields(query, "lastSeq"),
        where: { id: receiptId },
      }),
    (receipt) => receipt.lastSeq,
  );
}

/** A Pothos selection that also reads `field` (an include reads every scalar anyway). */
function withFields<Q extends { select?: Record<string, unknown> }>(query: Q, field: string): Q {
  return query.select ? { ...query, select: { ...query.select, [field]: true } } : query;
}

// Every watcher of a receipt gets the same event alike: executed once for all
// of them (server/shared-subscriptions.ts). The service hands every watcher
// the same object for a logged event, so it is marked once.
const shared = (event: ProgressEvent) =>
  sharedEvent(
    event,
    () => `receipt:${event.receiptId}:${event.seq}:${event.snapshot ? "snapshot" : "event"}`,
  );

/**
 * A service stream as the field's: each step marked as shared, a receipt the
 * caller may not see as NOT_FOUND. A plain iterator rather than another
 * generator: one step less per event and watcher; a class, since one lives
 * per open subscription.
 */
function sharedStream<T extends object>(stream: AsyncGenerator<T, void, unknown>, mark: (step: T) => void) {
  return new SharedStream(stream, mark);
}

class SharedStream<T extends object> implements AsyncGenerator<T, void, unknown> {
  constructor(
    private readonly stream: AsyncGenerator<T, void, unknown>,
    private readonly mark: (step: T) => void,
  ) {}

  async next() {
    try {
      const step = await this.stream.next();
      if (!step.done) this.mark(step.value);
      return step;
    } catch (error) {
      if (!(error instanceof ReceiptNotFound)) throw error;
      throw new GraphQLError(authErrorMessages.NOT_FOUND, { extensions: { code: "NOT_FOUND" } });
    }
  }

  return() {
    return this.stream.return();
  }

  throw(error: unknown) {
    return this.stream.throw(error);
  }

  [Symbol.asyncIterator]() {
    return this;
  }
}

builder.subscriptionField("receiptProgress", (t) =>
  t.field({
    type: ReceiptProgressEventRef,
    authScopes: { scope: "READ_RECEIPTS" },
    description:
      "A receipt's progress, live: a snapshot, then one event per item change in seq order; events after afterSeq are replayed first (resume), and the stream completes after the final event.",
    args: {
      receiptId: t.arg.globalID({
        for: ReceiptRef,
        required: true,
        description: "The receipt (Receipt.id).",
      }),
      afterSeq: t.arg.int({ description: "The last seq the client has; later events are replayed first." }),
    },
    subscribe: (_root, args, ctx) =>
      sharedStream(
        watchReceiptProgress(ctx.services, actorOf(ctx), args.receiptId.id, args.afterSeq),
        shared,
      ),
    resolve: (event) => event,
  }),
);

const ReceiptProgressBatchRef = builder.objectRef<ProgressBatch>("ReceiptProgressBatch").implement({
  description:
    "Events of a receipt's progress that arrived together (receiptProgressBatch): the first batch starts with the snapshot.",
  fields: (t) => ({
    events: t.field({
      type: [ReceiptProgressEventRef],
      description: "The snapshot first (first batch only), then item changes in seq order; never empty.",
      resolve: (batch) => batch.events,
    }),
    lastSeq: t.exposeInt("lastSeq", {
      description: "Every event up to this seq has been delivered: resume with afterSeq set to it.",
    }),
    receipt: t.prismaField({
      type: "Receipt",
      description: "The receipt as of the batch's newest event or later (progress, status).",
      resolve: (query, batch, _args, ctx) => receiptAsOf(ctx, query, batch.receiptId, batch.newestSeq),
    }),
  }),
});

// Watchers of a receipt take their batches at the same ticks, so most hold
// the same events: executed (and serialized) once for all of them.
const sharedBatch = (batch: ProgressBatch) =>
  sharedEvent(batch, `receipt:${batch.receiptId}:batch${batch.key}`);

builder.subscriptionField("receiptProgressBatch", (t) =>
  t.field({
    type: ReceiptProgressBatchRef,
    authScopes: { scope: "READ_RECEIPTS" },
    description:
      "A receipt's progress, live, in batches: the events of receiptProgress, with every event that arrived since the previous batch sent together (at most one batch per 100 ms per receipt, at most maxEvents events each). Use it to watch many events or many receipts; the stream completes after the batch holding the final event.",
    args: {
      receiptId: t.arg.globalID({
        for: ReceiptRef,
        required: true,
        description: "The receipt (Receipt.id).",
      }),
      afterSeq: t.arg.int({ description: "The last seq the client has; later events are replayed first." }),
      maxEvents: t.arg.int({
        defaultValue: DEFAULT_BATCH_EVENTS,
        description: "The most events one batch holds (1–500); more are sent in further batches.",
      }),
    },
    subscribe: (_root, args, ctx) =>
      sharedStream(
        watchReceiptProgressBatches(ctx.services, actorOf(ctx), args.receiptId.id, {
          afterSeq: args.afterSeq,
          maxEvents: args.maxEvents,
        }),
        sharedBatch,
      ),
    resolve: (batch) => batch,
  }),
);
