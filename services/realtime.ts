// Realtime topics, typed in one place and scoped by id. In-process by default;
// with REDIS_URL the same event target runs over Redis (several instances).
//
// Subscribers read through a bounded queue of their own. graphql-yoga's
// pubsub.subscribe queues without bound until 1,024 pending events and then
// throws inside the publisher's dispatch, which Node reports as an uncaught
// exception: one slow consumer could take the whole process down. Here a full
// queue is dropped but for the newest event and the subscriber is told so
// (OVERFLOW); receiptProgress then refills the gap from the receipt's event log.
import { setMaxListeners } from "node:events";
import { createPubSub, type PubSub } from "graphql-yoga";
import type { Logger } from "../lib/logger.ts";
import type { Revoked } from "./auth.ts";
import { type MetricsPort, noMetrics } from "./metrics.ts";
import type { ReceiptEventRecord } from "./receipts.ts";
import { createRedisEventTarget } from "./redis-event-target.ts";

export type Topics = {
  /** A receipt's event log grew (live payload; the log in the database stays the source of truth). */
  "receipt:event": [receiptId: string, event: ReceiptEventRecord];
  /** Lines of an account changed status, flags or version. */
  "lines:changed": [accountId: string, change: { lineIds: string[] }];
  /** A session or API token was revoked: every instance forgets its cached actor. */
  "auth:revoked": [scope: "all", revoked: Revoked];
};

export type RealtimePubSub = PubSub<Topics>;

/** Events a subscriber may hold before its queue is dropped. */
export const SUBSCRIBER_QUEUE_LIMIT = 512;

export const OVERFLOW = Symbol("overflow");

/**
 * How long subscribers may deliver queued events, all together, before they
 * let I/O run. A queued event resolves at once, and with PGlite even the
 * shared reads resolve without an I/O turn, so a thousand subscribers
 * draining their queues chain microtasks that starve sockets, timers and
 * /health; capping the events per subscriber per turn does not bound the
 * turn. The slice is a trade: a shorter one gives delivery too small a share
 * of each turn next to the worker, and watchers fall behind; a longer one
 * keeps /health and every socket waiting longer. The measurements behind the
 * choice are in bench/README.md ("Figures behind design decisions").
 */
const DELIVERY_SLICE_MS = 50;
let sliceStart = 0;
let sliceOpen = false;

/**
 * True when subscribers have delivered for long enough in this turn of the
 * event loop. The slice starts at the turn's first delivery, not at the
 * turn's start: other work in the turn (the worker's transactions) must not
 * use it up, or every subscriber gets one event per turn and watchers fall
 * behind (bench/README.md).
 */
function sliceSpent(): boolean {
  if (!sliceOpen) {
    sliceOpen = true;
    sliceStart = performance.now();
    setImmediate(() => {
      sliceOpen = false;
    });
  }
  return performance.now() - sliceStart > DELIVERY_SLICE_MS;
}

type Payload<K extends keyof Topics> = Topics[K][1];

/** A bounded subscription: the topic's payloads, or OVERFLOW when the queue was dropped. */
export type Subscription<K extends keyof Topics> = Drainable<Payload<K>>;

interface Drainable<T> extends AsyncGenerator<T | typeof OVERFLOW, void, unknown> {
  /**
   * Takes everything queued now, at once (OVERFLOW first when the queue was
   * dropped); empty when nothing is. For a consumer that sends what arrived
   * together as one batch (services/progress-batches.ts).
   */
  drain(): (T | typeof OVERFLOW)[];
}

interface Target {
  addEventListener(type: string, listener: EventListenerObject): void;
  removeEventListener(type: string, listener: EventListenerObject): void;
}

