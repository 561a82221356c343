// 「CSVで選択」's file, read in the browser: decoded (UTF-8 with or without
// BOM, or Shift_JIS as Excel's 「CSV (コンマ区切り)」 writes it), parsed by
// csv-parse, and turned into rows of phone numbers with optional 利用可否設定
// targets. Which lines the numbers name is the server's answer
// (resolveLineSelection); this module only reads the file, and is pure so the
// tests import it directly.
import { parse } from "csv-parse/browser/esm/sync";

/** The most data rows one file may hold: resolveLineSelection's bound. */
export const MAX_CSV_ROWS = 1_000;
/** The largest file read (1,000 rows of a wide Excel sheet fit many times over). */
export const MAX_CSV_BYTES = 1024 * 1024;

export type CsvEncoding = "utf-8" | "shift_jis";

export interface CsvLineRow {
  /** The row number as Excel shows it (the header, when there is one, is row 1). */
  row: number;
  phoneNumber: string;
  /** バックアップ機能 / 電話帳移行機能 as the file says; null: no column or an empty cell. */
  backup: boolean | null;
  phonebookMigration: boolean | null;
}

export type CsvRowProblemCode = "MISSING_PHONE_NUMBER" | "INVALID_BACKUP" | "INVALID_MIGRATION";

export interface CsvRowProblem {
  row: number;
  phoneNumber: string;
  code: CsvRowProblemCode;
}

export type CsvFileErrorCode = "EMPTY" | "NO_PHONE_COLUMN" | "TOO_MANY_ROWS" | "TOO_LARGE" | "UNREADABLE";

export type ParsedLineCsv =
  | {
      ok: true;
      encoding: CsvEncoding;
      /** Whether row 1 named the columns. */
      header: boolean;
      /** Rows to resolve, in file order. */
      rows: CsvLineRow[];
      /** Rows that cannot be read, in file order (blank rows are neither). */
      problems: CsvRowProblem[];
    }
  | { ok: false; error: CsvFileErrorCode };

export interface CsvOptions {
  /** Read the backup and migration columns (利用可否設定); the mail screens take the numbers only. */
  targets: boolean;
}

/**
 * The file's text. A UTF-8 BOM says UTF-8; otherwise bytes that are valid
 * UTF-8 are UTF-8 (Japanese Shift_JIS text practically never is), and
 * anything else is Shift_JIS (the WHATWG decoder is Windows-31J, Excel's
 * code page, with its NEC and IBM extensions such as ① and 髙).
 */
export function decodeCsv(bytes: Uint8Array): { text: string; encoding: CsvEncoding } {
  const bom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
  if (bom) return { text: new TextDecoder("utf-8").decode(bytes.subarray(3)), encoding: "utf-8" };
  try {
    return { text: new TextDecoder("utf-8", { fatal: true }).decode(bytes), encoding: "utf-8" };
  } catch {
    return { text: new TextDecoder("shift_jis").decode(bytes), encoding: "shift_jis" };
  }
}

/** How a cell is compared: full-width letters and digits made ASCII, no spaces, upper case. */
const canonical = (cell: string) => cell.normalize("NFKC").replaceAll(/[\s_]/g, "").toUpperCase();

type Column = "phoneNumber" | "backup" | "phonebookMigration";

/** The column a header cell names, if any (the screen's own headers, the manual's, and English ones). */
function columnNamed(cell: string): Column | null {
  const name = canonical(cell);
  if (name.includes("電話帳移行") || name.includes("移行") || name.includes("MIGRATION"))
    return "phonebookMigration";
  if (name.includes("バックアップ") || name.includes("BACKUP")) return "backup";
  if (name.includes("電話番号") || ["PHONE", "PHONENUMBER", "TEL", "MSISDN"].includes(name))
    return "phoneNumber";
  return null;
}

const ALLOWED = new Set(["○", "◯", "〇", "ON", "1", "TRUE", "YES", "Y", "可", "許可", "有効", "✓", "✔"]);
const RESTRICTED = new Set(["×", "✕", "✖", "X", "OFF", "0", "FALSE", "NO", "N", "不可", "禁止", "無効"]);

/** A target cell: ○/×, ON/OFF, 1/0, true/false (and their usual kin); null when empty; undefined when unreadable. */
export function targetValue(cell: string | undefined): boolean | null | undefined {
  const value = canonical(cell ?? "");
  if (value === "") return null;
  if (ALLOWED.has(value)) return true;
  if (RESTRICTED.has(value)) return false;
  return undefined;
}

const isBlank = (record: readonly string[]) => record.every((cell) => cell === "");

/**
 * The rows of a CSV text. Row 1 is a header when one of its cells names a
 * column (電話番号, バックアップ…, 電話帳移行…); then the columns are found by
 * their names, in any order among others (氏名, グループ名…). Without a
 * header, column 1 is the phone number, 2 and 3 the backup and migration
 * targets. Blank rows are skipped; comma- or tab-separated; quoted fields
 * may hold commas and line breaks.
 */
export function parseLineCsv(
  text: string,
  options: CsvOptions,
  encoding: CsvEncoding = "utf-8",
): ParsedLineCsv {
  let records: string[][];
  try {
    records = parse(text, {
      bom: true,
      delimiter: [",", "\t"],
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: false,
      trim: true,
    }) as string[][];
  } catch {
    return { ok: false, error: "UNREADABLE" };
  }
  const first = records.findIndex((record) => !isBlank(record));
  if (first < 0) return { ok: false, error: "EMPTY" };

  const named = (records[first] ?? []).map(columnNamed);
  const header = named.some((column) => column !== null);
  const at = (column: Column, fallback: number) => (header ? named.indexOf(column) : fallback);
  const phoneColumn = at("phoneNumber", 0);
  if (phoneColumn < 0) return { ok: false, error: "NO_PHONE_COLUMN" };
  const backupColumn = options.targets ? at("backup", 1) : -1;
  const migrationColumn = options.targets ? at("phonebookMigration", 2) : -1;
  const target = (record: string[], column: number) => (column >= 0 ? targetValue(record[column]) : null);

  const rows: CsvLineRow[] = [];
  const problems: CsvRowProblem[] = [];
  let dataRows = 0;
  records.forEach((record, index) => {
    if ((header && index === first) || isBlank(record)) return;
    dataRows++;
    const row = index + 1;
    const phoneNumber = record[phoneColumn] ?? "";
    const backup = target(record, backupColumn);
    const phonebookMigration = target(record, migrationColumn);
    if (phoneNumber === "") problems.push({ row, phoneNumber, code: "MISSING_PHONE_NUMBER" });
    else if (backup === undefined) problems.push({ row, phoneNumber, code: "INVALID_BACKUP" });
    else if (phonebookMigration === undefined) problems.push({ row, phoneNumber, code: "INVALID_MIGRATION" });
    else rows.push({ row, phoneNumber, backup, phonebookMigration });
  });
  if (dataRows === 0) return { ok: false, error: "EMPTY" };
  if (dataRows > MAX_CSV_ROWS) return { ok: false, error: "TOO_MANY_ROWS" };
  return { ok: true, encoding, header, rows, problems };
}

/** A file's bytes, decoded and parsed. */
export function readLineCsv(bytes: Uint8Array, options: CsvOptions): ParsedLineCsv {
  if (bytes.byteLength > MAX_CSV_BYTES) return { ok: false, error: "TOO_LARGE" };
  const { text, encoding } = decodeCsv(bytes);
  return parseLineCsv(text, options, encoding);
}
