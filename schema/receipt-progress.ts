// receiptProgress: the field and its event type. The stream's rules
// (snapshot, replay after afterSeq, live events, refilling a gap) are
// services/progress-stream.ts; here a receipt the caller may not see becomes
// NOT_FOUND, and each event is marked as one every watcher receives alike.
import { GraphQLError } from "graphql";
import type { Actor } from "../domain/auth/actor.ts";
import { authErrorMessages } from "../domain/messages.ts";
import { sharedEvent } from "../lib/shared-event.ts";
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
      resolve: (query, e, _args, ctx) =>
        ctx.services.sharedReads.latest(
          `receipt:${e.receiptId}:${JSON.stringify(query)}`,
          e.seq,
          () =>
            ctx.services.db.receipt.findUniqueOrThrow({
              ...withFields(query, "lastSeq"),
              where: { id: e.receiptId },
            }),
          (receipt) => receipt.lastSeq,
        ),
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

function receiptProgress(ctx: Context, actor: Actor, receiptId: string, afterSeq: number | null | undefined) {
  const stream = watchReceiptProgress(ctx.services, actor, receiptId, afterSeq);
  // A plain iterator rather than another generator: one step less per event and watcher.
  const iterator: AsyncGenerator<ProgressEvent, void, unknown> = {
    async next() {
      try {
        const step = await stream.next();
        if (!step.done) shared(step.value);
        return step;
      } catch (error) {
        if (!(error instanceof ReceiptNotFound)) throw error;
        throw new GraphQLError(authErrorMessages.NOT_FOUND, { extensions: { code: "NOT_FOUND" } });
      }
    },
    return: () => stream.return(),
    throw: (error) => stream.throw(error),
    [Symbol.asyncIterator]: () => iterator,
  };
  return iterator;
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
    subscribe: (_root, args, ctx) => {
      const actor = actorOf(ctx);
      return receiptProgress(ctx, actor, args.receiptId.id, args.afterSeq);
    },
    resolve: (event) => event,
  }),
);
