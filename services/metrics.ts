// The port through which services count what operators watch (GET /metrics
// on the metrics listener). Services know only this interface; server/metrics.ts
// implements it with prom-client, one registry per app instance. The default
// tells no one, so scripts and tests that do not scrape need nothing.
import type { Dependency } from "./circuits.ts";

/** How a call to the carrier or the mail server ended (services/circuits.ts). */
export type DependencyCallOutcome =
  /** It answered as asked. */
  | "success"
  /** It answered with a permanent refusal (the carrier rejects a line, SMTP 5xx): it is up. */
  | "rejected"
  /** A temporary error of the dependency itself (5xx, 429, refused or timed out): counted by its circuit. */
  | "temporary_error"
  /** Not called: its circuit is open. */
  | "circuit_open"
  /** Anything else (another dependency's error, a database error). */
  | "error";

/** How one webhook delivery attempt ended (services/webhooks/). */
export type WebhookDeliveryOutcome =
  /** The receiver answered 2xx. */
  | "delivered"
  /** The receiver answered, but not 2xx (retried). */
  | "failed"
  /** No answer within the delivery timeout, or the connection failed (retried). */
  | "timeout"
  /** Not sent: the address is not allowed (SSRF guard) or the endpoint is disabled. */
  | "blocked";

/** Which limit refused a request. */
export type RateLimitKind =
  /** The query-cost budget of a session, API token or client address (RATE_LIMITED). */
  | "query_cost"
  /** The sign-in throttle (a login id and address waiting out a delay, or an address past its ceiling). */
  | "login";

export interface MetricsPort {
  /** A realtime event was published on `topic` (receipt:event, lines:changed, auth:revoked). */
  eventPublished(topic: string): void;
  /** A subscriber took an event of `topic` off its queue `lagSeconds` after it reached this instance. */
  eventDelivered(topic: string, lagSeconds: number): void;
  /** A call to the carrier or the mail server ended so, after `seconds` (0 when not called). */
  dependencyCall(dependency: Dependency, outcome: DependencyCallOutcome, seconds: number): void;
  /** A webhook delivery attempt ended so, after `seconds` (0 when not sent). */
  webhookDelivery(outcome: WebhookDeliveryOutcome, seconds?: number): void;
  /** A request was refused by a rate limit. */
  rateLimitRefused(kind: RateLimitKind): void;
}

/** Counts nothing (the default, and METRICS_PORT=off). */
export const noMetrics: MetricsPort = {
  eventPublished() {},
  eventDelivered() {},
  dependencyCall() {},
  webhookDelivery() {},
  rateLimitRefused() {},
};
