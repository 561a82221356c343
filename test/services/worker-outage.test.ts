// Issue 15: outages are waited out, not turned into failures. The whole app
// runs with the carrier simulator behind a real HTTP server and a real SMTP
// server, each taken down mid-batch and brought back; the timings are short
// (backoff 50–400 ms, circuits half-open after 300 ms) so that an outage of a
// couple of seconds stands for one of minutes. Figures are printed.
import type { Server } from "node:http";
import { decodeGlobalID } from "@pothos/plugin-relay";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { carrierMessages, mailErrorMessages } from "../../domain/messages.ts";
import { createCarrierServer, listen } from "../../services/carrier/http.ts";
import { type Carrier, CarrierError } from "../../services/carrier/port.ts";
import { createCarrierSimulator } from "../../services/carrier/simulator.ts";
import { CircuitOpenError, circuitStates, createCircuits } from "../../services/circuits.ts";
import { createMailer, MailError } from "../../services/mail/mailer.ts";
import { retryDelayMs } from "../../services/queue/retry.ts";
import { type RunningApp, startTestApp } from "../support/app.ts";
import { activeLineIds, graphql, loginAs, submitPermissionChange } from "../support/graphql.ts";
import { startSmtp, type TestSmtp } from "../support/smtp.ts";
import { collect, wsClient } from "../support/subscriptions.ts";
import { waitForFinalReceiptOverApi, waitUntil } from "../support/wait.ts";

const FAKE_NOW = "2026-11-24T10:00:00+09:00";
const CONCURRENCY = 8;
const THRESHOLD = 5;
const fastTimings = {
  FAKE_NOW,
  WORKER_CONCURRENCY: String(CONCURRENCY),
  RETRY_BACKOFF_MS: "50-400",
  RETRY_HORIZON_MS: "120000",
  CIRCUIT_FAILURE_THRESHOLD: String(THRESHOLD),
  CIRCUIT_HALF_OPEN_MS: "300",
};

/**
 * The carrier simulator over HTTP, which a test makes unavailable (every
 * request answered 503, as by a load balancer in front of a stopped
 * carrier), makes reject, stops altogether (the port closed) and brings back.
 */
async function startSwitchableCarrier() {
  let backend: Carrier | undefined;
  let mode: "up" | "unavailable" | "rejecting" = "up";
  let requests = 0;
  /** Per item (requestId): permission requests the simulator accepted. */
  const accepted = new Map<string, number>();
  const gate = () => {
    if (mode === "unavailable" || !backend)
      throw new CarrierError("CARRIER_UNAVAILABLE", carrierMessages.CARRIER_UNAVAILABLE, true);
    if (mode === "rejecting")
      throw new CarrierError("CARRIER_REJECTED", carrierMessages.CARRIER_REJECTED, false);
    return backend;
  };
  const carrier: Carrier = {
    roster: (code) => gate().roster(code),
    passwords: (numbers) => gate().passwords(numbers),
    async applyPermissions(request) {
      requests++;
      await gate().applyPermissions(request);
      accepted.set(request.requestId, (accepted.get(request.requestId) ?? 0) + 1);
    },
  };
  let server: Server = createCarrierServer(carrier);
  const url = await listen(server, 0);
  const port = Number(new URL(url).port);
  return {
    url,
    accepted,
    requests: () => requests,
    /** The simulator serves the gateway's database, which exists once the app is built. */
    attach(simulator: Carrier) {
      backend = simulator;
    },
    set(next: typeof mode) {
      mode = next;
    },
    async stop() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
    async restart() {
      server = createCarrierServer(carrier);
      await listen(server, port);
    },
  };
}

type ReceiptRead = {
  status: string;
  waitingFor: string | null;
  retryAt: string | null;
  progress: { total: number; pending: number; processing: number; succeeded: number; failed: number };
};

function readReceipt(app: RunningApp, token: string, number: string): Promise<ReceiptRead> {
  return graphql(
    app.graphqlUrl,
    "query ($n: String!) { receipt(number: $n) { status waitingFor retryAt progress { total pending processing succeeded failed } } }",
    { n: number },
    token,
  ).then((r) => r.data.receipt);
}

