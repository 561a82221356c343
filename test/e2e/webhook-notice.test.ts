// The disabled-webhook notice in headless Chromium against the real server
// process on the demo data (issue 18 point 1: an endpoint is disabled only
// after a long failure period, never silently). The endpoint points at a
// closed loopback port; WEBHOOK_DISABLE_AFTER_MS is its smallest allowed
// value (1 s) and retries come every few hundred milliseconds, so the real
// dispatcher disables it within seconds (nothing is seeded in the database).
// MAIN administrators see the notice on every screen and the endpoint on the
// Webhook screen; a SUB administrator sees neither.
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { webhookMessages } from "../../domain/messages.ts";
import { webhookTexts } from "../../web/src/texts.ts";
import { launchBrowser, logIn, screenshot } from "../support/browser.ts";
import { graphql, loginAs } from "../support/graphql.ts";
import { type ServerProcess, startServerProcess } from "../support/server-process.ts";
import { waitUntil } from "../support/wait.ts";
import { ensureWebBuilt } from "../support/web-build.ts";

let server: ServerProcess;
let browser: Browser;
let page: Page;
let baseUrl: string;
let endpointUrl: string;
const dataDir = mkdtempSync(path.join(tmpdir(), "anshin-e2e-webhook-notice-"));

/** A loopback port nothing listens on: taken, then freed. */
async function closedLoopbackPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

beforeAll(async () => {
  await ensureWebBuilt();
  server = await startServerProcess({
    DATA_DIR: dataDir,
    FAKE_NOW: "2026-11-24T10:00:00+09:00",
    CARRIER_LATENCY_MS: "0",
    CARRIER_FAILURE_RATE: "0",
    WEBHOOK_ALLOWED_HOSTS: "127.0.0.1",
    // The smallest failure period server/config.ts allows.
    WEBHOOK_DISABLE_AFTER_MS: "1000",
    WEBHOOK_RETRY_BACKOFF_MS: "100-300",
    WEBHOOK_POLL_MS: "50",
    WEBHOOK_TIMEOUT_MS: "1000",
  });
  baseUrl = `http://127.0.0.1:${server.port}`;
  endpointUrl = `http://127.0.0.1:${await closedLoopbackPort()}/hook`;
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1280, height: 800 }, locale: "ja-JP" });
  page.on("pageerror", (error) => console.error(`page error: ${error.message}`));
}, 180_000);

afterEach(async (context) => {
  if (context.task.result?.state === "fail")
    await screenshot(page, `failed-webhook-notice-${context.task.name.slice(0, 40)}`);
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const notices = () => page.getByRole("status", { name: webhookTexts.noticeRegion });
const table = () => page.getByRole("table", { name: webhookTexts.title });

describe("a webhook endpoint disabled after failing", () => {
  it("is told to MAIN administrators on every screen, and listed on the Webhook screen", async () => {
    await logIn(page, baseUrl, "Manager@admin");
    // Nothing to tell yet; the menu offers the Webhook screen.
    await page.getByRole("heading", { name: webhookTexts.menuEntry.title, exact: true }).waitFor();
    await expect(notices().locator(".notice").count()).resolves.toBe(0);

    const token = await loginAs(server.graphqlUrl, "Manager@admin");
    const created: any = await graphql(
      server.graphqlUrl,
      "mutation ($input: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $input) { endpoint { id } userErrors { code } } }",
      { input: { url: endpointUrl, eventTypes: ["LINE_CHANGED"] } },
      token,
    );
    expect(created.data.createWebhookEndpoint.userErrors).toEqual([]);
    const endpointId = created.data.createWebhookEndpoint.endpoint.id;
    // A ping: one delivery to the closed port, retried until the endpoint is disabled.
    const ping: any = await graphql(
      server.graphqlUrl,
      "mutation ($id: ID!) { pingWebhookEndpoint(id: $id) { userErrors { code } } }",
      { id: endpointId },
      token,
    );
    expect(ping.data.pingWebhookEndpoint.userErrors).toEqual([]);
    const disabled: any = await waitUntil(
      async () =>
        (
          (await graphql(
            server.graphqlUrl,
            "query ($id: ID!) { node(id: $id) { ... on WebhookEndpoint { disabledAt disabledReason failingSince } } }",
            { id: endpointId },
            token,
          )) as any
        ).data.node,
      (node: any) => node.disabledAt !== null,
      { what: "the endpoint to be disabled", timeoutMs: 30_000 },
    );
    expect(disabled.disabledReason).toBe("FAILING");

    // The next screen asks again: the notice shows, with the server's exact text.
    const message = webhookMessages.disabledNotice(endpointUrl, "2026/11/24");
    await page.getByRole("link", { name: "履歴 次へ" }).click();
    await notices().getByText(message, { exact: true }).waitFor();
    await expect(notices().getByText(webhookTexts.noticeUntil).count()).resolves.toBe(1);

    // From the notice to the Webhook screen: the endpoint, stopped, and why.
    await notices().getByRole("link", { name: webhookTexts.toList }).click();
    await page.getByRole("heading", { name: webhookTexts.title, exact: true, level: 1 }).waitFor();
    const row = table().getByRole("row").filter({ hasText: endpointUrl });
    await expect(row.getByRole("cell").allInnerTexts()).resolves.toEqual([
      endpointUrl,
      webhookTexts.eventTypeNames.LINE_CHANGED,
      webhookTexts.allGroups,
      webhookTexts.statuses.DISABLED,
      webhookTexts.reasons.FAILING,
      expect.stringMatching(/^2026\/11\/24 10:\d\dから$/),
      webhookTexts.none,
    ]);
    // The notice stays on this screen too (it shows until the endpoint is enabled again).
    await expect(notices().getByText(message, { exact: true }).count()).resolves.toBe(1);
    await screenshot(page, "webhook-notice");

    // A reload keeps it (nothing to close: it is the server's).
    await page.reload();
    await notices().getByText(message, { exact: true }).waitFor();
  });

  it("is not shown to a SUB administrator, who has no Webhook screen", async () => {
    await logIn(page, baseUrl, "Substitute@admin");
    await page.getByRole("heading", { name: "履歴", exact: true }).waitFor();
    await expect(
      page.getByRole("heading", { name: webhookTexts.menuEntry.title, exact: true }).count(),
    ).resolves.toBe(0);
    await expect(notices().count()).resolves.toBe(0);
  });
});
