// Issue 17.1 in headless Chromium against the real server process (demo
// data, embedded default): a batch whose carrier rejects two lines ends
// 異常終了; from its 履歴詳細 「異常終了分を再設定」 asks with the confirmation
// dialog, opens the new receipt's 履歴詳細 whose live progress reaches 正常終了,
// and the two receipts link to each other (元の受付 / 再設定の受付).
// The carrier is this test's own over HTTP (CARRIER_URL): it rejects the
// lines the test names, with the carrier's permanent answer, and applies the
// rest (test/support/rejecting-carrier.ts). Screenshots go to tmp/screenshots.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { carrierMessages, targetLineCount } from "../../domain/messages.ts";
import { launchBrowser, logIn, screenshot } from "../support/browser.ts";
import { graphql, loginAs } from "../support/graphql.ts";
import { type RejectingCarrier, startRejectingCarrier } from "../support/rejecting-carrier.ts";
import { type ServerProcess, startServerProcess } from "../support/server-process.ts";
import { ensureWebBuilt } from "../support/web-build.ts";

let carrier: RejectingCarrier;
let server: ServerProcess;
let browser: Browser;
let page: Page;
let baseUrl: string;
const dataDir = mkdtempSync(path.join(tmpdir(), "anshin-e2e-retry-"));

beforeAll(async () => {
  await ensureWebBuilt();
  carrier = await startRejectingCarrier();
  server = await startServerProcess({
    DATA_DIR: dataDir,
    FAKE_NOW: "2026-11-24T10:00:00+09:00",
    CARRIER_URL: carrier.url,
    CARRIER_FAILURE_RATE: "0",
  });
  baseUrl = `http://127.0.0.1:${server.port}`;
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1280, height: 800 }, locale: "ja-JP" });
  // What broke the page, if something does, shows in the test output.
  page.on("pageerror", (error) => console.error(`page error: ${error.stack ?? error.message}`));
}, 180_000);

