// The transports: GraphQL over HTTP (graphql-yoga) and WebSocket (graphql-ws)
// on one port, /health and /ready, the web client, and a clean stop, wired to
// the services the composition root (server/compose.ts) builds from the
// configuration. Tests import this; server/index.ts only reads the
// environment and calls it.
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { EnvelopArmor } from "@escape.tech/graphql-armor";
import { useCSRFPrevention } from "@graphql-yoga/plugin-csrf-prevention";
import { createYoga } from "graphql-yoga";
import type { Clock } from "../domain/clock.ts";
import type { Database } from "../lib/db.ts";
import type { Logger } from "../lib/logger.ts";
import type { Context } from "../schema/builder.ts";
import { usePagingArguments } from "../schema/connection-args.ts";
import { schema } from "../schema/index.ts";
import { maskError, useInputHygiene } from "../schema/input-hygiene.ts";
import { authenticate, authenticateCredential, credentialKey } from "../services/auth.ts";
import type { Dependencies } from "../services/dependencies.ts";
import { createLoaders } from "../services/progress.ts";
import type { Realtime } from "../services/realtime.ts";
import type { Worker } from "../services/worker.ts";
import {
  corsPolicy,
  isAllowedWebSocketOrigin,
  renderGraphiQLPage,
  useBrowserSecurityHeaders,
} from "./browser-security.ts";
import { clientAddressResolver } from "./client-address.ts";
import { composeServices, type ServicesOptions, sleepUntil } from "./compose.ts";
import { createRequestDrain } from "./drain.ts";
import { createExportRoutes, EXPORT_PATH_PREFIX } from "./exports.ts";
import { attachGraphqlWs } from "./graphql-ws.ts";
import { createHealthEndpoints } from "./health.ts";
import { yogaLogging } from "./logger.ts";
import { METRICS_PATH } from "./metrics.ts";
import { createRateLimit } from "./rate-limit.ts";
import { useSharedSubscriptionResults } from "./shared-subscriptions.ts";
import { createWebHandler } from "./web.ts";

export const GRAPHQL_PATH = "/graphql";

/** The last part of the shutdown grace, kept for closing connections and the database after work in flight. */
const SHUTDOWN_RESERVE_MS = 3_000;

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
  /** A WebSocket's client address, read once from its upgrade request (server/graphql-ws.ts). */
  ip?: string | null;
  connectionParams?: Record<string, unknown>;
}

function connectionParamsAuthorization(params: Record<string, unknown> | undefined): string | null {
  const value = params?.authorization ?? params?.Authorization;
  return typeof value === "string" ? value : null;
}

/** The configuration, and what tests supply instead of building it (logger, clock, database). */
export type AppOptions = ServicesOptions;

export interface App {
  database: Database;
  /** The carrier worker of this process, when it runs one. */
  worker: Worker | null;
  /** Pub/sub of this instance (live subscription counts for readiness and tests). */
  realtime: Realtime;
  /** What readiness (GET /ready) reports; circuit breakers and the like register here. */
  dependencies: Dependencies;
  clock: Clock;
  logger: Logger;
  /** The URL of the Prometheus /metrics listener once started (null: METRICS_PORT=off, or not listening). */
  metricsUrl(): string | null;
  /** Answers a Fetch request without a socket (tests, benchmarks). */
  fetch: (input: string | URL | Request, init?: RequestInit) => Promise<Response>;
  /** Listens on `port` (0 = any free port); resolves with the bound address. */
  start(port?: number, host?: string): Promise<{ port: number; url: string }>;
  /**
   * Readiness 503 at once; after SHUTDOWN_DRAIN_DELAY_MS stops accepting,
   * lets requests in flight finish, closes WebSockets with 1001, lets the
   * worker finish or release its items, closes the database; all within
   * SHUTDOWN_GRACE_MS. Safe to call twice.
   */
  stop(): Promise<void>;
}

