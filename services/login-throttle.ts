// Sign-in throttling that follows the attacker, not the victim. Nothing here
// locks an administrator: failures are counted per client address and per
// (login id as typed, address), so a flood from one address slows down that
// address only, and the real administrator signs in from any other.
//
// - (login id, address): `freeFailures` wrong passwords in a row, then each
//   further failure makes that pair wait 1 s, 2 s, 4 s … up to
//   `maxDelaySeconds`; a successful sign-in forgets them. The count is
//   forgotten a day after its first failure.
// - address: at most `addressFailures` failed sign-ins per
//   `addressWindowSeconds`, whatever the login ids; past that the address is
//   refused for every id for another window.
//
// Both are checked before anything is looked up, so a refusal is the same for
// known and unknown login ids, and it verifies no password. The stores are
// rate-limiter-flexible's (the "login endpoint protection" pattern of its
// wiki): in memory, or in Redis with REDIS_URL so that every instance counts
// together; when Redis cannot be reached each instance counts in its own
// memory (insuranceLimiter) rather than failing sign-ins.
import { createHash } from "node:crypto";
import { Redis } from "ioredis";
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from "rate-limiter-flexible";
import type { Logger } from "../lib/logger.ts";
import type { MetricsPort } from "./metrics.ts";

export interface LoginThrottlePolicy {
  /** Wrong passwords in a row one address may try for one login id before the delays start. */
  freeFailures: number;
  /** The longest delay (the delays double from 1 s up to it). */
  maxDelaySeconds: number;
  /** Failed sign-ins one address may make per window, whatever the login ids. */
  addressFailures: number;
  /** That window; an address past the ceiling is refused for as long again. */
  addressWindowSeconds: number;
}

export const defaultLoginThrottlePolicy: LoginThrottlePolicy = {
  freeFailures: 5,
  maxDelaySeconds: 15 * 60,
  addressFailures: 100,
  addressWindowSeconds: 15 * 60,
};

/** How long one (login id, address) waits after its `failures`-th wrong password in a row (0: not at all). */
export function delaySeconds(policy: LoginThrottlePolicy, failures: number): number {
  if (failures < policy.freeFailures) return 0;
  return Math.min(2 ** (failures - policy.freeFailures), policy.maxDelaySeconds);
}

/** An attempt the throttle let through: tell it how it ended. */
export interface AdmittedAttempt {
  admitted: true;
  /** The password was wrong or the id unknown (the same work either way). */
  failed(): Promise<void>;
  /** Signed in: the pair's failures are forgotten and the attempt does not count against the address. */
  succeeded(): Promise<void>;
  /** No verdict (the database could not be read): the attempt does not count against the address. */
  abandoned(): Promise<void>;
}

export type Admission = AdmittedAttempt | { admitted: false; retryAfterSeconds: number };

export interface LoginThrottle {
  /**
   * Called before anything is looked up. Refuses a (login id, address) that
   * is waiting out a delay and an address past its ceiling. An admitted
   * attempt counts against the address at once (atomically in the store) and
   * `succeeded` gives it back: concurrent guesses for one pair may each be
   * verified before the first failure is counted for the pair, but never
   * more of them than the address's ceiling.
   */
  admit(loginId: string, address: string | null): Promise<Admission>;
  /** Resolves once the counts are shared: Redis is connected (until then, and whenever it is not, each instance counts in memory). */
  shared(): Promise<void>;
  close(): Promise<void>;
}

/** The pair's count lives this long from its first failure. */
const FAILURE_MEMORY_SECONDS = 24 * 60 * 60;