async function itemsOf(app: RunningApp, token: string, number: string) {
  const result = await graphql(
    app.graphqlUrl,
    "query ($n: String!) { receipt(number: $n) { items(first: 200) { edges { node { id status waitingFor retryAt error { code message } } } } } }",
    { n: number },
    token,
  );
  return result.data.receipt.items.edges.map((e: any) => e.node) as {
    id: string;
    status: string;
    waitingFor: string | null;
    retryAt: string | null;
    error: { code: string; message: string } | null;
  }[];
}

const PROGRESS = `subscription ($id: ID!) { receiptProgress(receiptId: $id) {
  seq snapshot status
  receipt { waitingFor retryAt }
  item { id status waitingFor retryAt }
} }`;
type ProgressEvent = {
  receiptProgress: {
    seq: number;
    snapshot: boolean;
    status: string;
    receipt: { waitingFor: string | null };
    item: { id: string; status: string; waitingFor: string | null } | null;
  };
};

/** Counts how often a circuit of the app's worker opened. */
function countOpens(app: RunningApp, dependency: "carrier" | "smtp") {
  const worker = app.app.worker;
  if (!worker) throw new Error("the app runs no worker");
  let opens = 0;
  worker.circuits[dependency].onChange((state) => {
    if (state === "open") opens++;
  });
  return () => opens;
}

/** Items applied more than once: SUCCEEDED twice in the log, or a line changed twice. */
async function appliedTwice(app: RunningApp, receiptId: string) {
  const db = app.app.database.prisma;
  const succeeded = await db.receiptEvent.groupBy({
    by: ["itemId"],
    where: { receiptId, itemStatus: "SUCCEEDED" },
    _count: { _all: true },
  });
  return succeeded.filter((row) => row._count._all > 1).length;
}

describe("units", () => {
  it("backs off with full jitter below a doubling, capped ceiling", () => {
    const policy = { baseMs: 1_000, capMs: 300_000 };
    expect([1, 2, 3, 4, 10, 40, 1_000].map((n) => retryDelayMs(n, policy, () => 0.999_999))).toEqual([
      999, 1_999, 3_999, 7_999, 299_999, 299_999, 299_999,
    ]);
    expect(retryDelayMs(5, policy, () => 0)).toBe(0);
  });

  it("a circuit counts only its dependency's temporary errors; an answer, even a rejection, closes it", async () => {
    const circuits = createCircuits({ failureThreshold: 2, halfOpenAfterMs: 60_000 });
    try {
      const temporary = new CarrierError("CARRIER_UNAVAILABLE", "down", true);
      const rejected = new CarrierError("CARRIER_REJECTED", "no", false);
      const fail = (error: Error) => () => Promise.reject(error);
      // Another dependency's error and a rejection do not count; two temporary errors in a row do.
      await expect(circuits.carrier.run(fail(temporary))).rejects.toBe(temporary);
      await expect(circuits.carrier.run(fail(rejected))).rejects.toBe(rejected);
      await expect(circuits.carrier.run(fail(temporary))).rejects.toBe(temporary);
      await expect(circuits.carrier.run(fail(new MailError("421", true)))).rejects.toBeInstanceOf(MailError);
      expect(circuits.carrier.state()).toBe("closed");
      await expect(circuits.carrier.run(fail(temporary))).rejects.toBe(temporary);
      expect(circuits.states()).toEqual({ carrier: "open", smtp: "closed" });
      expect(circuitStates().carrier).toBe("open");
      // Open: nothing is called, and the error says until when.
      let called = false;
      const refused = await circuits.carrier
        .run(async () => {
          called = true;
        })
        .catch((e: unknown) => e);
      expect(called).toBe(false);
      expect(refused).toBeInstanceOf(CircuitOpenError);
      expect((refused as CircuitOpenError).until.getTime()).toBeGreaterThan(Date.now() + 50_000);
      expect(circuits.carrier.blockedUntil()).toEqual((refused as CircuitOpenError).until);
    } finally {
      circuits.dispose();
    }
    expect(circuitStates()).toEqual({ carrier: "closed", smtp: "closed" });
  });
});

