// Finding things in the browser (issue 17 §6), against the real server
// process on the demo data (1,000 lines, 50 per page): 選択中のみ表示 after
// selecting on several pages, page numbers and a jump, sorting by a column
// header, kana search, 履歴詳細 narrowed to its failed lines, and a period
// given backwards. The carrier fails half of the requests, so a batch ends
// with 異常終了 lines to look for.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { filterErrorMessages } from "../../domain/messages.ts";
import { launchBrowser, logIn, screenshot } from "../support/browser.ts";
import { activeLineIds, graphql, loginAs, submitPermissionChange } from "../support/graphql.ts";
import { type ServerProcess, startServerProcess } from "../support/server-process.ts";
import { waitForFinalReceiptOverApi } from "../support/wait.ts";
import { ensureWebBuilt } from "../support/web-build.ts";

let server: ServerProcess;
let browser: Browser;
let page: Page;
let baseUrl: string;
let token: string;
const dataDir = mkdtempSync(path.join(tmpdir(), "anshin-e2e-finding-"));

beforeAll(async () => {
  await ensureWebBuilt();
  server = await startServerProcess({
    DATA_DIR: dataDir,
    FAKE_NOW: "2026-11-24T10:00:00+09:00",
    CARRIER_LATENCY_MS: "0-5",
    CARRIER_FAILURE_RATE: "0.5",
  });
  baseUrl = `http://127.0.0.1:${server.port}`;
  token = await loginAs(`${baseUrl}/graphql`, "Manager@admin");
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1280, height: 900 }, locale: "ja-JP" });
  await logIn(page, baseUrl, "Manager@admin");
}, 180_000);

