// The carrier simulator as its own process (npm run carrier), for running the
// gateway against a carrier reached over HTTP (CARRIER_URL). It uses the
// database of DATABASE_URL / DATA_DIR for its roster.

import { applyMigrations } from "../../prisma/migrate.ts";
import { loadConfig } from "../../server/config.ts";
import { openDatabase } from "../../server/db.ts";
import { createCarrierServer, listen } from "./http.ts";
import { createCarrierSimulator } from "./simulator.ts";

const config = loadConfig();
const db = await openDatabase(config);
await applyMigrations(db.adapterFactory);
const server = createCarrierServer(
  createCarrierSimulator(db.prisma, {
    latencyMs: config.carrierLatencyMs,
    failureRate: config.carrierFailureRate,
  }),
);
const url = await listen(
  server,
  Number(process.env.CARRIER_PORT ?? 4010),
  process.env.CARRIER_HOST ?? "127.0.0.1",
);
console.log(JSON.stringify({ msg: `carrier simulator listening on ${url}` }));
process.on("SIGTERM", () => server.close(() => db.close().then(() => process.exit(0))));
