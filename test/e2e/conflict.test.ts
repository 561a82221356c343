// Two administrators in two browser contexts against the real server process
// (embedded default, fast simulated carrier): R18, a line changed by another
// administrator between 確認 and 決定 is refused with R5's message instead of
// being overwritten; R16, a 3G line is サービス対象外 and cannot be selected on
// any line list. Screenshots go to tmp/screenshots.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { userErrorMessages } from "../../domain/messages.ts";
import { launchBrowser, logIn, screenshot } from "../support/browser.ts";
import { graphql, loginAs } from "../support/graphql.ts";
import { type ServerProcess, startServerProcess } from "../support/server-process.ts";
import { ensureWebBuilt } from "../support/web-build.ts";

let server: ServerProcess;
let browser: Browser;
let contexts: BrowserContext[] = [];
let substitute: Page;
let manager: Page;
let baseUrl: string;
const dataDir = mkdtempSync(path.join(tmpdir(), "anshin-e2e-conflict-"));

// Demo lines: 090-1000-1011 is an active line of 開発部; 090-1000-1009 a 3G line of 物流部.
const LINE = "090-1000-1011";
const THREE_G = "090-1000-1009";

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
  const open = async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: "ja-JP" });
    contexts.push(context);
    return context.newPage();
  };
  substitute = await open();
  manager = await open();
}, 180_000);

afterEach(async (context) => {
  if (context.task.result?.state !== "fail") return;
  await screenshot(substitute, `failed-substitute-${context.task.name.slice(0, 30)}`);
  await screenshot(manager, `failed-manager-${context.task.name.slice(0, 30)}`);
});

