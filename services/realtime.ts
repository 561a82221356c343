// Realtime topics, typed in one place and scoped by id. In-process by default;
// with REDIS_URL the same pub/sub runs over Redis (several instances).
import { createRedisEventTarget } from "@graphql-yoga/redis-event-target";
import { createPubSub, type PubSub } from "graphql-yoga";
import { Redis } from "ioredis";
import type { ReceiptEventRecord } from "./receipts.ts";

export type Topics = {
  /** A receipt's event log grew (live payload; the log in the database stays the source of truth). */
  "receipt:event": [receiptId: string, event: ReceiptEventRecord];
  /** Lines of an account changed status, flags or version. */
  "lines:changed": [accountId: string, change: { lineIds: string[] }];
};

export type RealtimePubSub = PubSub<Topics>;

export interface Realtime {
  pubsub: RealtimePubSub;
  close(): Promise<void>;
}

/** In-process pub/sub, or Redis-backed (@graphql-yoga/redis-event-target) when a URL is given. */
export function createRealtime(redisUrl?: string): Realtime {
  if (!redisUrl) return { pubsub: createPubSub<Topics>(), close: async () => {} };
  // Publishing and subscribing need separate connections in Redis.
  const publishClient = new Redis(redisUrl, { maxRetriesPerRequest: 3 });
  const subscribeClient = new Redis(redisUrl, { maxRetriesPerRequest: 3 });
  const eventTarget = createRedisEventTarget<CustomEvent>({ publishClient, subscribeClient });
  return {
    pubsub: createPubSub<Topics>({ eventTarget: eventTarget as never }),
    async close() {
      await Promise.allSettled([publishClient.quit(), subscribeClient.quit()]);
    },
  };
}

/** Events that crossed Redis arrive as JSON: bring dates back. */
export function reviveEvent(event: ReceiptEventRecord): ReceiptEventRecord {
  return { ...event, createdAt: new Date(event.createdAt) };
}
