// 受付番号: JST date + 8-digit daily sequence, unique under concurrency.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../lib/db.ts";
import { nextReceiptNumber } from "../../services/receipts.ts";
import { createTestDatabase } from "../support/database.ts";

let db: Database;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db.close());

describe("receipt numbers", () => {
  it("are the JST date plus a gap-free daily sequence, unique across 60 concurrent requests", async () => {
    const at = new Date("2026-11-24T23:30:00+09:00"); // 14:30 UTC: still the 24th in Tokyo
    const numbers = await Promise.all(
      Array.from({ length: 60 }, () => db.prisma.$transaction((tx) => nextReceiptNumber(tx, at))),
    );
    expect(new Set(numbers).size).toBe(60);
    expect([...numbers].sort()).toEqual(
      Array.from({ length: 60 }, (_, i) => `20261124${String(i + 1).padStart(8, "0")}`),
    );
  });

  it("start again at 00000001 on the next JST day", async () => {
    const nextDay = new Date("2026-11-24T15:00:00Z"); // 00:00 on the 25th in Tokyo
    expect(await db.prisma.$transaction((tx) => nextReceiptNumber(tx, nextDay))).toBe("2026112500000001");
  });
});