export async function buildApp(options: AppOptions): Promise<App> {
  const { config } = options;
  const services = await composeServices(options);
  const { database, db, clock, logger, actors, worker, dependencies, rateLimits, reportOutage } = services;
  const clientAddress = clientAddressResolver(config.trustProxy);
  /** Sessions unused for SESSION_IDLE_TIMEOUT_MINUTES are refused (services/auth.ts). */
  const sessions = { idleTimeoutMs: config.sessionIdleTimeoutMs };
  const rateLimit = rateLimits
    ? createRateLimit({ limits: rateLimits, cost: armorLimits.costLimit, now: () => clock.now() })
    : null;
  let draining = false;
  const probes = createHealthEndpoints({
    dependencies,
    draining: () => draining,
    databaseKind: database.kind,
    now: () => clock.now(),
    logger,
  });
  const requests = createRequestDrain();
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
    logging: yogaLogging(logger, (error) => reportOutage(error, "graphql")),
    plugins: [
      // Operations by name and outcome, and their latencies, on this app's registry (server/metrics.ts).
      ...(services.metrics ? [services.metrics.yogaPlugin()] : []),
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
      // Each event is executed with a context of its own, so that what
      // resolvers cache per context (loaders, scope-auth's caches) is not kept
      // for as long as a subscription stays open.
      useSharedSubscriptionResults({
        forkContext: (context) => ({ ...context, loaders: createLoaders(db) }),
      }),
    ],
    context: async ({ request, req, ip, connectionParams }) => {
      const header = request?.headers.get("authorization") ?? connectionParamsAuthorization(connectionParams);
      return {
        actor: await authenticate(db, clock, header, actors, sessions),
        ip: ip !== undefined ? ip : req ? clientAddress(req) : null,
        // Made on first use: most operations, and every idle subscription, need none.
        loaders: createLoaders(db),
        services,
      };
    },
  });

  const web = createWebHandler();
  // CSV出力: the API's authentication, scopes and rate-limit budgets, over plain GET (server/exports.ts).
  const exports = createExportRoutes({
    db,
    clock,
    logger,
    authenticate: (header) => authenticate(db, clock, header, actors, sessions),
    clientAddress,
    rateLimits,
    reportOutage,
  });
  const server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    requests.track(req, res);
    if (path === "/health") {
      probes.health(req, res);
      return;
    }
    if (path === "/ready") {
      void probes.ready(req, res);
      return;
    }
    // Metrics are served on their own listener only (METRICS_PORT), never here.
    if (path === METRICS_PATH) {
      res.writeHead(404, { "content-type": "application/json" }).end('{"error":"not found"}');
      return;
    }
    // A worker-tier instance (WORKER=only) answers nothing else.
    if (!config.serveApi) {
      res.writeHead(404, { "content-type": "application/json" }).end('{"error":"not found"}');
      return;
    }
    if (path?.startsWith(EXPORT_PATH_PREFIX)) {
      void exports(req, res);
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
  const ws = !config.serveApi
    ? null
    : attachGraphqlWs(
        server,
        yoga,
        GRAPHQL_PATH,
        async (params) => {
          const header = connectionParamsAuthorization(params);
          if (header === null) return null;
          let credential: Awaited<ReturnType<typeof authenticateCredential>>;
          try {
            credential = await authenticateCredential(db, clock, header, actors, sessions);
          } catch (error) {
            // Neither accepted nor refused: the client is told to try again later (1013).
            if (reportOutage(error, "WebSocket connection_init")) return "unavailable";
            throw error;
          }
          // Credentials that do not authenticate are refused (4403), not taken for none.
          return credential
            ? { key: credentialKey(credential.actor), expiresAt: credential.expiresAt }
            : false;
        },
        {
          keepAliveMs: config.wsKeepAliveMs,
          maxBufferedBytes: config.wsMaxBufferedBytes,
          // Browsers' upgrades from other sites' pages are refused with 403.
          acceptOrigin: (request) => isAllowedWebSocketOrigin(request, config.corsOrigins),
          clientAddress,
          maxMessageBytes: config.maxRequestBytes,
          maxOperationsPerSocket: config.wsMaxSubscriptionsPerSocket,
          maxSocketsPerCredential: config.wsMaxSocketsPerCredential,
          admit: rateLimit?.admit,
          logger,
          now: () => clock.now(),
          maskError: (error) => {
            const masked = maskError(error, "Unexpected error.");
            if (masked !== error && !reportOutage(error, "subscription")) {
              logger.error({ err: error }, "subscription failed");
            }
            return masked;
          },
        },
      );
  // Sockets holding a credential end their streams when it is revoked (server/compose.ts).
  if (ws) services.holdCredentials(ws);
  services.metrics?.observe({ db, realtime: services.realtime, ws, circuits: worker?.circuits });

  let stopping: Promise<void> | undefined;
  return {
    database,
    worker,
    realtime: services.realtime,
    dependencies,
    clock,
    logger,
    metricsUrl: () => services.metrics?.url() ?? null,
    fetch: async (input, init) => yoga.fetch(new Request(input, init)),
    async start(port = config.port, host = config.host) {
      const { metrics } = services;
      if (metrics && config.metrics && !metrics.url()) {
        // Metrics are for operators: a port already taken is logged, and the API is served anyway.
        await metrics.listen(config.metrics.port, config.metrics.host).then(
          (url) => logger.info({ url }, "serving Prometheus metrics"),
          (error: unknown) =>
            logger.error(
              { err: error, ...config.metrics },
              "could not listen for metrics; /metrics not served",
            ),
        );
      }
      return new Promise((resolve, reject) => {
        server.once("error", reject);
        server.listen(port, host, () => {
          server.off("error", reject);
          const address = server.address() as AddressInfo;
          const shownHost = host === "0.0.0.0" || host === "::" ? "localhost" : host;
          const url = `http://${shownHost}:${address.port}`;
          const serving = config.serveApi ? GRAPHQL_PATH : " (worker only: /health and /ready)";
          logger.info({ port: address.port, database: database.kind }, `listening on ${url}${serving}`);
          resolve({ port: address.port, url });
        });
      });
    },
    stop() {
      stopping ??= (async () => {
        // Readiness answers 503 from now on.
        draining = true;
        const begun = Date.now();
        const deadline = begun + config.shutdownGraceMs;
        // Work in flight (requests, items at the carrier) may run until then;
        // what is left is cut or released, and the rest of the grace closes.
        const workDeadline = deadline - Math.min(SHUTDOWN_RESERVE_MS, config.shutdownGraceMs / 2);
        logger.info({ graceMs: config.shutdownGraceMs }, "draining");
        requests.begin();
        // The worker stops claiming now; connections and the database close
        // once the transports below no longer use them.
        let transportsClosed = () => {};
        const servicesStopped = services.stop({
          finishBy: workDeadline,
          transportsClosed: new Promise<void>((resolve) => {
            transportsClosed = resolve;
          }),
        });
        // Load balancers see readiness fail while everything is still served.
        if (server.listening && config.shutdownDrainDelayMs > 0) {
          await sleepUntil(begun + config.shutdownDrainDelayMs);
        }
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        // Clients reconnect to another instance and resume with afterSeq.
        requests.endStreams();
        await ws?.close();
        const cut = await requests.settled(workDeadline);
        if (cut > 0)
          logger.warn({ requests: cut }, "requests still in flight at the end of the grace were cut");
        server.closeAllConnections();
        // WebSockets that do not answer the close handshake hold the server no longer.
        await Promise.race([closed, sleepUntil(deadline - SHUTDOWN_RESERVE_MS / 3)]);
        transportsClosed();
        await servicesStopped;
        await services.metrics?.close();
        logger.info({ ms: Date.now() - begun }, "stopped");
      })();
      return stopping;
    },
  };
}
