// Structured JSON logs (pino). Secrets are redacted wherever they might appear.
import { pino } from "pino";

export type Logger = pino.Logger;

export function createLogger(level: string = process.env.LOG_LEVEL ?? "info"): Logger {
  return pino({
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
  });
}
