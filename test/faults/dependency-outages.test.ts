// Issue 15.2 on the cluster layout: the carrier (HTTP) and the mail server
// (SMTP) each go away for 60 s in the middle of a 200-line batch. Targets:
// nothing fails because of an outage shorter than the retry horizon (24 h),
// nothing is lost or applied (mailed) twice, the worker stops hammering the
// dependency (its circuit opens and /ready says so), administrators see the
// items waiting, and the receipt finishes by itself after recovery.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitUntil } from "../support/wait.ts";
import {
  batchFigures,
  type Cluster,
  clusterTests,
  rawId,
  readiness,
  receiptStatus,
  reportFigures,
  secondsSince,
  signIn,
  sql,
  startFaultCluster,
  submitBatch,
  submitMailBatch,
  waitForFinal,
} from "./harness.ts";

const OUTAGE_MS = 60_000;

let cluster: Cluster;

/** Items of the receipt that have ended (SUCCEEDED or FAILED). */
async function itemsDone(receiptId: string): Promise<number> {
  const [row] = await sql<{ n: number }>(
    cluster,
    `SELECT count(*)::int AS n FROM "ReceiptItem" WHERE "receiptId" = $1 AND status IN ('SUCCEEDED', 'FAILED')`,
    [rawId(receiptId)],
  );
  return row?.n ?? 0;
}

/** Items of the receipt that wait for a dependency (shown as 処理中 with a reason). */
async function itemsWaiting(receiptId: string, waitingFor: string): Promise<number> {
  const [row] = await sql<{ n: number }>(
    cluster,
    `SELECT count(*)::int AS n FROM "ReceiptItem" WHERE "receiptId" = $1 AND "waitingFor"::text = $2`,
    [rawId(receiptId), waitingFor],
  );
  return row?.n ?? 0;
}

/** What the worker instance's /ready says of a dependency. */
async function dependencyState(name: string): Promise<unknown> {
  const ready = await readiness(cluster.worker);
  const body = ready?.body as { dependencies?: Record<string, { state?: string }> } | undefined;
  return body?.dependencies?.[name]?.state;
}

/** Lets the outage last OUTAGE_MS, noting what is seen meanwhile (a bounded loop, one look a second). */
async function duringOutage(look: () => Promise<void>): Promise<void> {
  const end = Date.now() + OUTAGE_MS;
  while (Date.now() < end) {
    await look();
    await new Promise((resolve) => setTimeout(resolve, Math.min(1_000, Math.max(0, end - Date.now()))));
  }
}

describe.skipIf(!clusterTests)("dependency outages on the cluster layout", () => {
  beforeAll(async () => {
    cluster = await startFaultCluster({ workerEnv: { WORKER_CONCURRENCY: "4" } });
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it("the carrier down 60 s mid-batch: nothing fails, nothing is applied twice, the receipt finishes by itself", async () => {
    const token = await signIn(cluster);
    const batch = await submitBatch(cluster, token, { lines: 200 });
    await waitUntil(
      () => itemsDone(batch.id),
      (n) => n >= 10,
      { what: "the batch under way", timeoutMs: 120_000 },
    );
    await cluster.carrier.stop();
    const downAt = Date.now();
    let mostWaiting = 0;
    const statesSeen = new Set<unknown>();
    await duringOutage(async () => {
      mostWaiting = Math.max(mostWaiting, await itemsWaiting(batch.id, "CARRIER"));
      statesSeen.add(await dependencyState("carrier"));
    });
    const openAtEnd = (await receiptStatus(cluster, batch.id)) === "PROCESSING";
    const doneBeforeRecovery = await itemsDone(batch.id);
    await cluster.carrier.start();
    const upAt = Date.now();
    expect(await waitForFinal(cluster, batch, 180_000)).toBe("SUCCEEDED");
    const figures = {
      outageSeconds: Math.round((upAt - downAt) / 1000),
      itemsDoneBeforeRecovery: doneBeforeRecovery,
      mostItemsWaitingForCarrier: mostWaiting,
      circuitStatesSeen: [...statesSeen],
      secondsToFinishAfterRecovery: secondsSince(upAt),
      processesExited: cluster.exits.length,
      ...(await batchFigures(cluster, batch)),
    };
    reportFigures("carrier-outage", figures);
    expect(openAtEnd).toBe(true);
    expect(mostWaiting).toBeGreaterThan(0);
    expect(statesSeen).toContain("down");
    expect(figures).toMatchObject({
      items: 200,
      succeeded: 200,
      failed: 0,
      lost: 0,
      appliedTwice: 0,
      failedBecauseOfOutage: 0,
      eventLogGaps: 0,
      finalEvents: 1,
      processesExited: 0,
    });
  }, 400_000);

  it("the mail server down 60 s mid mail batch: nothing fails, no one is mailed twice, the receipt finishes by itself", async () => {
    const token = await signIn(cluster);
    const { receipt } = await submitMailBatch(cluster, token, { lines: 200 });
    if (!receipt) throw new Error("every line was skipped");
    const items =
      (
        await sql<{ n: number }>(
          cluster,
          `SELECT count(*)::int AS n FROM "ReceiptItem" WHERE "receiptId" = $1`,
          [rawId(receipt.id)],
        )
      )[0]?.n ?? 0;
    await waitUntil(
      () => itemsDone(receipt.id),
      (n) => n >= 10,
      { what: "the mail batch under way", timeoutMs: 120_000 },
    );
    await cluster.smtp.stop();
    const downAt = Date.now();
    let mostWaiting = 0;
    await duringOutage(async () => {
      mostWaiting = Math.max(mostWaiting, await itemsWaiting(receipt.id, "MAIL_SERVER"));
    });
    const openAtEnd = (await receiptStatus(cluster, receipt.id)) === "PROCESSING";
    await cluster.smtp.start();
    const upAt = Date.now();
    expect(await waitForFinal(cluster, receipt, 180_000)).toBe("SUCCEEDED");
    const received = (await (await fetch(cluster.smtp.messagesUrl)).json()) as { to: string[] }[];
    const recipients = received.flatMap((m) => m.to);
    const figures = {
      outageSeconds: Math.round((upAt - downAt) / 1000),
      mostItemsWaitingForMailServer: mostWaiting,
      secondsToFinishAfterRecovery: secondsSince(upAt),
      mailsReceived: recipients.length,
      distinctRecipients: new Set(recipients).size,
      processesExited: cluster.exits.length,
      ...(await batchFigures(cluster, { ...receipt, lineIds: Array.from({ length: items }, () => "") })),
    };
    reportFigures("smtp-outage", figures);
    expect(openAtEnd).toBe(true);
    expect(mostWaiting).toBeGreaterThan(0);
    expect(figures.mailsReceived).toBe(items);
    expect(figures.distinctRecipients).toBe(items);
    expect(figures).toMatchObject({
      succeeded: items,
      failed: 0,
      lost: 0,
      appliedTwice: 0,
      failedBecauseOfOutage: 0,
      eventLogGaps: 0,
      processesExited: 0,
    });
  }, 400_000);
});
