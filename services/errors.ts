// What a database outage looks like from here, in one place. PostgreSQL
// stopped, restarting or unreachable reaches us through Prisma 7 and
// @prisma/adapter-pg in these shapes (seen with `pg_ctl stop -m fast` and
// `-m immediate` under load, test/faults/database-outage.test.ts):
// - PrismaClientKnownRequestError P1001 (DatabaseNotReachable: ECONNREFUSED),
//   P1017 (ConnectionClosed: ECONNRESET), P1008 (SocketTimeout: ETIMEDOUT);
// - P2010 (raw queries) or P2039 (others) whose driverAdapterError carries
//   the server's SQLSTATE: 57P01 admin_shutdown for the statements running
//   when the server stops, 57P03 cannot_connect_now while it starts or stops;
// - pg's own errors, when the adapter cannot translate them: socket errors by
//   their `code`, and two that pg throws with no code at all (below).
// Anything else is a bug or a rule, and is no business of this module.

/** Seconds a client is told to wait (Retry-After) while the database is unreachable. */
export const DATABASE_RETRY_AFTER_SECONDS = 5;

/** Prisma's codes for "could not reach or lost the database". */
const PRISMA_CODES = new Set([
  "P1001", // can't reach database server
  "P1002", // database server reached but timed out
  "P1008", // operations timed out
  "P1017", // server has closed the connection
  "P2024", // timed out fetching a connection from the pool
  "P2037", // too many database connections opened
]);

/** Driver adapter error kinds (@prisma/driver-adapter-utils) that mean the same. */
const ADAPTER_KINDS = new Set([
  "DatabaseNotReachable",
  "ConnectionClosed",
  "SocketTimeout",
  "TooManyConnections",
]);

/** SQLSTATEs of a server going away, starting, or out of connections. */
function isUnavailableSqlState(code: string): boolean {
  if (!/^[0-9A-Z]{5}$/.test(code)) return false;
  return (
    code.startsWith("08") || // connection_exception and its subclasses
    code === "57P01" || // admin_shutdown
    code === "57P02" || // crash_shutdown
    code === "57P03" || // cannot_connect_now (starting up, shutting down)
    code === "57P05" || // idle_session_timeout
    code === "53300" // too_many_connections
  );
}

/** Node's socket errors (pg's, when the adapter passes them on untranslated). */
const SOCKET_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
]);

/**
 * pg throws these with no code, so they are known by their fixed text (the
 * only ones here): a connection the server dropped mid-statement, and a
 * pooled connection that broke while it was checked out.
 */
const PG_ERRORS_WITHOUT_CODE = new Set([
  "Connection terminated unexpectedly",
  "Client has encountered a connection error and is not queryable",
]);

type Inspectable = {
  name?: unknown;
  kind?: unknown;
  originalCode?: unknown;
  code?: unknown;
  cause?: unknown;
  originalError?: unknown;
  meta?: { driverAdapterError?: unknown };
};

const isObject = (value: unknown): value is Inspectable => typeof value === "object" && value !== null;

/**
 * Whether `error` says the database is unreachable, rather than that a
 * request or a rule went wrong. GraphQL's wrapping (a resolver's or a
 * stream's error) is looked through; otherwise only what Prisma and pg put
 * there is read, so another dependency's socket error wrapped somewhere
 * inside (the carrier's fetch, SMTP) is not taken for the database's.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  let e = error;
  for (let hops = 0; hops < 5 && isObject(e) && isObject(e.originalError); hops++) e = e.originalError;
  if (!isObject(e)) return false;
  const code = e.code;
  if (typeof code === "string") {
    if (PRISMA_CODES.has(code) || SOCKET_CODES.has(code) || isUnavailableSqlState(code)) return true;
  }
  // Prisma's error carries the driver adapter's; or the adapter's own.
  const adapterError = isObject(e.meta?.driverAdapterError)
    ? e.meta.driverAdapterError
    : e.name === "DriverAdapterError"
      ? e
      : undefined;
  const cause = adapterError?.cause;
  if (isObject(cause)) {
    if (typeof cause.kind === "string" && ADAPTER_KINDS.has(cause.kind)) return true;
    const state = cause.originalCode ?? cause.code;
    if (typeof state === "string" && isUnavailableSqlState(state)) return true;
  }
  return (
    e instanceof Error &&
    e.constructor === Error &&
    code === undefined &&
    PG_ERRORS_WITHOUT_CODE.has(e.message)
  );
}

/** Where outage reports are written (a pino logger fits). */
export interface OutageLogger {
  warn(fields: Record<string, unknown>, message: string): void;
  info(fields: Record<string, unknown>, message: string): void;
}

/**
 * One process's view of a database outage, so that it is logged once when it
 * begins and once when it ends (with how long it lasted and how many
 * failures it caused), not with a stack for every request, item and poll.
 */
export interface DatabaseOutage {
  /** Reports a failure that `isDatabaseUnavailable`; the first of an outage is logged. */
  failed(error: unknown, during: string): void;
  /** Reports that the database answered; ends an outage, if one was going on. */
  answered(): void;
  /** Whether an outage is going on (as far as this process has seen). */
  readonly down: boolean;
  /** Stops checking for the end of an outage. */
  close(): void;
}

export function trackDatabaseOutage(
  logger: OutageLogger,
  options: {
    /** Asks the database something trivial; while it is down, every `probeMs` until it answers. */
    probe?: () => Promise<unknown>;
    probeMs?: number;
    now?: () => number;
  } = {},
): DatabaseOutage {
  const now = options.now ?? Date.now;
  const probeMs = options.probeMs ?? 1_000;
  let since: number | null = null;
  let failures = 0;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  // Nothing else may notice the end of an outage (an API-only instance that
  // gets no request): the probe does, and logs it.
  const scheduleProbe = () => {
    if (!options.probe || closed || timer) return;
    timer = setTimeout(async () => {
      timer = undefined;
      if (since === null || closed) return;
      try {
        await options.probe?.();
        outage.answered();
      } catch {
        scheduleProbe();
      }
    }, probeMs);
    timer.unref();
  };

  const outage: DatabaseOutage = {
    failed(error, during) {
      failures++;
      if (since !== null) return;
      since = now();
      logger.warn(
        { err: error, during, retryAfterSeconds: DATABASE_RETRY_AFTER_SECONDS },
        "database unreachable: answering SERVICE_UNAVAILABLE and retrying until it is back",
      );
      scheduleProbe();
    },
    answered() {
      if (since === null) return;
      logger.info({ downMs: now() - since, failures }, "database reachable again");
      since = null;
      failures = 0;
    },
    get down() {
      return since !== null;
    },
    close() {
      closed = true;
      clearTimeout(timer);
      timer = undefined;
    },
  };
  return outage;
}