afterEach(async (context) => {
  if (context.task.result?.state === "fail")
    await screenshot(page, `finding-failed-${context.task.name.slice(0, 40)}`);
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const counter = () => page.locator("output.counter").first();
const pagerText = () => page.locator("nav.pager span").innerText();
const rowPhones = () => page.locator("tbody tr td:nth-child(4)").allInnerTexts();
const rowBoxes = () => page.locator("tbody tr input[type=checkbox][aria-label$='を選択']");

/** The API's answer for the same list, as an integrator would read it. */
async function apiLines(variables: Record<string, unknown>, fields = "phoneNumber") {
  const result = await graphql(
    `${baseUrl}/graphql`,
    `query ($first: Int, $offset: Int, $filter: LineFilter, $orderBy: LineOrder) {
      lines(first: $first, offset: $offset, filter: $filter, orderBy: $orderBy) { totalCount edges { node { ${fields} } } }
    }`,
    variables,
    token,
  );
  expect(result.errors).toBeUndefined();
  return result.data.lines as { totalCount: number; edges: { node: Record<string, string> }[] };
}

async function openLineList() {
  await page.goto(`${baseUrl}/`);
  await page.getByRole("link", { name: "利用可否設定 次へ" }).click();
  await page.getByRole("link", { name: /携帯電話番号一覧から選択/ }).click();
  await expect.poll(() => counter().innerText()).toBe("対象回線選択:0件/1,000件");
}

describe("finding lines and items in the browser", () => {
  it("selects on pages 1, 3 (a page link) and 15 (a jump), then 選択中のみ表示 shows just those", async () => {
    await openLineList();
    const chosen: string[] = [];
    const choose = async (nth: number) => {
      const box = rowBoxes().nth(nth);
      chosen.push((await box.getAttribute("aria-label"))!.replace("を選択", ""));
      await box.check();
    };
    await expect.poll(pagerText).toBe("1/20");
    await choose(0);

    await page.getByRole("button", { name: "3ページ目" }).click();
    await expect.poll(pagerText).toBe("3/20");
    await expect.poll(() => page.locator("tbody tr td:nth-child(2)").first().innerText()).toBe("101");
    await choose(1);

    // A jump to page 15 reads rows 701–750, exactly the API's 701st line onwards.
    await page.getByLabel("回線一覧のページ: ページ番号").fill("15");
    await page.getByRole("button", { name: "移動" }).click();
    await expect.poll(pagerText).toBe("15/20");
    await expect.poll(() => page.locator("tbody tr td:nth-child(2)").first().innerText()).toBe("701");
    const expected = (await apiLines({ first: 50, offset: 700 })).edges.map((e) => e.node.phoneNumber);
    await expect.poll(rowPhones).toEqual(expected);
    await expect(page.getByRole("button", { name: "15ページ目" }).getAttribute("aria-current")).resolves.toBe(
      "page",
    );
    await choose(2);
    await expect.poll(() => counter().innerText()).toBe("対象回線選択:3件/1,000件");
    await screenshot(page, "finding-01-page-15");

    await page.getByLabel("選択中のみ表示").check();
    await expect.poll(rowPhones).toEqual([...chosen].sort());
    await expect.poll(pagerText).toBe("1/1");
    await expect.poll(() => counter().innerText()).toBe("対象回線選択:3件/3件");
    await screenshot(page, "finding-02-selected-only");
    // Deselected here, a line stays in view (unticked) until the toggle is off.
    await page.getByLabel(`${chosen[1]}を選択`).uncheck();
    await expect.poll(() => counter().innerText()).toBe("対象回線選択:2件/3件");
    await expect.poll(() => page.locator("tbody tr").count()).toBe(3);
    await page.getByLabel("選択中のみ表示").uncheck();
    await expect.poll(pagerText).toBe("1/20");
    await expect.poll(() => counter().innerText()).toBe("対象回線選択:2件/1,000件");
  });

  it("sorts by a column header (aria-sort), both ways, and pages in that order", async () => {
    await openLineList();
    const header = page.locator("th", { has: page.getByRole("button", { name: "氏名で並べ替え" }) });
    const phoneHeader = page.locator("th", { has: page.getByRole("button", { name: "電話番号で並べ替え" }) });
    await expect(phoneHeader.getAttribute("aria-sort")).resolves.toBe("ascending");
    expect(await header.getAttribute("aria-sort")).toBeNull();

    await page.getByRole("button", { name: "氏名で並べ替え" }).click();
    await expect.poll(() => header.getAttribute("aria-sort")).toBe("ascending");
    expect(await phoneHeader.getAttribute("aria-sort")).toBeNull();
    const ascending = await apiLines({ first: 50, orderBy: { field: "NAME", direction: "ASC" } });
    await expect.poll(rowPhones).toEqual(ascending.edges.map((e) => e.node.phoneNumber));

    await page.getByRole("button", { name: "次へ" }).click();
    await expect.poll(pagerText).toBe("2/20");
    const second = await apiLines({ first: 50, offset: 50, orderBy: { field: "NAME", direction: "ASC" } });
    await expect.poll(rowPhones).toEqual(second.edges.map((e) => e.node.phoneNumber));

    await page.getByRole("button", { name: "氏名で並べ替え" }).click();
    await expect.poll(() => header.getAttribute("aria-sort")).toBe("descending");
    await expect.poll(pagerText).toBe("1/20");
    const descending = await apiLines({ first: 50, orderBy: { field: "NAME", direction: "DESC" } });
    await expect.poll(rowPhones).toEqual(descending.edges.map((e) => e.node.phoneNumber));
    await screenshot(page, "finding-03-sorted");
  });

  it("finds ヤマダ by typing やまだ, and filters by device kind (機種)", async () => {
    await page.goto(`${baseUrl}/`);
    await page.getByRole("link", { name: "My SoftBankパスワード照会／通知 次へ" }).click();
    await page.getByRole("heading", { name: "My SoftBankパスワード照会／通知" }).waitFor();
    await page.getByLabel("電話番号・氏名・所属名で検索").fill("やまだ");
    await page.getByRole("button", { name: "検索", exact: true }).click();
    const expected = await apiLines({ first: 50, filter: { search: "ヤマダ" } }, "phoneNumber nameKana");
    expect(expected.totalCount).toBeGreaterThan(0);
    await expect
      .poll(() => counter().innerText())
      .toBe(`対象回線選択:0件/${expected.totalCount.toLocaleString("ja-JP")}件`);
    const kana = page.locator("tbody tr td:nth-child(7)");
    await expect.poll(() => kana.allInnerTexts()).toEqual(expected.edges.map((e) => e.node.nameKana));
    expect((await kana.allInnerTexts()).every((text) => text.includes("ヤマダ"))).toBe(true);
    await screenshot(page, "finding-04-kana");

    await page.getByLabel("機種", { exact: true }).selectOption({ label: "Windows 10 Mobile" });
    await page.getByRole("button", { name: "検索", exact: true }).click();
    const windows = await apiLines({
      first: 50,
      filter: { search: "やまだ", deviceKinds: ["WINDOWS10_MOBILE"] },
    });
    await expect
      .poll(() => counter().innerText())
      .toBe(`対象回線選択:0件/${windows.totalCount.toLocaleString("ja-JP")}件`);
    const devices = await page.locator("tbody tr td:nth-child(9)").allInnerTexts();
    expect(devices.every((device) => device === "Windows 10 Mobile")).toBe(true);
  });

  it("履歴詳細 shows only the 異常終了 lines of a batch, and all of them again on クリア", async () => {
    const lineIds = await activeLineIds(`${baseUrl}/graphql`, token, 20);
    const receipt = await submitPermissionChange(`${baseUrl}/graphql`, token, lineIds);
    const final = await waitForFinalReceiptOverApi<{ progress: { failed: number } }>(
      `${baseUrl}/graphql`,
      token,
      receipt.number,
      "progress { failed }",
    );
    const failed = final.progress.failed;
    // Half the carrier's answers fail: 0 of 20 would be a one-in-a-million run.
    expect(failed).toBeGreaterThan(0);

    await page.goto(`${baseUrl}/`);
    await page.getByRole("link", { name: "履歴 次へ" }).click();
    await page.getByRole("link", { name: receipt.number }).click();
    await page.getByRole("heading", { name: "履歴詳細" }).waitFor();
    await expect.poll(() => page.locator("tbody tr").count()).toBe(20);

    const filters = page.getByRole("form", { name: "対象回線の絞り込み" });
    await filters.getByLabel("ステータス").selectOption({ label: "異常終了" });
    await filters.getByRole("button", { name: "検索" }).click();
    await expect.poll(() => page.locator("tbody tr").count()).toBe(failed);
    const statuses = await page.locator("tbody tr td:last-child").allInnerTexts();
    expect(statuses.every((status) => status.startsWith("異常終了"))).toBe(true);
    await expect.poll(() => counter().innerText()).toBe(`対象回線選択: ${failed}件`);
    await screenshot(page, "finding-05-failed-items");

    // A phone number typed in full-width digits narrows it further.
    const firstFailed = await page.locator("tbody tr td:nth-child(3)").first().innerText();
    // 090-1000-1000 typed as ０９０－１０００－１０００.
    const fullWidth = firstFailed.replace(/[\d-]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));
    await filters.getByLabel("電話番号").fill(fullWidth);
    await filters.getByRole("button", { name: "検索" }).click();
    await expect.poll(() => page.locator("tbody tr td:nth-child(3)").allInnerTexts()).toEqual([firstFailed]);

    await filters.getByRole("button", { name: "クリア" }).click();
    await expect.poll(() => page.locator("tbody tr").count()).toBe(20);
  });

  it("履歴 refuses a period given backwards with a message instead of showing nothing", async () => {
    await page.goto(`${baseUrl}/`);
    await page.getByRole("link", { name: "履歴 次へ" }).click();
    await page.getByRole("heading", { name: "履歴一覧" }).waitFor();
    await page.getByLabel("受付日 から").fill("2026-11-25");
    await page.getByLabel("受付日 まで").fill("2026-11-24");
    await page.getByRole("button", { name: "検索", exact: true }).click();
    await expect
      .poll(() =>
        page.getByRole("alert").filter({ hasText: filterErrorMessages.DATE_RANGE_REVERSED }).count(),
      )
      .toBe(1);
    await screenshot(page, "finding-06-reversed-period");
  });
});
