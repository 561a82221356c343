import { GraphQLError, Kind } from "graphql";
import { builder } from "./builder.ts";

builder.scalarType("DateTime", {
  description: "An instant, as an ISO 8601 string in UTC (e.g. 2026-11-24T01:02:03.000Z).",
  serialize: (value) => value.toISOString(),
  parseValue: (value) => parseDateTime(value),
  parseLiteral: (ast) => parseDateTime(ast.kind === Kind.STRING ? ast.value : undefined),
});

builder.scalarType("Date", {
  description: "A calendar date, YYYY-MM-DD (contract dates are JST calendar dates).",
  serialize: (value) => (typeof value === "string" ? value : value.toISOString().slice(0, 10)),
  parseValue: (value) => parseDate(value),
  parseLiteral: (ast) => parseDate(ast.kind === Kind.STRING ? ast.value : undefined),
});

// ISO 8601 as clients write it: a calendar date, optionally a time, and a
// zone (Z or ±hh:mm) with a time. Years 0001–9999 only: PostgreSQL has no
// year 0, and a year beyond 9999 is not an instant anyone means (an API token
// stored with one could not be read back).
const DATE_TIME = /^(\d{4}-\d{2}-\d{2})(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})?)?$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

function badInput(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: "BAD_USER_INPUT" } });
}

function isCalendarDate(day: string): boolean {
  const date = new Date(`${day}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === day && day >= "0001-01-01";
}

function parseDateTime(value: unknown): Date {
  const match = typeof value === "string" ? DATE_TIME.exec(value) : null;
  const date = match ? new Date(value as string) : null;
  const year = date?.getUTCFullYear() ?? Number.NaN;
  if (match?.[1] && isCalendarDate(match[1]) && year >= 1 && year <= 9999) return date as Date;
  throw badInput(
    "DateTime must be an ISO 8601 date-time between the years 0001 and 9999 (e.g. 2026-11-24T01:02:03.000Z)",
  );
}

function parseDate(value: unknown): string {
  if (typeof value === "string" && DATE.test(value) && isCalendarDate(value)) return value;
  throw badInput("Date must be a calendar date YYYY-MM-DD between the years 0001 and 9999");
}
