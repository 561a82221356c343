// Issue 17 (points 4, 5, 7, 8, 9): a web client that guides instead of hiding,
// in headless Chromium against the real server process on the demo data.
// Errors appear at the action pressed (in view, focused, announced) with the
// rows they name marked and deselectable at once; every screen showing a
// receipt has it in its URL and the session is the browser's, so a reload or
// a new tab mid-batch keeps the receipt and its bar; a session ended elsewhere
// (or left idle) asks for sign-in with why and returns to the screen and its
// selection; 手動更新 says what it added; a finished batch is told on any
// screen; and the smaller things seen (titles, focus, counters, narrow
// windows, fonts, the role in the header, 解約済 on パスワード照会, 確認's
// before → after, groups that must be set). axe runs on every screen.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { AxeBuilder } from "@axe-core/playwright";
import type { Browser, BrowserContext, Locator, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { authErrorMessages, userErrorMessages } from "../../domain/messages.ts";
import { launchBrowser, logIn, screenshot, watchCspViolations } from "../support/browser.ts";
import { activeLineIds, graphql, loginAs, submitPermissionChange } from "../support/graphql.ts";
import { type ServerProcess, startServerProcess } from "../support/server-process.ts";
import { waitForFinalReceiptOverApi } from "../support/wait.ts";
import { ensureWebBuilt } from "../support/web-build.ts";

const SERVICE = "あんしんバックアップ／連絡先コピー設定";
const ENDED =
  "ログインの有効期限が切れたか、別の画面・端末でログアウトされたため、ログアウトしました。再度ログインしてください。";
const IDLE = "6秒間操作がなかったため、ログアウトしました。再度ログインしてください。";
// Demo lines: 090-1000-1007 is cancelled (解約済), 090-1000-1009 a 3G line.
const CANCELLED = "090-1000-1007";

let server: ServerProcess;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let baseUrl: string;
let cspViolations: string[];
const contexts: BrowserContext[] = [];
const dataDir = mkdtempSync(path.join(tmpdir(), "anshin-e2e-guidance-"));

beforeAll(async () => {
  await ensureWebBuilt();
  server = await startServerProcess({
    DATA_DIR: dataDir,
    FAKE_NOW: "2026-11-24T10:00:00+09:00",
    // One item at a time, about a second each: a 10-line batch runs long
    // enough to reload and open a tab in the middle of it.
    CARRIER_LATENCY_MS: "900-1200",
    WORKER_CONCURRENCY: "1",
    CARRIER_FAILURE_RATE: "0",
  });
  baseUrl = `http://127.0.0.1:${server.port}`;
  browser = await launchBrowser();
  context = await newContext();
  page = await context.newPage();
  cspViolations = await watchCspViolations(page);
}, 180_000);

afterEach(async (test) => {
  if (test.task.result?.state === "fail")
    await screenshot(page, `guidance-failed-${test.task.name.slice(0, 40)}`);
});

afterAll(async () => {
  for (const open of contexts) await open.close();
  await browser?.close();
  await server?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

async function newContext(viewport = { width: 1280, height: 800 }) {
  const created = await browser.newContext({ viewport, locale: "ja-JP" });
  contexts.push(created);
  return created;
}

const counter = (target: Page) => target.locator("output.counter").first();
const actionAlert = (target: Page) => target.locator(".action-bar [role=alert]");
const heading = (target: Page, name: string) => target.getByRole("heading", { level: 1, name, exact: true });
const row = (target: Page, phoneNumber: string) => target.locator("tbody tr", { hasText: phoneNumber });

/** What has focus: its tag, id, classes and text. */
function focused(target: Page) {
  return target.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    return { tag: el?.tagName, id: el?.id, className: el?.className, text: el?.innerText?.trim() };
  });
}

/** Whether the whole element is inside the window, as it is now (no scrolling). */
async function inView(target: Page, locator: Locator) {
  const box = await locator.boundingBox();
  const viewport = target.viewportSize();
  if (!box || !viewport) return false;
  return (
    box.y >= 0 && box.y + box.height <= viewport.height && box.x >= 0 && box.x + box.width <= viewport.width
  );
}

async function openLines(target: Page) {
  await target.getByRole("link", { name: SERVICE, exact: true }).click();
  await target.getByRole("link", { name: "利用可否設定 次へ" }).click();
  await target.getByRole("link", { name: /携帯電話番号一覧から選択/ }).click();
  await heading(target, "携帯電話番号一覧から選択/設定").waitFor();
  await expect.poll(() => counter(target).innerText()).toMatch(/^対象回線選択:\d+件\/1,00\d件$/);
}

async function axeViolations(target: Page) {
  const result = await new AxeBuilder({ page: target }).analyze();
  return result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
}

describe("signing in", () => {
  it("says 管理者ID in the error as the field does, and shows the administrator's role once", async () => {
    await page.goto(`${baseUrl}/`);
    await heading(page, "ログイン").waitFor();
    expect(await page.title()).toBe(`ログイン | ${SERVICE}`);
    await page.getByLabel("管理者ID").fill("Substitute@admin");
    await page.getByLabel("パスワード").fill("wrong");
    await page.getByRole("button", { name: "ログイン" }).click();
    await expect.poll(() => page.getByRole("alert").innerText()).toBe(authErrorMessages.INVALID_CREDENTIALS);
    expect(authErrorMessages.INVALID_CREDENTIALS).toBe("管理者IDまたはパスワードが正しくありません。");

    await logIn(page, baseUrl, "Substitute@admin");
    const who = await page.locator(".who").innerText();
    expect(who).toContain("代理管理者(サブ管理者)（Substitute@admin）");
    expect(who.split("代理管理者(サブ管理者)").length - 1).toBe(1);
  });
});

describe("each screen", () => {
  it("has its own title, takes focus to its heading, and a skip link leads to the content", async () => {
    const titles: string[] = [await page.title()];
    // First stop of a fresh page: the skip link.
    await page.goto(`${baseUrl}/`);
    await heading(page, "サービスメニュー").waitFor();
    await page.keyboard.press("Tab");
    expect(await focused(page)).toMatchObject({ tag: "A", text: "本文へ移動" });
    await page.keyboard.press("Enter");
    expect(await focused(page)).toMatchObject({ tag: "MAIN", id: "main" });

    for (const [link, title] of [
      ["利用可否設定 次へ", "利用可否設定"],
      [/携帯電話番号一覧から選択/, "携帯電話番号一覧から選択/設定"],
    ] as const) {
      await page.getByRole("link", { name: link }).click();
      await heading(page, title).waitFor();
      await expect.poll(() => focused(page)).toMatchObject({ tag: "H1", text: title });
      titles.push(await page.title());
    }
    await page.getByRole("link", { name: "戻る" }).click();
    await page.getByRole("link", { name: /グループから選択/ }).click();
    await expect.poll(() => focused(page)).toMatchObject({ tag: "H1", text: "グループから選ぶ/設定" });
    titles.push(await page.title());
    await page.goto(`${baseUrl}/history`);
    await heading(page, "履歴一覧").waitFor();
    titles.push(await page.title());
    expect(titles).toEqual([
      `サービスメニュー | ${SERVICE}`,
      `利用可否設定 | ${SERVICE}`,
      `携帯電話番号一覧から選択/設定 | ${SERVICE}`,
      `グループから選ぶ/設定 | ${SERVICE}`,
      `履歴一覧 | ${SERVICE}`,
    ]);
  });
});

describe("errors where the eye is", () => {
  it("shows 確認画面へ's errors beside it, in view and focused, marks the rows they name and deselects them at once", async () => {
    await openLines(page);
    await page.getByRole("button", { name: "確認画面へ" }).click();
    await expect.poll(() => actionAlert(page).innerText()).toBe(userErrorMessages.NO_LINES_SELECTED);
    await expect.poll(() => focused(page)).toMatchObject({ className: "action-feedback" });
    expect(await inView(page, actionAlert(page))).toBe(true);

    for (const phone of ["090-1000-1001", "090-1000-1002", CANCELLED])
      await page.getByLabel(`${phone}を選択`).check();
    await expect.poll(() => actionAlert(page).innerText()).toBe("");
    // The table is long: the button stays in view, and so does its answer.
    await page.mouse.wheel(0, 600);
    await page.getByRole("button", { name: "確認画面へ" }).click();
    await expect.poll(() => actionAlert(page).innerText()).toBe(userErrorMessages.CANCELLED_LINE_SELECTED);
    await expect.poll(() => focused(page)).toMatchObject({ className: "action-feedback" });
    expect(await inView(page, page.locator(".action-feedback"))).toBe(true);
    expect(await page.locator(".action-feedback .flagged p").innerText()).toBe(
      `該当する回線（1件）: ${CANCELLED}`,
    );
    await expect.poll(() => row(page, CANCELLED).getAttribute("class")).toBe("flagged");
    expect(await row(page, CANCELLED).locator("td").nth(1).innerText()).toContain("（エラーの該当回線）");
    expect(await page.locator("tbody tr.flagged").count()).toBe(1);
    await screenshot(page, "guidance-01-error-at-action");

    await page.getByRole("button", { name: "該当行の選択を解除" }).click();
    expect(await page.getByLabel(`${CANCELLED}を選択`).isChecked()).toBe(false);
    await expect.poll(() => counter(page).innerText()).toBe("対象回線選択:2件/1,000件");
    await expect.poll(() => actionAlert(page).innerText()).toBe("");
    expect(await page.locator("tbody tr.flagged").count()).toBe(0);
  });

  it("確認 shows each setting before → after and marks the lines where nothing changes", async () => {
    // Both lines were selected as they are: nothing would change.
    await page.getByRole("button", { name: "確認画面へ" }).click();
    await heading(page, "確認").waitFor();
    await expect
      .poll(() => page.locator(".caution").first().innerText())
      .toBe("選択した2件の回線は、いずれも設定が変わりません（表の「変更なし」）。");
    await page.getByRole("link", { name: "戻る" }).click();
    await heading(page, "携帯電話番号一覧から選択/設定").waitFor();
    await expect.poll(() => counter(page).innerText()).toBe("対象回線選択:2件/1,000件");
    await page.getByLabel("090-1000-1001のバックアップ機能").check();
    await page.getByRole("button", { name: "確認画面へ" }).click();
    await heading(page, "確認").waitFor();
    await expect
      .poll(() => page.locator(".caution").first().innerText())
      .toBe("設定が変わらない回線が1件あります（表の「変更なし」）。");
    // 090-1000-1001: backup OFF → ON, migration stays ON; 090-1000-1002 changes nothing.
    const changed = await row(page, "090-1000-1001").locator("td").allInnerTexts();
    expect(changed.slice(2, 5)).toEqual(["090-1000-1001", "小林 花子", "OFF → ON"]);
    expect(changed[5]).toMatch(/^ON → ON/); // (a ※ follows on a shared-phonebook line, R14)
    expect(changed[6]).toBe("");
    expect(await row(page, "090-1000-1001").locator(".changed strong").innerText()).toBe("ON");
    expect(await row(page, "090-1000-1002").getAttribute("class")).toBe("unchanged");
    expect((await row(page, "090-1000-1002").locator("td").allInnerTexts()).slice(4)).toEqual([
      "OFF → OFF",
      "OFF → OFF",
      "変更なし",
    ]);
    await screenshot(page, "guidance-02-confirm-before-after");
  });

  it("groups: more than 200 lines is said as soon as it is chosen, and each group's settings must be chosen (no silent OFF)", async () => {
    await page.getByRole("link", { name: SERVICE, exact: true }).click();
    await page.getByRole("link", { name: "利用可否設定 次へ" }).click();
    await page.getByRole("link", { name: /グループから選択/ }).click();
    await heading(page, "グループから選ぶ/設定").waitFor();
    await expect.poll(() => page.locator("tbody tr").count()).toBeGreaterThan(2);
    // Groups start unset: neither ON nor OFF.
    const selectable = page.locator("tbody tr", { has: page.locator("input[type=checkbox]:enabled") });
    const groups: { name: string; members: number }[] = [];
    for (let i = 0; groups.reduce((sum, g) => sum + g.members, 0) <= 200; i++) {
      const group = selectable.nth(i);
      const name = await group.locator("td").nth(2).innerText();
      const members = Number((await group.locator("td").nth(3).innerText()).replace(/[名,]/g, ""));
      await group.locator("input[type=checkbox]").check();
      groups.push({ name, members });
      expect(await page.getByLabel(`${name}のバックアップ機能`).inputValue()).toBe("");
      expect(await page.getByLabel(`${name}の電話帳移行機能`).inputValue()).toBe("");
    }
    const total = groups.reduce((sum, g) => sum + g.members, 0);
    // Said at once, before any button.
    await expect.poll(() => actionAlert(page).innerText()).toBe(userErrorMessages.TOO_MANY_LINES);
    expect(await page.locator(".counter-detail").innerText()).toBe(
      `対象回線数: ${total.toLocaleString("ja-JP")}件`,
    );
    await page.getByRole("button", { name: "確認画面へ" }).click();
    await expect.poll(() => focused(page)).toMatchObject({ className: "action-feedback" });

    const last = groups.pop();
    await page.getByLabel(`${last?.name}を選択`).uncheck();
    await expect.poll(() => actionAlert(page).innerText()).toBe("");
    await page.getByRole("button", { name: "確認画面へ" }).click();
    await expect
      .poll(() => actionAlert(page).innerText())
      .toBe(
        `「${groups.map((g) => g.name).join("」「")}」の「バックアップ機能」「電話帳移行機能」をONまたはOFFから選んでください。`,
      );
    await expect.poll(() => focused(page)).toMatchObject({ className: "action-feedback" });
    await screenshot(page, "guidance-03-groups-must-choose");
    for (const group of groups) {
      await page.getByLabel(`${group.name}のバックアップ機能`).selectOption("on");
      await page.getByLabel(`${group.name}の電話帳移行機能`).selectOption("on");
    }
    await page.getByRole("button", { name: "確認画面へ" }).click();
    await heading(page, "確認").waitFor();
    const members = groups.reduce((sum, g) => sum + g.members, 0);
    await expect.poll(() => counter(page).innerText()).toBe(`対象回線件数: ${members}件`);
    expect(await page.locator("tbody tr").first().locator("td").nth(4).innerText()).toMatch(/→ ON$/);
  });
});

describe("nothing lost on reload or in a new tab", () => {
  let number: string;

  it("完了 has the receipt in its URL: a reload and a new tab mid-batch show the receipt and its bar", async () => {
    await openLines(page);
    const phones = [1000, 1001, 1002, 1003, 1004, 1005, 1006, 1008, 1010, 1011].map((n) => `090-1000-${n}`);
    for (const phone of phones) await page.getByLabel(`${phone}を選択`).check();
    await page.getByLabel("ページ内の選択した回線のバックアップ機能").check();
    await expect.poll(() => counter(page).innerText()).toBe("対象回線選択:10件/1,000件");
    await page.getByRole("button", { name: "確認画面へ" }).click();
    await heading(page, "確認").waitFor();
    await page.getByRole("button", { name: "決定" }).click();
    await heading(page, "完了").waitFor();
    number = await page.locator(".receipt-number a").innerText();
    expect(page.url()).toBe(`${baseUrl}/permissions/done/${number}`);

    await page.reload();
    await heading(page, "完了").waitFor();
    expect(await page.locator(".receipt-number a").innerText()).toBe(number);
    const bar = page.getByRole("progressbar");
    await bar.waitFor();
    expect(Number(await bar.getAttribute("aria-valuenow"))).toBeLessThan(10);

    // A new tab of the same browser: the session is shared, no sign-in.
    const tab = await context.newPage();
    await tab.goto(`${baseUrl}/permissions/done/${number}`);
    await heading(tab, "完了").waitFor();
    expect(await tab.locator(".receipt-number a").innerText()).toBe(number);
    await tab.getByRole("progressbar").waitFor();
    await tab.goto(`${baseUrl}/history/${number}`);
    await heading(tab, "履歴詳細").waitFor();
    expect(await tab.locator(".receipt-summary .receipt-number").innerText()).toBe(number);
    await tab.close();
  });

  it("アプリダウンロード依頼 keeps its pre-selection through a reload", async () => {
    await page.getByRole("link", { name: "アプリダウンロード依頼" }).click();
    await heading(page, "アプリダウンロード依頼メール送信").waitFor();
    expect(page.url()).toBe(`${baseUrl}/app-mail?from=${number}`);
    await expect.poll(() => counter(page).innerText()).toMatch(/^対象回線選択:10件\//);
    await page.reload();
    await heading(page, "アプリダウンロード依頼メール送信").waitFor();
    await expect.poll(() => counter(page).innerText()).toMatch(/^対象回線選択:10件\//);
  });

  it("a batch finishing while the administrator is on another screen changes the tab's title and shows a notice", async () => {
    await page.getByRole("link", { name: SERVICE, exact: true }).click();
    await heading(page, "サービスメニュー").waitFor();
    const notice = `利用可否設定（受付番号 ${number}）の処理が正常終了しました。`;
    await expect.poll(() => page.locator(".notice p").allInnerTexts(), { timeout: 45_000 }).toEqual([notice]);
    await expect.poll(() => page.title()).toBe(`【処理完了】サービスメニュー | ${SERVICE}`);
    await screenshot(page, "guidance-04-finished-notice");
    // Told until closed, on any screen and after a reload.
    await page.reload();
    await expect.poll(() => page.locator(".notice p").allInnerTexts()).toEqual([notice]);
    await page.locator(".notice").getByRole("button", { name: "閉じる" }).click();
    await expect.poll(() => page.locator(".notice").count()).toBe(0);
    await expect.poll(() => page.title()).toBe(`サービスメニュー | ${SERVICE}`);
  }, 60_000);
});

describe("a session that ends", () => {
  it("ended elsewhere (logout through the API), asks for sign-in with why in every tab and returns to the screen with its selection", async () => {
    await openLines(page);
    for (const phone of ["090-1000-1012", "090-1000-1013", "090-1000-1014"])
      await page.getByLabel(`${phone}を選択`).check();
    await expect.poll(() => counter(page).innerText()).toBe("対象回線選択:3件/1,000件");
    const tab = await context.newPage();
    await tab.goto(`${baseUrl}/history`);
    await heading(tab, "履歴一覧").waitFor();

    const token = await page.evaluate(() => localStorage.getItem("anshin.token"));
    expect(token).toBeTruthy();
    expect((await graphql(server.graphqlUrl, "mutation { logout }", {}, token ?? "")).data).toEqual({
      logout: true,
    });

    for (const signedOut of [page, tab]) {
      await heading(signedOut, "ログイン").waitFor();
      await expect
        .poll(() => signedOut.locator(".session-ended p").allInnerTexts())
        .toEqual([ENDED, "ログインすると、操作していた画面に戻ります（選択中の内容はそのままです）。"]);
    }
    await screenshot(page, "guidance-05-session-ended");
    await page.getByLabel("管理者ID").fill("Substitute@admin");
    await page.getByLabel("パスワード").fill("demo-pass");
    await page.getByRole("button", { name: "ログイン" }).click();
    await heading(page, "携帯電話番号一覧から選択/設定").waitFor();
    await expect.poll(() => focused(page)).toMatchObject({ tag: "H1" });
    await expect.poll(() => counter(page).innerText()).toBe("対象回線選択:3件/1,000件");
    expect(await page.getByLabel("090-1000-1013を選択").isChecked()).toBe(true);
    // The other tab signed in with it, back on its own screen.
    await heading(tab, "履歴一覧").waitFor();
    await tab.close();
  });

  it("another administrator signing in after it starts afresh at the menu", async () => {
    const token = await page.evaluate(() => localStorage.getItem("anshin.token"));
    await graphql(server.graphqlUrl, "mutation { logout }", {}, token ?? "");
    await heading(page, "ログイン").waitFor();
    await page.getByLabel("管理者ID").fill("Manager@admin");
    await page.getByLabel("パスワード").fill("demo-pass");
    await page.getByRole("button", { name: "ログイン" }).click();
    await heading(page, "サービスメニュー").waitFor();
    expect(new URL(page.url()).pathname).toBe("/");
    await page.getByRole("link", { name: "利用可否設定 次へ" }).click();
    await page.getByRole("link", { name: /携帯電話番号一覧から選択/ }).click();
    await expect.poll(() => counter(page).innerText()).toBe("対象回線選択:0件/1,000件");
  });
});

describe("smaller things seen", () => {
  it("counters: thousands separators, and only the selection while a filter matches nothing (never 「1件/0件」)", async () => {
    await page.getByLabel("090-1000-1001を選択").check();
    await expect.poll(() => counter(page).innerText()).toBe("対象回線選択:1件/1,000件");
    await page.getByLabel("電話番号・氏名・所属名で検索").fill("該当しない名前");
    await page.getByRole("button", { name: "検索", exact: true }).click();
    await expect.poll(() => page.locator("p.empty").count()).toBe(1);
    await expect.poll(() => counter(page).innerText()).toBe("対象回線選択:1件");
  });

  it("パスワード照会: 契約状態 解約済 lists the cancelled lines; passwords are in a monospace font; fonts Windows and macOS have", async () => {
    await page.goto(`${baseUrl}/passwords`);
    await heading(page, "My SoftBankパスワード照会／通知").waitFor();
    await expect.poll(() => counter(page).innerText()).toBe("対象回線選択:0件/1,000件");
    await page.getByLabel("契約状態").selectOption("CANCELLED");
    await page.getByRole("button", { name: "検索", exact: true }).click();
    await expect.poll(() => counter(page).innerText()).toBe("対象回線選択:0件/20件");
    expect(new Set(await page.locator("tbody td.status-col").allInnerTexts())).toEqual(new Set(["解約済"]));
    const fonts = await page.evaluate(() => ({
      body: getComputedStyle(document.body).fontFamily,
      password: getComputedStyle(document.querySelector("td.password") as Element).fontFamily,
    }));
    expect(fonts.body).toMatch(/Hiragino Sans.*Meiryo.*Yu Gothic/);
    expect(fonts.password).toMatch(/^ui-monospace.*monospace$/);
  });

  it("履歴一覧's live progress fits its cell at 1280 px", async () => {
    const token = await loginAs(server.graphqlUrl, "Manager@admin");
    const receipt = await submitPermissionChange(
      server.graphqlUrl,
      token,
      await activeLineIds(server.graphqlUrl, token, 6),
      {
        backup: false,
        phonebookMigration: true,
      },
    );
    await page.goto(`${baseUrl}/history`);
    await heading(page, "履歴一覧").waitFor();
    const bar = page.locator("tbody tr", { hasText: receipt.number }).getByRole("progressbar");
    await bar.waitFor();
    const fit = await page.evaluate(() => {
      const wrap = document.querySelector(".table-wrap") as HTMLElement;
      const cell = document.querySelector("td.status-cell .progress") as HTMLElement;
      return {
        overflow: wrap.scrollWidth - wrap.clientWidth,
        cellRight: cell.getBoundingClientRect().right,
        wrapRight: wrap.getBoundingClientRect().right,
      };
    });
    expect(fit.overflow).toBeLessThanOrEqual(0);
    expect(fit.cellRight).toBeLessThanOrEqual(fit.wrapRight);
    await waitForFinalReceiptOverApi(server.graphqlUrl, token, receipt.number);
  });

  it("at 390 px the step pills stay on one line and ステータス stays in view", async () => {
    const narrowContext = await newContext({ width: 390, height: 800 });
    const narrow = await narrowContext.newPage();
    await logIn(narrow, baseUrl, "Substitute@admin");
    await narrow.goto(`${baseUrl}/permissions/lines`);
    await expect.poll(() => counter(narrow).innerText()).toMatch(/^対象回線選択:0件\/1,00\d件$/);
    const steps = await narrow
      .locator(".steps li")
      .evaluateAll((items) =>
        items.map(
          (li) => li.getBoundingClientRect().height / Number.parseFloat(getComputedStyle(li).lineHeight),
        ),
      );
    for (const lines of steps) expect(lines).toBeLessThan(2);
    const status = narrow.locator("th.status-col");
    await status.scrollIntoViewIfNeeded();
    const box = await status.boundingBox();
    expect(box && box.x >= 0 && box.x + box.width <= 390).toBe(true);
    expect(
      await narrow.evaluate(() => document.documentElement.scrollWidth - window.innerWidth),
    ).toBeLessThanOrEqual(0);
    await screenshot(narrow, "guidance-06-narrow");
  });

  it("手動更新 lists the lines the carrier added today and says which", async () => {
    await page.goto(`${baseUrl}/permissions/lines`);
    await expect.poll(() => counter(page).innerText()).toBe("対象回線選択:0件/1,000件");
    await page.getByRole("button", { name: "手動更新" }).click();
    const result = page.locator(".roster-refresh-result");
    await expect
      .poll(() => result.locator("p").first().innerText())
      .toBe("手動更新により3件の回線が追加されました。");
    const added = await result.locator(".added-lines li").allInnerTexts();
    expect(added).toHaveLength(3);
    for (const line of added) expect(line).toMatch(/^0\d0-\d{4}-\d{4} \S+/);
    await expect.poll(() => counter(page).innerText()).toBe("対象回線選択:0件/1,003件");
    // Again: nothing more.
    await page.getByRole("button", { name: "手動更新" }).click();
    await expect
      .poll(() => result.locator("p").first().innerText())
      .toBe("手動更新しました。追加された回線はありません。");
    await screenshot(page, "guidance-07-roster-refresh");
  });
});

describe("axe on every screen", () => {
  it("finds no violation on any screen, from sign-in to a resend's 完了", async () => {
    const visited: Record<string, string[]> = {};
    const check = async (name: string, target = page) => {
      visited[name] = await axeViolations(target);
    };
    const fresh = await (await newContext()).newPage();
    await fresh.goto(`${baseUrl}/`);
    await heading(fresh, "ログイン").waitFor();
    await check("ログイン", fresh);

    await page.goto(`${baseUrl}/`);
    await heading(page, "サービスメニュー").waitFor();
    await check("サービスメニュー");
    await page.getByRole("link", { name: "利用可否設定 次へ" }).click();
    await heading(page, "利用可否設定").waitFor();
    await check("利用可否設定");
    await page.getByRole("link", { name: /グループから選択/ }).click();
    await expect.poll(() => page.locator("tbody tr").count()).toBeGreaterThan(0);
    await check("グループから選ぶ/設定");
    await page.getByRole("link", { name: "戻る" }).click();
    await page.getByRole("link", { name: /携帯電話番号一覧から選択/ }).click();
    await expect.poll(() => page.locator("tbody tr").count()).toBe(50);
    await page.getByRole("button", { name: "確認画面へ" }).click();
    await expect.poll(() => actionAlert(page).innerText()).toBe(userErrorMessages.NO_LINES_SELECTED);
    await check("携帯電話番号一覧から選択/設定 (with an error)");
    // Four lines whose backup was switched OFF just above are allowed it again.
    for (const n of [1001, 1002, 1003, 1004])
      await page.getByLabel(`090-1000-${n}のバックアップ機能`).check();
    await page.getByRole("button", { name: "確認画面へ" }).click();
    await heading(page, "確認").waitFor();
    await check("確認");
    await page.getByRole("button", { name: "決定" }).click();
    await heading(page, "完了").waitFor();
    await check("完了");
    await page.getByRole("link", { name: "アプリダウンロード依頼" }).click();
    await expect.poll(() => counter(page).innerText()).toMatch(/^対象回線選択:4件\//);
    await check("アプリダウンロード依頼メール送信");
    await page.getByRole("button", { name: "依頼メール送信", exact: true }).click();
    await check("アプリダウンロード依頼メール送信 (dialog)");
    await page.getByRole("dialog").getByRole("button", { name: "OK" }).click();
    await heading(page, "アプリダウンロード依頼メール送信 完了").waitFor();
    await check("アプリダウンロード依頼メール送信 完了");
    const mailNumber = await page.locator(".receipt-number a").innerText();
    await page.getByRole("link", { name: "My SoftBankパスワード通知" }).click();
    await heading(page, "My SoftBankパスワード照会／通知").waitFor();
    // The lines the mail went to (4G feature phones and preinstalled apps needed none).
    await expect.poll(() => counter(page).innerText()).toMatch(/^対象回線選択:[1-4]件\//);
    await page.getByRole("button", { name: "照会", exact: true }).click();
    await expect.poll(() => page.locator("tbody tr.selected td.password").first().innerText()).not.toBe("");
    await check("My SoftBankパスワード照会／通知");
    await page.getByRole("button", { name: "通知メール送信", exact: true }).click();
    await page.getByRole("dialog").getByRole("button", { name: "OK" }).click();
    await heading(page, "My SoftBankパスワード照会／通知 完了").waitFor();
    await check("My SoftBankパスワード照会／通知 完了");
    await page.goto(`${baseUrl}/history`);
    await expect.poll(() => page.locator("tbody tr").count()).toBeGreaterThan(0);
    await check("履歴一覧");
    await page.goto(`${baseUrl}/history/password-mails`);
    await expect.poll(() => page.locator("tbody tr").count()).toBeGreaterThan(0);
    await check("履歴一覧 (My SoftBankパスワード通知メール)");
    await page.goto(`${baseUrl}/history/${mailNumber}`);
    await expect.poll(() => page.locator("tbody tr").count()).toBeGreaterThan(0);
    await check("履歴詳細 (アプリダウンロード依頼メール)");
    await page.locator("tbody tr input[type=checkbox]").first().check();
    await page.getByRole("button", { name: "メール再送", exact: true }).click();
    await page.getByRole("dialog").getByRole("button", { name: "OK" }).click();
    await heading(page, "メール再送 完了").waitFor();
    expect(new URL(page.url()).pathname).toMatch(new RegExp(`^/history/${mailNumber}/resent/\\d{16}$`));
    await check("メール再送 完了");
    await page.goto(`${baseUrl}/history`);
    await page.locator("tbody tr", { hasText: "利用可否設定" }).first().getByRole("link").click();
    await heading(page, "履歴詳細").waitFor();
    await expect.poll(() => page.locator("tbody tr").count()).toBeGreaterThan(0);
    await check("履歴詳細 (利用可否設定)");

    // The sign-in form after a session ended, over the kept screen (told at the next request).
    const token = await page.evaluate(() => localStorage.getItem("anshin.token"));
    await graphql(server.graphqlUrl, "mutation { logout }", {}, token ?? "");
    await page.getByRole("link", { name: "戻る" }).first().click();
    await heading(page, "ログイン").waitFor();
    await check("ログイン (session ended)");

    expect(visited).toEqual(Object.fromEntries(Object.keys(visited).map((name) => [name, []])));
    expect(Object.keys(visited)).toHaveLength(18);
  }, 120_000);

  it("ran every screen above under the Content-Security-Policy with no violation", () => {
    expect(cspViolations).toEqual([]);
  });
});

describe("the idle timeout (SESSION_IDLE_TIMEOUT_MINUTES=0.1: 6 seconds)", () => {
  let idleServer: ServerProcess;
  const idleDir = mkdtempSync(path.join(tmpdir(), "anshin-e2e-idle-"));
  beforeAll(async () => {
    idleServer = await startServerProcess({
      DATA_DIR: idleDir,
      FAKE_NOW: "2026-11-24T10:00:00+09:00",
      SESSION_IDLE_TIMEOUT_MINUTES: "0.1",
      CARRIER_LATENCY_MS: "0",
    });
  }, 180_000);
  afterAll(async () => {
    await idleServer?.stop();
    rmSync(idleDir, { recursive: true, force: true });
  });

  it("signs an unused session out with why, and signing in returns to the screen and its selection", async () => {
    const idleBase = `http://127.0.0.1:${idleServer.port}`;
    const idle = await (await newContext()).newPage();
    await logIn(idle, idleBase, "Manager@admin");
    await idle.getByRole("link", { name: "利用可否設定 次へ" }).click();
    await idle.getByRole("link", { name: /携帯電話番号一覧から選択/ }).click();
    await idle.getByLabel("090-1000-1001を選択").check();
    await expect.poll(() => counter(idle).innerText()).toBe("対象回線選択:1件/1,000件");
    // Nobody touches it: the client notices and the server confirms.
    await heading(idle, "ログイン").waitFor({ timeout: 30_000 });
    await expect.poll(() => idle.locator(".session-ended p").first().innerText()).toBe(IDLE);
    await screenshot(idle, "guidance-08-idle");
    await idle.getByLabel("管理者ID").fill("Manager@admin");
    await idle.getByLabel("パスワード").fill("demo-pass");
    await idle.getByRole("button", { name: "ログイン" }).click();
    await heading(idle, "携帯電話番号一覧から選択/設定").waitFor();
    await expect.poll(() => counter(idle).innerText()).toBe("対象回線選択:1件/1,000件");
    expect(await idle.getByLabel("090-1000-1001を選択").isChecked()).toBe(true);
  });
});
