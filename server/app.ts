// Builds the whole server: database (migrated, demo data on first start),
// GraphQL over HTTP (graphql-yoga) and WebSocket (graphql-ws) on one port,
// /health, and a clean stop. Tests import this; server/index.ts only reads the
// environment and calls it.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { EnvelopArmor } from "@escape.tech/graphql-armor";
import { useCSRFPrevention } from "@graphql-yoga/plugin-csrf-prevention";
import { createYoga } from "graphql-yoga";
import { type Clock, createClock } from "../domain/clock.ts";
import { applyMigrations } from "../prisma/migrate.ts";
import { seedDemoIfEmpty } from "../prisma/seed/demo.ts";
import type { Context } from "../schema/builder.ts";
import { usePagingArguments } from "../schema/connection-args.ts";
import { schema } from "../schema/index.ts";
import { maskError, useInputHygiene } from "../schema/input-hygiene.ts";
import { authenticate, authenticateCredential, createActorCache, credentialKey } from "../services/auth.ts";
import { createHttpCarrier } from "../services/carrier/http.ts";
import { createCarrierSimulator } from "../services/carrier/simulator.ts";
import { publishingEvents } from "../services/events.ts";
import { createLoginThrottle } from "../services/login-throttle.ts";
import { createMailDelivery } from "../services/mail/delivery.ts";
import { createMailer } from "../services/mail/mailer.ts";
import { createLoaders } from "../services/progress.ts";
import { createRateLimits } from "../services/rate-limits.ts";
import { createRealtime, OVERFLOW, type Realtime } from "../services/realtime.ts";
import { runDailySyncs } from "../services/roster-sync.ts";
import { createSharedReads } from "../services/shared-reads.ts";
import { startWorker, type Worker } from "../services/worker.ts";
import {
  corsPolicy,
  isAllowedWebSocketOrigin,
  renderGraphiQLPage,
  useBrowserSecurityHeaders,
} from "./browser-security.ts";
import { clientAddressResolver } from "./client-address.ts";
import type { Config } from "./config.ts";
import { type Database, openDatabase } from "./db.ts";
import { attachGraphqlWs } from "./graphql-ws.ts";
import { createLogger, type Logger, yogaLogging } from "./logger.ts";
import { createRateLimit } from "./rate-limit.ts";
import { useSharedSubscriptionResults } from "./shared-subscriptions.ts";
import { createWebHandler } from "./web.ts";

export const GRAPHQL_PATH = "/graphql";

/** Limits on what one operation may ask for (graphql-armor). */
export const armorLimits = {
  maxDepth: { n: 12 },
  maxAliases: { n: 20 },
  maxDirectives: { n: 20 },
  maxTokens: { n: 3000 },
  costLimit: { maxCost: 20_000 },
  blockFieldSuggestion: { enabled: true },
};

/** What the Node adapter and graphql-ws hand to the context factory. */
interface ServerContext {
  req?: IncomingMessage;
  connectionParams?: Record<string, unknown>;
}

function connectionParamsAuthorization(params: Record<string, unknown> | undefined): string | null {
  const value = params?.authorization ?? params?.Authorization;
  return typeof value === "string" ? value : null;
}

