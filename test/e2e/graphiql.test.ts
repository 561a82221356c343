// GraphiQL at GET /graphql works on a machine without internet: every asset
// comes from the gateway itself. The browser may reach loopback only; any
// other request is refused and recorded.
import type { Browser, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type RunningApp, startTestApp } from "../support/app.ts";
import { launchBrowser, screenshot, watchCspViolations } from "../support/browser.ts";

let server: RunningApp;
let browser: Browser;
let page: Page;
const offline: string[] = [];
let cspViolations: string[];

beforeAll(async () => {
  server = await startTestApp({ FAKE_NOW: "2026-11-24T10:00:00+09:00" }, { startWorker: false });
  browser = await launchBrowser();
  page = await browser.newPage();
  cspViolations = await watchCspViolations(page);
  await page.route("**/*", (route) => {
    const url = new URL(route.request().url());
    const local = ["http:", "ws:"].includes(url.protocol) && url.hostname === "127.0.0.1";
    const inline = ["data:", "blob:"].includes(url.protocol);
    if (local || inline) return route.continue();
    offline.push(url.href);
    return route.abort("internetdisconnected");
  });
}, 120_000);

afterEach(async (context) => {
  if (context.task.result?.state === "fail") await screenshot(page, "failed-graphiql");
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe("GraphiQL", () => {
  it("renders from the gateway's own packages and runs { __typename } with nothing but loopback", async () => {
    // GraphiQL takes its first query from the address, as a shared link would.
    const opened = await page.goto(`${server.graphqlUrl}?query=${encodeURIComponent("{ __typename }")}`);
    // Its own policy: only its inline script (by hash) runs, and no site may frame it.
    expect(opened?.headers()["content-security-policy"]).toMatch(
      /script-src 'sha256-[^']+';.*frame-ancestors 'none'/,
    );
    const run = page.getByRole("button", { name: /Execute query/ });
    await run.waitFor({ timeout: 30_000 });
    await expect
      .poll(() => page.locator(".graphiql-query-editor .view-lines").first().innerText())
      .toMatch(/__typename/);
    const answered = page.waitForResponse(
      (response) =>
        new URL(response.url()).pathname === "/graphql" &&
        (response.request().postData() ?? "").includes("__typename") &&
        !(response.request().postData() ?? "").includes("IntrospectionQuery"),
    );
    await run.click();
    // Every answer reports the caller's query-cost budget (test/api/rate-limit.test.ts).
    const answer = {
      data: { __typename: "Query" },
      extensions: { rateLimit: expect.objectContaining({ cost: 1 }) },
    };
    expect(await (await answered).json()).toEqual(answer);
    // The response pane is Monaco too; it draws spaces as no-break spaces.
    const response = page.locator(".graphiql-response .view-lines").first();
    const shown = async () => {
      try {
        return JSON.parse((await response.innerText()).replaceAll("\u00a0", " "));
      } catch {
        return null; // still empty or being drawn
      }
    };
    await expect.poll(shown).toEqual(answer);
    await screenshot(page, "graphiql");
    expect(offline).toEqual([]);
    expect(cspViolations).toEqual([]);
  });
});
