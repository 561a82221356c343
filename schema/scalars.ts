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

function parseDateTime(value: unknown): Date {
  if (typeof value === "string" && !Number.isNaN(Date.parse(value))) return new Date(value);
  throw new GraphQLError("DateTime must be an ISO 8601 string");
}

function parseDate(value: unknown): string {
  if (typeof value === "string" && /^\d{4}-\d{2}-\d{2}$/.test(value) && !Number.isNaN(Date.parse(value))) {
    return value;
  }
  throw new GraphQLError("Date must be YYYY-MM-DD");
}
