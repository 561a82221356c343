// Query-cost budgets per caller (issue 14 point 4): every session, every API
// token and, for operations without credentials, every client address may
// spend `points` of query cost per window. Counted by rate-limiter-flexible:
// in memory, or in Redis when a URL is given, so that every instance draws on
// one budget. A Redis outage falls back to a memory limiter per instance
// (rate-limiter-flexible's insuranceLimiter): budgets are then counted per
// instance, and no request fails because Redis does.
import { Redis } from "ioredis";
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from "rate-limiter-flexible";
import type { Actor } from "../domain/auth/actor.ts";
import { credentialKey } from "./auth.ts";
import type { MetricsPort } from "./metrics.ts";

export interface RateLimitSettings {
  /** Cost points per window and caller. */
  points: number;
  windowSeconds: number;
  redisUrl?: string;
  /** Told when Redis fails, once per outage (the memory limiter answers meanwhile). */
  onStoreError?: (error: unknown) => void;
  /** Told of each refusal (rate_limit_refusals_total). */
  metrics?: MetricsPort;
}

/** What a caller's budget looks like after an operation asked for `cost`. */
export interface BudgetState {
  /** The points the operation cost (charged only when `allowed`). */
  cost: number;
  limit: number;
  /** Points left in this window. */
  remaining: number;
  /** Milliseconds until the window ends and the whole budget is back. */
  msBeforeReset: number;
  /** False: the operation does not fit in what is left; nothing was charged. */
  allowed: boolean;
}

export interface RateLimits {
  readonly points: number;
  readonly windowSeconds: number;
  /**
   * Charges `cost` to `key`'s budget, or refuses it without charging when it
   * does not fit in what is left (as GitHub and Shopify do: a refused query
   * costs nothing, so smaller ones may still pass). A cost of 0 only reads.
   */
  spend(key: string, cost: number): Promise<BudgetState>;
  close(): Promise<void>;
}

/** Whose budget an operation draws on: its session or API token, else its client address. */
export function budgetKey(actor: Actor | null | undefined, ip: string | null | undefined): string {
  return actor ? credentialKey(actor) : `ip:${ip ?? "unknown"}`;
}

export function createRateLimits(settings: RateLimitSettings): RateLimits {
  const { points, windowSeconds } = settings;
  const windowMs = windowSeconds * 1000;
  const keyPrefix = "anshin:rate";
  const memory = new RateLimiterMemory({ keyPrefix, points, duration: windowSeconds });
  let redis: Redis | undefined;
  let limiter: RateLimiterMemory | RateLimiterRedis = memory;
  if (settings.redisUrl) {
    // No offline queue and a short command timeout: while Redis is away a
    // request is counted in memory at once instead of waiting for it.
    redis = new Redis(settings.redisUrl, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      commandTimeout: 1_000,
    });
    // Told once per outage, not at every reconnection attempt.
    let failing = false;
    redis.on("ready", () => {
      failing = false;
    });
    redis.on("error", (error) => {
      if (!failing) settings.onStoreError?.(error);
      failing = true;
    });
    limiter = new RateLimiterRedis({
      storeClient: redis,
      keyPrefix,
      points,
      duration: windowSeconds,
      rejectIfRedisNotReady: true,
      insuranceLimiter: new RateLimiterMemory({ keyPrefix, points, duration: windowSeconds }),
    });
  }

  type Counted = Pick<RateLimiterRes, "consumedPoints" | "msBeforeNext">;
  const state = (res: Counted | null, cost: number, allowed: boolean): BudgetState => ({
    cost,
    limit: points,
    remaining: Math.max(points - (res?.consumedPoints ?? 0), 0),
    msBeforeReset: res && res.msBeforeNext >= 0 ? res.msBeforeNext : windowMs,
    allowed,
  });

  return {
    points,
    windowSeconds,
    async spend(key, cost) {
      if (cost <= 0) return state(await limiter.get(key).catch(() => null), 0, true);
      try {
        return state(await limiter.consume(key, cost), cost, true);
      } catch (refusal) {
        // Neither Redis nor memory answered: let the operation run, uncounted.
        if (!(refusal instanceof RateLimiterRes)) {
          settings.onStoreError?.(refusal);
          return state(null, cost, true);
        }
        // The consume counted the refused points; give them back.
        await limiter.reward(key, cost).catch(() => {});
        settings.metrics?.rateLimitRefused("query_cost");
        const before = { consumedPoints: refusal.consumedPoints - cost, msBeforeNext: refusal.msBeforeNext };
        return state(before, cost, false);
      }
    },
    async close() {
      await redis?.quit().catch(() => {});
    },
  };
}