describe("the carrier down mid-batch", () => {
  let carrier: Awaited<ReturnType<typeof startSwitchableCarrier>>;
  let app: RunningApp;
  beforeAll(async () => {
    carrier = await startSwitchableCarrier();
    app = await startTestApp({ ...fastTimings, CARRIER_URL: carrier.url }, { startWorker: true });
    carrier.attach(
      createCarrierSimulator(app.app.database.prisma, { latencyMs: { min: 10, max: 30 }, failureRate: 0 }),
    );
  });
  afterAll(async () => {
    await app?.stop();
    await carrier?.stop();
  });

  it("is waited out: 0 failed, 0 applied twice, the breaker stops the calls, the batch finishes by itself", async () => {
    const db = app.app.database.prisma;
    const token = await loginAs(app.graphqlUrl, "Manager@admin");
    const lineIds = await activeLineIds(app.graphqlUrl, token, 200);
    const lines = await db.line.findMany({ where: { id: { in: lineIds.map(rawId) } } });
    const opens = countOpens(app, "carrier");
    const receipt = await submitPermissionChange(app.graphqlUrl, token, lineIds);
    const watcher = wsClient(app.wsUrl, token);
    const watched = collect<ProgressEvent>(watcher, PROGRESS, { id: receipt.id }, { timeoutMs: 90_000 });

    await waitUntil(
      () => readReceipt(app, token, receipt.number),
      (r) => r.progress.succeeded >= 30,
      { what: "30 items to succeed", intervalMs: 20 },
    );
    // Down: every request is answered 503.
    const requestsBefore = carrier.requests();
    const downAt = Date.now();
    carrier.set("unavailable");
    // Down for as long as nine probes in a row fail (the circuit opened ten times): ten
    // times the backoff cap, so each open item would have been tried again and again.
    const during = await waitUntil(
      async () => ({
        opens: opens(),
        states: circuitStates(),
        receipt: await readReceipt(app, token, receipt.number),
      }),
      (seen) => seen.opens >= 10 && seen.receipt.waitingFor === "CARRIER",
      { what: "the circuit to open ten times", intervalMs: 100 },
    );
    const waitingItems = (await itemsOf(app, token, receipt.number)).filter(
      (i) => i.status === "PROCESSING" && i.waitingFor === "CARRIER",
    );
    const requestsDuringOutage = carrier.requests() - requestsBefore;
    const outageMs = Date.now() - downAt;
    carrier.set("up");
    const upAt = Date.now();

    const final = await waitForFinalReceiptOverApi(
      app.graphqlUrl,
      token,
      receipt.number,
      "waitingFor retryAt progress { total succeeded failed }",
    );
    const recoveryMs = Date.now() - upAt;
    const items = await itemsOf(app, token, receipt.number);
    const stream = await watched;
    await watcher.dispose();
    const lineVersions = await db.line.findMany({ where: { id: { in: lines.map((l) => l.id) } } });
    const changedTwice = lineVersions.filter(
      (l) => l.version !== (lines.find((b) => b.id === l.id)?.version ?? 0) + 1,
    ).length;
    const resent = [...carrier.accepted.values()].filter((n) => n > 1).length;
    const figures = {
      items: items.length,
      failed: items.filter((i) => i.status === "FAILED").length,
      appliedTwice: await appliedTwice(app, rawId(receipt.id)),
      linesChangedTwice: changedTwice,
      acceptedTwiceByCarrier: resent,
      outageMs,
      circuitOpened: during.opens,
      carrierRequestsDuringOutage: requestsDuringOutage,
      itemsOpenAtOutage: during.receipt.progress.pending + during.receipt.progress.processing,
      itemsWaitingForCarrier: waitingItems.length,
      recoveryMs,
      events: stream.events.length,
    };
    console.log("carrier outage figures", figures);

    expect(final).toMatchObject({ status: "SUCCEEDED", waitingFor: null, retryAt: null });
    expect(final.progress).toEqual({ total: 200, succeeded: 200, failed: 0 });
    expect(figures.failed).toBe(0);
    expect(figures.appliedTwice).toBe(0);
    expect(figures.linesChangedTwice).toBe(0);
    // The simulator is idempotent per item: it applied each item, once.
    const roster = await db.carrierLine.findMany({
      where: { phoneNumber: { in: lines.map((l) => l.phoneNumber) } },
    });
    expect(new Set(roster.map((l) => l.lastRequestId))).toEqual(new Set(items.map((i) => rawId(i.id))));
    expect(items.every((i) => i.waitingFor === null && i.retryAt === null)).toBe(true);

    // While down: 処理中 with a reason, the circuit open, and few calls.
    expect(during.receipt.status).toBe("PROCESSING");
    expect(during.receipt.retryAt).not.toBeNull();
    expect(during.states.carrier).not.toBe("closed");
    expect(waitingItems.length).toBeGreaterThan(0);
    expect(waitingItems.every((i) => i.retryAt !== null)).toBe(true);
    // In flight when it went down, up to the threshold more, then one probe per opening.
    expect(requestsDuringOutage).toBeLessThanOrEqual(2 * CONCURRENCY + THRESHOLD + during.opens + 2);
    expect(requestsDuringOutage).toBeLessThan(figures.itemsOpenAtOutage);

    // The watcher saw items wait, the receipt say why, and no event per retry.
    expect(stream.error).toBeUndefined();
    expect(stream.completed).toBe(true);
    const seqs = stream.events.map((e) => e.receiptProgress.seq);
    expect(seqs.slice(1)).toEqual(seqs.slice(1).map((_, i) => seqs[0]! + 1 + i));
    const itemEvents = stream.events.filter((e) => e.receiptProgress.item);
    expect(itemEvents.some((e) => e.receiptProgress.item?.waitingFor === "CARRIER")).toBe(true);
    expect(stream.events.some((e) => e.receiptProgress.receipt.waitingFor === "CARRIER")).toBe(true);
    const perItem = new Map<string, number>();
    for (const e of itemEvents)
      perItem.set(e.receiptProgress.item!.id, (perItem.get(e.receiptProgress.item!.id) ?? 0) + 1);
    // Started, started waiting, succeeded: at most three each.
    expect(Math.max(...perItem.values())).toBeLessThanOrEqual(3);
  });

  it("a permanent rejection still fails at once, without waiting", async () => {
    const token = await loginAs(app.graphqlUrl, "Manager@admin");
    const lineIds = await activeLineIds(app.graphqlUrl, token, 3);
    carrier.set("rejecting");
    try {
      const receipt = await submitPermissionChange(app.graphqlUrl, token, lineIds);
      const final = await waitForFinalReceiptOverApi(app.graphqlUrl, token, receipt.number);
      expect(final.status).toBe("FAILED");
      const items = await app.app.database.prisma.receiptItem.findMany({
        where: { receiptId: rawId(receipt.id) },
      });
      for (const item of items) {
        expect(item).toMatchObject({
          status: "FAILED",
          errorCode: "CARRIER_REJECTED",
          errorMessage: carrierMessages.CARRIER_REJECTED,
          attempts: 1,
          waitingFor: null,
        });
      }
    } finally {
      carrier.set("up");
    }
  });
});

