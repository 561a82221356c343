// When a temporary error is tried again: capped exponential backoff with full
// jitter, until a horizon after the item's first attempt.

export interface RetryPolicy {
  /** The backoff's first ceiling; it doubles with each attempt. */
  baseMs: number;
  /** The largest backoff. */
  capMs: number;
  /** Temporary errors fail an item only this long after its first attempt. */
  horizonMs: number;
}

/**
 * 1 s, 2 s, 4 s … 5 min ceilings, retried for 24 h: webhook senders retry for
 * about three days (Standard Webhooks, Svix), a day covers a carrier's or
 * mail server's maintenance night, and an administrator still learns within
 * the working day after that an item did not go through.
 */
export const defaultRetryPolicy: RetryPolicy = { baseMs: 1_000, capMs: 300_000, horizonMs: 24 * 3_600_000 };

/**
 * The wait before retry number `attempt` (1 = after the first attempt): "full
 * jitter" (AWS Architecture Blog, Exponential Backoff and Jitter), uniformly
 * below a ceiling that doubles per attempt up to the cap, so items that failed
 * together do not come back together.
 */
export function retryDelayMs(
  attempt: number,
  policy: Pick<RetryPolicy, "baseMs" | "capMs">,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** Math.min(Math.max(attempt - 1, 0), 40));
  return Math.floor(random() * ceiling);
}
