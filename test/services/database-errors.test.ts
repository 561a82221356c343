// Issue 15.3: which errors mean "the database cannot be reached", and what a
// client is told then. The shapes are the ones Prisma 7 and @prisma/adapter-pg
// threw when PostgreSQL was stopped under load (`pg_ctl stop -m fast` and
// `-m immediate`); test/faults/database-outage.test.ts sees them for real.
import { DriverAdapterError } from "@prisma/driver-adapter-utils";
import { GraphQLError } from "graphql";
import { describe, expect, it } from "vitest";
import { Prisma } from "../../prisma/generated/client/client.ts";
import { maskError } from "../../schema/input-hygiene.ts";
import { CarrierError } from "../../services/carrier/port.ts";
import { isDatabaseUnavailable, trackDatabaseOutage } from "../../services/errors.ts";
import { waitUntil } from "../support/wait.ts";

function prismaError(code: string, cause?: Record<string, unknown>) {
  return new Prisma.PrismaClientKnownRequestError(`Invalid \`prisma.line.findMany()\` invocation: ${code}`, {
    code,
    clientVersion: "7",
    meta: cause ? { driverAdapterError: new DriverAdapterError(cause as never) } : undefined,
  });
}

const postgres = (code: string) => ({ kind: "postgres", code, originalCode: code, severity: "FATAL" });

describe("isDatabaseUnavailable", () => {
  it.each([
    ["P1001 DatabaseNotReachable (ECONNREFUSED)", prismaError("P1001", { kind: "DatabaseNotReachable" })],
    ["P1017 ConnectionClosed (ECONNRESET)", prismaError("P1017", { kind: "ConnectionClosed" })],
    ["P1008 SocketTimeout", prismaError("P1008", { kind: "SocketTimeout" })],
    ["P2024 pool timeout", prismaError("P2024")],
    ["a raw query (P2010) that could not connect", prismaError("P2010", { kind: "DatabaseNotReachable" })],
    ["a raw query cut by 57P01 admin_shutdown", prismaError("P2010", postgres("57P01"))],
    ["a query (P2039) refused by 57P03 cannot_connect_now", prismaError("P2039", postgres("57P03"))],
    ["08006 connection_failure", prismaError("P2039", postgres("08006"))],
    ["the adapter's own error", new DriverAdapterError({ kind: "ConnectionClosed" } as never)],
    ["pg's socket error", Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" })],
    ["pg's code-less 'terminated unexpectedly'", new Error("Connection terminated unexpectedly")],
    [
      "pg's code-less 'not queryable'",
      new Error("Client has encountered a connection error and is not queryable"),
    ],
    [
      "a resolver's error wrapping one",
      new GraphQLError("x", { originalError: prismaError("P1001", { kind: "DatabaseNotReachable" }) }),
    ],
  ])("%s: unavailable", (_name, error) => {
    expect(isDatabaseUnavailable(error)).toBe(true);
  });

  it.each([
    ["a unique violation (P2002)", prismaError("P2002", { kind: "UniqueConstraintViolation" })],
    ["a raw query's syntax error (42601)", prismaError("P2010", postgres("42601"))],
    ["a serialization failure (40001)", prismaError("P2034", { kind: "TransactionWriteConflict" })],
    ["a record not found (P2025)", prismaError("P2025")],
    ["the carrier down", new CarrierError("CARRIER_UNAVAILABLE", "down", true)],
    ["the carrier's fetch refused", new TypeError("fetch failed", { cause: { code: "ECONNREFUSED" } })],
    ["the same words in another error", new TypeError("Connection terminated unexpectedly")],
    ["a rule's error", new GraphQLError("NOT_FOUND", { extensions: { code: "NOT_FOUND" } })],
    ["nothing", undefined],
  ])("%s: not unavailable", (_name, error) => {
    expect(isDatabaseUnavailable(error)).toBe(false);
  });
});

describe("maskError during an outage", () => {
  it("answers SERVICE_UNAVAILABLE with 503 and Retry-After, where the error was", () => {
    const inResolver = new GraphQLError("Invalid `prisma.line.findMany()` invocation: …", {
      path: ["lines"],
      originalError: prismaError("P1001", { kind: "DatabaseNotReachable" }),
    });
    const masked = maskError(inResolver, "Unexpected error.") as GraphQLError;
    expect(masked).toBeInstanceOf(GraphQLError);
    expect(masked.message).toBe("Service unavailable: the database cannot be reached; retry in 5 s.");
    expect(masked.path).toEqual(["lines"]);
    expect(masked.originalError).toBeUndefined();
    expect(masked.extensions).toEqual({
      code: "SERVICE_UNAVAILABLE",
      retryAfter: 5,
      http: { status: 503, headers: { "retry-after": "5" } },
    });
    // Reading the caller's session (the context) fails with Prisma's error itself.
    expect((maskError(prismaError("P1017"), "Unexpected error.") as GraphQLError).extensions.code).toBe(
      "SERVICE_UNAVAILABLE",
    );
    // Anything else is masked as before.
    expect(maskError(new Error("boom"), "Unexpected error.").message).toBe("Unexpected error.");
  });
});

describe("trackDatabaseOutage", () => {
  function recorder() {
    const lines: { level: string; fields: Record<string, unknown>; message: string }[] = [];
    return {
      lines,
      warn: (fields: Record<string, unknown>, message: string) =>
        lines.push({ level: "warn", fields, message }),
      info: (fields: Record<string, unknown>, message: string) =>
        lines.push({ level: "info", fields, message }),
    };
  }

  it("logs an outage once when it begins and once when it ends, with its failures", () => {
    const log = recorder();
    let now = 1_000;
    const outage = trackDatabaseOutage(log, { now: () => now });
    outage.answered();
    expect(log.lines).toEqual([]);
    for (let i = 0; i < 50; i++) outage.failed(prismaError("P1001"), "claiming receipt items");
    expect(outage.down).toBe(true);
    now += 20_000;
    outage.answered();
    outage.answered();
    expect(log.lines.map((l) => [l.level, l.message])).toEqual([
      ["warn", "database unreachable: answering SERVICE_UNAVAILABLE and retrying until it is back"],
      ["info", "database reachable again"],
    ]);
    expect(log.lines[1]?.fields).toEqual({ downMs: 20_000, failures: 50 });
    // The next outage is reported again.
    outage.failed(prismaError("P1001"), "graphql");
    expect(log.lines).toHaveLength(3);
    outage.close();
  });

  it("notices the end by itself with its probe", async () => {
    const log = recorder();
    let answers = false;
    let probes = 0;
    const outage = trackDatabaseOutage(log, {
      probeMs: 5,
      probe: async () => {
        probes++;
        if (!answers) throw prismaError("P1001");
      },
    });
    outage.failed(prismaError("P1001"), "graphql");
    await waitUntil(
      () => probes,
      (n) => n >= 3,
    );
    expect(outage.down).toBe(true);
    answers = true;
    await waitUntil(
      () => outage.down,
      (down) => !down,
    );
    expect(log.lines.map((l) => l.message)).toContain("database reachable again");
    const after = probes;
    outage.close();
    expect(probes).toBe(after);
  });
});
