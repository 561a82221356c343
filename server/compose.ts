// The composition root: turns the configuration into the running services
// (database migrated and seeded, carrier, mail, realtime hub and the
// revocation listener, rate limits, sign-in throttle, worker, daily roster
// sync, what readiness reports) and stops them all with one stop().
// server/app.ts wires the transports (HTTP, GraphQL, WebSocket) to them.
import { type Clock, createClock } from "../domain/clock.ts";
import { type Database, openDatabase } from "../lib/db.ts";
import { createLogger, type Logger } from "../lib/logger.ts";
import { applyMigrations } from "../prisma/migrate.ts";
import { seedDemoIfEmpty } from "../prisma/seed/demo.ts";
import type { Services } from "../schema/builder.ts";
import { pruneAuditEvents } from "../services/audit-log.ts";
import { type ActorCache, createActorCache, credentialKey, lastUsedResolutionMs } from "../services/auth.ts";
import { createHttpCarrier } from "../services/carrier/http.ts";
import { createCarrierSimulator } from "../services/carrier/simulator.ts";
import { pruneLineChanges } from "../services/change-feed.ts";
import { circuitDependencyState, createDependencies, type Dependencies } from "../services/dependencies.ts";
import { isDatabaseUnavailable, trackDatabaseOutage } from "../services/errors.ts";
import { publishingEvents } from "../services/events.ts";
import { createLoginThrottle } from "../services/login-throttle.ts";
import { createMailDelivery } from "../services/mail/delivery.ts";
import { createMailer } from "../services/mail/mailer.ts";
import { type MetricsPort, noMetrics } from "../services/metrics.ts";
import { createRateLimits, type RateLimits } from "../services/rate-limits.ts";
import { createRealtime, OVERFLOW, type Realtime } from "../services/realtime.ts";
import { runDailySyncs } from "../services/roster-sync.ts";
import { createSharedReads } from "../services/shared-reads.ts";
import { startWebhookDispatcher } from "../services/webhooks/dispatcher.ts";
import { startWorker, type Worker } from "../services/worker.ts";
import type { Config } from "./config.ts";
import { type AppMetrics, createMetrics } from "./metrics.ts";

export interface ServicesOptions {
  config: Config;
  logger?: Logger;
  clock?: Clock;
  /** An already open database (tests); otherwise opened from the config. */
  database?: Database;
  /** Write the SPEC §6 demo data into an empty database (default true). */
  seedDemo?: boolean;
  /** Run the carrier worker in this process (default: the WORKER setting). */
  startWorker?: boolean;
}

/** Where this instance's connections hold credentials (the WebSocket server), told of revocations. */
export interface CredentialHolders {
  endCredential(key: string): void;
  recheckCredentials(): unknown;
}

export interface AppServices extends Services {
  database: Database;
  /** Prometheus metrics of this instance (null: METRICS_PORT=off); app.ts serves them on their own port. */
  metrics: AppMetrics | null;
  /** What services count through (a no-op when metrics are off); webhook delivery reports here too. */
  metricsPort: MetricsPort;
  realtime: Realtime;
  actors: ActorCache;
  /** The carrier worker of this process, when it runs one. */
  worker: Worker | null;
  /** Query-cost budgets (null when RATE_LIMIT_POINTS is 0). */
  rateLimits: RateLimits | null;
  /** What readiness (GET /ready) reports. */
  dependencies: Dependencies;
  /** True (and logged once per outage) when `error` means the database cannot be reached. */
  reportOutage(error: unknown, during: string): boolean;
  /** Connections to end when a credential is revoked; set once the transport exists. */
  holdCredentials(holders: CredentialHolders): void;
  /**
   * The worker claims nothing more and finishes or releases its items by
   * `finishBy`; once `transportsClosed` settles (nothing uses the services
   * any more) every connection and the database are closed. Safe to call twice.
   */
  stop(options: { finishBy: number; transportsClosed?: Promise<unknown> }): Promise<void>;
}

/** Resolves at `time` (epoch ms) without holding the process open. */
export const sleepUntil = (time: number) =>
  new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, time - Date.now())).unref());

