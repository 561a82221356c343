// Delivers the webhook outbox (outbox.ts), on the worker tier, as the
// receipt queue does (../queue/leased-queue.ts): deliveries are claimed with
// FOR UPDATE SKIP LOCKED under a lease, so several worker processes share
// them and a crashed worker's claims are taken over when the lease ends.
//
// Each attempt is an HTTP POST of the event's JSON, signed per Standard
// Webhooks (webhook-id, webhook-timestamp, webhook-signature, by the
// `standardwebhooks` package) with the endpoint's secret, with a timeout.
// A 2xx answer delivers it; anything else (another status, a timeout, a
// refused connection, an address the SSRF guard refuses) is retried: the
// first retry within WEBHOOK_RETRY_BACKOFF_MS's first ceiling (10 s), then
// with exponential backoff and full jitter (ceilings 10 s, 20 s, 40 s …
// capped at 1 h) until WEBHOOK_RETRY_HORIZON_MS (3 days) after the first
// attempt; past it the delivery is FAILED (redeliverWebhook and
// replayWebhooks send it again). Every attempt of an event carries the same
// webhook-id, the event's id: receivers dedupe on it.
//
// Order: per endpoint and subject (one line, one receipt, one API token), a
// delivery is not attempted while an earlier event of the same subject to
// the same endpoint is still pending: a receiver sees a line's changes and a
// receipt's events in the order they were committed (writers of one subject
// hold its row lock, so its events' seq follow commit order). Different
// subjects are delivered concurrently, in no promised order.
//
// An endpoint failing for WEBHOOK_DISABLE_AFTER_MS (3 days) without one
// success is disabled, never silently: a notice for MAIN administrators
// (webhookNotices in the API and the web client) and a mail to them.
// Its pending deliveries wait and go out, in order, once it is enabled again.
import { randomUUID } from "node:crypto";
import http from "node:http";
import https from "node:https";
import { isIP } from "node:net";
import { Webhook } from "standardwebhooks";
import type { Clock } from "../../domain/clock.ts";
import { webhookMessages } from "../../domain/messages.ts";
import { jstDate } from "../../domain/time.ts";
import type { Db } from "../../lib/db.ts";
import type { Logger } from "../../lib/logger.ts";
import { type DatabaseOutage, isDatabaseUnavailable, trackDatabaseOutage } from "../errors.ts";
import type { Mailer } from "../mail/mailer.ts";
import { type MetricsPort, noMetrics, type WebhookDeliveryOutcome } from "../metrics.ts";
import { retryDelayMs } from "../queue/retry.ts";
import {
  BlockedAddressError,
  guardedLookup,
  isAllowedHost,
  isBlockedAddress,
  type SsrfPolicy,
} from "./ssrf.ts";

export interface WebhookSettings {
  /** WEBHOOK_ALLOWED_HOSTS: exempt from the SSRF guard and from https. */
  allowedHosts: string[];
  /** One attempt's limit, connection to last byte (WEBHOOK_TIMEOUT_MS). */
  timeoutMs: number;
  /** Backoff (first ceiling, cap) and horizon after the first attempt. */
  retry: { baseMs: number; capMs: number; horizonMs: number };
  /** An endpoint failing this long without a success is disabled (WEBHOOK_DISABLE_AFTER_MS). */
  disableAfterMs: number;
  /** How often the loop looks for due deliveries (WEBHOOK_POLL_MS). */
  pollMs: number;
}

export const defaultWebhookSettings: WebhookSettings = {
  allowedHosts: [],
  timeoutMs: 10_000,
  retry: { baseMs: 10_000, capMs: 3_600_000, horizonMs: 3 * 86_400_000 },
  disableAfterMs: 3 * 86_400_000,
  pollMs: 1_000,
};

