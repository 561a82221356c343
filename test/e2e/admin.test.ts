// An administrator's path through the manual's screens in headless Chromium,
// against the real server process on the embedded default (PGlite, outbox
// mail) with a fast simulated carrier. Screenshots go to tmp/screenshots.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { screenTexts, targetLineCount, userErrorMessages } from "../../domain/messages.ts";
import { launchBrowser, logIn, screenshot, watchCspViolations } from "../support/browser.ts";
import { graphql, loginAs } from "../support/graphql.ts";
import { type ServerProcess, startServerProcess } from "../support/server-process.ts";
import { ensureWebBuilt } from "../support/web-build.ts";

let server: ServerProcess;
let browser: Browser;
let page: Page;
let baseUrl: string;
let cspViolations: string[];
const dataDir = mkdtempSync(path.join(tmpdir(), "anshin-e2e-"));

beforeAll(async () => {
  await ensureWebBuilt();
  server = await startServerProcess({
    DATA_DIR: dataDir,
    FAKE_NOW: "2026-11-24T10:00:00+09:00",
    CARRIER_LATENCY_MS: "5-40",
    CARRIER_FAILURE_RATE: "0",
  });
  baseUrl = `http://127.0.0.1:${server.port}`;
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1280, height: 800 }, locale: "ja-JP" });
  cspViolations = await watchCspViolations(page);
}, 180_000);

