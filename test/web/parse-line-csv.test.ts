// 「CSVで選択」's file reader (web/src/csv/parseLineCsv.ts), as the browser
// runs it: the bytes Excel and editors write (UTF-8 with and without BOM,
// Shift_JIS), header or none, CRLF, quoted fields, blank rows and the target
// columns of 利用可否設定. Shift_JIS bytes come from iconv-lite, as a second
// implementation of the code page.
import iconv from "iconv-lite";
import { describe, expect, it } from "vitest";
import {
  decodeCsv,
  MAX_CSV_ROWS,
  parseLineCsv,
  readLineCsv,
  targetValue,
} from "../../web/src/csv/parseLineCsv.ts";

const utf8 = (text: string) => new TextEncoder().encode(text);
const withBom = (text: string) => new Uint8Array([0xef, 0xbb, 0xbf, ...utf8(text)]);
const shiftJis = (text: string) => new Uint8Array(iconv.encode(text, "Shift_JIS"));

const EXCEL_SHEET = [
  "電話番号,氏名,バックアップ機能,電話帳移行機能",
  "090-1000-1030,山田 太郎,○,×",
  "09010001031,佐藤 花子,×,○",
  "０９０－１０００－１０３２,髙橋 一郎,,",
].join("\r\n");

const numbersOnly = { targets: false };
const withTargets = { targets: true };

describe("decoding", () => {
  it("UTF-8 with a BOM: the BOM is not part of the first cell", () => {
    expect(decodeCsv(withBom("電話番号\r\n"))).toEqual({ text: "電話番号\r\n", encoding: "utf-8" });
    const parsed = readLineCsv(withBom(EXCEL_SHEET), withTargets);
    expect(parsed).toMatchObject({ ok: true, encoding: "utf-8", header: true });
  });

  it("UTF-8 without a BOM", () => {
    expect(decodeCsv(utf8(EXCEL_SHEET))).toEqual({ text: EXCEL_SHEET, encoding: "utf-8" });
  });

  it("Shift_JIS as Excel writes 「CSV (コンマ区切り)」, with a name only Windows-31J has (髙)", () => {
    const bytes = new Uint8Array(iconv.encode(EXCEL_SHEET, "CP932"));
    expect(decodeCsv(bytes)).toEqual({ text: EXCEL_SHEET, encoding: "shift_jis" });
    expect(decodeCsv(shiftJis("電話番号,○,×\r\n"))).toEqual({
      text: "電話番号,○,×\r\n",
      encoding: "shift_jis",
    });
  });

  it("the same sheet reads the same rows in all three encodings", () => {
    const expected = [
      { row: 2, phoneNumber: "090-1000-1030", backup: true, phonebookMigration: false },
      { row: 3, phoneNumber: "09010001031", backup: false, phonebookMigration: true },
      { row: 4, phoneNumber: "０９０－１０００－１０３２", backup: null, phonebookMigration: null },
    ];
    for (const bytes of [
      withBom(EXCEL_SHEET),
      utf8(EXCEL_SHEET),
      new Uint8Array(iconv.encode(EXCEL_SHEET, "CP932")),
    ]) {
      expect(readLineCsv(bytes, withTargets)).toEqual({
        ok: true,
        encoding: expect.any(String),
        header: true,
        rows: expected,
        problems: [],
      });
    }
  });

  it("a file past 1 MB is refused before it is read", () => {
    expect(readLineCsv(new Uint8Array(1024 * 1024 + 1), numbersOnly)).toEqual({
      ok: false,
      error: "TOO_LARGE",
    });
  });
});