export async function composeServices(options: ServicesOptions): Promise<AppServices> {
  const { config } = options;
  const logger = options.logger ?? createLogger(config.logLevel);
  const clock = options.clock ?? createClock(config.fakeNow);
  const database = options.database ?? (await openDatabase(config));
  // One registry per app instance: several apps in one process (tests) never share a series.
  const metrics = config.metrics ? createMetrics({ logger }) : null;
  const metricsPort = metrics?.port ?? noMetrics;

  const applied = await applyMigrations(database.adapterFactory, {
    log: (message) => logger.debug({ engine: message }, "schema engine"),
  });
  if (applied.length > 0) logger.info({ applied }, "applied migrations");
  if (options.seedDemo ?? true) {
    const seeded = await seedDemoIfEmpty(database.prisma, {
      password: config.demoPassword,
      now: clock.now(),
    });
    if (seeded) logger.info("wrote demo data into the empty database");
  }

  const db = database.prisma;
  // A database outage is logged once when it begins and once when it ends
  // (the probe notices the end even when no request comes); requests get
  // SERVICE_UNAVAILABLE meanwhile (schema/input-hygiene.ts maskError).
  const databaseOutage = trackDatabaseOutage(logger, { probe: () => db.$queryRaw`SELECT 1` });
  const reportOutage = (error: unknown, during: string) => {
    if (!isDatabaseUnavailable(error)) return false;
    databaseOutage.failed(error, during);
    return true;
  };
  const settings = {
    acceptanceHours: config.acceptanceHours,
    sessionIdleTimeoutMs: config.sessionIdleTimeoutMs,
    lineChangesRetentionDays: config.retention.lineChangesDays,
  };
  const carrier = config.carrierUrl
    ? createHttpCarrier(config.carrierUrl)
    : createCarrierSimulator(db, {
        latencyMs: config.carrierLatencyMs,
        failureRate: config.carrierFailureRate,
      });
  const realtimeHub = createRealtime(config.redisUrl, { logger, metrics: metricsPort });
  const sharedReads = createSharedReads();
  // Shared by every instance through Redis when it is set.
  const loginThrottle = createLoginThrottle({
    policy: config.loginThrottle,
    redisUrl: config.redisUrl,
    logger,
    metrics: metricsPort,
  });
  // Query-cost budgets per session, API token or client address (0 points: none).
  const rateLimits =
    config.rateLimitPoints > 0
      ? createRateLimits({
          points: config.rateLimitPoints,
          windowSeconds: config.rateLimitWindowSeconds,
          redisUrl: config.redisUrl,
          metrics: metricsPort,
          onStoreError: (error) =>
            logger.warn({ err: error }, "rate limits: Redis unavailable, counting in memory meanwhile"),
        })
      : null;
  const realtime = realtimeHub.pubsub;
  let holders = null as CredentialHolders | null;
  const actors = createActorCache({
    // No longer than a session's lastUsedAt may lag (services/auth.ts), or a
    // session used only through the cache would look idle.
    ttlMs: Math.min(
      config.actorCacheMs,
      lastUsedResolutionMs({ idleTimeoutMs: config.sessionIdleTimeoutMs }),
    ),
    announce: (revoked) => {
      // This instance's sockets end their streams now, whether or not the hub
      // (Redis) carries the news back; the other instances hear it below.
      holders?.endCredential(credentialKey(revoked));
      realtime.publish("auth:revoked", "all", revoked);
    },
  });
  // Listening from the start; read below.
  const revocations = realtimeHub.subscribe("auth:revoked", "all");
  const mailer = createMailer(config.smtpUrl);
  // Services and the worker tell what they committed here; a newly accepted
  // receipt also sends this process's worker looking for its items at once.
  const events = publishingEvents(realtime, () => worker?.kick());
  const worker =
    (options.startWorker ?? config.runWorker)
      ? startWorker({
          db,
          carrier,
          mail: createMailDelivery(db, mailer, carrier),
          events,
          logger,
          databaseOutage,
          concurrency: config.workerConcurrency,
          leaseMs: config.workerLeaseMs,
          retry: config.retry,
          circuits: { ...config.circuits, metrics: metricsPort },
          now: () => clock.now(),
        })
      : null;
  // Webhook deliveries run on the worker tier, like receipt items (services/webhooks/dispatcher.ts).
  const webhookDispatcher =
    (options.startWorker ?? config.runWorker)
      ? startWebhookDispatcher({
          db,
          logger,
          settings: config.webhooks,
          clock,
          mailer,
          metrics: metricsPort,
          databaseOutage,
        })
      : null;
  const webhooks = {
    allowedHosts: config.webhooks.allowedHosts,
    kick: () => webhookDispatcher?.kick(),
  };
  // The automatic daily roster sync (R8): checked at start and every hour; it
  // runs once per JST day and account, whichever process gets there first.
  const dailySync = async () => {
    try {
      const ran = await runDailySyncs(db, carrier, clock.now());
      if (ran > 0) logger.info({ accounts: ran }, "daily roster sync done");
      // PGlite runs no autovacuum: after the day's roster writes, refresh the
      // statistics and visibility map that counting the lines needs (a
      // totalCount LineCount cannot serve, bench/README.md); and every hour,
      // clear LineCount (a few hundred rows, rewritten by every change to a
      // line) of its dead rows, so its reads stay a few pages.
      if (database.kind === "pglite") {
        if (ran > 0) await db.$executeRawUnsafe(`VACUUM ANALYZE "Line"`);
        await db.$executeRawUnsafe(`VACUUM "LineCount"`);
      }
    } catch (error) {
      logger.error({ err: error }, "daily roster sync failed");
    }
    // Retention (README, "Change feed" and "Audit log"): every hour, cheap when nothing is due.
    try {
      const now = clock.now();
      const changes = await pruneLineChanges(db, now, config.retention.lineChangesDays);
      const audits = await pruneAuditEvents(db, now, config.retention.auditDays);
      if (changes + audits > 0)
        logger.info({ changes, audits }, "retention: old change-feed and audit rows deleted");
    } catch (error) {
      logger.error({ err: error }, "retention cleanup failed");
    }
  };
  const syncTimer = worker ? setInterval(dailySync, 60 * 60 * 1000) : null;
  syncTimer?.unref();
  const firstSync = worker ? dailySync() : Promise.resolve();
  // What readiness (GET /ready) reports. Without the database nothing works;
  // without Redis events stay on their instance, without the carrier or the
  // mail server items wait: those leave the instance ready, but degraded.
  const dependencies = createDependencies();
  dependencies.register(
    "database",
    async () => {
      await db.$queryRaw`SELECT 1`;
      return "up" as const;
    },
    { required: true },
  );
  const redis = realtimeHub.redis;
  if (redis) dependencies.register("redis", async () => ((await redis.ping()) ? "up" : "down"));
  if (worker) {
    const { circuits } = worker;
    dependencies.register("carrier", () => circuitDependencyState(circuits.carrier.state()));
    if (config.smtpUrl) dependencies.register("smtp", () => circuitDependencyState(circuits.smtp.state()));
  }
  // Revocations announced by any instance (this one's own come back, harmlessly):
  // cached actors are forgotten and sockets holding the credential end their
  // streams, within the hub's delivery time (Redis: milliseconds).
  void (async () => {
    for await (const revoked of revocations) {
      if (revoked === OVERFLOW) {
        // Some revocations were missed: trust nothing cached, check every socket.
        actors.clear();
        void holders?.recheckCredentials();
      } else {
        actors.forget(revoked, { announce: false });
        holders?.endCredential(credentialKey(revoked));
      }
    }
  })();

  let stopping: Promise<void> | undefined;
  return {
    db,
    clock,
    logger,
    settings,
    realtime: realtimeHub,
    actors,
    loginThrottle,
    sharedReads,
    carrier,
    events,
    webhooks,
    database,
    metrics,
    metricsPort,
    worker,
    rateLimits,
    dependencies,
    reportOutage,
    holdCredentials(next) {
      holders = next;
    },
    stop({ finishBy, transportsClosed = Promise.resolve() }) {
      stopping ??= (async () => {
        // Claims nothing more; finishes or releases what it holds.
        const workerStopped = worker?.stop({ finishBy });
        const webhooksStopped = webhookDispatcher?.stop(finishBy);
        if (syncTimer) clearInterval(syncTimer);
        await transportsClosed;
        await workerStopped;
        await webhooksStopped;
        await Promise.race([firstSync, sleepUntil(finishBy)]);
        databaseOutage.close();
        mailer.close();
        await revocations.return();
        await realtimeHub.close();
        await loginThrottle.close();
        await rateLimits?.close();
        await database.close();
      })();
      return stopping;
    },
  };
}