export interface DispatcherOptions {
  db: Db;
  logger: Logger;
  settings: WebhookSettings;
  /** Business time (failure period, horizon); scheduling uses real time, as the receipt queue does. */
  clock: Clock;
  /** Where the disabled-endpoint notice is mailed. */
  mailer?: Mailer;
  /** Where each attempt's outcome and duration are counted (gateway_webhook_deliveries_total). */
  metrics?: MetricsPort;
  /** The process's view of a database outage, shared with the receipt queue: logged once per outage. */
  databaseOutage?: DatabaseOutage;
  concurrency?: number;
  leaseMs?: number;
  random?: () => number;
}

interface Claimed {
  id: string;
  endpointId: string;
  eventId: string;
  attempts: number;
  firstAttemptAt: Date;
}

/** What one HTTP attempt came to. */
export interface AttemptResult {
  statusCode: number | null;
  latencyMs: number;
  error: string | null;
  /** For the metrics: a 2xx, another status, no answer (timeout, connection failed), or refused by the SSRF guard. */
  outcome: WebhookDeliveryOutcome;
}

const MAX_ERROR_LENGTH = 500;

/** POSTs `body` with the Standard Webhooks headers; never throws. */
export async function postWebhook(
  policy: SsrfPolicy,
  target: { url: string; secret: string },
  message: { id: string; body: string },
  timeoutMs: number,
): Promise<AttemptResult> {
  const started = performance.now();
  const latency = () => Math.round(performance.now() - started);
  const headers = {
    "content-type": "application/json",
    "user-agent": "anshin-gateway-webhooks",
    "webhook-id": message.id,
    "webhook-timestamp": "",
    "webhook-signature": "",
  };
  const at = new Date();
  headers["webhook-timestamp"] = String(Math.floor(at.getTime() / 1000));
  headers["webhook-signature"] = new Webhook(target.secret).sign(message.id, at, message.body);
  const url = new URL(target.url);
  // Node connects to an address literal without calling `lookup`: the guard
  // checks it here (an allow-list changed since registration, say).
  const host = url.hostname.replace(/^\[|\]$/g, "").toLowerCase();
  if (isIP(host) && !isAllowedHost(policy, host) && isBlockedAddress(host)) {
    return { statusCode: null, latencyMs: 0, error: `${host} is an address not allowed`, outcome: "blocked" };
  }
  const client = url.protocol === "https:" ? https : http;
  return new Promise<AttemptResult>((resolve) => {
    let settled = false;
    const done = (result: AttemptResult) => {
      if (settled) return;
      settled = true;
      resolve(result);
    };
    const request = client.request(
      url,
      {
        method: "POST",
        headers: { ...headers, "content-length": Buffer.byteLength(message.body) },
        // The SSRF guard on the address actually connected to (DNS rebinding).
        lookup: guardedLookup(policy) as never,
        signal: AbortSignal.timeout(timeoutMs),
        agent: false,
      },
      (response) => {
        // The body is not used; read (a little of) it so the socket is freed.
        response.on("data", () => {});
        response.on("error", (error) =>
          done({ statusCode: null, latencyMs: latency(), error: error.message, outcome: "timeout" }),
        );
        response.on("end", () => {
          const status = response.statusCode ?? 0;
          const ok = status >= 200 && status < 300;
          done({
            statusCode: status,
            latencyMs: latency(),
            error: ok ? null : `HTTP ${status}`,
            outcome: ok ? "delivered" : "failed",
          });
        });
      },
    );
    request.on("error", (error: Error & { code?: string }) => {
      const reason = error.name === "AbortError" || error.name === "TimeoutError" ? "timeout" : error.message;
      done({
        statusCode: null,
        latencyMs: latency(),
        error: reason.slice(0, MAX_ERROR_LENGTH),
        outcome:
          error instanceof BlockedAddressError || error.code === "ADDRESS_NOT_ALLOWED"
            ? "blocked"
            : "timeout",
      });
    });
    request.end(message.body);
  });
}

const yieldToIo = () => new Promise<void>((resolve) => setImmediate(resolve));