afterEach(async (context) => {
  if (context.task.result?.state === "fail")
    await screenshot(page, `failed-retry-${context.task.name.slice(0, 30)}`);
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await carrier?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const counter = () => page.locator("output.counter").first();
const progressStatus = () => page.locator(".progress strong").first().innerText();
const progressDone = async () =>
  Number(await page.getByRole("progressbar").first().getAttribute("aria-valuenow"));
const lineage = () => page.getByRole("navigation", { name: "関連する受付" });
const retryButton = () => page.getByRole("button", { name: "異常終了分を再設定" });
const shownNumber = async () => /\d{16}/.exec(await page.locator(".receipt-number").first().innerText())?.[0];

/** The first `count` lines a selection may hold (active, not 3G), in the list's phone order. */
async function selectableLines(count: number): Promise<string[]> {
  const token = await loginAs(server.graphqlUrl, "Manager@admin");
  const result: any = await graphql(
    server.graphqlUrl,
    "query ($n: Int!) { lines(first: $n, filter: {contractStatus: ACTIVE, outOfService: false}) { edges { node { phoneNumber backup } } } }",
    { n: count },
    token,
  );
  const lines = result.data.lines.edges.map((e: any) => e.node);
  // R1: never changed, contracted before 2017-05-10 or after, backup is off; this test turns it on.
  expect(lines.every((l: { backup: boolean }) => !l.backup)).toBe(true);
  return lines.map((l: { phoneNumber: string }) => l.phoneNumber);
}

async function backupOverApi(phoneNumbers: string[]) {
  const token = await loginAs(server.graphqlUrl, "Manager@admin");
  const flags: boolean[] = [];
  for (const phoneNumber of phoneNumbers) {
    const result: any = await graphql(
      server.graphqlUrl,
      "query ($p: String!) { line(phoneNumber: $p) { backup } }",
      { p: phoneNumber },
      token,
    );
    flags.push(result.data.line.backup);
  }
  return flags;
}

describe("異常終了分を再設定 from 履歴詳細", () => {
  it("retries a batch's failed lines through the dialog; the new receipt reaches 正常終了; lineage both ways", async () => {
    const phones = await selectableLines(5);
    const failing = [phones[1]!, phones[3]!];

    // A batch of five: backup ON; the carrier rejects two of them.
    await logIn(page, baseUrl, "Manager@admin");
    await page.getByRole("link", { name: "利用可否設定 次へ" }).click();
    await page.getByRole("link", { name: /携帯電話番号一覧から選択/ }).click();
    await expect.poll(() => counter().innerText()).toMatch(/^対象回線選択:0件\//);
    for (const phone of phones) await page.getByLabel(`${phone}のバックアップ機能`).check();
    await expect.poll(() => counter().innerText()).toMatch(/^対象回線選択:5件\//);
    carrier.reject(failing);
    await page.getByRole("button", { name: "確認画面へ" }).click();
    await page.getByRole("heading", { name: "確認" }).waitFor();
    await expect.poll(() => page.getByRole("button", { name: "決定" }).isEnabled()).toBe(true);
    await page.getByRole("button", { name: "決定" }).click();
    await page.getByRole("heading", { name: "完了" }).waitFor();
    await expect.poll(progressDone, { timeout: 60_000, interval: 250 }).toBe(5);
    await expect.poll(progressStatus).toBe("異常終了");
    carrier.accept();
    const original = await shownNumber();
    expect(original).toMatch(/^\d{16}$/);

    // Its 履歴詳細: two lines 異常終了 with the carrier's text, and the action.
    await page.getByRole("link", { name: original }).click();
    await page.getByRole("heading", { name: "履歴詳細" }).waitFor();
    for (const phone of failing) {
      await expect
        .poll(() => page.locator("tbody tr", { hasText: phone }).innerText())
        .toContain(`異常終了（${carrierMessages.CARRIER_REJECTED}）`);
    }
    await retryButton().waitFor();
    await screenshot(page, "retry-01-failed-detail");

    // The confirmation dialog, as for a mail resend: キャンセル changes nothing …
    await retryButton().click();
    const dialog = page.getByRole("dialog");
    await dialog.waitFor();
    expect(await dialog.innerText()).toContain(targetLineCount(2));
    expect(await dialog.innerText()).toContain(
      "異常終了した回線に、同じ設定内容で再度利用可否設定を行います。よろしいですか？",
    );
    await screenshot(page, "retry-02-dialog");
    await dialog.getByRole("button", { name: "キャンセル" }).click();
    await expect.poll(() => dialog.isVisible()).toBe(false);
    expect(await shownNumber()).toBe(original);

    // … OK retries: the new receipt's 履歴詳細 with its live progress.
    await retryButton().click();
    await dialog.getByRole("button", { name: "OK" }).click();
    await expect.poll(shownNumber).not.toBe(original);
    const retried = await shownNumber();
    expect(page.url()).toBe(`${baseUrl}/history/${retried}`);
    await expect.poll(progressDone, { timeout: 60_000, interval: 250 }).toBe(2);
    await expect.poll(progressStatus).toBe("正常終了");
    for (const phone of failing) {
      await expect.poll(() => page.locator("tbody tr", { hasText: phone }).innerText()).toContain("正常終了");
    }
    await expect.poll(() => page.locator("tbody tr").count()).toBe(2);
    expect(await retryButton().count()).toBe(0);
    await expect.poll(() => lineage().innerText()).toContain("元の受付:");
    expect(await lineage().getByRole("link", { name: original }).count()).toBe(1);
    await screenshot(page, "retry-03-new-receipt");

    // Lineage the other way: the original lists its retry, and has nothing left to retry.
    await lineage().getByRole("link", { name: original }).click();
    await expect.poll(shownNumber).toBe(original);
    await expect.poll(() => lineage().innerText()).toContain("再設定の受付:");
    expect(await lineage().getByRole("link", { name: retried }).count()).toBe(1);
    await expect.poll(() => lineage().innerText()).toContain("（ステータス: 正常終了）");
    expect(await retryButton().count()).toBe(0);
    await screenshot(page, "retry-04-lineage");

    // The carrier was asked twice for the failed lines, once for the others; all five are ON.
    expect(phones.map((phone) => carrier.requests(phone))).toEqual(
      phones.map((phone) => (failing.includes(phone) ? 2 : 1)),
    );
    expect(await backupOverApi(phones)).toEqual([true, true, true, true, true]);
  });
});