describe("rows", () => {
  it("no header: column 1 is the number, 2 and 3 the targets; LF or CRLF alike", () => {
    for (const newline of ["\n", "\r\n"]) {
      const parsed = parseLineCsv(
        ["090-1111-0001,1,0", "090-1111-0002,ON,OFF", "090-1111-0003"].join(newline),
        withTargets,
      );
      expect(parsed).toEqual({
        ok: true,
        encoding: "utf-8",
        header: false,
        rows: [
          { row: 1, phoneNumber: "090-1111-0001", backup: true, phonebookMigration: false },
          { row: 2, phoneNumber: "090-1111-0002", backup: true, phonebookMigration: false },
          { row: 3, phoneNumber: "090-1111-0003", backup: null, phonebookMigration: null },
        ],
        problems: [],
      });
    }
  });

  it("a header finds its columns by name, in any order, among others (the screen's own columns)", () => {
    const parsed = parseLineCsv(
      [
        "No.,グループ名,電話帳移行機能,氏名,携帯電話番号,バックアップ機能",
        "1,営業部,OFF,山田,090-1111-0001,ON",
      ].join("\r\n"),
      withTargets,
    );
    expect(parsed).toMatchObject({
      header: true,
      rows: [{ row: 2, phoneNumber: "090-1111-0001", backup: true, phonebookMigration: false }],
    });
  });

  it("quoted fields hold commas, quotes and line breaks; row numbers stay Excel's", () => {
    const text = [
      "電話番号,氏名,メモ",
      '"090-1111-0001","山田, 太郎","彼は""部長""です"',
      '090-1111-0002,佐藤,"二行の',
      'メモ"',
      "090-1111-0003,鈴木,",
    ].join("\r\n");
    expect(parseLineCsv(text, numbersOnly)).toMatchObject({
      ok: true,
      rows: [
        { row: 2, phoneNumber: "090-1111-0001" },
        { row: 3, phoneNumber: "090-1111-0002" },
        { row: 4, phoneNumber: "090-1111-0003" },
      ],
    });
  });

  it("blank rows (empty, or only commas) are skipped but keep the row numbers; spaces around cells are trimmed", () => {
    const text = "\r\n電話番号\r\n\r\n 090-1111-0001 \r\n,,\r\n090-1111-0002\r\n\r\n";
    expect(parseLineCsv(text, numbersOnly)).toMatchObject({
      header: true,
      rows: [
        { row: 4, phoneNumber: "090-1111-0001" },
        { row: 6, phoneNumber: "090-1111-0002" },
      ],
      problems: [],
    });
  });

  it("tab-separated text (pasted from Excel) reads as well", () => {
    expect(parseLineCsv("電話番号\tバックアップ機能\n090-1111-0001\t○", withTargets)).toMatchObject({
      rows: [{ row: 2, phoneNumber: "090-1111-0001", backup: true, phonebookMigration: null }],
    });
  });

  it("rows it cannot read are problems with their row: no number, a target it does not know", () => {
    const text = [
      "電話番号,氏名,バックアップ機能,電話帳移行機能",
      ",山田,○,○",
      "090-1111-0002,佐藤,△,○",
      "090-1111-0003,鈴木,○,たぶん",
    ].join("\n");
    expect(parseLineCsv(text, withTargets)).toMatchObject({
      rows: [],
      problems: [
        { row: 2, phoneNumber: "", code: "MISSING_PHONE_NUMBER" },
        { row: 3, phoneNumber: "090-1111-0002", code: "INVALID_BACKUP" },
        { row: 4, phoneNumber: "090-1111-0003", code: "INVALID_MIGRATION" },
      ],
    });
    // The mail screens take the numbers only: the same columns are not read at all.
    expect(parseLineCsv(text, numbersOnly)).toMatchObject({
      rows: [
        { row: 3, phoneNumber: "090-1111-0002", backup: null, phonebookMigration: null },
        { row: 4, phoneNumber: "090-1111-0003", backup: null, phonebookMigration: null },
      ],
      problems: [{ row: 2, code: "MISSING_PHONE_NUMBER" }],
    });
  });

  it("target values: ○/×, ON/OFF, 1/0, true/false, 可/不可, full-width too; empty is no value", () => {
    for (const on of ["○", "◯", "〇", "ON", "on", "1", "１", "TRUE", "true", "可", "Ｏｎ"])
      expect(targetValue(on), on).toBe(true);
    for (const off of ["×", "✕", "x", "OFF", "off", "0", "０", "FALSE", "false", "不可"])
      expect(targetValue(off), off).toBe(false);
    expect(targetValue("")).toBeNull();
    expect(targetValue(" ")).toBeNull();
    expect(targetValue(undefined)).toBeNull();
    expect(targetValue("△")).toBeUndefined();
  });
});

describe("files it refuses", () => {
  it("empty, blank or header-only files", () => {
    for (const text of ["", "\r\n\r\n", ",,\n", "電話番号,氏名\r\n"]) {
      expect(parseLineCsv(text, numbersOnly), JSON.stringify(text)).toEqual({ ok: false, error: "EMPTY" });
    }
  });

  it("a header without a phone-number column", () => {
    expect(parseLineCsv("氏名,バックアップ機能\n山田,○", withTargets)).toEqual({
      ok: false,
      error: "NO_PHONE_COLUMN",
    });
  });

  it(`more than ${MAX_CSV_ROWS.toLocaleString("en")} data rows (the API's bound)`, () => {
    const rows = (n: number) =>
      ["電話番号", ...Array.from({ length: n }, (_, i) => `090-1111-${String(i).padStart(4, "0")}`)].join(
        "\n",
      );
    expect(parseLineCsv(rows(MAX_CSV_ROWS), numbersOnly)).toMatchObject({ ok: true });
    expect(parseLineCsv(rows(MAX_CSV_ROWS + 1), numbersOnly)).toEqual({ ok: false, error: "TOO_MANY_ROWS" });
  });

  it("an unclosed quote", () => {
    expect(parseLineCsv('電話番号\n"090-1111-0001\n', numbersOnly)).toEqual({
      ok: false,
      error: "UNREADABLE",
    });
  });
});
