// Receipt progress (counts of items by status). A list of receipts asks for
// many at once: one grouped query per request, through DataLoader, instead of
// one per receipt.
import DataLoader from "dataloader";
import type { Db } from "../lib/db.ts";
import type { ReceiptItemStatus } from "../prisma/generated/client/enums.ts";
import { groupLineCountsLoader } from "./line-counts.ts";

export interface Progress {
  total: number;
  pending: number;
  processing: number;
  succeeded: number;
  failed: number;
}

const key: Record<ReceiptItemStatus, keyof Omit<Progress, "total">> = {
  PENDING: "pending",
  PROCESSING: "processing",
  SUCCEEDED: "succeeded",
  FAILED: "failed",
};

export function progressLoader(db: Db) {
  return new DataLoader<string, Progress>(async (receiptIds) => {
    const rows = await db.receiptItem.groupBy({
      by: ["receiptId", "status"],
      where: { receiptId: { in: [...receiptIds] } },
      _count: { _all: true },
    });
    const byReceipt = new Map<string, Progress>();
    for (const id of receiptIds)
      byReceipt.set(id, { total: 0, pending: 0, processing: 0, succeeded: 0, failed: 0 });
    for (const row of rows) {
      const progress = byReceipt.get(row.receiptId);
      if (!progress) continue;
      progress[key[row.status]] += row._count._all;
      progress.total += row._count._all;
    }
    return receiptIds.map((id) => byReceipt.get(id) as Progress);
  });
}

export interface Loaders {
  progress: ReturnType<typeof progressLoader>;
  groupLineCounts: ReturnType<typeof groupLineCountsLoader>;
}

/**
 * A request's loaders, each made on first use: most operations need none, and
 * a context lives as long as its subscription (bench/README.md, "Memory per
 * idle subscription").
 */
export function createLoaders(db: Db): Loaders {
  return new LazyLoaders(db);
}

class LazyLoaders implements Loaders {
  #progress: Loaders["progress"] | undefined;
  #groupLineCounts: Loaders["groupLineCounts"] | undefined;

  constructor(private readonly db: Db) {}

  get progress() {
    this.#progress ??= progressLoader(this.db);
    return this.#progress;
  }

  get groupLineCounts() {
    this.#groupLineCounts ??= groupLineCountsLoader(this.db);
    return this.#groupLineCounts;
  }
}
