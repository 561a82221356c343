// Reads shared by every subscriber of one event on this instance.
//
// A subscription runs its resolvers once per event per subscriber: with 1,000
// administrators and MDM tools watching one batch, the receipt, its progress
// and the item of each event would be read 1,000 times. Keys name the exact
// state read (the receipt at an event's seq, the counts at a receipt's
// lastSeq), so sharing a read never serves a later event an earlier state.
import { LRUCache } from "lru-cache";

export interface SharedReads {
  /** The value for `key`, loading it once for all concurrent and later callers. */
  get<T>(key: string, load: () => Promise<T>): Promise<T>;
}

export function createSharedReads(options: { max?: number; ttlMs?: number } = {}): SharedReads {
  const cache = new LRUCache<string, Promise<unknown>>({
    max: options.max ?? 5_000,
    ttl: options.ttlMs ?? 30_000,
  });
  return {
    get<T>(key: string, load: () => Promise<T>): Promise<T> {
      const hit = cache.get(key) as Promise<T> | undefined;
      if (hit) return hit;
      const pending = load();
      cache.set(key, pending);
      // A failed read is not kept: the next subscriber tries again.
      pending.catch(() => cache.delete(key));
      return pending;
    },
  };
}