afterAll(async () => {
  for (const context of contexts) await context.close();
  contexts = [];
  await browser?.close();
  await server?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

async function openLineList(page: Page) {
  await page.getByRole("link", { name: "利用可否設定 次へ" }).click();
  await page.getByRole("link", { name: /携帯電話番号一覧から選択/ }).click();
  await expect.poll(() => counter(page).innerText()).toBe("対象回線選択:0件/1,000件");
}

/** 確認画面へ, and wait until 確認 shows the server's preview and 決定 can be pressed. */
async function toConfirm(page: Page, lines: number) {
  await page.getByRole("button", { name: "確認画面へ" }).click();
  await page.getByRole("heading", { name: "確認" }).waitFor();
  await expect.poll(() => counter(page).innerText()).toBe(`対象回線件数: ${lines}件`);
  await expect.poll(() => page.getByRole("button", { name: "決定" }).isEnabled()).toBe(true);
}

/** 決定, then wait on 完了 until the carrier has applied every line. */
async function decideAndWaitUntilApplied(page: Page, lines: number) {
  await page.getByRole("button", { name: "決定" }).click();
  await page.getByRole("heading", { name: "完了" }).waitFor();
  const bar = page.getByRole("progressbar").first();
  await expect
    .poll(async () => Number(await bar.getAttribute("aria-valuenow")), { timeout: 60_000, interval: 250 })
    .toBe(lines);
  await expect.poll(() => page.locator(".progress strong").first().innerText()).toBe("正常終了");
}

const alert = (page: Page) => page.getByRole("alert");
const counter = (page: Page) => page.locator("output.counter").first();
const row = (page: Page, phoneNumber: string) => page.locator("tbody tr", { hasText: phoneNumber });

async function lineOverApi(phoneNumber: string) {
  const token = await loginAs(server.graphqlUrl, "Manager@admin");
  const result: any = await graphql(
    server.graphqlUrl,
    `query ($p: String!) { line(phoneNumber: $p) { backup phonebookMigration version }
       receipts(first: 10) { totalCount } }`,
    { p: phoneNumber },
    token,
  );
  return { ...result.data.line, receipts: result.data.receipts.totalCount };
}

describe("two administrators on the same line", () => {
  it("R18: 決定 of a line another administrator changed after 確認 shows R5's message and changes nothing", async () => {
    const before = await lineOverApi(LINE);
    expect(before.backup).toBe(false);

    // 代理管理者 flips migration on the line and goes to 確認.
    await logIn(substitute, baseUrl, "Substitute@admin");
    await openLineList(substitute);
    await substitute.getByLabel(`${LINE}の電話帳移行機能`).click();
    await expect.poll(() => counter(substitute).innerText()).toBe("対象回線選択:1件/1,000件");
    await toConfirm(substitute, 1);
    await screenshot(substitute, "conflict-01-substitute-confirm");

    // Meanwhile 管理者 allows backup on the same line, and the carrier applies it.
    await logIn(manager, baseUrl, "Manager@admin");
    await openLineList(manager);
    await manager.getByLabel(`${LINE}のバックアップ機能`).check();
    await toConfirm(manager, 1);
    await decideAndWaitUntilApplied(manager, 1);
    const changed = await lineOverApi(LINE);
    expect(changed).toMatchObject({ backup: true, version: before.version + 1, receipts: 1 });

    // 代理管理者 presses 決定 on what 確認 showed before that change.
    await substitute.getByRole("button", { name: "決定" }).click();
    await expect.poll(() => alert(substitute).innerText()).toBe(userErrorMessages.CONFLICT);
    expect(userErrorMessages.CONFLICT).toBe("ただいま受付できません。しばらく経ってから再度お試しください。");
    await expect(substitute.getByRole("heading", { name: "確認" }).count()).resolves.toBe(1);
    await screenshot(substitute, "conflict-02-substitute-refused");
    // Nothing of it was written: 管理者's backup stays, no second receipt.
    expect(await lineOverApi(LINE)).toEqual(changed);

    // Back to the list and to 確認 again: what is confirmed now is accepted.
    await substitute.getByRole("link", { name: "戻る" }).click();
    await expect.poll(() => counter(substitute).innerText()).toBe("対象回線選択:1件/1,000件");
    await toConfirm(substitute, 1);
    await decideAndWaitUntilApplied(substitute, 1);
    expect(await lineOverApi(LINE)).toMatchObject({ version: before.version + 2, receipts: 2 });
  });

  it("R16: a 3G line is サービス対象外 with a disabled checkbox, and ページ内全選択 skips it", async () => {
    await manager.goto(`${baseUrl}/`);
    await openLineList(manager);
    const threeG = row(manager, THREE_G);
    await expect.poll(() => threeG.locator("td").nth(5).innerText()).toBe("サービス対象外");
    expect(await manager.getByLabel(`${THREE_G}を選択`).isDisabled()).toBe(true);
    expect(await manager.getByLabel(`${THREE_G}のバックアップ機能`).isDisabled()).toBe(true);
    expect(await manager.getByLabel(`${THREE_G}の電話帳移行機能`).isDisabled()).toBe(true);
    // The first 50 lines hold three 3G lines (…1009, …1019, …1029).
    await manager.getByRole("button", { name: "ページ内全選択" }).first().click();
    await expect.poll(() => counter(manager).innerText()).toBe("対象回線選択:47件/1,000件");
    expect(await manager.getByLabel(`${THREE_G}を選択`).isChecked()).toBe(false);
    await screenshot(manager, "conflict-03-3g-line");

    // The mail screens list it the same way.
    for (const [menu, heading, cell] of [
      ["アプリダウンロード依頼メール送信 次へ", "アプリダウンロード依頼メール送信", 5],
      ["My SoftBankパスワード照会／通知 次へ", "My SoftBankパスワード照会／通知", 2],
    ] as const) {
      await manager.goto(`${baseUrl}/`);
      await manager.getByRole("link", { name: menu }).click();
      await manager.getByRole("heading", { name: heading }).waitFor();
      const mailRow = row(manager, THREE_G);
      await expect.poll(() => mailRow.locator("td").nth(cell).innerText()).toBe("サービス対象外");
      expect(await manager.getByLabel(`${THREE_G}を選択`).isDisabled()).toBe(true);
      await manager.getByRole("button", { name: "ページ内全選択" }).first().click();
      await expect.poll(() => counter(manager).innerText()).toMatch(/^対象回線選択:(\d+)件\//);
      expect(await manager.getByLabel(`${THREE_G}を選択`).isChecked()).toBe(false);
    }
  });
});
