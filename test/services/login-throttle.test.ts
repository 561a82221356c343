// The sign-in throttle as a service (services/login-throttle.ts): its stores
// in memory, in Redis shared by instances, and in memory again when Redis
// cannot be reached. What the API answers is in test/api/login-throttle.test.ts.
import { Writable } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { createLogger } from "../../lib/logger.ts";
import { addressKey, createLoginThrottle, type LoginThrottle } from "../../services/login-throttle.ts";

const policy = { freeFailures: 2, maxDelaySeconds: 60, addressFailures: 5, addressWindowSeconds: 60 };

const opened: LoginThrottle[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((throttle) => throttle.close()));
});

function throttle(options: Parameters<typeof createLoginThrottle>[0]): LoginThrottle {
  const created = createLoginThrottle(options);
  opened.push(created);
  return created;
}

/** Fails `loginId` from `address` once, or says how long it must wait. */
async function fail(limiter: LoginThrottle, loginId: string, address: string) {
  const attempt = await limiter.admit(loginId, address);
  if (!attempt.admitted) return `wait ${attempt.retryAfterSeconds} s`;
  await attempt.failed();
  return "failed";
}

describe("login throttle", () => {
  it("counts in memory by default", async () => {
    const limiter = throttle({ policy });
    const seen = [];
    for (let i = 0; i < 3; i++) seen.push(await fail(limiter, "Manager@admin", "192.0.2.1"));
    expect(seen).toEqual(["failed", "failed", "wait 1 s"]);
  });

  it("counts an IPv6 /64 as one address", () => {
    expect(addressKey("2001:db8:1:2:aaaa::1")).toBe("2001:db8:1:2::/64");
    expect(addressKey("2001:db8:1:2::ffff")).toBe("2001:db8:1:2::/64");
    expect(addressKey("2001:0db8:0001:0003:0:0:0:1")).toBe("2001:db8:1:3::/64");
    expect(addressKey("::1")).toBe("0:0:0:0::/64");
    expect(addressKey("192.0.2.1")).toBe("192.0.2.1");
    expect(addressKey(null)).toBe("unknown");
  });

  it("keeps refusing sign-ins it cannot count in Redis: with Redis unreachable it counts in memory", async () => {
    const logs: { msg: string }[] = [];
    const logger = createLogger(
      "warn",
      new Writable({
        write(chunk, _encoding, callback) {
          logs.push(JSON.parse(String(chunk)));
          callback();
        },
      }),
    );
    // Nothing listens on port 1.
    const limiter = throttle({ policy, redisUrl: "redis://127.0.0.1:1", logger });
    const started = performance.now();
    const seen = [];
    for (let i = 0; i < 3; i++) seen.push(await fail(limiter, "Manager@admin", "192.0.2.1"));
    const admitted = await limiter.admit("Manager@admin", "192.0.2.2");
    expect(admitted.admitted).toBe(true);
    if (admitted.admitted) await admitted.succeeded();
    expect(seen).toEqual(["failed", "failed", "wait 1 s"]);
    expect(performance.now() - started).toBeLessThan(5_000);
    await expect
      .poll(() => logs.map((line) => line.msg))
      .toContain("sign-in throttling: Redis unreachable, counting in this instance's memory");
  });

  it.runIf(process.env.TEST_REDIS_URL)("with Redis, instances count together", async () => {
    const redisUrl = process.env.TEST_REDIS_URL!;
    const address = `192.0.2.${Math.floor(Math.random() * 200) + 20}`;
    const loginId = `shared-${Date.now()}@admin`;
    const one = throttle({ policy, redisUrl });
    const two = throttle({ policy, redisUrl });
    await Promise.all([one.shared(), two.shared()]);
    expect(await fail(one, loginId, address)).toBe("failed");
    expect(await fail(two, loginId, address)).toBe("failed");
    expect(await fail(one, loginId, address)).toBe("wait 1 s");
    expect(await fail(two, loginId, address)).toBe("wait 1 s");
    // Failures of other ids from that address add up on both instances too (5 per window).
    expect(await fail(two, `b-${loginId}`, address)).toBe("failed");
    expect(await fail(one, `c-${loginId}`, address)).toBe("failed");
    expect(await fail(two, `d-${loginId}`, address)).toBe("failed");
    expect(await fail(one, `e-${loginId}`, address)).toBe("wait 60 s");
  });
});
