// R7 under a crash: the server process is killed with SIGKILL in the middle of
// a 200-line batch and started again. Every item must reach a final state
// exactly once: none lost, none applied twice.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../lib/db.ts";
import { graphql, loginAs } from "../support/graphql.ts";
import { killAllServerProcesses, startServerProcess } from "../support/server-process.ts";
import { waitForFinalReceipt, waitUntil } from "../support/wait.ts";

const dataDir = mkdtempSync(path.join(tmpdir(), "anshin-crash-"));
afterAll(() => {
  killAllServerProcesses();
  rmSync(dataDir, { recursive: true, force: true });
});

const startServer = () =>
  startServerProcess({
    DATA_DIR: dataDir,
    FAKE_NOW: "2026-11-24T10:00:00+09:00",
    // Slow enough that the batch (~8 s) is surely still running when the kill
    // lands, even when a loaded CI machine answers the progress poll late (with
    // 20-60 ms the batch once finished between the poll and the kill).
    CARRIER_LATENCY_MS: "100-200",
    CARRIER_FAILURE_RATE: "0",
    WORKER_CONCURRENCY: "4",
    WORKER_LEASE_MS: "1000",
  });

async function progress(url: string, token: string, number: string) {
  // A poll (a read) may meet a keep-alive connection the busy server is just
  // closing (ECONNRESET); asking again is safe.
  for (let attempt = 1; ; attempt++) {
    try {
      const result: any = await graphql(
        url,
        "query ($n: String!) { receipt(number: $n) { status progress { total pending processing succeeded failed } } }",
        { n: number },
        token,
      );
      return result.data.receipt as { status: string; progress: Record<string, number> };
    } catch (error) {
      if (attempt >= 3) throw error;
    }
  }
}

describe("R7 crash safety", () => {
  it("after SIGKILL mid-batch and a restart, all 200 items finish exactly once", async () => {
    let server = await startServer();
    let token = await loginAs(server.graphqlUrl, "Manager@admin");
    const page: any = await graphql(
      server.graphqlUrl,
      "{ lines(first: 200, filter: {contractStatus: ACTIVE, outOfService: false}) { edges { node { id phoneNumber } } } }",
      {},
      token,
    );
    const lines: { id: string; phoneNumber: string }[] = page.data.lines.edges.map((e: any) => e.node);
    expect(lines).toHaveLength(200);
    const submitted: any = await graphql(
      server.graphqlUrl,
      "mutation ($input: PermissionChangeInput!) { submitPermissionChange(input: $input) { receipt { number } userErrors { code } } }",
      { input: { lines: lines.map((l) => ({ lineId: l.id, backup: true, phonebookMigration: true })) } },
      token,
    );
    const number: string = submitted.data.submitPermissionChange.receipt.number;

    // Kill the process once part of the batch is done, with items in flight.
    await waitUntil(
      () => progress(server.graphqlUrl, token, number),
      ({ progress: p }) => p.succeeded! >= 40 && p.processing! >= 1,
      { what: "40 items of the batch to succeed while others are in flight" },
    );
    await server.kill();
    // The kill landed mid-batch: items were still open in the database it left,
    // and those it had claimed (PROCESSING) are the ones a restart must take over.
    const left = await openDatabase({ dataDir });
    let claimed: string[];
    try {
      const open = await left.prisma.receiptItem.findMany({
        where: { status: { in: ["PENDING", "PROCESSING"] } },
        select: { id: true, status: true },
      });
      expect(open.length).toBeGreaterThan(0);
      claimed = open.filter((item) => item.status === "PROCESSING").map((item) => item.id);
    } finally {
      await left.close();
    }

    server = await startServer();
    token = await loginAs(server.graphqlUrl, "Manager@admin");
    const final = await waitForFinalReceipt(() => progress(server.graphqlUrl, token, number), {
      timeoutMs: 150_000,
    });
    expect(final).toEqual({
      status: "SUCCEEDED",
      progress: { total: 200, pending: 0, processing: 0, succeeded: 200, failed: 0 },
    });
    expect(await server.stop()).toBe(0);

    const db = await openDatabase({ dataDir });
    try {
      const receipt = await db.prisma.receipt.findUniqueOrThrow({ where: { number } });
      const items = await db.prisma.receiptItem.findMany({ where: { receiptId: receipt.id } });
      expect(items.map((i) => i.status)).toEqual(Array(200).fill("SUCCEEDED"));
      // Items in flight at the kill were taken over by the restarted process.
      // (On a loaded machine the kill may land between claims, with none in flight.)
      const takenOver = items.filter((i) => claimed.includes(i.id));
      expect(takenOver.every((i) => i.attempts >= 2)).toBe(true);
      // Applied once: every line's version moved from 1 to exactly 2.
      const after = await db.prisma.line.findMany({
        where: { phoneNumber: { in: lines.map((l) => l.phoneNumber) } },
      });
      expect(after.map((l) => [l.version, l.status, l.backup, l.phonebookMigration])).toEqual(
        Array(200).fill([2, "IN_SERVICE", true, true]),
      );
      // The event log has one final event per item and no gap.
      const events = await db.prisma.receiptEvent.findMany({
        where: { receiptId: receipt.id },
        orderBy: { seq: "asc" },
      });
      expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
      const succeeded = events.filter((e) => e.itemStatus === "SUCCEEDED").map((e) => e.itemId);
      expect(succeeded).toHaveLength(200);
      expect(new Set(succeeded).size).toBe(200);
      expect(events.filter((e) => e.itemId === null && e.status === "SUCCEEDED")).toHaveLength(1);
    } finally {
      await db.close();
    }
  }, 240_000);
});
