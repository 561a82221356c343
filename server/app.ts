// Builds the whole server: database (migrated, demo data on first start),
// GraphQL over HTTP (graphql-yoga) and WebSocket (graphql-ws) on one port,
// /health, and a clean stop. Tests import this; server/index.ts only reads the
// environment and calls it.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { createYoga } from "graphql-yoga";
import { type Clock, createClock } from "../domain/clock.ts";
import { applyMigrations } from "../prisma/migrate.ts";
import { seedDemoIfEmpty } from "../prisma/seed/demo.ts";
import type { Context } from "../schema/builder.ts";
import { schema } from "../schema/index.ts";
import type { Config } from "./config.ts";
import { type Database, openDatabase } from "./db.ts";
import { attachGraphqlWs } from "./graphql-ws.ts";
import { createLogger, type Logger } from "./logger.ts";

export const GRAPHQL_PATH = "/graphql";

export interface AppOptions {
  config: Config;
  logger?: Logger;
  clock?: Clock;
  /** An already open database (tests); otherwise opened from the config. */
  database?: Database;
  /** Write the SPEC §6 demo data into an empty database (default true). */
  seedDemo?: boolean;
}

export interface App {
  database: Database;
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

  const yoga = createYoga<Record<string, unknown>, Context>({
    schema,
    graphqlEndpoint: GRAPHQL_PATH,
    landingPage: false,
    logging: {
      debug: (...args) => logger.debug(args.map(String).join(" ")),
      info: (...args) => logger.info(args.map(String).join(" ")),
      warn: (...args) => logger.warn(args.map(String).join(" ")),
      error: (...args) => logger.error(args.map(String).join(" ")),
    },
    context: () => ({ db: database.prisma, clock, logger }),
  });

  const server = createServer((req, res) => {
    if (req.url === "/health" || req.url?.startsWith("/health?")) {
      void health(req, res);
      return;
    }
    void yoga(req, res);
  });
  const ws = attachGraphqlWs(server, yoga, GRAPHQL_PATH);

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
