// 「CSVで選択」 in headless Chromium against the real server process on the
// demo data (issue 17.2): an administrator's Excel list, saved as Shift_JIS
// CSV with mistakes in it, fills the selection of 利用可否設定's line list
// with its targets, and every row that selected nothing is reported with its
// row number and the exact reason; on the app-mail screen a UTF-8 file with a
// BOM and no header does the same.
// Demo lines (prisma/seed/demo.ts): line i is 090-1000-(1000+i); i % 50 === 7
// is cancelled, 9, 19 and 29 are 3G phones; 50 lines a page, by number.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import iconv from "iconv-lite";
import type { Browser, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { lineSelectionMessages, targetLineCount, userErrorMessages } from "../../domain/messages.ts";
import { launchBrowser, logIn, screenshot } from "../support/browser.ts";
import { type ServerProcess, startServerProcess } from "../support/server-process.ts";
import { ensureWebBuilt } from "../support/web-build.ts";

let server: ServerProcess;
let browser: Browser;
let page: Page;
let baseUrl: string;
const dataDir = mkdtempSync(path.join(tmpdir(), "anshin-e2e-csv-"));

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
  // What broke, if the client does.
  page.on("pageerror", (error) => console.error(`page error: ${error.message}`));
  await logIn(page, baseUrl, "Manager@admin");
}, 180_000);

