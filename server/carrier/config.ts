// What the standalone carrier simulator (serve.ts) reads from its environment.
// It has a database of its own: a second process may not open the gateway's
// PGlite directory, and another empty one would know no lines at all.
import path from "node:path";
import { z } from "zod";
import { fakeNowSetting, latencySetting, logLevelSetting, readEnvironment } from "../config.ts";

/** Every variable the carrier simulator reads (test/deploy checks compose.yaml against it). */
export const Env = z
  .object({
    CARRIER_PORT: z.coerce.number().int().min(0).max(65535).default(4010),
    CARRIER_HOST: z.string().default("127.0.0.1"),
    CARRIER_DATABASE_URL: z.string().url().optional(),
    CARRIER_DATA_DIR: z.string().default("./data-carrier"),
    // Read only to refuse the gateway's PGlite directory.
    DATA_DIR: z.string().default("./data"),
    CARRIER_LATENCY_MS: latencySetting.default({ min: 200, max: 1200 }),
    CARRIER_FAILURE_RATE: z.coerce.number().min(0).max(1).default(0.02),
    FAKE_NOW: fakeNowSetting,
    LOG_LEVEL: logLevelSetting,
  })
  .refine((e) => e.CARRIER_DATABASE_URL || path.resolve(e.CARRIER_DATA_DIR) !== path.resolve(e.DATA_DIR), {
    path: ["CARRIER_DATA_DIR"],
    message: "is the gateway's DATA_DIR; PGlite allows one process per directory",
  });

export interface CarrierConfig {
  port: number;
  host: string;
  /** PostgreSQL when set; otherwise PGlite in `dataDir`. */
  databaseUrl?: string;
  dataDir: string;
  latencyMs: { min: number; max: number };
  failureRate: number;
  fakeNow?: string;
  logLevel: z.infer<typeof logLevelSetting>;
}

export function loadCarrierConfig(env: NodeJS.ProcessEnv = process.env): CarrierConfig {
  const e = readEnvironment(Env, env);
  return {
    port: e.CARRIER_PORT,
    host: e.CARRIER_HOST,
    databaseUrl: e.CARRIER_DATABASE_URL,
    dataDir: path.resolve(e.CARRIER_DATA_DIR),
    latencyMs: e.CARRIER_LATENCY_MS,
    failureRate: e.CARRIER_FAILURE_RATE,
    fakeNow: e.FAKE_NOW,
    logLevel: e.LOG_LEVEL,
  };
}