describe("the carrier down past the horizon", () => {
  it("fails the items with CARRIER_UNAVAILABLE once the horizon after their first attempt has passed", async () => {
    const carrier = await startSwitchableCarrier();
    const app = await startTestApp(
      { ...fastTimings, CARRIER_URL: carrier.url, RETRY_HORIZON_MS: "1500" },
      { startWorker: true },
    );
    try {
      carrier.attach(
        createCarrierSimulator(app.app.database.prisma, { latencyMs: { min: 0, max: 0 }, failureRate: 0 }),
      );
      // Stopped altogether: connections are refused.
      await carrier.stop();
      const token = await loginAs(app.graphqlUrl, "Manager@admin");
      const submittedAt = Date.now();
      const receipt = await submitPermissionChange(
        app.graphqlUrl,
        token,
        await activeLineIds(app.graphqlUrl, token, 12),
      );
      const final = await waitForFinalReceiptOverApi(app.graphqlUrl, token, receipt.number, "waitingFor");
      const failedAfterMs = Date.now() - submittedAt;
      expect(final).toMatchObject({ status: "FAILED", waitingFor: null });
      expect(failedAfterMs).toBeGreaterThanOrEqual(1_500);
      const items = await app.app.database.prisma.receiptItem.findMany({
        where: { receiptId: rawId(receipt.id) },
      });
      for (const item of items) {
        expect(item).toMatchObject({
          status: "FAILED",
          errorCode: "CARRIER_UNAVAILABLE",
          errorMessage: carrierMessages.CARRIER_UNAVAILABLE,
          waitingFor: null,
          retryAt: null,
        });
        expect(item.firstAttemptAt).not.toBeNull();
      }
      console.log("horizon figures", {
        items: items.length,
        attempts: items.map((i) => i.attempts),
        failedAfterMs,
      });
    } finally {
      await app.stop();
    }
  });
});

