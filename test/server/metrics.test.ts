// GET /metrics (issue 18 point 4): scraped on its own listener during a real
// batch, the public port refusing it, and two apps in one process each with
// its own registry. Demo data (SPEC §6); the carrier simulator answers in a
// few milliseconds and never fails.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningApp, startTestApp } from "../support/app.ts";
import { activeLineIds, graphql, loginAs, submitPermissionChange } from "../support/graphql.ts";
import { collect, wsClient } from "../support/subscriptions.ts";
import { waitUntil } from "../support/wait.ts";

const env = {
  FAKE_NOW: "2026-11-24T10:00:00+09:00",
  CARRIER_LATENCY_MS: "20",
  CARRIER_FAILURE_RATE: "0",
  METRICS_PORT: "0",
  // Small enough that the batch is still in the queue at the first scrape.
  WORKER_CONCURRENCY: "1",
};

/** One sample's value, or undefined when the series is absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split("\n")) {
    if (line.startsWith("#")) continue;
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found = Object.fromEntries(
      [...(match[2] ?? "").matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]),
    );
    if (Object.entries(labels).every(([key, value]) => found[key] === value)) return Number(match[3]);
  }
  return undefined;
}

async function scrape(server: RunningApp): Promise<string> {
  const url = server.app.metricsUrl();
  if (!url) throw new Error("metrics are not served");
  const response = await fetch(url);
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toContain("text/plain");
  return response.text();
}

const LINES = /* GraphQL */ `subscription { lineStatusChanged { id status } }`;

describe("/metrics on its own port", () => {
  let server: RunningApp;
  let token: string;
  beforeAll(async () => {
    server = await startTestApp(env);
    token = await loginAs(server.graphqlUrl, "Manager@admin");
  });
  afterAll(async () => {
    await server?.stop();
  });

  it("listens on loopback, apart from the public port, which answers 404", async () => {
    const url = new URL(server.app.metricsUrl() as string);
    expect(url.hostname).toBe("127.0.0.1");
    expect(url.pathname).toBe("/metrics");
    expect(url.port).not.toBe(new URL(server.url).port);
    expect((await fetch(`${server.url}/metrics`)).status).toBe(404);
    expect((await fetch(new URL("/other", url))).status).toBe(404);
  });

  it("counts operations by name, subscriptions, the queue, carrier calls and events during a batch", async () => {
    const before = await scrape(server);
    expect(sample(before, "gateway_graphql_ws_subscriptions")).toBe(0);
    expect(sample(before, "gateway_queue_depth", { kind: "PERMISSION_CHANGE" })).toBe(0);

    const client = wsClient(server.wsUrl, token);
    const watching = collect(client, LINES, {}, { stopAfter: 1_000, timeoutMs: 60_000 });
    await expect
      .poll(async () => sample(await scrape(server), "gateway_graphql_ws_subscriptions"), { timeout: 10_000 })
      .toBe(1);
    expect(sample(await scrape(server), "gateway_websocket_connections")).toBe(1);

    const lineIds = await activeLineIds(server.graphqlUrl, token, 20);
    const receipt = await submitPermissionChange(server.graphqlUrl, token, lineIds);
    const during = await scrape(server);
    expect(sample(during, "gateway_queue_depth", { kind: "PERMISSION_CHANGE" })).toBeGreaterThan(0);
    expect(
      sample(during, "gateway_queue_oldest_due_age_seconds", { kind: "PERMISSION_CHANGE" }),
    ).toBeGreaterThanOrEqual(0);
    expect(sample(during, "gateway_circuit_state", { dependency: "carrier", state: "closed" })).toBe(1);

    // The batch finishes: the queue is empty again.
    await expect
      .poll(async () => sample(await scrape(server), "gateway_queue_depth", { kind: "PERMISSION_CHANGE" }), {
        timeout: 60_000,
        interval: 200,
      })
      .toBe(0);
    const after = await scrape(server);
    expect(
      sample(after, "gateway_dependency_calls_total", { dependency: "carrier", outcome: "success" }),
    ).toBe(20);
    expect(
      sample(after, "graphql_envelop_request_duration_count", {
        operationName: "Anonymous",
        operationType: "mutation",
      }),
    ).toBeGreaterThanOrEqual(2);
    expect(sample(after, "gateway_events_published_total", { topic: "receipt:event" })).toBeGreaterThan(20);
    expect(sample(after, "gateway_events_published_total", { topic: "lines:changed" })).toBeGreaterThan(0);
    // The watcher heard of the changed lines.
    await expect
      .poll(async () =>
        sample(await scrape(server), "gateway_events_delivered_total", { topic: "lines:changed" }),
      )
      .toBeGreaterThan(0);
    expect(
      sample(after, "gateway_event_delivery_lag_seconds_count", { topic: "lines:changed" }) ?? 0,
    ).toBeGreaterThanOrEqual(0);
    expect(
      sample(after, "graphql_yoga_http_duration_count", { operationType: "mutation", statusCode: "200" }),
    ).toBeGreaterThan(0);
    expect(receipt.id).toBeTruthy();

    // Named operations are counted by name.
    await graphql(server.graphqlUrl, "query FirstLine { lines(first: 1) { totalCount } }", {}, token);
    expect(
      sample(await scrape(server), "graphql_envelop_request_duration_count", {
        operationName: "FirstLine",
        operationType: "query",
      }),
    ).toBe(1);

    await client.dispose();
    await watching;
    await expect
      .poll(async () => sample(await scrape(server), "gateway_graphql_ws_subscriptions"), { timeout: 10_000 })
      .toBe(0);
    await expect
      .poll(async () => sample(await scrape(server), "gateway_websocket_connections"), { timeout: 10_000 })
      .toBe(0);
  });
});