export interface Realtime {
  pubsub: RealtimePubSub;
  /** A bounded subscription to one topic and id; ends when `return()` is called. */
  subscribe<K extends keyof Topics>(topic: K, id: string, limit?: number): Subscription<K>;
  /** Live subscriptions on this instance to one topic and id (all ids when none is given). */
  subscribers(topic: keyof Topics, id?: string): number;
  /** With REDIS_URL: whether Redis answers and this instance's subscriptions are live (readiness). */
  redis: { ping(): Promise<boolean> } | null;
  close(): Promise<void>;
}

/**
 * In-process pub/sub, or over Redis when a URL is given (./redis-event-target.ts).
 * Redis being away never fails a publish: events then reach this instance's
 * subscribers only, and when Redis is back every subscription is handed
 * OVERFLOW, as after a slow consumer's dropped queue: receiptProgress refills
 * the gap from the receipt's event log, lineStatusChanged ends with
 * SLOW_CONSUMER (subscribe again), revocations recheck every socket.
 */
export function createRealtime(
  redisUrl?: string,
  options: {
    logger?: Logger;
    /** Told of each publish and each event a subscriber takes (events_published_total, events_delivered_total, event_delivery_lag_seconds). */
    metrics?: MetricsPort;
  } = {},
): Realtime {
  const metrics = options.metrics ?? noMetrics;
  let target: Target;
  let close = async () => {};
  let redis: Realtime["redis"] = null;
  const counts = new Map<string, number>();
  if (redisUrl) {
    const overRedis = createRedisEventTarget({
      url: redisUrl,
      logger: options.logger,
      onResume: () => {
        for (const topic of counts.keys()) overRedis.deliverLocally(topic, OVERFLOW);
      },
    });
    target = overRedis;
    redis = { ping: () => overRedis.ping() };
    close = () => overRedis.close();
  } else {
    const local = new EventTarget();
    // Hundreds of watchers of one receipt are expected, not a leak.
    setMaxListeners(0, local);
    target = local;
  }
  const pubsub = createPubSub<Topics>({ eventTarget: target as never });
  const publish = pubsub.publish.bind(pubsub);
  pubsub.publish = ((topic: keyof Topics, ...args: never[]) => {
    metrics.eventPublished(topic);
    (publish as (topic: keyof Topics, ...args: never[]) => void)(topic, ...args);
  }) as typeof pubsub.publish;
  return {
    pubsub,
    subscribe: (topic, id, limit = SUBSCRIBER_QUEUE_LIMIT) =>
      new BoundedSubscription(target, topic, `${topic}:${id}`, limit, counts, metrics),
    subscribers(topic, id) {
      if (id !== undefined) return counts.get(`${topic}:${id}`) ?? 0;
      let total = 0;
      for (const [key, count] of counts) if (key.startsWith(`${topic}:`)) total += count;
      return total;
    },
    redis,
    close,
  };
}

/**
 * Listens at once (not on the first read, as a generator or a Repeater
 * would), so a caller can subscribe, then read the database, and miss nothing
 * published in between. `return()` ends it even while a read is waiting.
 * A class, and the listener itself (handleEvent): one lives per open
 * subscription, and closures per subscription were a large share of what an
 * idle one holds (bench/README.md, "Memory per idle subscription").
 */
class BoundedSubscription<T> implements Drainable<T>, EventListenerObject {
  private queue: T[] = [];
  // When each queued event arrived, in step with `queue`.
  private arrivals: number[] = [];
  private overflowed = false;
  private finished = false;
  private wake: (() => void) | undefined;

  constructor(
    private readonly target: Target,
    private readonly topic: keyof Topics,
    /** The topic and id: the event type listened to. */
    private readonly key: string,
    private readonly limit: number,
    private readonly counts: Map<string, number>,
    /**
     * Told, as the subscriber takes each event, how long it waited here since
     * it reached this instance (in-process: since its publish; over Redis:
     * since Redis handed it over).
     */
    private readonly metrics: MetricsPort,
  ) {
    target.addEventListener(key, this);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }

