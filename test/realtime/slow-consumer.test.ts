// Slow consumers cannot stall others or grow memory without bound: each
// subscriber has a bounded queue; when it fills, it is dropped and the
// subscriber is told (OVERFLOW), and receiptProgress refills from the log.
import { describe, expect, it } from "vitest";
import { createRealtime, OVERFLOW } from "../../services/realtime.ts";
import type { ReceiptEventRecord } from "../../services/receipts.ts";

function event(seq: number): ReceiptEventRecord {
  return {
    receiptId: "r1",
    seq,
    itemId: `i${seq}`,
    itemStatus: "SUCCEEDED",
    status: "PROCESSING",
    createdAt: new Date(),
  };
}

describe("bounded subscriptions", () => {
  it("a subscriber that stops reading neither blocks the publisher nor holds more than its limit", async () => {
    const realtime = createRealtime();
    const slow = realtime.subscribe("receipt:event", "r1", 10);
    const fast = realtime.subscribe("receipt:event", "r1", 10);
    const fastSeen: number[] = [];
    const reading = (async () => {
      for await (const value of fast) {
        if (value === OVERFLOW) throw new Error("the fast reader overflowed");
        fastSeen.push(value.seq);
        if (value.seq === 1000) break;
      }
    })();
    for (let seq = 1; seq <= 1000; seq++) {
      realtime.pubsub.publish("receipt:event", "r1", event(seq));
      if (seq % 5 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    await reading;
    expect(fastSeen).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1));

    // The slow one: told it overflowed, then holds at most its limit of the
    // most recent events, the last one published among them.
    const first = await slow.next();
    expect(first.value).toBe(OVERFLOW);
    const rest: number[] = [];
    while (rest.at(-1) !== 1000) {
      const next = await slow.next();
      if (next.done || next.value === OVERFLOW) throw new Error(`unexpected ${String(next.value)}`);
      rest.push(next.value.seq);
      expect(rest.length).toBeLessThanOrEqual(10);
    }
    expect(rest).toEqual(Array.from({ length: rest.length }, (_, i) => 1001 - rest.length + i));
    await slow.return();
  });

  it("listens from the moment of subscribing, before the first read", async () => {
    const realtime = createRealtime();
    const sub = realtime.subscribe("receipt:event", "r1");
    realtime.pubsub.publish("receipt:event", "r1", event(1));
    expect((await sub.next()).value).toMatchObject({ seq: 1 });
    await sub.return();
  });

  it("return() ends a read that is waiting", async () => {
    const realtime = createRealtime();
    const sub = realtime.subscribe("lines:changed", "account");
    const waiting = sub.next();
    await sub.return();
    expect(await waiting).toEqual({ done: true, value: undefined });
  });
});
