// Process entry: read the environment, build the app, serve, stop on signals.
import { buildApp } from "./app.ts";
import { loadConfig } from "./config.ts";
import { createLogger } from "./logger.ts";

const config = loadConfig();
const logger = createLogger(config.logLevel);

try {
  const app = await buildApp({ config, logger });
  await app.start();
  let signalled = false;
  const shutdown = async (signal: string) => {
    if (signalled) return;
    signalled = true;
    logger.info({ signal }, "shutting down");
    await app.stop().catch((error: unknown) => logger.error({ err: error }, "error while stopping"));
    // The WASM schema engine leaves a timer behind; everything of ours is closed.
    process.exit(0);
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
} catch (error) {
  logger.fatal({ err: error }, "could not start");
  process.exit(1);
}
