// Liveness and readiness, as orchestrators probe them.
//
// GET /health: the process serves. It touches no dependency, so a database or
// Redis outage never makes an orchestrator restart healthy processes.
// GET /ready: whether this instance should get traffic: every registered
// dependency's state (services/dependencies.ts), and 503 when a required one
// is down or when a stop has begun (draining).
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "../lib/logger.ts";
import type { Dependencies, DependencyReport } from "../services/dependencies.ts";

/** How long one readiness check waits for a dependency (SELECT 1, PING) before calling it down. */
export const READINESS_TIMEOUT_MS = 2_000;

export type ReadinessStatus = "ready" | "degraded" | "unavailable" | "draining";

export interface Readiness {
  /** ready (200), degraded (200: an optional dependency is down), unavailable (503), draining (503). */
  status: ReadinessStatus;
  draining: boolean;
  dependencies: Record<string, DependencyReport>;
}

export function readinessOf(dependencies: Record<string, DependencyReport>, draining: boolean): Readiness {
  const reports = Object.values(dependencies);
  const status: ReadinessStatus = draining
    ? "draining"
    : reports.some((d) => d.required && d.state === "down")
      ? "unavailable"
      : reports.some((d) => d.state === "down" || d.state === "half-open")
        ? "degraded"
        : "ready";
  return { status, draining, dependencies };
}

function sendJson(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store" });
  res.end(JSON.stringify(body));
}

export function createHealthEndpoints(options: {
  dependencies: Dependencies;
  draining: () => boolean;
  /** Which database this instance uses (named in /health; not checked there). */
  databaseKind: string;
  now: () => Date;
  logger?: Logger;
}) {
  const { dependencies, logger } = options;
  // Probes that arrive together share one check: a flood of /ready costs one SELECT 1 at a time.
  let pending: Promise<Readiness> | null = null;
  let lastStatus: ReadinessStatus | null = null;

  async function check(): Promise<Readiness> {
    if (options.draining()) return readinessOf({}, true);
    const readiness = readinessOf(await dependencies.check(READINESS_TIMEOUT_MS), options.draining());
    if (readiness.status !== lastStatus) {
      // Logged when it changes, not at every probe.
      const level = readiness.status === "ready" || lastStatus === null ? "info" : "warn";
      logger?.[level](
        { readiness: readiness.status, dependencies: readiness.dependencies },
        "readiness changed",
      );
      lastStatus = readiness.status;
    }
    return readiness;
  }

  return {
    health(_req: IncomingMessage, res: ServerResponse) {
      sendJson(res, 200, { status: "ok", database: options.databaseKind, time: options.now() });
    },
    async ready(_req: IncomingMessage, res: ServerResponse) {
      if (options.draining()) {
        sendJson(res, 503, readinessOf({}, true));
        return;
      }
      pending ??= check().finally(() => {
        pending = null;
      });
      const checked = await pending;
      // A stop that began during the check wins.
      const readiness = options.draining() ? readinessOf({}, true) : checked;
      const ok = readiness.status === "ready" || readiness.status === "degraded";
      sendJson(res, ok ? 200 : 503, readiness);
    },
  };
}