  handleEvent(event: Event) {
    const detail = (event as CustomEvent<T | typeof OVERFLOW>).detail;
    if (detail === OVERFLOW) {
      // Events may have been lost upstream (Redis was away): what is queued
      // stays, and the subscriber hears of the gap before it.
      this.overflowed = true;
    } else if (this.queue.length >= this.limit) {
      // The backlog goes; the newest event stays, so a subscriber always
      // holds the latest state it was sent.
      this.queue = [detail];
      this.arrivals = [performance.now()];
      this.overflowed = true;
    } else {
      this.queue.push(detail);
      this.arrivals.push(performance.now());
    }
    this.wake?.();
  }

  private delivered(lagMs: number) {
    this.metrics.eventDelivered(this.topic, lagMs / 1000);
  }

  private finish() {
    if (this.finished) return;
    this.finished = true;
    const { counts, key } = this;
    this.target.removeEventListener(key, this);
    const left = (counts.get(key) ?? 1) - 1;
    if (left > 0) counts.set(key, left);
    else counts.delete(key);
    this.wake?.();
  }

  drain(): (T | typeof OVERFLOW)[] {
    if (this.finished) return [];
    const taken: (T | typeof OVERFLOW)[] = this.overflowed ? [OVERFLOW, ...this.queue] : this.queue;
    const now = performance.now();
    for (const at of this.arrivals) this.delivered(now - at);
    this.overflowed = false;
    this.queue = [];
    this.arrivals = [];
    return taken;
  }

  async next(): Promise<IteratorResult<T | typeof OVERFLOW, void>> {
    for (;;) {
      if (this.finished) return DONE;
      if (this.overflowed) {
        this.overflowed = false;
        return { done: false, value: OVERFLOW };
      }
      if (this.queue.length > 0) {
        if (sliceSpent()) {
          await new Promise((resolve) => setImmediate(resolve));
          continue;
        }
        this.delivered(performance.now() - (this.arrivals.shift() as number));
        return { done: false, value: this.queue.shift() as T };
      }
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
      this.wake = undefined;
    }
  }

  async return(): Promise<IteratorReturnResult<void>> {
    this.finish();
    return DONE;
  }

  async throw(error: unknown): Promise<IteratorResult<T | typeof OVERFLOW, void>> {
    this.finish();
    throw error;
  }

  [Symbol.asyncIterator]() {
    return this;
  }
}

const DONE: IteratorReturnResult<void> = { done: true, value: undefined };

/** Events that crossed Redis arrive as JSON: bring dates back. */
export function reviveEvent(event: ReceiptEventRecord): ReceiptEventRecord {
  // In-process events are the publisher's own object, shared by every subscriber.
  if (event.createdAt instanceof Date) return event;
  return { ...event, createdAt: new Date(event.createdAt) };
}

/**
 * A stream over a subscription that ends at once when its consumer leaves.
 * An async generator's return() waits until the generator next reaches a
 * yield, so one parked on a quiet subscription (a watcher who closed the tab)
 * would go on listening until the topic's next event. Ending the subscription
 * first wakes the parked read, and the generator finishes now.
 */
export function endingWith<T>(
  stream: AsyncGenerator<T, void, unknown>,
  live: { return(): Promise<unknown> },
): AsyncGenerator<T, void, unknown> {
  return new EndingWith(stream, live);
}

/** endingWith's stream; a class, since one lives per open subscription. */
class EndingWith<T> implements AsyncGenerator<T, void, unknown> {
  constructor(
    private readonly stream: AsyncGenerator<T, void, unknown>,
    private readonly live: { return(): Promise<unknown> },
  ) {}

  next() {
    return this.stream.next();
  }

  async return() {
    await this.live.return();
    return this.stream.return();
  }

  async throw(error: unknown) {
    await this.live.return();
    return this.stream.throw(error);
  }

  [Symbol.asyncIterator]() {
    return this;
  }
}
