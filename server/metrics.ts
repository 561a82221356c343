// Prometheus metrics (issue 18 point 4): one prom-client registry per app
// instance (tests run several apps in one process), GraphQL operations
// counted and timed by graphql-yoga's Prometheus plugin, what the services
// count through their metrics port (services/metrics.ts), and gauges read at
// each scrape (sockets, subscriptions, the queue, circuits). Served on a
// listener of its own (METRICS_PORT on METRICS_HOST, loopback by default),
// never on the public port: operation names and queue figures are for
// operators, not for the internet. Every metric is listed in README.md
// ("Metrics and tracing").
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createCounter, createHistogram, usePrometheus } from "@graphql-yoga/plugin-prometheus";
import {
  type DocumentNode,
  type GraphQLError,
  type GraphQLSchema,
  type OperationDefinitionNode,
  TypeInfo,
  visit,
  visitWithTypeInfo,
} from "graphql";
import type { Plugin } from "graphql-yoga";
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { Db } from "../lib/db.ts";
import type { Logger } from "../lib/logger.ts";
import type { CircuitStateName, Dependency } from "../services/circuits.ts";
import type { MetricsPort } from "../services/metrics.ts";
import { type QueueDepth, queueDepth } from "../services/queue/depth.ts";
import type { Realtime, Topics } from "../services/realtime.ts";

export const METRICS_PATH = "/metrics";

/** Distinct operation names (and error codes) kept as label values; later ones count as "other". */
const MAX_LABEL_VALUES = 200;

/** Seconds: from a millisecond to a minute (operations, calls, deliveries). */
const LATENCY_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/**
 * Label values a client chooses (operation names) kept bounded: the first
 * MAX_LABEL_VALUES distinct ones, then "other". Without it every random
 * operation name would add series until the registry ate the memory.
 */
function boundedLabel(max = MAX_LABEL_VALUES) {
  const seen = new Set<string>();
  return (value: string | undefined | null, none: string): string => {
    if (!value) return none;
    if (seen.has(value)) return value;
    if (seen.size >= max || value.length > 100 || !/^[\w.:-]+$/.test(value)) return "other";
    seen.add(value);
    return value;
  };
}

/** What the scrape reads from the running app (set once the transports exist). */
export interface MetricsSources {
  db: Db;
  realtime: Realtime;
  /** The WebSocket server, when this instance serves the API. */
  ws?: { wss: { clients: Set<unknown> }; subscriptions(): number } | null;
  /** The worker's circuit breakers, when this instance runs a worker. */
  circuits?: Readonly<Record<Dependency, { state(): CircuitStateName }>> | null;
}

export interface AppMetrics {
  registry: Registry;
  /** What services count through (services/metrics.ts). */
  port: MetricsPort;
  /** graphql-yoga's Prometheus plugin on this registry (operations by name and outcome, latencies). */
  yogaPlugin(): Plugin;
  /** Where the gauges read at each scrape come from. */
  observe(sources: MetricsSources): void;
  /** Listens on its own port (0: any free one); resolves with the URL of /metrics. */
  listen(port: number, host: string): Promise<string>;
  /** The URL of /metrics while listening. */
  url(): string | null;
  close(): Promise<void>;
}