export function createLoginThrottle(options: {
  policy?: LoginThrottlePolicy;
  /** Share the counts with every instance through this Redis. */
  redisUrl?: string;
  logger?: Logger;
  /** Told of each refused attempt (rate_limit_refusals_total{limit="login"}). */
  metrics?: MetricsPort;
}): LoginThrottle {
  const policy = options.policy ?? defaultLoginThrottlePolicy;
  const { logger } = options;
  const redis = options.redisUrl ? connectRedis(options.redisUrl, logger) : null;
  const limiter = (limits: {
    keyPrefix: string;
    points: number;
    duration: number;
    blockDuration?: number;
  }) =>
    redis
      ? new RateLimiterRedis({
          ...limits,
          storeClient: redis,
          // Not connected: count in memory at once instead of waiting for Redis.
          rejectIfRedisNotReady: true,
          insuranceLimiter: new RateLimiterMemory(limits),
        })
      : new RateLimiterMemory(limits);

  const failuresOfPair = limiter({
    keyPrefix: "login_fail_id_address",
    points: Number.MAX_SAFE_INTEGER,
    duration: FAILURE_MEMORY_SECONDS,
  });
  // Holds a key only while its pair waits out a delay.
  const delayedPairs = limiter({ keyPrefix: "login_delay_id_address", points: 0, duration: 1 });
  const failuresOfAddress = limiter({
    keyPrefix: "login_fail_address",
    points: policy.addressFailures,
    duration: policy.addressWindowSeconds,
    blockDuration: policy.addressWindowSeconds,
  });

  const refused = (msBeforeNext: number): Admission => {
    options.metrics?.rateLimitRefused("login");
    return { admitted: false, retryAfterSeconds: Math.max(1, Math.ceil(msBeforeNext / 1000)) };
  };

  return {
    async admit(loginId, address) {
      const pair = pairKey(loginId, address);
      const from = addressKey(address);
      const delayed = await delayedPairs.get(pair);
      if (delayed && delayed.consumedPoints > 0) return refused(delayed.msBeforeNext);
      try {
        await failuresOfAddress.consume(from);
      } catch (error) {
        if (!(error instanceof RateLimiterRes)) throw error;
        if (error.consumedPoints === policy.addressFailures + 1) {
          logger?.warn(
            { address: from, failures: policy.addressFailures, seconds: policy.addressWindowSeconds },
            "sign-in refused for an address past its failure ceiling",
          );
        }
        return refused(error.msBeforeNext);
      }
      return {
        admitted: true,
        async failed() {
          const { consumedPoints: failures } = await failuresOfPair.penalty(pair);
          const seconds = delaySeconds(policy, failures);
          if (seconds > 0) await delayedPairs.block(pair, seconds);
          if (failures === policy.freeFailures) {
            logger?.info({ address: from, failures }, "sign-in attempts for one login id delayed");
          }
        },
        async abandoned() {
          await failuresOfAddress.reward(from);
        },
        async succeeded() {
          await Promise.all([
            failuresOfPair.delete(pair),
            delayedPairs.delete(pair),
            failuresOfAddress.reward(from),
          ]);
        },
      };
    },
    async shared() {
      if (redis && redis.status !== "ready") await new Promise((resolve) => redis.once("ready", resolve));
    },
    async close() {
      if (redis) await redis.quit().catch(() => redis.disconnect());
    },
  };
}

/**
 * The login id as typed, trimmed and lower-cased (case variants are one id),
 * and hashed: what someone types as a login id may be a password typed into
 * the wrong box, and does not belong in Redis.
 */
function pairKey(loginId: string, address: string | null): string {
  const id = createHash("sha256").update(loginId.trim().toLowerCase()).digest("base64url").slice(0, 22);
  return `${id}@${addressKey(address)}`;
}

/** One IPv6 client usually holds a whole /64: it counts as one address. */
export function addressKey(address: string | null): string {
  if (!address) return "unknown";
  if (!address.includes(":")) return address;
  const [plain = ""] = address.split("%");
  const [head = "", tail] = plain.split("::");
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  const groups = [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill("0"), ...right];
  const prefix = groups.slice(0, 4).map((group) => Number.parseInt(group, 16));
  if (prefix.some((group) => Number.isNaN(group))) return address;
  return `${prefix.map((group) => group.toString(16)).join(":")}::/64`;
}

function connectRedis(url: string, logger: Logger | undefined): Redis {
  const client = new Redis(url, {
    // Commands fail at once while disconnected (the limiters then count in
    // memory) and after a second when Redis hangs, instead of holding sign-ins.
    enableOfflineQueue: false,
    commandTimeout: 1_000,
    maxRetriesPerRequest: 1,
  });
  let down = false;
  client.on("error", (error) => {
    if (down) return;
    down = true;
    logger?.warn({ err: error }, "sign-in throttling: Redis unreachable, counting in this instance's memory");
  });
  client.on("ready", () => {
    if (down) logger?.info("sign-in throttling: Redis reachable again");
    down = false;
  });
  return client;
}
