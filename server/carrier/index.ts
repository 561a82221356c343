// The carrier simulator as its own process (npm run carrier), for running the
// gateway against a carrier reached over HTTP (CARRIER_URL). Its roster lives
// in a database of its own (CARRIER_DATABASE_URL, or PGlite in
// CARRIER_DATA_DIR), filled with the demo roster on first start.
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { pino } from "pino";
import { createClock } from "../../domain/clock.ts";
import { type Database, openDatabase } from "../../lib/db.ts";
import { createLogger } from "../../lib/logger.ts";
import { applyMigrations } from "../../prisma/migrate.ts";
import { seedCarrierRosterIfEmpty } from "../../prisma/seed/demo.ts";
import { createCarrierServer, listen } from "../../services/carrier/http.ts";
import { createCarrierSimulator } from "../../services/carrier/simulator.ts";
import { type CarrierConfig, loadCarrierConfig } from "./config.ts";

// Signals first, before anything is awaited: a stop during start-up waits for
// the start to finish and then closes what it opened (an abandoned PGlite
// directory would need recovery on the next start).
let signalled = false;
const onSignal = (signal: NodeJS.Signals) => {
  if (signalled) return;
  signalled = true;
  void stop(signal);
};
process.on("SIGTERM", onSignal);
process.on("SIGINT", onSignal);

let config: CarrierConfig;
try {
  config = loadCarrierConfig();
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}
// Synchronous writes: the exit right after "stopped" must not reorder or drop
// lines still queued behind PGlite's file writes (pino's stdout is asynchronous).
const logger = createLogger(config.logLevel, pino.destination({ dest: 1, sync: true })).child({
  component: "carrier-simulator",
});
const starting = start();
starting.catch((error: unknown) => {
  logger.fatal({ err: error }, "could not start");
  process.exit(1);
});

async function start(): Promise<{ server: Server; database: Database }> {
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    const applied = await applyMigrations(database.adapterFactory, {
      log: (message) => logger.debug({ engine: message }, "schema engine"),
    });
    if (applied.length > 0) logger.info({ applied }, "applied migrations");
    const now = createClock(config.fakeNow).now();
    const seeded = await seedCarrierRosterIfEmpty(database.prisma, { now });
    logger.info(
      { seeded },
      seeded ? "wrote the demo roster into the empty carrier database" : "carrier roster present; not seeded",
    );
    const server = createCarrierServer(
      createCarrierSimulator(database.prisma, {
        latencyMs: config.latencyMs,
        failureRate: config.failureRate,
      }),
    );
    const url = await listen(server, config.port, config.host);
    const { port } = server.address() as AddressInfo;
    logger.info({ port, database: database.kind, seeded }, `carrier simulator listening on ${url}`);
    return { server, database };
  } catch (error) {
    await database.close().catch(() => {});
    throw error;
  }
}

async function stop(signal: NodeJS.Signals): Promise<void> {
  logger.info({ signal }, "shutting down");
  const running = await starting.catch(() => null);
  if (running) {
    // close() drops idle keep-alive sockets, but a worker that keeps sending
    // keeps its sockets busy and served: in-flight requests get a moment to
    // finish, then every socket is cut (the gateway retries what was cut).
    const closed = new Promise((resolve) => running.server.close(resolve));
    running.server.closeIdleConnections();
    setTimeout(() => running.server.closeAllConnections(), 1_000).unref();
    await closed;
    await running.database
      .close()
      .catch((error: unknown) => logger.error({ err: error }, "closing database"));
  }
  logger.info("stopped");
  // The WASM schema engine leaves a timer behind; everything of ours is closed.
  process.exit(0);
}
