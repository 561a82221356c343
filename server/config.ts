// Everything the process reads from its environment, in one place (SPEC §6).
import path from "node:path";
import { z } from "zod";
import { parseAcceptanceHours } from "../domain/rules/acceptance.ts";
import type { LoginThrottlePolicy } from "../services/login-throttle.ts";
import type { WebhookSettings } from "../services/webhooks/dispatcher.ts";
import { parseTrustProxy } from "./client-address.ts";

function validAcceptanceHours(spec: string): boolean {
  try {
    parseAcceptanceHours(spec);
    return true;
  } catch {
    return false;
  }
}

function validTrustProxy(value: string): boolean {
  try {
    parseTrustProxy(value);
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

/** Comma-separated exact origins (`https://mdm.example.com`), kept as browsers send them. */
export const corsOriginsSetting = z
  .string()
  .transform((spec, ctx) => {
    const origins: string[] = [];
    const entries = spec.split(",").map((s) => s.trim());
    for (const entry of entries.filter(Boolean)) {
      const url = URL.canParse(entry) ? new URL(entry) : null;
      const bare = url && url.pathname === "/" && !/[?#@]/.test(entry);
      if (!url || !["http:", "https:"].includes(url.protocol) || !bare) {
        ctx.addIssue({
          code: "custom",
          message: `expected origins like https://mdm.example.com, got ${entry}`,
        });
        return z.NEVER;
      }
      origins.push(url.origin);
    }
    return origins;
  })
  .default([]);

/** Every variable the gateway reads (test/deploy checks the deployment files against it). */
export const Env = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  HOST: z.string().default("0.0.0.0"),
  DATABASE_URL: z.string().url().optional(),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(500).default(10),
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
  WORKER: z.enum(["on", "off", "only"]).default("on"),
  SHUTDOWN_GRACE_MS: z.coerce.number().int().min(1_000).max(600_000).default(25_000),
  SHUTDOWN_DRAIN_DELAY_MS: z.coerce.number().int().min(0).max(600_000).default(0),
  WS_KEEPALIVE_MS: z.coerce.number().int().min(100).default(12_000),
  WS_MAX_BUFFERED_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(4 * 1024 * 1024),
  MAX_REQUEST_BYTES: z.coerce
    .number()
    .int()
    .min(16 * 1024)
    .max(64 * 1024 * 1024)
    .default(1024 * 1024),
  WS_MAX_SUBSCRIPTIONS_PER_SOCKET: z.coerce.number().int().min(1).max(100_000).default(200),
  WS_MAX_SOCKETS_PER_CREDENTIAL: z.coerce.number().int().min(1).max(100_000).default(20),
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(8),
  WORKER_LEASE_MS: z.coerce.number().int().min(100).default(30_000),
  RETRY_BACKOFF_MS: latencySetting
    .refine((r) => r.min >= 1, "expected a first backoff of at least 1 ms")
    .default({ min: 1_000, max: 300_000 }),
  RETRY_HORIZON_MS: z.coerce.number().int().min(1_000).default(86_400_000),
  CIRCUIT_FAILURE_THRESHOLD: z.coerce.number().int().min(1).max(1_000).default(5),
  CIRCUIT_HALF_OPEN_MS: z.coerce.number().int().min(100).max(3_600_000).default(10_000),
  ACTOR_CACHE_MS: z.coerce.number().int().min(0).max(60_000).default(5_000),
  // How long the change feed's log (and so a lineChanges cursor) and the audit log are kept (days).
  LINE_CHANGES_RETENTION_DAYS: z.coerce.number().min(0).max(3_650).default(30),
  AUDIT_RETENTION_DAYS: z.coerce.number().min(1).max(36_500).default(400),
  TRUST_PROXY: z
    .string()
    .refine(
      (value) => validTrustProxy(value),
      "expected IPs, CIDR subnets or loopback/linklocal/uniquelocal, comma-separated",
    )
    .optional(),
  LOGIN_THROTTLE_FREE_FAILURES: z.coerce.number().int().min(1).max(100).default(5),
  LOGIN_THROTTLE_MAX_DELAY_SECONDS: z.coerce.number().int().min(1).max(86_400).default(900),
  LOGIN_THROTTLE_ADDRESS_FAILURES: z.coerce.number().int().min(1).max(100_000).default(100),
  LOGIN_THROTTLE_ADDRESS_WINDOW_SECONDS: z.coerce.number().int().min(1).max(86_400).default(900),
  RATE_LIMIT_POINTS: z.coerce.number().int().min(0).default(1_000_000),
  RATE_LIMIT_WINDOW_S: z.coerce.number().int().min(1).max(3600).default(60),
  // Fractions are allowed (tests use a few seconds); 0 turns the idle timeout off.
  SESSION_IDLE_TIMEOUT_MINUTES: z.coerce.number().min(0).max(1440).default(30),
  LOG_LEVEL: logLevelSetting,
  CORS_ORIGINS: corsOriginsSetting,
  // Webhooks (services/webhooks/; README "Webhooks").
  WEBHOOK_ALLOWED_HOSTS: z
    .string()
    .transform((spec) =>
      spec
        .split(",")
        .map((host) =>
          host
            .trim()
            .replace(/^\[|\]$/g, "")
            .toLowerCase(),
        )
        .filter(Boolean),
    )
    .default([]),
  WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(10_000),
  WEBHOOK_RETRY_BACKOFF_MS: latencySetting
    .refine((r) => r.min >= 1, "expected a first backoff of at least 1 ms")
    .default({ min: 10_000, max: 3_600_000 }),
  WEBHOOK_RETRY_HORIZON_MS: z.coerce
    .number()
    .int()
    .min(1_000)
    .default(3 * 86_400_000),
  WEBHOOK_DISABLE_AFTER_MS: z.coerce
    .number()
    .int()
    .min(1_000)
    .default(3 * 86_400_000),
  WEBHOOK_POLL_MS: z.coerce.number().int().min(10).max(60_000).default(1_000),
  // The Prometheus listener: a port (0: any free one) or "off"; never the public port.
  METRICS_PORT: z.union([z.literal("off"), z.coerce.number().int().min(0).max(65535)]).default(9464),
  METRICS_HOST: z.string().default("127.0.0.1"),
  // Set: OpenTelemetry traces go there over OTLP/HTTP (server/tracing.ts); unset: no tracing code loads.
  OTEL_EXPORTER_OTLP_ENDPOINT: z.string().url().optional(),
  OTEL_SERVICE_NAME: z.string().default("anshin-gateway"),
});

export interface Config {
  port: number;
  host: string;
  /** PostgreSQL when set; otherwise PGlite in `dataDir`. */
  databaseUrl?: string;
  /** Connections this process keeps to PostgreSQL at most (ignored on PGlite). */
  databasePoolSize: number;
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
  /** The largest HTTP request body and WebSocket message accepted (bytes). */
  maxRequestBytes: number;
  /** Operations one WebSocket may run at once. */
  wsMaxSubscriptionsPerSocket: number;
  /** WebSockets one session or API token may hold open at once (on this instance). */
  wsMaxSocketsPerCredential: number;
  /** Whether this process applies receipt items and runs the daily sync (off: an API-only instance). */
  runWorker: boolean;
  /** Whether this process serves the GraphQL API and the web client (WORKER=only: /health and /ready alone). */
  serveApi: boolean;
  /** A stop (SIGTERM) finishes within this long: work still in flight near its end is cut or released. */
  shutdownGraceMs: number;
  /** At a stop, readiness answers 503 for this long while everything is still served (load balancers). */
  shutdownDrainDelayMs: number;
  /** Receipt items one process applies at once. */
  workerConcurrency: number;
  /** How long a claimed item stays with its worker before another may take it over (crash recovery). */
  workerLeaseMs: number;
  /** Temporary carrier and SMTP errors: backoff (first ceiling, cap) and the horizon that fails an item. */
  retry: { baseMs: number; capMs: number; horizonMs: number };
  /** The worker's circuit breakers, one per dependency. */
  circuits: { failureThreshold: number; halfOpenAfterMs: number };
  /** How long an instance trusts a token's administrator or API token without reading it again. */
  actorCacheMs: number;
  /** Days the change feed's log (lineChanges cursors) and the audit log are kept; the daily job deletes older rows. */
  retention: { lineChangesDays: number; auditDays: number };
  /** Proxies whose X-Forwarded-For names the client (server/client-address.ts); empty: none. */
  trustProxy: string[];
  /** Sign-in throttling (services/login-throttle.ts). */
  loginThrottle: LoginThrottlePolicy;
  /** Query-cost points each session, API token or client address may spend per window (0: no limit). */
  rateLimitPoints: number;
  /** The rate-limit window, in seconds. */
  rateLimitWindowSeconds: number;
  /** A sign-in session nobody used for this long ends (UNAUTHENTICATED); 0: never. */
  sessionIdleTimeoutMs: number;
  logLevel: z.infer<typeof logLevelSetting>;
  /** Other sites' origins whose pages may call the API (CORS) and open WebSockets; none by default. */
  corsOrigins: string[];
  /** Webhook delivery (services/webhooks/dispatcher.ts). */
  webhooks: WebhookSettings;
  /** The Prometheus /metrics listener (METRICS_PORT, METRICS_HOST); null: off. Port 0: any free port. */
  metrics: { port: number; host: string } | null;
  /** OpenTelemetry tracing (server/tracing.ts); null: off, and its packages are never loaded. */
  tracing: { endpoint: string; serviceName: string } | null;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const e = readEnvironment(Env, env);
  if (e.SHUTDOWN_DRAIN_DELAY_MS >= e.SHUTDOWN_GRACE_MS) {
    throw new Error(
      "Invalid environment:\n  SHUTDOWN_DRAIN_DELAY_MS: must be shorter than SHUTDOWN_GRACE_MS",
    );
  }
  return {
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    databasePoolSize: e.DATABASE_POOL_SIZE,
    dataDir: path.resolve(e.DATA_DIR),
    redisUrl: e.REDIS_URL,
    smtpUrl: e.SMTP_URL,
    carrierUrl: e.CARRIER_URL,
    acceptanceHours: e.ACCEPTANCE_HOURS,
    fakeNow: e.FAKE_NOW,
    carrierLatencyMs: e.CARRIER_LATENCY_MS,
    carrierFailureRate: e.CARRIER_FAILURE_RATE,
    demoPassword: e.DEMO_PASSWORD,
    runWorker: e.WORKER !== "off",
    serveApi: e.WORKER !== "only",
    shutdownGraceMs: e.SHUTDOWN_GRACE_MS,
    shutdownDrainDelayMs: e.SHUTDOWN_DRAIN_DELAY_MS,
    wsKeepAliveMs: e.WS_KEEPALIVE_MS,
    wsMaxBufferedBytes: e.WS_MAX_BUFFERED_BYTES,
    maxRequestBytes: e.MAX_REQUEST_BYTES,
    wsMaxSubscriptionsPerSocket: e.WS_MAX_SUBSCRIPTIONS_PER_SOCKET,
    wsMaxSocketsPerCredential: e.WS_MAX_SOCKETS_PER_CREDENTIAL,
    workerConcurrency: e.WORKER_CONCURRENCY,
    workerLeaseMs: e.WORKER_LEASE_MS,
    retry: { baseMs: e.RETRY_BACKOFF_MS.min, capMs: e.RETRY_BACKOFF_MS.max, horizonMs: e.RETRY_HORIZON_MS },
    circuits: { failureThreshold: e.CIRCUIT_FAILURE_THRESHOLD, halfOpenAfterMs: e.CIRCUIT_HALF_OPEN_MS },
    actorCacheMs: e.ACTOR_CACHE_MS,
    retention: { lineChangesDays: e.LINE_CHANGES_RETENTION_DAYS, auditDays: e.AUDIT_RETENTION_DAYS },
    trustProxy: parseTrustProxy(e.TRUST_PROXY),
    loginThrottle: {
      freeFailures: e.LOGIN_THROTTLE_FREE_FAILURES,
      maxDelaySeconds: e.LOGIN_THROTTLE_MAX_DELAY_SECONDS,
      addressFailures: e.LOGIN_THROTTLE_ADDRESS_FAILURES,
      addressWindowSeconds: e.LOGIN_THROTTLE_ADDRESS_WINDOW_SECONDS,
    },
    rateLimitPoints: e.RATE_LIMIT_POINTS,
    rateLimitWindowSeconds: e.RATE_LIMIT_WINDOW_S,
    sessionIdleTimeoutMs: Math.round(e.SESSION_IDLE_TIMEOUT_MINUTES * 60_000),
    logLevel: e.LOG_LEVEL,
    corsOrigins: e.CORS_ORIGINS,
    webhooks: {
      allowedHosts: e.WEBHOOK_ALLOWED_HOSTS,
      timeoutMs: e.WEBHOOK_TIMEOUT_MS,
      retry: {
        baseMs: e.WEBHOOK_RETRY_BACKOFF_MS.min,
        capMs: e.WEBHOOK_RETRY_BACKOFF_MS.max,
        horizonMs: e.WEBHOOK_RETRY_HORIZON_MS,
      },
      disableAfterMs: e.WEBHOOK_DISABLE_AFTER_MS,
      pollMs: e.WEBHOOK_POLL_MS,
    },
    metrics: e.METRICS_PORT === "off" ? null : { port: e.METRICS_PORT, host: e.METRICS_HOST },
    tracing: e.OTEL_EXPORTER_OTLP_ENDPOINT
      ? { endpoint: e.OTEL_EXPORTER_OTLP_ENDPOINT, serviceName: e.OTEL_SERVICE_NAME }
      : null,
  };
}
