// Everything the process reads from its environment, in one place (SPEC §6).
import path from "node:path";
import { z } from "zod";
import { parseAcceptanceHours } from "../domain/rules/acceptance.ts";

function validAcceptanceHours(spec: string): boolean {
  try {
    parseAcceptanceHours(spec);
    return true;
  } catch {
    return false;
  }
}

/** Reads `env` with `schema`; an invalid value throws a message naming each variable. */
export function readEnvironment<T extends z.ZodType>(schema: T, env: NodeJS.ProcessEnv): z.infer<T> {
  // Empty strings mean "unset", as they do for most twelve-factor apps.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== ""));
  const parsed = schema.safeParse(cleaned);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
    throw new Error(`Invalid environment:\n  ${problems.join("\n  ")}`);
  }
  return parsed.data;
}

/** `N` or `MIN-MAX` milliseconds. */
export const latencySetting = z
  .string()
  .regex(/^\d+(-\d+)?$/, "expected N or MIN-MAX")
  .transform((spec) => {
    const [min, max = min] = spec.split("-").map(Number) as [number, number?];
    return { min: Math.min(min, max), max: Math.max(min, max) };
  });

export const fakeNowSetting = z
  .string()
  .refine((s) => !Number.isNaN(Date.parse(s)), "expected an ISO date-time")
  .optional();

export const logLevelSetting = z
  .enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"])
  .default("info");

const timeRange = /^\d{2}:\d{2}-\d{2}:\d{2}$/;

const Env = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  HOST: z.string().default("0.0.0.0"),
  DATABASE_URL: z.string().url().optional(),
  DATA_DIR: z.string().default("./data"),
  REDIS_URL: z.string().url().optional(),
  SMTP_URL: z.string().url().optional(),
  CARRIER_URL: z.string().url().optional(),
  ACCEPTANCE_HOURS: z
    .string()
    .regex(timeRange, "expected HH:MM-HH:MM")
    .refine((spec) => validAcceptanceHours(spec), "expected a start and an end between 00:00 and 24:00")
    .default("09:00-23:00"),
  FAKE_NOW: fakeNowSetting,
  CARRIER_LATENCY_MS: latencySetting.default({ min: 200, max: 1200 }),
  CARRIER_FAILURE_RATE: z.coerce.number().min(0).max(1).default(0.02),
  DEMO_PASSWORD: z.string().min(1).default("demo-pass"),
  WORKER: z.enum(["on", "off"]).default("on"),
  WS_KEEPALIVE_MS: z.coerce.number().int().min(100).default(12_000),
  WS_MAX_BUFFERED_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(4 * 1024 * 1024),
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(8),
  WORKER_LEASE_MS: z.coerce.number().int().min(100).default(30_000),
  ACTOR_CACHE_MS: z.coerce.number().int().min(0).max(60_000).default(5_000),
  LOG_LEVEL: logLevelSetting,
});

export interface Config {
  port: number;
  host: string;
  /** PostgreSQL when set; otherwise PGlite in `dataDir`. */
  databaseUrl?: string;
  dataDir: string;
  redisUrl?: string;
  smtpUrl?: string;
  carrierUrl?: string;
  acceptanceHours: string;
  fakeNow?: string;
  carrierLatencyMs: { min: number; max: number };
  carrierFailureRate: number;
  demoPassword: string;
  /** WebSocket ping interval; a socket that misses a pong is closed. */
  wsKeepAliveMs: number;
  /** Unsent bytes a WebSocket may accumulate before the slow consumer is disconnected. */
  wsMaxBufferedBytes: number;
  /** Whether this process applies receipt items and runs the daily sync (off: an API-only instance). */
  runWorker: boolean;
  /** Receipt items one process applies at once. */
  workerConcurrency: number;
  /** How long a claimed item stays with its worker before another may take it over (crash recovery). */
  workerLeaseMs: number;
  /** How long an instance trusts a token's administrator or API token without reading it again. */
  actorCacheMs: number;
  logLevel: z.infer<typeof logLevelSetting>;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const e = readEnvironment(Env, env);
  return {
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    dataDir: path.resolve(e.DATA_DIR),
    redisUrl: e.REDIS_URL,
    smtpUrl: e.SMTP_URL,
    carrierUrl: e.CARRIER_URL,
    acceptanceHours: e.ACCEPTANCE_HOURS,
    fakeNow: e.FAKE_NOW,
    carrierLatencyMs: e.CARRIER_LATENCY_MS,
    carrierFailureRate: e.CARRIER_FAILURE_RATE,
    demoPassword: e.DEMO_PASSWORD,
    runWorker: e.WORKER === "on",
    wsKeepAliveMs: e.WS_KEEPALIVE_MS,
    wsMaxBufferedBytes: e.WS_MAX_BUFFERED_BYTES,
    workerConcurrency: e.WORKER_CONCURRENCY,
    workerLeaseMs: e.WORKER_LEASE_MS,
    actorCacheMs: e.ACTOR_CACHE_MS,
    logLevel: e.LOG_LEVEL,
  };
}