export function startWebhookDispatcher(options: DispatcherOptions) {
  const { db, logger, settings, clock } = options;
  const databaseOutage = options.databaseOutage ?? trackDatabaseOutage(logger);
  const owner = `webhooks-${randomUUID()}`;
  const concurrency = options.concurrency ?? 8;
  const leaseMs = options.leaseMs ?? Math.max(60_000, settings.timeoutMs * 3);
  const random = options.random ?? Math.random;
  const metrics = options.metrics ?? noMetrics;
  const policy: SsrfPolicy = { allowedHosts: settings.allowedHosts };
  let stopped = false;
  let inFlight = 0;
  let wake: (() => void) | undefined;

  async function claim(limit: number): Promise<Claimed[]> {
    const now = new Date();
    const leaseUntil = new Date(now.getTime() + leaseMs);
    const business = clock.now();
    return db.$queryRaw<Claimed[]>`
      WITH picked AS (
        SELECT d."id" FROM "WebhookDelivery" d
        JOIN "WebhookEndpoint" e ON e."id" = d."endpointId"
        WHERE d."status" = 'PENDING' AND e."disabledAt" IS NULL
          AND d."nextAttemptAt" <= ${now}
          AND (d."leaseUntil" IS NULL OR d."leaseUntil" < ${now})
          AND NOT EXISTS (
            SELECT 1 FROM "WebhookDelivery" p
            WHERE p."endpointId" = d."endpointId" AND p."subject" = d."subject"
              AND p."status" = 'PENDING' AND p."seq" < d."seq")
        ORDER BY d."nextAttemptAt", d."seq"
        LIMIT ${limit}
        FOR UPDATE OF d SKIP LOCKED
      )
      UPDATE "WebhookDelivery" d SET "leaseOwner" = ${owner}, "leaseUntil" = ${leaseUntil},
        "attempts" = d."attempts" + 1, "firstAttemptAt" = COALESCE(d."firstAttemptAt", ${business})
      FROM picked WHERE d."id" = picked."id"
      RETURNING d."id"::text AS id, d."endpointId"::text AS "endpointId", d."eventId"::text AS "eventId",
        d."attempts", d."firstAttemptAt"`;
  }

  async function deliver(claimed: Claimed) {
    await yieldToIo();
    const delivery = await db.webhookDelivery.findUniqueOrThrow({
      where: { id: claimed.id },
      include: { endpoint: true, event: true },
    });
    const { endpoint, event } = delivery;
    const result = await postWebhook(
      policy,
      endpoint,
      { id: event.id, body: JSON.stringify(event.payload) },
      settings.timeoutMs,
    );
    metrics.webhookDelivery(result.outcome, result.outcome === "blocked" ? 0 : result.latencyMs / 1000);
    await record(claimed, endpoint.id, result);
  }

  /** The attempt's outcome, under the lease: the delivery, its log, the endpoint's health. */
  async function record(claimed: Claimed, endpointId: string, result: AttemptResult) {
    const now = new Date();
    const business = clock.now();
    const ok = result.error === null;
    const horizonPassed = business.getTime() - claimed.firstAttemptAt.getTime() >= settings.retry.horizonMs;
    const nextAt = new Date(now.getTime() + retryDelayMs(claimed.attempts, settings.retry, random));
    const disabled = await db.$transaction(async (tx) => {
      const updated = await tx.webhookDelivery.updateMany({
        where: { id: claimed.id, leaseOwner: owner },
        data: {
          leaseOwner: null,
          leaseUntil: null,
          lastAttemptAt: business,
          lastStatusCode: result.statusCode,
          lastLatencyMs: result.latencyMs,
          lastError: result.error,
          ...(ok
            ? { status: "SUCCEEDED", deliveredAt: business }
            : horizonPassed
              ? { status: "FAILED" }
              : { nextAttemptAt: nextAt }),
        },
      });
      // Lease lost (taken over after it ran out): the other worker records its own attempt.
      if (updated.count === 0) return null;
      await tx.webhookAttempt.create({
        data: {
          deliveryId: claimed.id,
          at: business,
          statusCode: result.statusCode,
          latencyMs: result.latencyMs,
          error: result.error,
        },
      });
      if (ok) {
        await tx.webhookEndpoint.update({
          where: { id: endpointId },
          data: { failingSince: null, lastSuccessAt: business },
        });
        return null;
      }
      const [endpoint] = await tx.$queryRaw<{ failingSince: Date; disabledAt: Date | null }[]>`
        UPDATE "WebhookEndpoint" SET "failingSince" = COALESCE("failingSince", ${business})
        WHERE "id" = ${endpointId}::uuid RETURNING "failingSince", "disabledAt"`;
      if (!endpoint || endpoint.disabledAt) return null;
      if (business.getTime() - endpoint.failingSince.getTime() < settings.disableAfterMs) return null;
      return disableAfterFailures(tx, endpointId, endpoint.failingSince, business);
    });
    if (!ok) logger.warn({ deliveryId: claimed.id, error: result.error }, "webhook attempt failed");
    if (disabled) await mailNotice(disabled);
  }

  async function disableAfterFailures(
    tx: Parameters<Parameters<Db["$transaction"]>[0]>[0],
    endpointId: string,
    failingSince: Date,
    at: Date,
  ) {
    const endpoint = await tx.webhookEndpoint.update({
      where: { id: endpointId },
      data: { disabledAt: at, disabledReason: "FAILING" },
    });
    const since = jstDate(failingSince).replaceAll("-", "/");
    const notice = await tx.webhookNotice.create({
      data: {
        accountId: endpoint.accountId,
        endpointId,
        message: webhookMessages.disabledNotice(endpoint.url, since),
        createdAt: at,
      },
    });
    logger.warn({ endpointId, failingSince }, "webhook endpoint disabled after failing");
    return notice;
  }

  /** Mails the notice to the account's MAIN administrators (their login ids are their addresses). */
  async function mailNotice(notice: { id: string; accountId: string; message: string }) {
    const mailer = options.mailer;
    let mailError: string | null = mailer ? null : "no mailer";
    if (mailer) {
      const admins = await db.administrator.findMany({
        where: { accountId: notice.accountId, role: "MAIN", disabledAt: null },
        select: { loginId: true },
      });
      for (const admin of admins) {
        try {
          await mailer.send({
            to: admin.loginId,
            subject: webhookMessages.disabledMailSubject,
            text: notice.message,
          });
        } catch (error) {
          mailError = (error as Error).message.slice(0, MAX_ERROR_LENGTH);
          logger.error({ err: error, noticeId: notice.id }, "could not mail the webhook notice");
        }
      }
    }
    await db.webhookNotice.update({
      where: { id: notice.id },
      data: mailError ? { mailError } : { mailedAt: clock.now() },
    });
  }

  async function loop() {
    while (!stopped) {
      await yieldToIo();
      let claimed: Claimed[] = [];
      const free = concurrency - inFlight;
      if (free > 0) {
        try {
          claimed = await claim(free);
          databaseOutage.answered();
        } catch (error) {
          if (stopped) break;
          // Every poll fails while the database is down: logged once per outage.
          if (isDatabaseUnavailable(error)) databaseOutage.failed(error, "claiming webhook deliveries");
          else logger.error({ err: error }, "claiming webhook deliveries failed");
        }
      }
      for (const item of claimed) {
        inFlight++;
        void deliver(item)
          .catch((error) => logger.error({ err: error, deliveryId: item.id }, "webhook delivery failed"))
          .finally(() => {
            inFlight--;
            wake?.();
          });
      }
      if (claimed.length === 0 || inFlight >= concurrency) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, settings.pollMs);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        wake = undefined;
      }
    }
  }

  const running = loop();
  return {
    owner,
    /** Look for due deliveries now. */
    kick() {
      wake?.();
    },
    /** Claims nothing more; waits for attempts in flight until `finishBy` (their leases run out otherwise). */
    async stop(finishBy = Date.now() + 5_000) {
      stopped = true;
      wake?.();
      await running;
      while (inFlight > 0 && Date.now() < finishBy) await new Promise((resolve) => setTimeout(resolve, 20));
    },
  };
}

export type WebhookDispatcher = ReturnType<typeof startWebhookDispatcher>;
