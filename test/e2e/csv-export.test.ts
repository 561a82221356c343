// 「CSV出力」 in headless Chromium against the real server process on the demo
// data (issue 17.3): on 利用可否設定's line list and in 履歴詳細, with each
// encoding, the browser saves a file (Playwright's download event) that
// decodes to the screen's header row — UTF-8 with the BOM Excel looks for, or
// Shift_JIS without one — and holds what the screen lists under its filter.

import { mkdtempSync, rmSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { parse } from "csv-parse/sync";
import iconv from "iconv-lite";
import type { Browser, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser, logIn, screenshot } from "../support/browser.ts";
import { activeLineIds, loginAs, submitPermissionChange } from "../support/graphql.ts";
import { type ServerProcess, startServerProcess } from "../support/server-process.ts";
import { ensureWebBuilt } from "../support/web-build.ts";

let server: ServerProcess;
let browser: Browser;
let page: Page;
let baseUrl: string;
const dataDir = mkdtempSync(path.join(tmpdir(), "anshin-e2e-csv-export-"));

beforeAll(async () => {
  await ensureWebBuilt();
  server = await startServerProcess({
    DATA_DIR: dataDir,
    FAKE_NOW: "2026-11-24T10:00:00+09:00",
    CARRIER_LATENCY_MS: "0",
    CARRIER_FAILURE_RATE: "0",
  });
  baseUrl = `http://127.0.0.1:${server.port}`;
  browser = await launchBrowser();
  page = await browser.newPage({
    viewport: { width: 1280, height: 800 },
    locale: "ja-JP",
    acceptDownloads: true,
  });
  page.on("pageerror", (error) => console.error(`page error: ${error.message}`));
  await logIn(page, baseUrl, "Manager@admin");
}, 180_000);

afterEach(async (context) => {
  if (context.task.result?.state === "fail")
    await screenshot(page, `failed-csv-export-${context.task.name.slice(0, 40)}`);
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/** Chooses the encoding in the CSV出力 controls, presses 「CSV出力」, and returns the saved file. */
async function exportCsv(encoding: "UTF-8 (BOM付き)" | "Shift_JIS") {
  const controls = page.getByRole("group", { name: /をCSV出力$/ });
  await controls.getByLabel("文字コード").selectOption({ label: encoding });
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    controls.getByRole("button", { name: "CSV出力" }).click(),
  ]);
  const file = await download.path();
  return { name: download.suggestedFilename(), bytes: await readFile(file) };
}

/** The file's text: UTF-8 after its BOM, or Shift_JIS (no BOM), as Excel reads them. */
function decode(bytes: Buffer, encoding: "UTF-8 (BOM付き)" | "Shift_JIS"): string {
  if (encoding === "Shift_JIS") {
    expect(bytes.subarray(0, 3)).not.toEqual(BOM);
    return iconv.decode(bytes, "Shift_JIS");
  }
  expect(bytes.subarray(0, 3)).toEqual(BOM);
  return bytes.subarray(3).toString("utf8");
}

const ENCODINGS = ["UTF-8 (BOM付き)", "Shift_JIS"] as const;

describe("CSV出力 on 利用可否設定's line list", () => {
  it.each(ENCODINGS)("%s: the screen's columns, every line of the filter, CRLF", async (encoding) => {
    await page.goto(`${baseUrl}/permissions/lines`);
    await page.getByRole("table").waitFor();
    // The filter the screen shows: one group.
    const group = page.getByLabel("グループ名", { exact: true });
    const groupName = (await group.locator("option").nth(1).innerText()).trim();
    await group.selectOption({ label: groupName });
    await page.getByRole("button", { name: "検索", exact: true }).click();
    await expect.poll(() => page.locator("tbody tr td:nth-child(3)").first().innerText()).toBe(groupName);

    const { name, bytes } = await exportCsv(encoding);
    expect(name).toMatch(/^回線一覧_\d{8}_\d{4}\.csv$/);
    const text = decode(bytes, encoding);
    expect(text.split("\r\n")[0]).toBe(
      "No.,グループ名,電話番号,氏名,ステータス,機種,バックアップ機能,電話帳移行機能",
    );
    expect(text.endsWith("\r\n")).toBe(true);
    const rows: string[][] = parse(text);
    expect(rows.length).toBeGreaterThan(1);
    expect(rows.slice(1).every((row) => row[1] === groupName)).toBe(true);
    expect(rows.slice(1).map((row) => row[0])).toEqual(rows.slice(1).map((_row, i) => String(i + 1)));
  });
});

describe("CSV出力 in 履歴詳細", () => {
  let number: string;
  beforeAll(async () => {
    const token = await loginAs(server.graphqlUrl, "Manager@admin");
    ({ number } = await submitPermissionChange(
      server.graphqlUrl,
      token,
      await activeLineIds(server.graphqlUrl, token, 3),
    ));
  });

  it.each(ENCODINGS)("%s: the receipt's lines with the detail's columns", async (encoding) => {
    await page.goto(`${baseUrl}/history/${number}`);
    await page.getByRole("table", { name: "履歴詳細" }).waitFor();
    const { name, bytes } = await exportCsv(encoding);
    expect(name).toBe(`履歴詳細_${number}.csv`);
    const rows: string[][] = parse(decode(bytes, encoding));
    expect(rows[0]).toEqual([
      "No.",
      "グループ名",
      "電話番号",
      "氏名",
      "結果日時",
      "バックアップ機能",
      "電話帳移行機能",
      "ステータス",
    ]);
    expect(rows.slice(1).map((row) => [row[0], row[5], row[6]])).toEqual([
      ["1", "ON", "ON"],
      ["2", "ON", "ON"],
      ["3", "ON", "ON"],
    ]);
  });
});
