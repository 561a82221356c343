// What the standalone carrier simulator (serve.ts) reads from its environment.
// It has a database of its own: a second process may not open the gateway's
// PGlite directory, and another empty one would know no lines at all.
import path from "node:path";
import { z } from "zod";

const latency = /^\d+(-\d+)?$/;

const Env = z
  .object({
    CARRIER_PORT: z.coerce.number().int().min(0).max(65535).default(4010),
    CARRIER_HOST: z.string().default("127.0.0.1"),
    CARRIER_DATABASE_URL: z.string().url().optional(),
    CARRIER_DATA_DIR: z.string().default("./data-carrier"),
    // Read only to refuse the gateway's PGlite directory.
    DATA_DIR: z.string().default("./data"),
    CARRIER_LATENCY_MS: z.string().regex(latency, "expected N or MIN-MAX").default("200-1200"),
    CARRIER_FAILURE_RATE: z.coerce.number().min(0).max(1).default(0.02),
    FAKE_NOW: z
      .string()
      .refine((s) => !Number.isNaN(Date.parse(s)), "expected an ISO date-time")
      .optional(),
    LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
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
  logLevel: z.infer<typeof Env>["LOG_LEVEL"];
}

export function loadCarrierConfig(env: NodeJS.ProcessEnv = process.env): CarrierConfig {
  // Empty strings mean "unset", as for the gateway (server/config.ts).
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== ""));
  const parsed = Env.safeParse(cleaned);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
    throw new Error(`Invalid environment:\n  ${problems.join("\n  ")}`);
  }
  const e = parsed.data;
  const [min, max = min] = e.CARRIER_LATENCY_MS.split("-").map(Number) as [number, number?];
  return {
    port: e.CARRIER_PORT,
    host: e.CARRIER_HOST,
    databaseUrl: e.CARRIER_DATABASE_URL,
    dataDir: path.resolve(e.CARRIER_DATA_DIR),
    latencyMs: { min: Math.min(min, max), max: Math.max(min, max) },
    failureRate: e.CARRIER_FAILURE_RATE,
    fakeNow: e.FAKE_NOW,
    logLevel: e.LOG_LEVEL,
  };
}
