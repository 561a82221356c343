// Webhooks (issue 18 point 1): signed, durable, at-least-once deliveries to a
// real receiver on 127.0.0.1 that fails for a while; redelivery, replay,
// ping, the SSRF guard, access, and disabling after a long failure period
// with a notice (web client query and mail).
// Scenario: webhooksScenario.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { manualClock } from "../../domain/clock.ts";
import { webhookMessages } from "../../domain/messages.ts";
import { webhooksScenario } from "../scenarios/webhooks.scenarios.ts";
import { type RunningApp, startScenarioApp } from "../support/app.ts";
import { graphql, loginAs, submitPermissionChange } from "../support/graphql.ts";
import { startSmtp, type TestSmtp } from "../support/smtp.ts";
import { waitForFinalReceiptOverApi, waitUntil } from "../support/wait.ts";

interface Received {
  headers: Record<string, string>;
  body: string;
  status: number;
}

/** A receiver on loopback: answers `failNext` requests with 503, then 204; keeps every request. */
async function startReceiver() {
  const received: Received[] = [];
  const state = { failNext: 0, failAlways: false };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const fail = state.failAlways || state.failNext > 0;
      if (state.failNext > 0) state.failNext--;
      const status = fail ? 503 : 204;
      received.push({
        headers: req.headers as Record<string, string>,
        body: Buffer.concat(chunks).toString("utf8"),
        status,
      });
      res.statusCode = status;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    state,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const CREATE = /* GraphQL */ `
  mutation ($input: CreateWebhookEndpointInput!) {
    createWebhookEndpoint(input: $input) { endpoint { id url eventTypes } secret userErrors { code message field } }
  }`;
const DELIVERIES = /* GraphQL */ `
  query ($id: ID!, $after: String) {
    webhookDeliveries(endpointId: $id, first: 200, after: $after) {
      edges { node { id webhookId eventType status attempts lastStatusCode lastLatencyMs nextAttemptAt
        attemptLog { statusCode latencyMs } } }
      pageInfo { hasNextPage endCursor }
    }
  }`;

const env = {
  CARRIER_LATENCY_MS: "0",
  CARRIER_FAILURE_RATE: "0",
  FAKE_NOW: "2026-11-24T10:00:00+09:00",
  WEBHOOK_ALLOWED_HOSTS: "127.0.0.1",
  WEBHOOK_POLL_MS: "50",
  // The test polls the delivery log often; query-cost budgets are another test's subject.
  RATE_LIMIT_POINTS: "0",
  // Longer than the failure period that disables an endpoint (3 days): its deliveries wait, none given up.
  WEBHOOK_RETRY_HORIZON_MS: String(5 * 86_400_000),
  // A first retry within 200 ms here (10 s by default), so the test runs quickly.
  WEBHOOK_RETRY_BACKOFF_MS: "200-1000",
  // A metrics listener on any free port: delivery outcomes are counted (gateway_webhook_deliveries_total).
  METRICS_PORT: "0",
};

/** A counter's value on the app's /metrics listener (undefined: no such series yet). */
async function scrapeCounter(server: RunningApp, name: string, labels: Record<string, string>) {
  const url = server.app.metricsUrl();
  if (!url) throw new Error("metrics are not served");
  const text = await (await fetch(url)).text();
  const wanted = Object.entries(labels)
    .map(([key, value]) => `${key}="${value}"`)
    .join(",");
  const line = text.split("\n").find((l) => l.startsWith(`${name}{${wanted}} `));
  return line === undefined ? undefined : Number(line.split(" ")[1]);
}

async function deliveries(server: RunningApp, token: string, endpointId: string) {
  const result: any = await graphql(server.graphqlUrl, DELIVERIES, { id: endpointId }, token);
  if (!result.data) throw new Error(JSON.stringify(result));
  return result.data.webhookDeliveries.edges.map((e: any) => e.node);
}

describe("webhooks", () => {
  let server: RunningApp & { data: any };
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let smtp: TestSmtp;
  let token: string;
  const clock = manualClock("2026-11-24T10:00:00+09:00");

  beforeAll(async () => {
    receiver = await startReceiver();
    smtp = await startSmtp();
    server = await startScenarioApp(webhooksScenario, { ...env, SMTP_URL: smtp.url }, { clock });
    token = await loginAs(server.graphqlUrl, "Manager@admin");
  });
  afterAll(async () => {
    await server?.stop();
    await receiver?.close();
    await smtp?.close();
  });

  it("delivers every event of batches, signed, none lost, duplicates only with the same webhook-id, in order per line", async () => {
    const created: any = await graphql(
      server.graphqlUrl,
      CREATE,
      {
        input: {
          url: receiver.url,
          eventTypes: ["RECEIPT_ACCEPTED", "RECEIPT_COMPLETED", "RECEIPT_ITEM_COMPLETED", "LINE_CHANGED"],
        },
      },
      token,
    );
    const payload = created.data.createWebhookEndpoint;
    expect(payload.userErrors).toEqual([]);
    expect(payload.secret).toMatch(/^whsec_/);
    const endpointId = payload.endpoint.id;
    // The receiver fails the first 5 requests (503): they are retried.
    receiver.state.failNext = 5;
    const { lines } = server.data;
    const all = [lines.sales1.id, lines.sales2.id, lines.sales3.id, lines.dev1.id, lines.dev2.id];
    const first = await submitPermissionChange(server.graphqlUrl, token, all);
    await waitForFinalReceiptOverApi(server.graphqlUrl, token, first.number);
    const second = await submitPermissionChange(server.graphqlUrl, token, all, {
      backup: false,
      phonebookMigration: true,
    });
    await waitForFinalReceiptOverApi(server.graphqlUrl, token, second.number);

    // Per receipt: accepted, 5 items, completed; per line: PROCESSING at acceptance and its result.
    const expected = 2 * (1 + 5 + 1) + 2 * 5 * 2;
    const log = await waitUntil(
      () => deliveries(server, token, endpointId),
      (d: any[]) => d.length === expected && d.every((x) => x.status === "SUCCEEDED"),
      { what: "every delivery to succeed" },
    );
    const verifier = new Webhook(payload.secret);
    const ok = receiver.received.filter((r) => r.status === 204);
    for (const r of receiver.received) expect(() => verifier.verify(r.body, r.headers)).not.toThrow();
    // None lost: every event reached the receiver with a 2xx, once per webhook-id.
    const okIds = ok.map((r) => r.headers["webhook-id"]);
    expect(new Set(okIds).size).toBe(expected);
    expect(new Set(okIds)).toEqual(new Set(log.map((d: any) => d.webhookId)));
    // Duplicates (the failed attempts) carry the id of an event that was delivered.
    for (const r of receiver.received) expect(okIds).toContain(r.headers["webhook-id"]);
    expect(receiver.received.length).toBe(expected + 5);
    // Every attempt is counted by its outcome on the metrics port.
    expect(await scrapeCounter(server, "gateway_webhook_deliveries_total", { outcome: "delivered" })).toBe(
      expected,
    );
    expect(await scrapeCounter(server, "gateway_webhook_deliveries_total", { outcome: "failed" })).toBe(5);
    expect(log.some((d: any) => d.attempts > 1 && d.attemptLog.some((a: any) => a.statusCode === 503))).toBe(
      true,
    );
    // Bodies carry the API's ids and the dotted types.
    const bodies = ok.map((r) => JSON.parse(r.body));
    const completed = bodies.filter((b) => b.type === "receipt.completed").map((b) => b.data.receipt);
    expect(completed.map((r: any) => r.id).sort()).toEqual([first.id, second.id].sort());
    // Order per line: its versions arrive increasing.
    const lineVersions = bodies
      .filter((b) => b.type === "line.changed" && b.data.line.id === lines.sales1.id)
      .map((b) => b.data.line.version);
    expect(lineVersions).toEqual([...lineVersions].sort((a, b) => a - b));
    expect(lineVersions).toHaveLength(4);

    // Redeliver one: the same webhook-id comes again.
    const one = log[0];
    const before = receiver.received.length;
    const redelivered: any = await graphql(
      server.graphqlUrl,
      "mutation ($id: ID!) { redeliverWebhook(deliveryId: $id) { delivery { id webhookId } userErrors { code } } }",
      { id: one.id },
      token,
    );
    expect(redelivered.data.redeliverWebhook.delivery.webhookId).toBe(one.webhookId);
    await waitUntil(
      () => receiver.received.length,
      (n) => n === before + 1,
    );
    expect(receiver.received.at(-1)?.headers["webhook-id"]).toBe(one.webhookId);

    // Replay a range: every event of the endpoint's types in it, with their own ids.
    const replay: any = await graphql(
      server.graphqlUrl,
      "mutation ($id: ID!, $from: DateTime!, $to: DateTime!) { replayWebhooks(endpointId: $id, from: $from, to: $to) { queued truncated userErrors { code } } }",
      { id: endpointId, from: "2026-11-24T00:00:00Z", to: "2026-11-25T00:00:00Z" },
      token,
    );
    expect(replay.data.replayWebhooks).toEqual({ queued: expected, truncated: false, userErrors: [] });
    await waitUntil(
      () => receiver.received.length,
      (n) => n === before + 1 + expected,
    );
    const replayedIds = receiver.received.slice(before + 1).map((r) => r.headers["webhook-id"]);
    expect(new Set(replayedIds)).toEqual(new Set(okIds));
    const tooLong: any = await graphql(
      server.graphqlUrl,
      'mutation ($id: ID!) { replayWebhooks(endpointId: $id, from: "2026-11-01T00:00:00Z", to: "2026-11-25T00:00:00Z") { queued userErrors { code message } } }',
      { id: endpointId },
      token,
    );
    expect(tooLong.data.replayWebhooks.userErrors).toEqual([
      { code: "RANGE_INVALID", message: webhookMessages.RANGE_INVALID },
    ]);

    // Ping.
    const ping: any = await graphql(
      server.graphqlUrl,
      "mutation ($id: ID!) { pingWebhookEndpoint(id: $id) { delivery { id webhookId } userErrors { code } } }",
      { id: endpointId },
      token,
    );
    const pingId = ping.data.pingWebhookEndpoint.delivery.webhookId;
    const pinged = await waitUntil(
      () => receiver.received.find((r) => r.headers["webhook-id"] === pingId),
      (r) => r !== undefined,
    );
    expect(JSON.parse(pinged!.body).type).toBe("webhook.ping");
    expect(() => verifier.verify(pinged!.body, pinged!.headers)).not.toThrow();
    await graphql(
      server.graphqlUrl,
      "mutation ($id: ID!) { deleteWebhookEndpoint(id: $id) { deletedId } }",
      { id: endpointId },
      token,
    );
  });

  it("refuses loopback, private, link-local and metadata addresses unless allowed, and http elsewhere", async () => {
    const refusals: [string, string][] = [
      ["https://127.0.0.2/hook", "ADDRESS_NOT_ALLOWED"],
      ["https://10.1.2.3/hook", "ADDRESS_NOT_ALLOWED"],
      ["https://192.168.0.10/hook", "ADDRESS_NOT_ALLOWED"],
      ["https://169.254.169.254/latest/meta-data", "ADDRESS_NOT_ALLOWED"],
      ["https://[fd00:ec2::254]/", "ADDRESS_NOT_ALLOWED"],
      ["https://[::1]/hook", "ADDRESS_NOT_ALLOWED"],
      // A name that resolves to loopback.
      ["https://localhost/hook", "ADDRESS_NOT_ALLOWED"],
      ["http://example.com/hook", "HTTPS_REQUIRED"],
      ["ftp://example.com/", "INVALID_URL"],
    ];
    for (const [url, code] of refusals) {
      const result: any = await graphql(
        server.graphqlUrl,
        CREATE,
        { input: { url, eventTypes: ["LINE_CHANGED"] } },
        token,
      );
      expect(result.data.createWebhookEndpoint, url).toEqual({
        endpoint: null,
        secret: null,
        userErrors: [{ code, message: webhookMessages[code as "INVALID_URL"], field: "url" }],
      });
    }
  });

  it("is for MAIN administrators and MANAGE_WEBHOOKS tokens only", async () => {
    for (const loginId of ["Substitute@admin", "GroupA@admin"]) {
      const other = await loginAs(server.graphqlUrl, loginId);
      const result: any = await graphql(
        server.graphqlUrl,
        "{ webhookEndpoints(first: 5) { edges { node { id } } } }",
        {},
        other,
      );
      expect(result.errors?.[0]?.extensions?.code, loginId).toBe("FORBIDDEN");
      const create: any = await graphql(
        server.graphqlUrl,
        CREATE,
        { input: { url: receiver.url, eventTypes: ["LINE_CHANGED"] } },
        other,
      );
      expect(create.errors?.[0]?.extensions?.code, loginId).toBe("FORBIDDEN");
    }
    const makeToken = async (scopes: string[]) => {
      const r: any = await graphql(
        server.graphqlUrl,
        'mutation ($s: [ApiScope!]!) { createApiToken(input: {name: "mdm", scopes: $s}) { token } }',
        { s: scopes },
        token,
      );
      return r.data.createApiToken.token as string;
    };
    const without = await makeToken(["READ_LINES"]);
    const refused: any = await graphql(
      server.graphqlUrl,
      "{ webhookEndpoints(first: 5) { edges { node { id } } } }",
      {},
      without,
    );
    expect(refused.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    const withScope = await makeToken(["MANAGE_WEBHOOKS"]);
    const allowed: any = await graphql(
      server.graphqlUrl,
      "{ webhookEndpoints(first: 5) { edges { node { id } } } }",
      {},
      withScope,
    );
    expect(allowed.errors).toBeUndefined();
  });

  it("disables an endpoint only after failing for the whole period, with a notice and a mail to MAIN administrators", async () => {
    receiver.state.failAlways = true;
    const created: any = await graphql(
      server.graphqlUrl,
      CREATE,
      {
        input: { url: receiver.url, eventTypes: ["LINE_CHANGED"], groupId: server.data.groups.開発部.id },
      },
      token,
    );
    const endpointId = created.data.createWebhookEndpoint.endpoint.id;
    const { lines } = server.data;
    const receipt = await submitPermissionChange(server.graphqlUrl, token, [lines.dev1.id, lines.sales1.id]);
    await waitForFinalReceiptOverApi(server.graphqlUrl, token, receipt.number);
    // Failing, but not for long: still enabled.
    const failing = await waitUntil(
      () => deliveries(server, token, endpointId),
      (d: any[]) => d.length > 0 && d.some((x) => x.attempts >= 2),
    );
    // The group filter: only 開発部's line.
    expect(failing.length).toBe(2);
    const endpoint = `query ($id: ID!) { node(id: $id) { ... on WebhookEndpoint { disabledAt disabledReason failingSince } } }`;
    expect(
      ((await graphql(server.graphqlUrl, endpoint, { id: endpointId }, token)) as any).data.node.disabledAt,
    ).toBeNull();
    // Three days and a minute later, the next failure disables it.
    clock.set(new Date(clock.now().getTime() + 3 * 86_400_000 + 60_000));
    // Sessions end on the server clock too: sign in again.
    token = await loginAs(server.graphqlUrl, "Manager@admin");
    const disabled: any = await waitUntil(
      async () => ((await graphql(server.graphqlUrl, endpoint, { id: endpointId }, token)) as any).data.node,
      (n: any) => n.disabledAt !== null,
      { what: "the endpoint to be disabled" },
    );
    expect(disabled.disabledReason).toBe("FAILING");
    const notices: any = await waitUntil(
      () => graphql(server.graphqlUrl, "{ webhookNotices { message mailedAt endpoint { id } } }", {}, token),
      (r: any) => r.data.webhookNotices.length === 1 && r.data.webhookNotices[0].mailedAt !== null,
    );
    expect(notices.data.webhookNotices[0].message).toBe(
      webhookMessages.disabledNotice(receiver.url, "2026/11/24"),
    );
    expect(smtp.received.map((m) => [m.subject, m.text?.trim()])).toContainEqual([
      webhookMessages.disabledMailSubject,
      webhookMessages.disabledNotice(receiver.url, "2026/11/24"),
    ]);
    // Enabled again with a healthy receiver: the waiting deliveries go out; the notice is resolved.
    receiver.state.failAlways = false;
    await graphql(
      server.graphqlUrl,
      "mutation ($id: ID!) { enableWebhookEndpoint(id: $id) { userErrors { code } } }",
      { id: endpointId },
      token,
    );
    await waitUntil(
      () => deliveries(server, token, endpointId),
      (d: any[]) => d.every((x) => x.status === "SUCCEEDED"),
    );
    const after: any = await graphql(server.graphqlUrl, "{ webhookNotices { message } }", {}, token);
    expect(after.data.webhookNotices).toEqual([]);
  });
});