afterEach(async (context) => {
  if (context.task.result?.state === "fail")
    await screenshot(page, `failed-csv-${context.task.name.slice(0, 40)}`);
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const demoNumber = (i: number) => `090-1000-${1000 + i}`;
const fullWidth = (text: string) =>
  text.replaceAll(/[0-9-]/g, (c) => (c === "-" ? "－" : String.fromCharCode(c.charCodeAt(0) + 0xfee0)));

interface CsvRow {
  written: string;
  name: string;
  backup: string;
  migration: string;
  /** Why the row selects nothing, if it does not. */
  reason?: string;
}

/** 145 selectable demo lines (30 … 177 without the cancelled 57, 107, 157), written in three ways. */
const goodIndices = Array.from({ length: 148 }, (_, k) => 30 + k).filter((i) => i % 50 !== 7);
const goodRows: CsvRow[] = goodIndices.map((i, k) => ({
  written:
    k % 5 === 1 ? fullWidth(demoNumber(i)) : k % 3 === 2 ? demoNumber(i).replaceAll("-", "") : demoNumber(i),
  name: `利用者 ${i}号`,
  backup: i % 2 === 0 ? "○" : "×",
  migration: i % 2 === 0 ? "×" : "○",
}));

/** The mistakes, and where they sit among the good rows. */
const mistakes: [number, CsvRow][] = [
  [
    10,
    {
      written: "090-9999-0001",
      name: "退職者",
      backup: "○",
      migration: "○",
      reason: lineSelectionMessages.NOT_FOUND,
    },
  ],
  [
    40,
    {
      written: demoNumber(57),
      name: "解約済の人",
      backup: "○",
      migration: "○",
      reason: userErrorMessages.CANCELLED_LINE_SELECTED,
    },
  ],
  [
    70,
    {
      written: demoNumber(19),
      name: "3Gの人",
      backup: "○",
      migration: "○",
      reason: userErrorMessages.OUT_OF_SERVICE_LINE_SELECTED,
    },
  ],
  [
    100,
    {
      written: "09010001030",
      name: "利用者 30号（重複）",
      backup: "○",
      migration: "×",
      reason: lineSelectionMessages.DUPLICATE,
    },
  ],
  [
    130,
    {
      written: "080-0000-0000",
      name: "番号違い",
      backup: "×",
      migration: "×",
      reason: lineSelectionMessages.NOT_FOUND,
    },
  ],
];

function sheet(): CsvRow[] {
  const rows = [...goodRows];
  for (const [at, row] of mistakes) rows.splice(at, 0, row);
  return rows;
}

const counter = (target: Page) => target.locator("output.counter").first();

/** Chooses a file through 「CSVで選択」 as a user does: the button opens the file chooser. */
async function chooseCsv(target: Page, name: string, buffer: Buffer) {
  const [chooser] = await Promise.all([
    target.waitForEvent("filechooser"),
    target.getByRole("button", { name: "CSVで選択", exact: true }).click(),
  ]);
  await chooser.setFiles({ name, mimeType: "text/csv", buffer });
}

/** The report's rows as [行番号, 電話番号, 結果]. */
async function reportRows(target: Page): Promise<string[][]> {
  const table = target.locator(".csv-report table");
  expect(await table.locator("thead th").allInnerTexts()).toEqual(["行番号", "電話番号", "結果"]);
  return table
    .locator("tbody tr")
    .evaluateAll((rows) =>
      rows.map((row) => [...row.querySelectorAll("td")].map((cell) => cell.textContent ?? "")),
    );
}

describe("「CSVで選択」", () => {
  it("利用可否設定: a Shift_JIS CSV of 150 numbers with mistakes fills the selection and its targets, and reports the rows not selected", async () => {
    const rows = sheet();
    expect(rows).toHaveLength(150);
    const text = [
      "電話番号,氏名,バックアップ機能,電話帳移行機能",
      ...rows.map((r) => [r.written, r.name, r.backup, r.migration].join(",")),
    ].join("\r\n");
    const bytes = iconv.encode(`${text}\r\n`, "Shift_JIS");
    // Shift_JIS indeed, not UTF-8 (電 is 0x93 0x64 there).
    expect([...bytes.subarray(0, 2)]).toEqual([0x93, 0x64]);

    await page.goto(`${baseUrl}/permissions/lines`);
    await expect.poll(() => counter(page).innerText()).toMatch(/^対象回線選択:0件\//);
    await chooseCsv(page, "回線一覧.csv", bytes);

    const summary = page.locator(".csv-report p[role=status]");
    await expect.poll(() => summary.innerText()).toBe("「回線一覧.csv」の150行から145件を選択しました。");
    // Focus moved to the result, so a screen reader reads it and the keyboard goes on from there.
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute("role"))).toBe("status");
    await expect.poll(() => counter(page).innerText()).toMatch(/^対象回線選択:145件\//);

    const expected = rows.flatMap((row, k) => (row.reason ? [[String(k + 2), row.written, row.reason]] : []));
    expect(expected.map(([rowNumber]) => rowNumber)).toEqual(["12", "42", "72", "102", "132"]);
    expect(await reportRows(page)).toEqual(expected);
    expect(await page.locator(".csv-report caption").innerText()).toBe("選択できなかった行（5件）");
    await screenshot(page, "csv-select-permission-lines");

    // Lines 30 … 49 are on the first page: selected, with the file's targets (even: ○×, odd: ×○).
    for (const i of [30, 31, 32, 33, 48, 49]) {
      const phone = demoNumber(i);
      await expect.poll(() => page.getByLabel(`${phone}を選択`).isChecked()).toBe(true);
      expect(await page.getByLabel(`${phone}のバックアップ機能`).isChecked()).toBe(i % 2 === 0);
      expect(await page.getByLabel(`${phone}の電話帳移行機能`).isChecked()).toBe(i % 2 !== 0);
    }
    // Neither the 3G line nor lines outside the file are selected.
    expect(await page.getByLabel(`${demoNumber(19)}を選択`).isChecked()).toBe(false);
    expect(await page.getByLabel(`${demoNumber(20)}を選択`).isChecked()).toBe(false);

    // The selection is the real one: 確認 shows the 145 lines.
    await page.getByRole("button", { name: "確認画面へ", exact: true }).click();
    await expect.poll(() => page.locator("output.counter").first().innerText()).toBe("対象回線件数: 145件");
  });

  it("a second file replaces the selection; a file that cannot be read says why", async () => {
    await page.goto(`${baseUrl}/permissions/lines`);
    await chooseCsv(page, "two.csv", Buffer.from(`${demoNumber(40)}\n${demoNumber(41)}\n`));
    await expect.poll(() => counter(page).innerText()).toMatch(/^対象回線選択:2件\//);
    await expect
      .poll(() => page.locator(".csv-report p[role=status]").innerText())
      .toBe("「two.csv」の2行から2件を選択しました。");
    expect(await page.locator(".csv-report table").count()).toBe(0);

    await chooseCsv(page, "names.csv", Buffer.from("氏名,バックアップ機能\n山田,○\n"));
    await expect
      .poll(() => page.locator(".csv-select").getByRole("alert").innerText())
      .toBe("「電話番号」の列が見つかりません。1行目の見出しに「電話番号」を含めてください。");
    // Nothing was changed by the file that was not read.
    await expect.poll(() => counter(page).innerText()).toMatch(/^対象回線選択:2件\//);
  });

  it("アプリダウンロード依頼: a UTF-8 file with a BOM and no header selects the lines to mail", async () => {
    const numbers = [
      demoNumber(60),
      demoNumber(61).replaceAll("-", ""),
      demoNumber(107),
      fullWidth(demoNumber(62)),
    ];
    const bytes = Buffer.concat([
      Buffer.from([0xef, 0xbb, 0xbf]),
      Buffer.from(`${numbers.join("\r\n")}\r\n`, "utf8"),
    ]);
    await page.goto(`${baseUrl}/app-mail`);
    await expect.poll(() => counter(page).innerText()).toMatch(/^対象回線選択:0件\//);
    await chooseCsv(page, "mail.csv", bytes);
    await expect
      .poll(() => page.locator(".csv-report p[role=status]").innerText())
      .toBe("「mail.csv」の4行から3件を選択しました。");
    await expect.poll(() => counter(page).innerText()).toMatch(/^対象回線選択:3件\//);
    expect(await reportRows(page)).toEqual([
      ["3", demoNumber(107), userErrorMessages.CANCELLED_LINE_SELECTED],
    ]);

    await page.getByRole("button", { name: "依頼メール送信", exact: true }).click();
    const dialog = page.getByRole("dialog");
    await expect.poll(() => dialog.innerText()).toContain(targetLineCount(3));
    await dialog.getByRole("button", { name: "キャンセル" }).click();
  });
});
