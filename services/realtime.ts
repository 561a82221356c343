// Realtime topics, typed in one place and scoped by id. In-process by default;
// with REDIS_URL the same pub/sub runs over Redis (several instances).
import { createPubSub, type PubSub } from "graphql-yoga";
import type { ReceiptEventRecord } from "./receipts.ts";

export type Topics = {
  /** A receipt's event log grew (live payload; the log in the database stays the source of truth). */
  "receipt:event": [receiptId: string, event: ReceiptEventRecord];
  /** Lines of an account changed status, flags or version. */
  "lines:changed": [accountId: string, change: { lineIds: string[] }];
};

export type RealtimePubSub = PubSub<Topics>;

export function createRealtime(eventTarget?: Parameters<typeof createPubSub<Topics>>[0]): RealtimePubSub {
  return createPubSub<Topics>(eventTarget);
}

/** Events that crossed Redis arrive as JSON: bring dates back. */
export function reviveEvent(event: ReceiptEventRecord): ReceiptEventRecord {
  return { ...event, createdAt: new Date(event.createdAt) };
}
