// What the leased queue and the handlers of receipt kinds agree on: the item
// a handler is given, what a handler does, and how failures read.
import type { Prisma } from "../../prisma/generated/client/client.ts";
import type { ReceiptKind, WaitingFor } from "../../prisma/generated/client/enums.ts";
import type { Dependency } from "../circuits.ts";

/** A claimed item: its receipt's kind and account, what it asks for, and its queue bookkeeping. */
export interface QueueItem {
  accountId: string;
  kind: ReceiptKind;
  id: string;
  receiptId: string;
  lineId: string;
  phoneNumber: string;
  backup: boolean | null;
  phonebookMigration: boolean | null;
  attempts: number;
  firstAttemptAt: Date;
  waitingFor: WaitingFor | null;
  wasPending: boolean;
}

/** What the items of one receipt kind do. */
export interface ItemHandler {
  /** The dependencies it calls, in the order it calls them. */
  needs: readonly Dependency[];
  /**
   * Calls the dependencies. It may run again for the same item (a lost lease,
   * a database outage), so it must be idempotent per item id.
   */
  perform(item: QueueItem): Promise<void>;
  /** In the transaction that records the item SUCCEEDED: its effect here. Returns the lines to announce. */
  succeeded(tx: Prisma.TransactionClient, item: QueueItem, at: Date): Promise<string[]>;
  /** In the transaction that records the item FAILED. Returns the lines to announce. */
  failed(tx: Prisma.TransactionClient, item: QueueItem, at: Date): Promise<string[]>;
}

/** Why an item did not go through, and whether another attempt may help. */
export class ItemFailure extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
  }
}

/** How the dependencies' errors read on items. */
export interface FailureModel {
  /** An attempt's error (not an ItemFailure) as the item's failure, and the dependency it came from (null: none). */
  explain(error: unknown): { failure: ItemFailure; dependency: Dependency | null };
  /** What an item shows while it waits for a dependency whose circuit is open. */
  waitingFor: Record<Dependency, WaitingFor>;
  /** How an item fails that waited for a dependency past its retry horizon. */
  unavailable(dependency: Dependency): ItemFailure;
}
