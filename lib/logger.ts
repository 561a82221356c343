// Structured JSON logs (pino). Secrets never reach them: request bodies,
// variables and connection params are not logged, known secret fields are
// redacted wherever they appear, and errors are logged without what could
// quote a request (a GraphQL error's printed source, where a password may be
// written inline; a Prisma error's invocation, which shows its arguments).
import { GraphQLError } from "graphql";
import { pino } from "pino";

export type Logger = pino.Logger;

const SECRET_FIELDS = [
  "password",
  "passwords",
  "token",
  "secret",
  "authorization",
  "variables",
  "query",
  "body",
  "connectionParams",
];

/** An error as it may be logged: its kind, code, own message (not a quoted request) and stack frames. */
export function loggableError(error: unknown, depth = 0): Record<string, unknown> | string {
  if (!(error instanceof Error))
    return typeof error === "string" ? scrubMessage(error) : String(typeof error);
  const logged: Record<string, unknown> = { type: error.name, message: scrubMessage(error.message) };
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string") logged.code = code;
  if (error instanceof GraphQLError) {
    // toString() would print the operation's source around the error.
    if (error.path) logged.path = error.path.join(".");
    if (typeof error.extensions.code === "string") logged.code = error.extensions.code;
    if (error.originalError && depth < 3) logged.cause = loggableError(error.originalError, depth + 1);
    return logged;
  }
  // The stack starts with the message; keep only its frames.
  const frames = error.stack?.indexOf("\n    at ") ?? -1;
  if (frames >= 0) logged.stack = error.stack?.slice(frames + 1);
  if (error.cause !== undefined && depth < 3) logged.cause = loggableError(error.cause, depth + 1);
  return logged;
}

/**
 * Prisma's messages quote the call that failed ("Invalid `prisma.x.findUnique()`
 * invocation: …" with its arguments and source lines): keep the call's name
 * and the last line, which says what went wrong.
 */
export function scrubMessage(message: string): string {
  const invocation = /Invalid `([^`]+)` invocation/.exec(message);
  if (!invocation) return message.length > 2_000 ? `${message.slice(0, 2_000)}…` : message;
  const lines = message.split("\n").filter((line) => line.trim() !== "");
  return `Invalid \`${invocation[1]}\` invocation: ${lines.at(-1)?.trim() ?? ""}`;
}

/** JSON lines on stdout, or on `destination` (tests keep them in memory). */
export function createLogger(
  level: string = process.env.LOG_LEVEL ?? "info",
  destination?: pino.DestinationStream,
): Logger {
  const options: pino.LoggerOptions = {
    level,
    base: { service: "anshin-gateway" },
    serializers: { err: loggableError, error: loggableError },
    redact: {
      paths: [
        ...SECRET_FIELDS,
        ...SECRET_FIELDS.map((field) => `*.${field}`),
        "req.headers.authorization",
        "req.headers.cookie",
      ],
      censor: "[redacted]",
    },
  };
  return destination ? pino(options, destination) : pino(options);
}