afterEach(async (context) => {
  // What the browser showed when a step failed.
  if (context.task.result?.state === "fail")
    await screenshot(page, `failed-${context.task.name.slice(0, 40)}`);
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const alert = (target: Page) => target.getByRole("alert");
const counter = (target: Page) => target.locator("output.counter").first();

/** Marks the document; a reload or a full navigation would lose the mark. */
async function markDocument(target: Page) {
  await target.evaluate(() => {
    (window as unknown as { __sameDocument: boolean }).__sameDocument = true;
  });
}
async function stillSameDocument(target: Page) {
  return target.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument === true);
}

async function waitForProgressComplete(target: Page, total: number) {
  const bar = target.getByRole("progressbar").first();
  await expect
    .poll(async () => Number(await bar.getAttribute("aria-valuenow")), { timeout: 60_000, interval: 250 })
    .toBe(total);
  await expect.poll(() => bar.getAttribute("aria-valuetext")).toBe("100%");
}

describe("an administrator in the browser", () => {
  it("logs in and sees the service menu's four entries with their help texts", async () => {
    await page.goto(`${baseUrl}/`);
    await page.getByLabel("管理者ID").fill("Manager@admin");
    await page.getByLabel("パスワード").fill("wrong");
    await page.getByRole("button", { name: "ログイン" }).click();
    await expect.poll(() => alert(page).innerText()).toBe("管理者IDまたはパスワードが正しくありません。");

    await logIn(page, baseUrl, "Manager@admin");
    for (const title of [
      "利用可否設定",
      "アプリダウンロード依頼メール送信",
      "My SoftBankパスワード照会／通知",
      "履歴",
    ]) {
      await expect(page.getByRole("heading", { name: title, exact: true }).count()).resolves.toBe(1);
    }
    await expect(
      page.getByText("※4Gケータイをご利用の場合は、ダウンロード依頼は不要です。").count(),
    ).resolves.toBe(1);
    await expect(page.getByText("デモ株式会社").count()).resolves.toBe(1);
    await screenshot(page, "01-menu");
  });

  it("shows R3's exact messages: no line selected, a cancelled line selected, more than 200", async () => {
    await page.getByRole("link", { name: "利用可否設定 次へ" }).click();
    await page.getByRole("link", { name: /携帯電話番号一覧から選択/ }).click();
    await expect.poll(() => counter(page).innerText()).toBe("対象回線選択:0件/1,000件");

    await page.getByRole("button", { name: "確認画面へ" }).click();
    await expect.poll(() => alert(page).innerText()).toBe(userErrorMessages.NO_LINES_SELECTED);

    // 090-1000-1007 is a cancelled line (解約済) on the first page.
    await page.getByLabel("090-1000-1007を選択").check();
    await page.getByRole("button", { name: "確認画面へ" }).click();
    await expect.poll(() => alert(page).innerText()).toBe(userErrorMessages.CANCELLED_LINE_SELECTED);
    await screenshot(page, "02-r3-cancelled");
    await page.getByLabel("090-1000-1007を選択").uncheck();
    await expect.poll(() => counter(page).innerText()).toBe("対象回線選択:0件/1,000件");
  });

  it("selects 200 active lines across pages, confirms, submits and watches the progress reach 100% without reloading", async () => {
    await page.getByLabel("契約状態").selectOption("ACTIVE");
    await page.getByRole("button", { name: "検索" }).click();
    await expect.poll(() => counter(page).innerText()).toBe("対象回線選択:0件/980件");
    await page.getByLabel("表示件数").first().selectOption("100");

    for (const pageNo of [1, 2]) {
      await expect.poll(() => page.locator("nav.pager span").innerText()).toBe(`${pageNo}/10`);
      await expect.poll(() => page.locator("tbody tr").count()).toBe(100);
      await expect
        .poll(() => page.locator("tbody tr td:nth-child(2)").first().innerText())
        .toBe(String((pageNo - 1) * 100 + 1));
      await page.getByRole("button", { name: "ページ内全選択" }).first().click();
      await page.getByLabel("ページ内の選択した回線のバックアップ機能").check();
      await page.getByLabel("ページ内の選択した回線の電話帳移行機能").check();
      if (pageNo === 1) await page.getByRole("button", { name: "次へ" }).click();
    }
    // ページ内全選択 skipped the three 3G lines of page 1 (R16: サービス対象外).
    await expect.poll(() => counter(page).innerText()).toBe("対象回線選択:197件/980件");
    await page.getByRole("button", { name: "次へ" }).click();
    await expect.poll(() => page.locator("nav.pager span").innerText()).toBe("3/10");
    const rowBoxes = page.locator("tbody tr input[type=checkbox][aria-label$='を選択']");
    for (const row of [0, 1, 2]) await rowBoxes.nth(row).check();
    await page.getByLabel("ページ内の選択した回線のバックアップ機能").check();
    await page.getByLabel("ページ内の選択した回線の電話帳移行機能").check();
    await expect.poll(() => counter(page).innerText()).toBe("対象回線選択:200件/980件");

    // A 201st line is refused at selection.
    const extra = rowBoxes.nth(3);
    await extra.click();
    await expect.poll(() => alert(page).innerText()).toBe(userErrorMessages.TOO_MANY_LINES);
    expect(await extra.isChecked()).toBe(false);
    await expect.poll(() => counter(page).innerText()).toBe("対象回線選択:200件/980件");
    await screenshot(page, "03-lines-200");

    await page.getByRole("button", { name: "確認画面へ" }).click();
    await page.getByRole("heading", { name: "確認" }).waitFor();
    await expect.poll(() => counter(page).innerText()).toBe("対象回線件数: 200件");
    // R14: migration allowed on shared-phonebook lines shows the manual's caution.
    await expect(
      page.getByText(screenTexts.SHARED_PHONEBOOK_CAUTION.split("\n")[1] as string).count(),
    ).resolves.toBe(1);
    await expect(page.locator("tbody tr").count()).resolves.toBe(20);
    await screenshot(page, "04-confirm");

    await markDocument(page);
    await page.getByRole("button", { name: "決定" }).click();
    await page.getByRole("heading", { name: "完了" }).waitFor();
    const number = await page.locator(".receipt-number a").innerText();
    expect(number).toMatch(/^20261124\d{8}$/);
    await waitForProgressComplete(page, 200);
    await expect.poll(() => page.locator(".progress strong").first().innerText()).toBe("正常終了");
    expect(await stillSameDocument(page)).toBe(true);
    await screenshot(page, "05-done-progress");

    // The lines now carry the new flags (checked through the API).
    const token = await loginAs(server.graphqlUrl, "Manager@admin");
    const receipt: any = await graphql(
      server.graphqlUrl,
      "query ($n: String!) { receipt(number: $n) { status progress { succeeded } } }",
      { n: number },
      token,
    );
    expect(receipt.data.receipt).toEqual({ status: "SUCCEEDED", progress: { succeeded: 200 } });
  });

  it("sends the app-download mail to the lines just allowed, pre-selected", async () => {
    await page.getByRole("link", { name: "アプリダウンロード依頼" }).click();
    await page.getByRole("heading", { name: "アプリダウンロード依頼メール送信" }).waitFor();
    await expect.poll(() => counter(page).innerText()).toMatch(/^対象回線選択:200件\//);
    await page.getByRole("button", { name: "依頼メール送信", exact: true }).click();
    const dialog = page.getByRole("dialog");
    await expect
      .poll(() => dialog.locator("p").allInnerTexts())
      .toEqual([screenTexts.APP_DOWNLOAD_MAIL_CONFIRM, targetLineCount(200)]);
    await screenshot(page, "06-app-mail-dialog");
    await markDocument(page);
    await dialog.getByRole("button", { name: "OK" }).click();
    await page.getByRole("heading", { name: "アプリダウンロード依頼メール送信 完了" }).waitFor();
    // 4G feature phones and preinstalled apps need no mail (R9): listed with the reason.
    const skipped = await page.locator(".skipped li").count();
    expect(skipped).toBeGreaterThan(0);
    await waitForProgressComplete(page, 200 - skipped);
    expect(await stillSameDocument(page)).toBe(true);
    await screenshot(page, "07-app-mail-done");
  });

  it("looks up passwords and sends the password notice", async () => {
    await page.getByRole("link", { name: "My SoftBankパスワード通知" }).click();
    await page.getByRole("heading", { name: "My SoftBankパスワード照会／通知" }).waitFor();
    await expect.poll(() => counter(page).innerText()).toMatch(/^対象回線選択:200件\//);
    await page.getByRole("button", { name: "照会", exact: true }).click();
    await expect.poll(() => page.locator("td.password").first().innerText()).not.toBe("");
    await screenshot(page, "08-passwords");
    await page.getByRole("button", { name: "通知メール送信", exact: true }).click();
    const dialog = page.getByRole("dialog");
    await expect
      .poll(() => dialog.locator("p").allInnerTexts())
      .toEqual([screenTexts.PASSWORD_NOTICE_CONFIRM, targetLineCount(200)]);
    await dialog.getByRole("button", { name: "OK" }).click();
    await page.getByRole("heading", { name: "My SoftBankパスワード照会／通知 完了" }).waitFor();
    const skipped = await page.locator(".skipped li").count(); // Windows 10 Mobile (R10)
    await waitForProgressComplete(page, 200 - skipped);
  });

  it("opens the history, a mail receipt's detail, and resends one mail", async () => {
    await page.getByRole("link", { name: "OK" }).click();
    await page.getByRole("link", { name: "履歴 次へ" }).click();
    await page.getByRole("heading", { name: "履歴一覧" }).waitFor();
    await expect.poll(() => counter(page).innerText()).toBe("受付件数: 3件");
    await expect(page.locator("tbody tr").allInnerTexts()).resolves.toEqual([
      expect.stringContaining("My SoftBankパスワード通知メール"),
      expect.stringContaining("アプリダウンロード依頼メール"),
      expect.stringContaining("利用可否設定"),
    ]);
    await screenshot(page, "09-history");

    await page.getByRole("link", { name: historyLinkText() }).click();
    await page.getByRole("heading", { name: "履歴一覧" }).waitFor();
    await expect.poll(() => counter(page).innerText()).toBe("受付件数: 1件");
    await page.getByRole("link", { name: "戻る" }).click();

    await page.locator("tbody tr", { hasText: "アプリダウンロード依頼メール" }).getByRole("link").click();
    await page.getByRole("heading", { name: "履歴詳細" }).waitFor();
    await expect.poll(() => page.locator("tbody tr").count()).toBe(20);
    await page.locator("tbody tr input[type=checkbox]").first().check();
    await page.getByRole("button", { name: "メール再送", exact: true }).click();
    const dialog = page.getByRole("dialog");
    await expect
      .poll(() => dialog.locator("p").allInnerTexts())
      .toEqual([screenTexts.APP_DOWNLOAD_MAIL_CONFIRM, targetLineCount(1)]);
    await dialog.getByRole("button", { name: "OK" }).click();
    await page.getByRole("heading", { name: "メール再送 完了" }).waitFor();
    await expect(page.getByText("受付が完了しました。").count()).resolves.toBe(1);
    await waitForProgressComplete(page, 1);
    await screenshot(page, "10-resend-done");

    await page.getByRole("link", { name: "OK" }).click();
    await page.getByRole("link", { name: "履歴 次へ" }).click();
    await expect.poll(() => counter(page).innerText()).toBe("受付件数: 4件");

    // The permission change's detail: ON/OFF per line and the final status.
    await page.locator("tbody tr", { hasText: "利用可否設定" }).getByRole("link").click();
    await page.getByRole("heading", { name: "履歴詳細" }).waitFor();
    await expect.poll(() => page.locator("tbody tr").first().innerText()).toContain("ON\tON\t正常終了");
    await screenshot(page, "11-permission-detail");
  });

  it("a GROUP administrator sees only the lines of their group", async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const groupPage = await context.newPage();
    await logIn(groupPage, baseUrl, "GroupA@admin");
    await groupPage.getByRole("link", { name: "利用可否設定 次へ" }).click();
    await groupPage.getByRole("link", { name: /携帯電話番号一覧から選択/ }).click();
    await expect.poll(() => counter(groupPage).innerText()).toBe("対象回線選択:0件/96件");
    await groupPage.getByLabel("表示件数").first().selectOption("100");
    await expect.poll(() => groupPage.locator("tbody tr").count()).toBe(96);
    const groups = await groupPage.locator("tbody tr td:nth-child(3)").allInnerTexts();
    expect(new Set(groups)).toEqual(new Set(["営業部"]));
    await context.close();
  });

  it("stays usable on a narrow window: nothing but the tables scrolls sideways", async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 800 } });
    const narrow = await context.newPage();
    await logIn(narrow, baseUrl, "Manager@admin");
    await narrow.getByRole("link", { name: "利用可否設定 次へ" }).click();
    await narrow.getByRole("link", { name: /携帯電話番号一覧から選択/ }).click();
    await expect.poll(() => counter(narrow).innerText()).toBe("対象回線選択:0件/1,000件");
    const overflow = await narrow.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await screenshot(narrow, "12-narrow");
    await context.close();
  });
});

describe("the web client under its Content-Security-Policy", () => {
  it("ran every screen above (live progress over WebSocket included) with no violation, and blocks inline script", async () => {
    expect(cspViolations).toEqual([]);
    // The policy is enforced, and the watcher sees what it blocks.
    await page.goto(`${baseUrl}/`);
    const ran = await page.evaluate(() => {
      const script = document.createElement("script");
      script.textContent = "window.__inlineScriptRan = true";
      document.head.append(script);
      return (window as unknown as { __inlineScriptRan?: boolean }).__inlineScriptRan === true;
    });
    expect(ran).toBe(false);
    await expect.poll(() => cspViolations.join("\n")).toMatch(/script-src/);
  });
});

function historyLinkText() {
  return ">> My SoftBankパスワード通知メールの履歴はこちら";
}
