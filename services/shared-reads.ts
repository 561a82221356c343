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
  /**
   * The last value read for `key` if it is at least at version `atLeast`
   * (its `version`, e.g. a receipt's lastSeq), waiting for a read in flight;
   * otherwise a fresh read. A read started after an event was published
   * sees that event (it is published after its commit), so one read serves
   * every event of a burst: the events the worker committed while earlier
   * ones were being delivered.
   */
  latest<T>(key: string, atLeast: number, load: () => Promise<T>, version: (value: T) => number): Promise<T>;
  /**
   * The value for `key` read once for one published event (the payload
   * object every subscriber of the topic receives alike), kept only as long
   * as the event itself is.
   */
  forEvent<T>(event: object, key: string, load: () => Promise<T>): Promise<T>;
}

export function createSharedReads(options: { max?: number; ttlMs?: number } = {}): SharedReads {
  const cache = new LRUCache<string, Promise<unknown>>({
    max: options.max ?? 5_000,
    ttl: options.ttlMs ?? 30_000,
  });
  const latestReads = new LRUCache<string, Promise<unknown>>({
    max: options.max ?? 5_000,
    ttl: options.ttlMs ?? 30_000,
  });
  const perEvent = new WeakMap<object, Map<string, Promise<unknown>>>();
  return {
    forEvent<T>(event: object, key: string, load: () => Promise<T>): Promise<T> {
      let reads = perEvent.get(event);
      if (!reads) {
        reads = new Map();
        perEvent.set(event, reads);
      }
      const hit = reads.get(key) as Promise<T> | undefined;
      if (hit) return hit;
      const pending = load();
      reads.set(key, pending);
      pending.catch(() => reads.delete(key));
      return pending;
    },
    async latest<T>(key: string, atLeast: number, load: () => Promise<T>, version: (value: T) => number) {
      const previous = latestReads.get(key) as Promise<T> | undefined;
      if (previous) {
        const value = await previous.catch(() => undefined);
        if (value !== undefined && version(value) >= atLeast) return value;
        // Another caller may have started a newer read meanwhile.
        const newer = latestReads.get(key) as Promise<T> | undefined;
        if (newer && newer !== previous) return this.latest(key, atLeast, load, version);
      }
      const fresh = load();
      latestReads.set(key, fresh);
      fresh.catch(() => {
        if (latestReads.get(key) === fresh) latestReads.delete(key);
      });
      return fresh;
    },
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