describe("two apps in one process", () => {
  let first: RunningApp;
  let second: RunningApp;
  beforeAll(async () => {
    // The second app's budget is smaller than any operation: every one is refused.
    [first, second] = await Promise.all([
      startTestApp({ ...env }, { startWorker: false }),
      startTestApp({ ...env, RATE_LIMIT_POINTS: "1" }, { startWorker: false }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([first?.stop(), second?.stop()]);
  });

  it("each has its own registry and port; refusals are counted where they happen", async () => {
    expect(first.app.metricsUrl()).not.toBe(second.app.metricsUrl());
    const refused = await graphql(
      second.graphqlUrl,
      "query Lines { lines(first: 50) { edges { node { id } } } }",
    );
    expect(refused.errors?.[0]?.extensions?.code).toBe("RATE_LIMITED");
    await expect
      .poll(async () =>
        sample(await scrape(second), "gateway_rate_limit_refusals_total", { limit: "query_cost" }),
      )
      .toBe(1);
    expect(
      sample(await scrape(first), "gateway_rate_limit_refusals_total", { limit: "query_cost" }),
    ).toBeUndefined();
    // Without a worker there are no circuits to report.
    expect(
      sample(await scrape(first), "gateway_circuit_state", { dependency: "carrier", state: "closed" }),
    ).toBeUndefined();
    await waitUntil(
      async () => sample(await scrape(second), "graphql_envelop_request", { operationName: "Lines" }),
      (count) => count === undefined || count >= 0,
      { what: "a scrape of the second app" },
    );
  });

  it("counts sign-in attempts the throttle refuses", async () => {
    const login =
      'mutation ($p: String!) { login(loginId: "Manager@admin", password: $p) { token userErrors { code } } }';
    // Past the free failures, the next attempt for the pair is refused while it waits out its delay.
    for (let attempt = 0; attempt < 7; attempt++) await graphql(first.graphqlUrl, login, { p: "wrong" });
    await expect
      .poll(
        async () => sample(await scrape(first), "gateway_rate_limit_refusals_total", { limit: "login" }) ?? 0,
      )
      .toBeGreaterThan(0);
  });
});
