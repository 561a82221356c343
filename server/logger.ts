// Structured JSON logs (pino). Secrets are redacted wherever they might appear.
import { pino } from "pino";

export type Logger = pino.Logger;

/** JSON lines on stdout, or on `destination` (tests keep them in memory). */
export function createLogger(
  level: string = process.env.LOG_LEVEL ?? "info",
  destination?: pino.DestinationStream,
): Logger {
  const options: pino.LoggerOptions = {
    level,
    base: { service: "anshin-gateway" },
    redact: {
      paths: [
        "password",
        "*.password",
        "authorization",
        "*.authorization",
        "req.headers.authorization",
        "token",
        "*.token",
      ],
      censor: "[redacted]",
    },
  };
  return destination ? pino(options, destination) : pino(options);
}
