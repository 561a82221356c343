// How full the queue of receipt items is, per receipt kind, for the metrics
// scrape: one grouped query over the open items (the status index), so a
// scrape every 15 s costs next to nothing even with a large backlog.
import type { Db } from "../../lib/db.ts";
import { ReceiptKind } from "../../prisma/generated/client/enums.ts";

export interface QueueDepth {
  /** Items not finished yet: waiting, claimed, or waiting out a retry. */
  open: number;
  /** How long the oldest item that is due now has been waiting past its due time (seconds; 0: none due). */
  oldestDueSeconds: number;
}

/** Every receipt kind, those with nothing open at 0. */
export async function queueDepth(db: Db, now = new Date()): Promise<Record<ReceiptKind, QueueDepth>> {
  const rows = await db.$queryRaw<{ kind: ReceiptKind; open: number; oldestDue: Date | null }[]>`
    SELECT r."kind"::text AS kind, count(*)::int AS open,
      min(i."nextAttemptAt") FILTER (WHERE i."status" = 'PENDING' AND i."nextAttemptAt" <= ${now}) AS "oldestDue"
    FROM "ReceiptItem" i JOIN "Receipt" r ON r."id" = i."receiptId"
    WHERE i."status" IN ('PENDING', 'PROCESSING')
    GROUP BY r."kind"`;
  const depth = Object.fromEntries(
    Object.values(ReceiptKind).map((kind) => [kind, { open: 0, oldestDueSeconds: 0 }]),
  ) as Record<ReceiptKind, QueueDepth>;
  for (const row of rows) {
    depth[row.kind] = {
      open: row.open,
      oldestDueSeconds: row.oldestDue ? Math.max(0, (now.getTime() - row.oldestDue.getTime()) / 1000) : 0,
    };
  }
  return depth;
}