export interface AppOptions {
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

export interface App {
  database: Database;
  /** The carrier worker of this process, when it runs one. */
  worker: Worker | null;
  /** Pub/sub of this instance (live subscription counts for readiness and tests). */
  realtime: Realtime;
  clock: Clock;
  logger: Logger;
  /** Answers a Fetch request without a socket (tests, benchmarks). */
  fetch: (input: string | URL | Request, init?: RequestInit) => Promise<Response>;
  /** Listens on `port` (0 = any free port); resolves with the bound address. */
  start(port?: number, host?: string): Promise<{ port: number; url: string }>;
  /** Stops accepting, closes sockets and the database. Safe to call twice. */
  stop(): Promise<void>;
}

export async function buildApp(options: AppOptions): Promise<App> {
  const { config } = options;
  const logger = options.logger ?? createLogger(config.logLevel);
  const clock = options.clock ?? createClock(config.fakeNow);
  const database = options.database ?? (await openDatabase(config));

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
  const settings = { acceptanceHours: config.acceptanceHours };
  const carrier = config.carrierUrl
    ? createHttpCarrier(config.carrierUrl)
    : createCarrierSimulator(db, {
        latencyMs: config.carrierLatencyMs,
        failureRate: config.carrierFailureRate,
      });
  const realtimeHub = createRealtime(config.redisUrl);
  const sharedReads = createSharedReads();
  // Shared by every instance through Redis when it is set.
  const loginThrottle = createLoginThrottle({
    policy: config.loginThrottle,
    redisUrl: config.redisUrl,
    logger,
  });
  const clientAddress = clientAddressResolver(config.trustProxy);
  // Query-cost budgets per session, API token or client address (0 points: none).
  const rateLimits =
    config.rateLimitPoints > 0
      ? createRateLimits({
          points: config.rateLimitPoints,
          windowSeconds: config.rateLimitWindowSeconds,
          redisUrl: config.redisUrl,
          onStoreError: (error) =>
            logger.warn({ err: error }, "rate limits: Redis unavailable, counting in memory meanwhile"),
        })
      : null;
  const rateLimit = rateLimits
    ? createRateLimit({ limits: rateLimits, cost: armorLimits.costLimit, now: () => clock.now() })
    : null;
  const realtime = realtimeHub.pubsub;
  const actors = createActorCache({
    ttlMs: config.actorCacheMs,
    announce: (revoked) => {
      // This instance's sockets end their streams now, whether or not the hub
      // (Redis) carries the news back; the other instances hear it below.
      ws.endCredential(credentialKey(revoked));
      realtime.publish("auth:revoked", "all", revoked);
    },
  });
  // Listening from the start; read once the WebSocket server exists (below).
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
          concurrency: config.workerConcurrency,
          leaseMs: config.workerLeaseMs,
          now: () => clock.now(),
        })
      : null;
  // The automatic daily roster sync (R8): checked at start and every hour; it
  // runs once per JST day and account, whichever process gets there first.
  const dailySync = async () => {
    try {
      const ran = await runDailySyncs(db, carrier, clock.now());
      if (ran > 0) logger.info({ accounts: ran }, "daily roster sync done");
      // PGlite runs no autovacuum: after the day's roster writes, refresh the
      // statistics and visibility map that totalCount's index-only count needs
      // (npm run bench: ~30 ms instead of ~12 ms over 100,000 lines).
      if (ran > 0 && database.kind === "pglite") await db.$executeRawUnsafe(`VACUUM ANALYZE "Line"`);
    } catch (error) {
      logger.error({ err: error }, "daily roster sync failed");
    }
  };
  const syncTimer = worker ? setInterval(dailySync, 60 * 60 * 1000) : null;
  syncTimer?.unref();
  const firstSync = worker ? dailySync() : Promise.resolve();
  const yoga = createYoga<ServerContext, Context>({
    schema,
    graphqlEndpoint: GRAPHQL_PATH,
    // Deliberately bounded (yoga's default is 25 MB): the largest request the
    // web client sends (200 lines with a preview token) is a few tens of KB.
    maxRequestBodySize: config.maxRequestBytes,
    landingPage: false,
    graphiql: { title: "Anshin Backup GraphQL" },
    // From the installed package (works offline), built once, with its own CSP.
    renderGraphiQL: renderGraphiQLPage,
    // None by default: the web client is same-origin (CORS_ORIGINS).
    cors: corsPolicy(config.corsOrigins),
    // Unexpected errors reach clients as "Unexpected error." (masked); expected
    // ones carry extensions.code; bad input (and what Pothos refuses as such) BAD_USER_INPUT.
    maskedErrors: { maskError },
    // Errors as structured, scrubbed fields: String(error) would print the
    // operation's source, where a password may be written inline.
    logging: yogaLogging(logger),
    plugins: [
      // CSP, X-Frame-Options and nosniff on every /graphql response, GraphiQL's page included.
      useBrowserSecurityHeaders(config.corsOrigins),
      // Browsers may only reach GraphQL with non-simple requests (JSON POST or a
      // custom header), so another site cannot make a logged-in browser act.
      useCSRFPrevention({ requestHeaders: ["x-graphql-yoga-csrf", "apollo-require-preflight"] }),
      ...new EnvelopArmor(armorLimits).protect().plugins,
      // Each operation that passed the limits above is charged its cost, or refused (RATE_LIMITED).
      ...(rateLimit ? [rateLimit.plugin] : []),
      // Before anything runs: bad first/last/after/before are BAD_USER_INPUT.
      usePagingArguments(),
      // Before anything runs: NUL characters and foreign cursors are BAD_USER_INPUT.
      useInputHygiene(),
      useSharedSubscriptionResults(),
    ],
    context: async ({ request, req, connectionParams }) => {
      const header = request?.headers.get("authorization") ?? connectionParamsAuthorization(connectionParams);
      return {
        db,
        clock,
        logger,
        settings,
        actor: await authenticate(db, clock, header, actors),
        actors,
        loginThrottle,
        // For a WebSocket, `req` is its upgrade request.
        ip: req ? clientAddress(req) : null,
        loaders: createLoaders(db),
        carrier,
        realtime: realtimeHub,
        sharedReads,
        events,
      };
    },
  });

  const web = createWebHandler();
  const server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if (path === "/health") {
      void health(req, res);
      return;
    }
    if (path === GRAPHQL_PATH || path?.startsWith(`${GRAPHQL_PATH}/`)) {
      void yoga(req, res);
      return;
    }
    web(req, res);
  });
  // A client that sends its request slowly (a byte at a time) holds a socket
  // and a parser: it gets 10 s for the headers and 30 s for the whole request
  // (Node's defaults are 60 s and 5 min). Responses (SSE streams) are not bounded.
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  const ws = attachGraphqlWs(
    server,
    yoga,
    GRAPHQL_PATH,
    async (params) => {
      const header = connectionParamsAuthorization(params);
      if (header === null) return null;
      const credential = await authenticateCredential(db, clock, header, actors);
      // Credentials that do not authenticate are refused (4403), not taken for none.
      return credential ? { key: credentialKey(credential.actor), expiresAt: credential.expiresAt } : false;
    },
    {
      keepAliveMs: config.wsKeepAliveMs,
      maxBufferedBytes: config.wsMaxBufferedBytes,
      // Browsers' upgrades from other sites' pages are refused with 403.
      acceptOrigin: (request) => isAllowedWebSocketOrigin(request, config.corsOrigins),
      maxMessageBytes: config.maxRequestBytes,
      maxOperationsPerSocket: config.wsMaxSubscriptionsPerSocket,
      maxSocketsPerCredential: config.wsMaxSocketsPerCredential,
      admit: rateLimit?.admit,
      logger,
      now: () => clock.now(),
    },
  );
  // Revocations announced by any instance (this one's own come back, harmlessly):
  // cached actors are forgotten and sockets holding the credential end their
  // streams, within the hub's delivery time (Redis: milliseconds).
  void (async () => {
    for await (const revoked of revocations) {
      if (revoked === OVERFLOW) {
        // Some revocations were missed: trust nothing cached, check every socket.
        actors.clear();
        void ws.recheckCredentials();
      } else {
        actors.forget(revoked, { announce: false });
        ws.endCredential(credentialKey(revoked));
      }
    }
  })();

  async function health(_req: IncomingMessage, res: ServerResponse) {
    let ok = true;
    try {
      await database.prisma.$queryRaw`SELECT 1`;
    } catch (error) {
      ok = false;
      logger.error({ err: error }, "health check: database unreachable");
    }
    res.writeHead(ok ? 200 : 503, { "content-type": "application/json", "cache-control": "no-store" });
    res.end(
      JSON.stringify({ status: ok ? "ok" : "unavailable", database: database.kind, time: clock.now() }),
    );
  }

  let stopping: Promise<void> | undefined;
  return {
    database,
    worker,
    realtime: realtimeHub,
    clock,
    logger,
    fetch: async (input, init) => yoga.fetch(new Request(input, init)),
    start(port = config.port, host = config.host) {
      return new Promise((resolve, reject) => {
        server.once("error", reject);
        server.listen(port, host, () => {
          server.off("error", reject);
          const address = server.address() as AddressInfo;
          const shownHost = host === "0.0.0.0" || host === "::" ? "localhost" : host;
          const url = `http://${shownHost}:${address.port}`;
          logger.info({ port: address.port, database: database.kind }, `listening on ${url}${GRAPHQL_PATH}`);
          resolve({ port: address.port, url });
        });
      });
    },
    stop() {
      stopping ??= (async () => {
        await ws.close();
        if (syncTimer) clearInterval(syncTimer);
        await firstSync;
        await worker?.stop();
        mailer.close();
        await revocations.return();
        await realtimeHub.close();
        await loginThrottle.close();
        await rateLimits?.close();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeIdleConnections();
          // In-flight HTTP requests get a moment to finish, then are cut.
          setTimeout(() => server.closeAllConnections(), 2_000).unref();
        });
        await database.close();
        logger.info("stopped");
      })();
      return stopping;
    },
  };
}