export function createMetrics(options: { logger: Logger }): AppMetrics {
  const { logger } = options;
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  let sources: MetricsSources | null = null;

  const eventsPublished = new Counter({
    name: "gateway_events_published_total",
    help: "Realtime events published by this instance, by topic",
    labelNames: ["topic"],
    registers: [registry],
  });
  const eventsDelivered = new Counter({
    name: "gateway_events_delivered_total",
    help: "Realtime events taken by this instance's subscribers, by topic",
    labelNames: ["topic"],
    registers: [registry],
  });
  const deliveryLag = new Histogram({
    name: "gateway_event_delivery_lag_seconds",
    help: "Time from an event reaching this instance (its publish, in-process) to a subscriber taking it to send",
    labelNames: ["topic"],
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  const dependencyCalls = new Counter({
    name: "gateway_dependency_calls_total",
    help: "Calls to the carrier and the mail server by outcome (success, rejected, temporary_error, circuit_open, error)",
    labelNames: ["dependency", "outcome"],
    registers: [registry],
  });
  const dependencyDuration = new Histogram({
    name: "gateway_dependency_call_duration_seconds",
    help: "Duration of the calls to the carrier and the mail server that were made",
    labelNames: ["dependency", "outcome"],
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  const webhookDeliveries = new Counter({
    name: "gateway_webhook_deliveries_total",
    help: "Webhook delivery attempts by outcome (delivered, failed, timeout, blocked)",
    labelNames: ["outcome"],
    registers: [registry],
  });
  const webhookDuration = new Histogram({
    name: "gateway_webhook_delivery_duration_seconds",
    help: "Duration of the webhook delivery attempts that were sent",
    labelNames: ["outcome"],
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  const deprecatedFieldUses = new Counter({
    // @envelop/prometheus's name, help and labels (README "Metrics and tracing").
    name: "graphql_envelop_deprecated_field",
    help: "Counts the amount of deprecated fields used in selection sets",
    labelNames: ["operationType", "operationName", "fieldName", "typeName"],
    registers: [registry],
  });
  const rateLimitRefusals = new Counter({
    name: "gateway_rate_limit_refusals_total",
    help: "Requests refused by a rate limit (query_cost: RATE_LIMITED; login: the sign-in throttle)",
    labelNames: ["limit"],
    registers: [registry],
  });

  new Gauge({
    name: "gateway_websocket_connections",
    help: "WebSocket connections open on this instance",
    registers: [registry],
    collect() {
      this.set(sources?.ws?.wss.clients.size ?? 0);
    },
  });
  new Gauge({
    name: "gateway_graphql_ws_subscriptions",
    help: "GraphQL subscriptions running on this instance's WebSockets",
    registers: [registry],
    collect() {
      this.set(sources?.ws?.subscriptions() ?? 0);
    },
  });
  const topics: (keyof Topics)[] = ["receipt:event", "lines:changed", "auth:revoked"];
  new Gauge({
    name: "gateway_realtime_subscribers",
    help: "Live subscriptions to realtime topics on this instance, by topic",
    labelNames: ["topic"],
    registers: [registry],
    collect() {
      for (const topic of topics) this.set({ topic }, sources?.realtime.subscribers(topic) ?? 0);
    },
  });
  const circuitStates: CircuitStateName[] = ["closed", "open", "halfOpen"];
  new Gauge({
    name: "gateway_circuit_state",
    help: "1 for the state each dependency's circuit breaker is in (closed, open, halfOpen); absent without a worker",
    labelNames: ["dependency", "state"],
    registers: [registry],
    collect() {
      this.reset();
      const circuits = sources?.circuits;
      if (!circuits) return;
      for (const dependency of ["carrier", "smtp"] as const) {
        const current = circuits[dependency].state();
        for (const state of circuitStates) this.set({ dependency, state }, state === current ? 1 : 0);
      }
    },
  });

  // One query per scrape, read before the registry is, serves both queue gauges.
  let depth: Record<string, QueueDepth> | null = null;
  const readDepth = async () => {
    const db = sources?.db;
    depth = db
      ? await queueDepth(db).catch((error: unknown) => {
          logger.warn({ err: error }, "metrics: could not read the queue depth");
          return null;
        })
      : null;
  };
  new Gauge({
    name: "gateway_queue_depth",
    help: "Receipt items not finished yet (waiting, claimed or waiting out a retry), by receipt kind",
    labelNames: ["kind"],
    registers: [registry],
    collect() {
      for (const [kind, { open }] of Object.entries(depth ?? {})) this.set({ kind }, open);
    },
  });
  new Gauge({
    name: "gateway_queue_oldest_due_age_seconds",
    help: "How long the oldest due receipt item has waited past its due time, by receipt kind (0: none waiting)",
    labelNames: ["kind"],
    registers: [registry],
    collect() {
      for (const [kind, { oldestDueSeconds }] of Object.entries(depth ?? {}))
        this.set({ kind }, oldestDueSeconds);
    },
  });

  const port: MetricsPort = {
    eventPublished(topic) {
      eventsPublished.inc({ topic });
    },
    eventDelivered(topic, lagSeconds) {
      eventsDelivered.inc({ topic });
      deliveryLag.observe({ topic }, lagSeconds);
    },
    dependencyCall(dependency, outcome, seconds) {
      dependencyCalls.inc({ dependency, outcome });
      if (outcome !== "circuit_open") dependencyDuration.observe({ dependency, outcome }, seconds);
    },
    webhookDelivery(outcome, seconds = 0) {
      webhookDeliveries.inc({ outcome });
      if (outcome !== "blocked") webhookDuration.observe({ outcome }, seconds);
    },
    rateLimitRefused(limit) {
      rateLimitRefusals.inc({ limit });
    },
  };

  function yogaPlugin(): Plugin {
    const operationName = boundedLabel();
    const errorCode = boundedLabel(50);
    type Params = { operationName?: string; operationType?: string };
    const operation = (params: Params) => ({
      operationName: operationName(params.operationName, "anonymous"),
      operationType: params.operationType ?? "unknown",
    });
    const codeOf = (error: unknown) =>
      errorCode(
        ((error as GraphQLError | undefined)?.extensions?.code as string | undefined) ?? null,
        "INTERNAL",
      );
    const prometheus = usePrometheus({
      registry,
      // Never on the public port: only the metrics listener serves /metrics.
      endpoint: false,
      metrics: {
        graphql_envelop_request: createCounter({
          registry,
          counter: {
            name: "graphql_envelop_request",
            help: "GraphQL operations executed (queries, mutations) or subscribed, by name and type",
            labelNames: ["operationName", "operationType"],
          },
          fillLabelsFn: operation,
        }),
        graphql_envelop_request_duration: createHistogram({
          registry,
          histogram: {
            name: "graphql_envelop_request_duration",
            help: "Time from the start of execution to the result (seconds), by operation name and type",
            labelNames: ["operationName", "operationType"],
            buckets: LATENCY_BUCKETS,
          },
          fillLabelsFn: operation,
        }),
        graphql_envelop_error_result: createCounter({
          registry,
          counter: {
            name: "graphql_envelop_error_result",
            help: "Errors in GraphQL results by operation, phase (parse, validate, context, execute, subscribe) and extensions.code",
            labelNames: ["operationName", "operationType", "phase", "code"],
          },
          fillLabelsFn: (params: Params & { errorPhase?: string; error?: unknown }) => ({
            ...operation(params),
            phase: params.errorPhase ?? "execute",
            code: codeOf(params.error),
          }),
        }),
        graphql_yoga_http_duration: createHistogram({
          registry,
          histogram: {
            name: "graphql_yoga_http_duration",
            help: "GraphQL over HTTP: time to the response (seconds), by operation, method and status code",
            labelNames: ["operationName", "operationType", "method", "statusCode"],
            buckets: LATENCY_BUCKETS,
          },
          fillLabelsFn: (params: Params & { request: Request; response: Response }) => ({
            ...operation(params),
            method: params.request.method,
            statusCode: params.response.status,
          }),
        }),
        graphql_envelop_phase_parse: false,
        graphql_envelop_phase_validate: false,
        graphql_envelop_phase_context: false,
        graphql_envelop_phase_execute: false,
        graphql_envelop_phase_subscribe: false,
        graphql_envelop_request_time_summary: false,
        // Counted by useDeprecatedFieldCounter below, once per document rather than per request.
        graphql_envelop_deprecated_field: false,
        graphql_envelop_schema_change: false,
      },
      labels: { path: false },
    } as Parameters<typeof usePrometheus>[0]);
    const deprecated = useDeprecatedFieldCounter(deprecatedFieldUses, operation);
    return {
      onPluginInit({ addPlugin }) {
        addPlugin(prometheus);
        addPlugin(deprecated);
      },
    };
  }

  let server: Server | null = null;
  let url: string | null = null;
  return {
    registry,
    port,
    yogaPlugin,
    observe(next) {
      sources = next;
    },
    listen(listenPort, host) {
      const listener = createServer((req, res) => {
        const path = (req.url ?? "/").split("?")[0];
        if (path !== METRICS_PATH || (req.method !== "GET" && req.method !== "HEAD")) {
          res.writeHead(404, { "content-type": "text/plain" }).end("not found\n");
          return;
        }
        readDepth()
          .then(() => registry.metrics())
          .then(
            (text) => res.writeHead(200, { "content-type": registry.contentType }).end(text),
            (error: unknown) => {
              logger.error({ err: error }, "metrics: scrape failed");
              res.writeHead(500, { "content-type": "text/plain" }).end("scrape failed\n");
            },
          );
      });
      return new Promise((resolve, reject) => {
        listener.once("error", reject);
        listener.listen(listenPort, host, () => {
          listener.off("error", reject);
          server = listener;
          const address = listener.address() as AddressInfo;
          const shownHost = host.includes(":") ? `[${host}]` : host;
          url = `http://${shownHost}:${address.port}${METRICS_PATH}`;
          resolve(url);
        });
      });
    },
    url: () => url,
    async close() {
      const listening = server;
      server = null;
      url = null;
      if (!listening) return;
      const closed = new Promise<void>((resolve) => listening.close(() => resolve()));
      // A scraper's keep-alive connection would hold the close otherwise.
      listening.closeAllConnections();
      await closed;
    },
  };
}

/** A deprecated field or argument an operation uses, as @envelop/prometheus labels it. */
interface DeprecatedUse {
  fieldName: string;
  typeName: string;
}

/** The deprecated fields and arguments a document selects (@envelop/prometheus's extractDeprecatedFields). */
function deprecatedUses(schema: GraphQLSchema, document: DocumentNode): DeprecatedUse[] {
  const found: DeprecatedUse[] = [];
  const typeInfo = new TypeInfo(schema);
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Argument() {
        const argument = typeInfo.getArgument();
        const field = typeInfo.getFieldDef();
        // The argument's field stands in for its type, as the plugin has it.
        if (field && argument?.deprecationReason != null)
          found.push({ fieldName: argument.name, typeName: field.name });
      },
      Field() {
        const field = typeInfo.getFieldDef();
        if (field?.deprecationReason != null)
          found.push({ fieldName: field.name, typeName: typeInfo.getParentType()?.name ?? "" });
      },
    }),
  );
  return found;
}

/**
 * `graphql_envelop_deprecated_field` as @envelop/prometheus counts it (after
 * parsing, per deprecated field or argument used), except that what a
 * document uses is found once: the plugin walks every request's document with
 * type information, a sizeable share of a small operation's cost (bench/README.md
 * "Where the page's time goes"), and yoga's parse cache hands the same
 * DocumentNode to every request with the same text.
 */
function useDeprecatedFieldCounter(
  counter: Counter<"operationType" | "operationName" | "fieldName" | "typeName">,
  operation: (params: { operationName?: string; operationType?: string }) => {
    operationName: string;
    operationType: string;
  },
): Plugin {
  let schema: GraphQLSchema | null = null;
  let uses = new WeakMap<DocumentNode, DeprecatedUse[]>();
  return {
    onSchemaChange({ schema: next }) {
      schema = next;
      uses = new WeakMap();
    },
    onParse({ context }) {
      return ({ result }) => {
        if (!schema || !result || result instanceof Error) return;
        const document = result as DocumentNode;
        let found = uses.get(document);
        if (!found) {
          found = deprecatedUses(schema, document);
          uses.set(document, found);
        }
        if (found.length === 0) return;
        // As the plugin labels them: the requested operation name, or the first definition's.
        const first = document.definitions[0] as OperationDefinitionNode;
        const requested = (context as { params?: { operationName?: string } }).params?.operationName;
        const labels = operation({
          operationName: requested || first.name?.value || "Anonymous",
          operationType: first.operation,
        });
        for (const use of found) counter.inc({ ...labels, ...use });
      };
    },
  };
}
