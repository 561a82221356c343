// graphql-yoga's logger on ours. The logger itself (lib/logger.ts) lives below
// services/, which log too; this adapter is the transport's concern.
import { type Logger, scrubMessage } from "../lib/logger.ts";

type YogaLogLevel = "debug" | "info" | "warn" | "error";

/**
 * graphql-yoga's logger on ours: errors as structured (scrubbed) errors, never
 * printed whole. Errors `divert` takes (returns true for) are its to report
 * (a database outage is logged once, not once per request).
 */
export function yogaLogging(
  logger: Logger,
  divert: (error: Error) => boolean = () => false,
): Record<YogaLogLevel, (...args: unknown[]) => void> {
  const at =
    (level: YogaLogLevel) =>
    (...args: unknown[]) => {
      const error = args.find((arg) => arg instanceof Error);
      if (error && divert(error)) return;
      const text = args
        .filter((arg) => typeof arg === "string")
        .map((arg) => scrubMessage(arg as string))
        .join(" ");
      if (error) logger[level]({ err: error }, text || "GraphQL operation failed");
      else logger[level](text || "graphql-yoga");
    };
  return { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}
