// Process entry: read the environment, build the app, serve, stop on signals.
//
// The signal handlers come first: a stop that arrives while the server is
// still migrating, seeding or binding (an orchestrator stopping a starting
// pod, a test stopping it right after "listening") must not kill the process
// by the default action and skip the cleanup. Such a stop waits for start-up
// to finish, then shuts down like any other.

import { createLogger } from "../lib/logger.ts";
import type { App } from "./app.ts";
import { loadConfig } from "./config.ts";
import type { Tracing } from "./tracing.ts";

let stopRequested: string | null = null;
let starting: Promise<App | null> | null = null;
let tracing: Tracing | null = null;
for (const signal of ["SIGTERM", "SIGINT"] as const) process.on(signal, () => void shutdown(signal));

async function shutdown(signal: string) {
  if (stopRequested) return;
  stopRequested = signal;
  // Before start-up has a logger there is nothing to clean up yet either.
  const app = await starting;
  app?.logger.info({ signal }, "shutting down");
  // app.stop() keeps within SHUTDOWN_GRACE_MS by itself; should anything hang
  // past it, the process goes anyway (items it holds are taken over when
  // their lease ends, as after a crash).
  setTimeout(() => {
    app?.logger.error({ graceMs: config.shutdownGraceMs }, "stop took longer than the grace; exiting");
    process.exit(1);
  }, config.shutdownGraceMs).unref();
  await app?.stop().catch((error: unknown) => app.logger.error({ err: error }, "error while stopping"));
  await tracing?.shutdown();
  // The WASM schema engine leaves a timer behind; everything of ours is closed.
  process.exit(0);
}

const config = loadConfig();
const logger = createLogger(config.logLevel);
logger.info({ pid: process.pid }, "starting");

starting = (async () => {
  // Before the app is imported, so pg, ioredis and Prisma are patched as they load; off: never loaded.
  if (config.tracing) tracing = await (await import("./tracing.ts")).startTracing(config.tracing, logger);
  const { buildApp } = await import("./app.ts");
  const app = await buildApp({ config, logger });
  // A stop that came during the build: close what was opened, never listen.
  if (stopRequested) return app;
  await app.start();
  return app;
})().catch((error: unknown) => {
  logger.fatal({ err: error }, "could not start");
  process.exit(1);
});