describe("the mail server down mid-batch", () => {
  let smtp: TestSmtp;
  let app: RunningApp;
  beforeAll(async () => {
    smtp = await startSmtp();
    app = await startTestApp(
      { ...fastTimings, SMTP_URL: smtp.url, CARRIER_LATENCY_MS: "0" },
      { startWorker: true },
    );
  });
  afterAll(async () => {
    await app?.stop();
    await smtp?.close();
  });

  async function mailableLineIds(token: string, count: number): Promise<string[]> {
    const ids: string[] = [];
    let after: string | null = null;
    while (ids.length < count) {
      const page: any = await graphql(
        app.graphqlUrl,
        "query ($after: String) { lines(first: 200, after: $after, filter: {contractStatus: ACTIVE, outOfService: false}) { edges { node { id deviceKind appPreinstalled } } pageInfo { hasNextPage endCursor } } }",
        { after },
        token,
      );
      for (const { node } of page.data.lines.edges)
        if (node.deviceKind !== "FEATURE_PHONE_4G" && !node.appPreinstalled) ids.push(node.id);
      if (!page.data.lines.pageInfo.hasNextPage) break;
      after = page.data.lines.pageInfo.endCursor;
    }
    return ids.slice(0, count);
  }

  async function sendMail(token: string, lineIds: string[]) {
    const result = await graphql(
      app.graphqlUrl,
      "mutation ($input: SendMailInput!) { sendAppDownloadMail(input: $input) { receipt { id number } skipped { reason } userErrors { code message } } }",
      { input: { lineIds } },
      token,
    );
    const payload = result.data.sendAppDownloadMail;
    if (!payload.receipt || payload.skipped.length > 0) throw new Error(JSON.stringify(result));
    return payload.receipt as { id: string; number: string };
  }

  it("is waited out: 0 mails failed or sent twice, the breaker stops the connections, the batch finishes by itself", async () => {
    const token = await loginAs(app.graphqlUrl, "Manager@admin");
    const lineIds = await mailableLineIds(token, 200);
    expect(lineIds).toHaveLength(200);
    const opens = countOpens(app, "smtp");
    const receipt = await sendMail(token, lineIds);

    await waitUntil(
      () => readReceipt(app, token, receipt.number),
      (r) => r.progress.succeeded >= 20,
      { what: "20 mails to go out", intervalMs: 20 },
    );
    const connectionsBefore = smtp.connections;
    const downAt = Date.now();
    smtp.unavailable = true; // 421 to every connection
    const during = await waitUntil(
      async () => ({
        opens: opens(),
        states: circuitStates(),
        receipt: await readReceipt(app, token, receipt.number),
      }),
      (seen) => seen.opens >= 10 && seen.receipt.waitingFor === "MAIL_SERVER",
      { what: "the SMTP circuit to open ten times", intervalMs: 100 },
    );
    const waitingItems = (await itemsOf(app, token, receipt.number)).filter(
      (i) => i.status === "PROCESSING" && i.waitingFor === "MAIL_SERVER",
    );
    const connectionsDuringOutage = smtp.connections - connectionsBefore;
    const outageMs = Date.now() - downAt;
    smtp.unavailable = false;
    const upAt = Date.now();

    const final = await waitForFinalReceiptOverApi(
      app.graphqlUrl,
      token,
      receipt.number,
      "waitingFor progress { total succeeded failed }",
    );
    const recoveryMs = Date.now() - upAt;
    const recipients = smtp.received.map((m) => (Array.isArray(m.to) ? m.to[0] : m.to)?.text ?? "");
    const figures = {
      mails: lineIds.length,
      failed: final.progress.failed,
      received: recipients.length,
      sentTwice: recipients.length - new Set(recipients).size,
      outageMs,
      circuitOpened: during.opens,
      smtpConnectionsDuringOutage: connectionsDuringOutage,
      mailsOpenAtOutage: during.receipt.progress.pending + during.receipt.progress.processing,
      itemsWaitingForMailServer: waitingItems.length,
      recoveryMs,
    };
    console.log("SMTP outage figures", figures);

    expect(final).toMatchObject({ status: "SUCCEEDED", waitingFor: null });
    expect(final.progress).toEqual({ total: 200, succeeded: 200, failed: 0 });
    expect(figures.received).toBe(200);
    expect(figures.sentTwice).toBe(0);
    expect(await appliedTwice(app, rawId(receipt.id))).toBe(0);
    expect(during.receipt.status).toBe("PROCESSING");
    expect(during.states.smtp).not.toBe("closed");
    expect(waitingItems.length).toBeGreaterThan(0);
    expect(connectionsDuringOutage).toBeLessThanOrEqual(2 * CONCURRENCY + THRESHOLD + during.opens + 2);
    expect(connectionsDuringOutage).toBeLessThan(figures.mailsOpenAtOutage);
  });

  it("tells a mail server that is down (421, a closed port) from a mail that can never go (550, no address)", async () => {
    const mail = { subject: "s", text: "t" };
    const outcome = (mailer: ReturnType<typeof createMailer>, to: string) =>
      mailer.send({ to, ...mail }).then(
        () => "sent",
        (e: MailError) => (e.retryable ? "temporary" : "permanent"),
      );
    const mailer = createMailer(smtp.url);
    smtp.reject.add("refused@example.com");
    smtp.unavailable = true;
    const whileDown = await outcome(mailer, "someone@example.com");
    smtp.unavailable = false;
    try {
      expect({
        whileDown,
        refused: await outcome(mailer, "refused@example.com"),
        noAddress: await outcome(mailer, ""),
        closedPort: await outcome(createMailer("smtp://127.0.0.1:9"), "someone@example.com"),
        up: await outcome(mailer, "someone@example.com"),
      }).toEqual({
        whileDown: "temporary",
        refused: "permanent",
        noAddress: "permanent",
        closedPort: "temporary",
        up: "sent",
      });
    } finally {
      smtp.reject.delete("refused@example.com");
      mailer.close();
    }
  });

  it("a permanent refusal (550) still fails the mail at once", async () => {
    const token = await loginAs(app.graphqlUrl, "Manager@admin");
    const lineIds = await mailableLineIds(token, 2);
    const lines = await app.app.database.prisma.line.findMany({ where: { id: { in: lineIds.map(rawId) } } });
    const refused = lines[0]!;
    smtp.reject.add(refused.mailAddress);
    try {
      const receipt = await sendMail(token, lineIds);
      await waitForFinalReceiptOverApi(app.graphqlUrl, token, receipt.number);
      const items = await app.app.database.prisma.receiptItem.findMany({
        where: { receiptId: rawId(receipt.id) },
      });
      expect(items.find((i) => i.lineId === refused.id)).toMatchObject({
        status: "FAILED",
        errorCode: "MAIL_FAILED",
        errorMessage: mailErrorMessages.MAIL_FAILED,
        attempts: 1,
      });
      expect(items.find((i) => i.lineId !== refused.id)).toMatchObject({ status: "SUCCEEDED" });
    } finally {
      smtp.reject.delete(refused.mailAddress);
    }
  });
});

const rawId = (globalId: string) => decodeGlobalID(globalId).id;
