// OpenTelemetry tracing, on only when OTEL_EXPORTER_OTLP_ENDPOINT is set
// (issue 18 point 4). The SDK and the maintained instrumentations (HTTP, pg,
// ioredis, Prisma) are imported here, dynamically, and only then: with
// tracing off none of them is loaded. server/index.ts starts it before it
// imports the app, so pg, ioredis and Prisma are patched as they load.
//
// Secrets stay out of spans: no request or response headers are recorded
// (Authorization and cookies included), query strings are cut from URLs
// (a GET /graphql carries the operation and its variables there), pg records
// the statement text with its $n placeholders but never the values
// (enhancedDatabaseReporting off), and ioredis records the command name only.
import type { IncomingMessage } from "node:http";
import type { Logger } from "../lib/logger.ts";

export interface TracingSettings {
  /** The OTLP/HTTP base URL (traces go to `${endpoint}/v1/traces`). */
  endpoint: string;
  serviceName: string;
}

export interface Tracing {
  /** Sends what is buffered and stops. */
  shutdown(): Promise<void>;
}

/** URL attributes of both the old and the stable HTTP conventions, for the path without its query. */
const URL_ATTRIBUTES = ["http.target", "url.path"];

export async function startTracing(settings: TracingSettings, logger: Logger): Promise<Tracing> {
  const [
    { NodeSDK },
    { OTLPTraceExporter },
    { HttpInstrumentation },
    { PgInstrumentation },
    { IORedisInstrumentation },
    { PrismaInstrumentation },
  ] = await Promise.all([
    import("@opentelemetry/sdk-node"),
    import("@opentelemetry/exporter-trace-otlp-http"),
    import("@opentelemetry/instrumentation-http"),
    import("@opentelemetry/instrumentation-pg"),
    import("@opentelemetry/instrumentation-ioredis"),
    import("@prisma/instrumentation"),
  ]);
  const sdk = new NodeSDK({
    serviceName: settings.serviceName,
    traceExporter: new OTLPTraceExporter({ url: `${settings.endpoint.replace(/\/+$/, "")}/v1/traces` }),
    // Traces only: metrics are Prometheus' (server/metrics.ts), logs are pino's.
    metricReaders: [],
    logRecordProcessors: [],
    instrumentations: [
      new HttpInstrumentation({
        // Probes every few seconds would drown the traces.
        ignoreIncomingRequestHook: (request) => {
          const path = (request.url ?? "").split("?")[0];
          return path === "/health" || path === "/ready";
        },
        requestHook: (span, request) => {
          const url = (request as IncomingMessage).url;
          if (typeof url !== "string" || !url.includes("?")) return;
          const path = url.split("?")[0] as string;
          for (const name of URL_ATTRIBUTES) span.setAttribute(name, path);
          span.setAttribute("url.query", "");
          const host = (request as IncomingMessage).headers?.host;
          if (host) span.setAttribute("http.url", `http://${host}${path}`);
        },
      }),
      new PgInstrumentation({ enhancedDatabaseReporting: false }),
      new IORedisInstrumentation({ dbStatementSerializer: (command) => command }),
      new PrismaInstrumentation(),
    ],
  });
  sdk.start();
  logger.info({ endpoint: settings.endpoint, service: settings.serviceName }, "OpenTelemetry tracing on");
  return {
    async shutdown() {
      await sdk.shutdown().catch((error: unknown) => logger.warn({ err: error }, "tracing: shutdown failed"));
    },
  };
}
