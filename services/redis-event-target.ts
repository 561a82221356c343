// The realtime hub's transport over Redis (REDIS_URL), in place of
// @graphql-yoga/redis-event-target, which publishes without catching: with
// Redis gone, ioredis rejected a publish (MaxRetriesPerRequestError) and the
// unhandled rejection ended the process (issue 15: both instances exited
// within 0.3 s of Redis being killed). Here losing Redis degrades instead:
//
// - Both connections reconnect forever, backing off up to 2 s; nothing waits
//   for Redis, at start-up or later.
// - A publish that fails (no offline queue, so at once while Redis is away)
//   reaches this instance's own subscribers directly; other instances miss it.
// - Once this instance is subscribed again after Redis was away, `onResume`
//   tells its subscribers they may have missed events. After its own
//   publishes failed, it also tells every instance so (the resync channel)
//   as soon as Redis takes publishes again: that covers an instance whose
//   subscriber connection never noticed anything.
// - Failures are logged at warn once per outage, the return at info.
import { setMaxListeners } from "node:events";
import { Redis, type RedisOptions } from "ioredis";
import type { Logger } from "../lib/logger.ts";

/** Every instance subscribes to it; a message on it means "you may have missed events". */
export const RESYNC_CHANNEL = "anshin:realtime:resync";

export interface RedisEventTargetOptions {
  url: string;
  logger?: Logger;
  /** This instance's subscribers may have missed events; called once subscriptions are live again. */
  onResume(): void;
}

export interface RedisEventTarget {
  addEventListener(topic: string, listener: EventListenerOrEventListenerObject): void;
  removeEventListener(topic: string, listener: EventListenerOrEventListenerObject): void;
  dispatchEvent(event: Event): boolean;
  /** Hands `detail` to this instance's listeners of `topic` only. */
  deliverLocally(topic: string, detail: unknown): void;
  /** True when Redis answers a PING and this instance's subscriptions are live. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

/** Reconnection delays: 100 ms, 200 ms … up to 2 s, forever, jittered so instances do not retry in step. */
export function reconnectDelay(attempt: number): number {
  const capped = Math.min(2_000, 50 * 2 ** Math.min(attempt, 6));
  return Math.round(capped / 2 + (Math.random() * capped) / 2);
}

const connection: RedisOptions = {
  retryStrategy: reconnectDelay,
  // Commands fail at once while Redis is away instead of piling up: a
  // publish is then delivered locally, a subscription made on the next
  // connection.
  enableOfflineQueue: false,
  maxRetriesPerRequest: 1,
  commandTimeout: 2_000,
};

export function createRedisEventTarget(options: RedisEventTargetOptions): RedisEventTarget {
  const { url, logger } = options;
  const local = new EventTarget();
  // Hundreds of watchers of one receipt are expected, not a leak.
  setMaxListeners(0, local);
  const topics = new Map<string, number>();
  const publisher = new Redis(url, connection);
  // Subscriptions are this module's: every new connection subscribes to the
  // topics listened to now (ioredis' own resubscription would also bring
  // back those given up while Redis was away).
  const subscriber = new Redis(url, { ...connection, autoResubscribe: false });

  let closing = false;
  /** Redis was found unreachable and that was logged. */
  let outage = false;
  /** Subscriptions were not live for a while: tell the subscribers once they are. */
  let missed = false;
  /** Some of this instance's publishes did not reach Redis: tell every instance once they do again. */
  let unsent = false;

  const down = (error?: unknown) => {
    if (closing || outage) return;
    outage = true;
    logger?.warn(
      { err: error },
      "realtime: Redis unreachable; events reach only this instance's subscribers until it is back",
    );
  };
  const back = () => {
    if (!outage || publisher.status !== "ready" || subscriber.status !== "ready") return;
    outage = false;
    logger?.info("realtime: Redis reachable again; subscribers refill what they missed from the event log");
  };
  /** A subscription could not be made on a connection that looks fine: start over on a new one. */
  const resubscribeLater = (error: unknown) => {
    missed = true;
    down(error);
    if (!closing && subscriber.status === "ready") subscriber.disconnect(true);
  };

  subscriber.on("error", (error) => {
    missed = true;
    down(error);
  });
  subscriber.on("close", () => {
    if (closing) return;
    missed = true;
    down();
  });
  // Subscribers are told of a gap only once Redis has confirmed the
  // subscriptions: whatever they then read from the event log, anything
  // published later reaches them.
  subscriber.on("ready", () => {
    subscriber.subscribe(RESYNC_CHANNEL, ...topics.keys()).then(() => {
      back();
      if (!missed) return;
      missed = false;
      options.onResume();
    }, resubscribeLater);
  });
  subscriber.on("message", (channel: string, message: string) => {
    if (channel === RESYNC_CHANNEL) {
      options.onResume();
      return;
    }
    if (!topics.has(channel)) return;
    let detail: unknown;
    try {
      detail = message === "" ? null : JSON.parse(message);
    } catch (error) {
      logger?.warn({ err: error, channel }, "realtime: unreadable message from Redis ignored");
      return;
    }
    local.dispatchEvent(new CustomEvent(channel, { detail }));
  });

  const resync = () => {
    if (!unsent || closing || publisher.status !== "ready") return;
    unsent = false;
    publisher.publish(RESYNC_CHANNEL, "").then(back, () => {
      unsent = true;
    });
  };
  publisher.on("error", down);
  publisher.on("ready", () => {
    back();
    resync();
  });

  const quit = async (client: Redis) => {
    if (client.status === "ready") await client.quit().catch(() => client.disconnect());
    else client.disconnect();
  };

  return {
    addEventListener(topic, listener) {
      local.addEventListener(topic, listener);
      const count = topics.get(topic) ?? 0;
      topics.set(topic, count + 1);
      // Not connected: the next connection subscribes to it.
      if (count === 0 && subscriber.status === "ready") subscriber.subscribe(topic).catch(resubscribeLater);
    },
    removeEventListener(topic, listener) {
      local.removeEventListener(topic, listener);
      const count = topics.get(topic);
      if (count === undefined) return;
      if (count > 1) {
        topics.set(topic, count - 1);
        return;
      }
      topics.delete(topic);
      // Not connected: the next connection does not subscribe to it.
      if (subscriber.status === "ready") subscriber.unsubscribe(topic).catch(() => {});
    },
    dispatchEvent(event) {
      const { type, detail } = event as CustomEvent<unknown>;
      publisher.publish(type, detail === undefined ? "" : JSON.stringify(detail)).then(resync, (error) => {
        unsent = true;
        down(error);
        // Delivered here at least; receiptProgress drops a seq it has already
        // sent, should the publish have gone through after all.
        local.dispatchEvent(new CustomEvent(type, { detail }));
      });
      return true;
    },
    deliverLocally(topic, detail) {
      local.dispatchEvent(new CustomEvent(topic, { detail }));
    },
    async ping() {
      if (subscriber.status !== "ready") return false;
      try {
        await publisher.ping();
        return true;
      } catch {
        return false;
      }
    },
    async close() {
      closing = true;
      await Promise.allSettled([quit(publisher), quit(subscriber)]);
    },
  };
}
