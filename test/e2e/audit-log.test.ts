// 監査ログ in headless Chromium against the real server process on the demo
// data (issue 18 point 3): the menu entry for MAIN administrators only, the
// list with a filter (操作, 電話番号), and the CSV export of what it shows.

import { mkdtempSync, rmSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { parse } from "csv-parse/sync";
import type { Browser, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { auditLogTexts } from "../../web/src/texts.ts";
import { launchBrowser, logIn, screenshot } from "../support/browser.ts";
import { activeLineIds, graphql, loginAs } from "../support/graphql.ts";
import { type ServerProcess, startServerProcess } from "../support/server-process.ts";
import { ensureWebBuilt } from "../support/web-build.ts";

let server: ServerProcess;
let browser: Browser;
let page: Page;
let baseUrl: string;
let inquired: { id: string; phoneNumber: string }[];
const dataDir = mkdtempSync(path.join(tmpdir(), "anshin-e2e-audit-log-"));

beforeAll(async () => {
  await ensureWebBuilt();
  server = await startServerProcess({
    DATA_DIR: dataDir,
    FAKE_NOW: "2026-11-24T10:00:00+09:00",
    CARRIER_LATENCY_MS: "0",
    CARRIER_FAILURE_RATE: "0",
  });
  baseUrl = `http://127.0.0.1:${server.port}`;
  // A パスワード照会 by the SUB administrator over the API: what the log must show.
  const graphqlUrl = `${baseUrl}/graphql`;
  const substitute = await loginAs(graphqlUrl, "Substitute@admin");
  const ids = await activeLineIds(graphqlUrl, substitute, 2);
  const inquiry: any = await graphql(
    graphqlUrl,
    "mutation ($input: InquirePasswordsInput!) { inquirePasswords(input: $input) { passwords { line { id phoneNumber } } userErrors { code } } }",
    { input: { lineIds: ids } },
    substitute,
  );
  inquired = inquiry.data.inquirePasswords.passwords.map((p: any) => p.line);
  expect(inquired).toHaveLength(2);
  browser = await launchBrowser();
  page = await browser.newPage({
    viewport: { width: 1280, height: 800 },
    locale: "ja-JP",
    acceptDownloads: true,
  });
  page.on("pageerror", (error) => console.error(`page error: ${error.message}`));
}, 180_000);

afterEach(async (context) => {
  if (context.task.result?.state === "fail")
    await screenshot(page, `failed-audit-log-${context.task.name.slice(0, 40)}`);
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const table = () => page.getByRole("table", { name: auditLogTexts.title });
const counter = () => page.locator("output.counter");

describe("監査ログ", () => {
  it("is on the menu of MAIN administrators only", async () => {
    await logIn(page, baseUrl, "Substitute@admin");
    await expect(page.getByRole("heading", { name: "履歴", exact: true }).count()).resolves.toBe(1);
    await expect(page.getByRole("heading", { name: auditLogTexts.title, exact: true }).count()).resolves.toBe(
      0,
    );
    await logIn(page, baseUrl, "Manager@admin");
    await page.getByRole("heading", { name: auditLogTexts.title, exact: true }).waitFor();
  });

  it("lists who did what, newest first, and narrows by 操作 and 電話番号", async () => {
    await page.getByRole("link", { name: `${auditLogTexts.title} 次へ` }).click();
    await page.getByRole("heading", { name: auditLogTexts.title, level: 1 }).waitFor();
    await table().waitFor();
    // Two sign-ins of this browser's own (SUB, then MAIN), the API's sign-in and the inquiry at least.
    await expect.poll(async () => (await table().getByRole("row").count()) - 1).toBeGreaterThanOrEqual(4);
    await expect(table().getByRole("row").nth(1).getByRole("cell").nth(1).innerText()).resolves.toBe(
      "ログイン",
    );

    await page.getByLabel(auditLogTexts.action, { exact: true }).selectOption({ label: "パスワード照会" });
    await page.getByRole("button", { name: "検索" }).click();
    await expect.poll(() => counter().innerText()).toBe(auditLogTexts.count(1));
    const cells = table().getByRole("row").nth(1).getByRole("cell");
    await expect(cells.allInnerTexts()).resolves.toEqual([
      expect.stringMatching(/^2026\/11\/24 \d\d:\d\d/),
      "パスワード照会",
      "代理管理者(サブ管理者)",
      "Substitute@admin",
      "127.0.0.1",
      `2件 ${inquired.map((l) => l.phoneNumber).join(", ")}`,
      "",
    ]);
    await screenshot(page, "audit-log-filtered");

    // 電話番号 without hyphens finds the same entry; another line's number none.
    await page.getByLabel(auditLogTexts.phone).fill((inquired[0]?.phoneNumber ?? "").replaceAll("-", ""));
    await page.getByRole("button", { name: "検索" }).click();
    await expect.poll(() => counter().innerText()).toBe(auditLogTexts.count(1));
    await page.getByLabel(auditLogTexts.phone).fill("090-0000-0000");
    await page.getByRole("button", { name: "検索" }).click();
    await expect.poll(() => page.getByText(auditLogTexts.empty).count()).toBe(1);
    await page.getByLabel(auditLogTexts.phone).fill("");
    await page.getByRole("button", { name: "検索" }).click();
    await expect.poll(() => counter().innerText()).toBe(auditLogTexts.count(1));
  });

  it("CSV出力 saves what the filter shows, without any password", async () => {
    const controls = page.getByRole("group", { name: `${auditLogTexts.csv}をCSV出力` });
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      controls.getByRole("button", { name: "CSV出力" }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^監査ログ_\d{8}_\d{4}\.csv$/);
    const bytes = await readFile(await download.path());
    const rows: string[][] = parse(bytes.subarray(3).toString("utf8"));
    expect(rows[0]).toEqual([
      "No.",
      "日時",
      "操作",
      "管理者名",
      "管理者ID",
      "IPアドレス",
      "対象回線数",
      "電話番号",
      "受付番号",
    ]);
    expect(rows.slice(1).map((r) => r.slice(2, 8))).toEqual([
      [
        "パスワード照会",
        "代理管理者(サブ管理者)",
        "Substitute@admin",
        "127.0.0.1",
        "2",
        expect.stringMatching(new RegExp(`^(${inquired.map((l) => l.phoneNumber).join("|")}) `)),
      ],
    ]);
  });
});
