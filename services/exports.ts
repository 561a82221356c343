// CSV出力: the line list (回線一覧), the history (履歴) and one receipt's
// lines (履歴詳細) as files Excel opens in Japanese. Each file has the columns
// its screen shows, with the screen's headers and values (exportTexts in
// domain/messages.ts, dates as domain/format.ts writes them: JST); the
// formatting happens here, on the server, because the file is written here.
//
// Rows are read in keyset pages of EXPORT_PAGE_SIZE and turned into bytes a
// page at a time (csvBytes), so an export of 100,000 lines never holds more
// than a page, and whoever pulls the bytes (server/exports.ts) decides how
// fast: it stops pulling while the client does not read, and stops for good
// when the client goes away. No HTTP here.
import { setImmediate } from "node:timers/promises";
import { stringify } from "csv-stringify/sync";
import iconv from "iconv-lite";
import { type Actor, lineScope, receiptScope } from "../domain/auth/actor.ts";
import { formatDateTime, formatUpcomingTime } from "../domain/format.ts";
import { exportTexts, waitingMessages } from "../domain/messages.ts";
import { isOutOfService } from "../domain/rules/selection.ts";
import { jstDate, jstMinuteOfDay } from "../domain/time.ts";
import type { Db } from "../lib/db.ts";
import type { Prisma } from "../prisma/generated/client/client.ts";

/** Rows per database read: large enough to keep the reads few, small enough that a page is a few 100 KB. */
export const EXPORT_PAGE_SIZE = 1_000;

/** UTF-8 (written with a BOM, which is how Excel recognises it) or Shift_JIS (Windows-31J, as Excel writes it). */
export type CsvEncoding = "utf8" | "sjis";
export const CSV_ENCODINGS: readonly CsvEncoding[] = ["utf8", "sjis"];

/** Which line screen's columns: 利用可否設定, アプリダウンロード依頼, パスワード照会／通知. */
export type LineExportView = "permissions" | "appMail" | "passwords";
export const LINE_EXPORT_VIEWS: readonly LineExportView[] = ["permissions", "appMail", "passwords"];

/** 履歴一覧, or the password-mail history (the same list for one menu, with its own columns). */
export type ReceiptExportView = "history" | "passwordMails";
export const RECEIPT_EXPORT_VIEWS: readonly ReceiptExportView[] = ["history", "passwordMails"];

export interface Column<R> {
  header: string;
  value: (row: R, no: number) => string;
  /**
   * Digits Excel would read as a number and round (a 16-digit 受付番号 has more
   * than Excel's 15 significant digits): written as ="…", which Excel shows as
   * the text itself.
   */
  asText?: boolean;
}

export interface CsvExport {
  /** The file's name (Japanese), and one in ASCII for clients that cannot read the other. */
  fileName: string;
  asciiFileName: string;
  columns: readonly { header: string; asText?: boolean }[];
  /** The rows, a keyset page at a time; stops reading when the caller stops iterating. */
  pages(): AsyncGenerator<string[][], void>;
}

const { columns: h, values: v } = exportTexts;
const onOff = (value: boolean | null) => (value ? v.on : v.off);

/** YYYYMMDD_HHmm in JST, for file names. */
export function stamp(now: Date): string {
  const minutes = jstMinuteOfDay(now);
  const hhmm = `${String(Math.floor(minutes / 60)).padStart(2, "0")}${String(minutes % 60).padStart(2, "0")}`;
  return `${jstDate(now).replaceAll("-", "")}_${hhmm}`;
}

/**
 * Reads page after page (`read` gets the last row of the page before, null
 * for the first) and turns each into rows; No. counts on across pages.
 */
export async function* keysetPages<R>(
  read: (after: R | null) => Promise<R[]>,
  columns: readonly Column<R>[],
): AsyncGenerator<string[][], void> {
  let last: R | null = null;
  let no = 0;
  for (;;) {
    // Reading and formatting a page is work on this thread (PGlite runs its
    // queries here too), and a socket that takes every write at once never
    // makes the writer wait: without a turn of the event loop between pages
    // an export would run to its end before any other request is read.
    if (last !== null) await setImmediate();
    const page = await read(last);
    if (page.length === 0) return;
    yield page.map((row, i) => columns.map((column) => column.value(row, no + i + 1)));
    no += page.length;
    if (page.length < EXPORT_PAGE_SIZE) return;
    last = page[page.length - 1] as R;
  }
}

// ---------------------------------------------------------------------------
// 回線一覧
// ---------------------------------------------------------------------------

const lineSelect = {
  phoneNumber: true,
  name: true,
  nameKana: true,
  affiliation: true,
  deviceKind: true,
  contractStatus: true,
  status: true,
  backup: true,
  phonebookMigration: true,
  lastAppDownloadMailAt: true,
  group: { select: { name: true } },
} as const satisfies Prisma.LineSelect;

type ExportedLine = Prisma.LineGetPayload<{ select: typeof lineSelect }>;

const lineNo: Column<ExportedLine> = { header: h.no, value: (_line, no) => String(no) };
const lineGroup: Column<ExportedLine> = { header: h.group, value: (line) => line.group?.name ?? "" };
const linePhone: Column<ExportedLine> = { header: h.phone, value: (line) => line.phoneNumber };
const lineName: Column<ExportedLine> = { header: h.name, value: (line) => line.name };
const lineDevice: Column<ExportedLine> = { header: h.device, value: (line) => v.devices[line.deviceKind] };

/** Each line screen's columns (選択 and the password column are not data: left out; R10 keeps passwords off files). */
const lineColumns: Record<LineExportView, readonly Column<ExportedLine>[]> = {
  permissions: [
    lineNo,
    lineGroup,
    linePhone,
    lineName,
    {
      header: h.status,
      value: (line) =>
        isOutOfService(line.deviceKind)
          ? v.outOfService
          : line.contractStatus === "CANCELLED"
            ? v.cancelled
            : v.line[line.status],
    },
    lineDevice,
    { header: h.backup, value: (line) => onOff(line.backup) },
    { header: h.migration, value: (line) => onOff(line.phonebookMigration) },
  ],
  appMail: [
    lineNo,
    lineGroup,
    linePhone,
    lineName,
    {
      header: h.appMailSentAt,
      value: (line) =>
        isOutOfService(line.deviceKind) ? v.outOfService : formatDateTime(line.lastAppDownloadMailAt),
    },
    lineDevice,
  ],
  passwords: [
    lineNo,
    {
      header: h.status,
      value: (line) => (isOutOfService(line.deviceKind) ? v.outOfService : v.line[line.status]),
    },
    lineGroup,
    linePhone,
    lineName,
    { header: h.nameKana, value: (line) => line.nameKana },
    { header: h.affiliation, value: (line) => line.affiliation },
    lineDevice,
  ],
};

/**
 * An order to read lines in, page after page: the ORDER BY, what a row must
 * hold to say where it stands, and the lines strictly after a row. The API's
 * sort orders (schema/line-order.ts) make these for the screen's order.
 */
export interface LineWalk {
  orderBy: Prisma.LineOrderByWithRelationInput[];
  select: Prisma.LineSelect;
  after(row: Record<string, unknown>): Prisma.LineWhereInput;
}

/** By phone number, unique in an account: the lists' default order. */
export const BY_PHONE_NUMBER: LineWalk = {
  orderBy: [{ phoneNumber: "asc" }],
  select: {},
  after: (row) => ({ phoneNumber: { gt: row.phoneNumber as string } }),
};

/**
 * The lines the actor may see (a GROUP administrator: their groups) that
 * match `filters` (the screen's filter, as the API's LineFilter reads it), in
 * the screen's order (`walk`, by phone number unless told).
 */
export function lineExport(
  db: Db,
  actor: Actor,
  options: { filters: Prisma.LineWhereInput[]; view: LineExportView; now: Date; walk?: LineWalk },
): CsvExport {
  const columns = lineColumns[options.view];
  const walk = options.walk ?? BY_PHONE_NUMBER;
  const where: Prisma.LineWhereInput = { AND: [lineScope(actor), ...options.filters] };
  return {
    fileName: `${exportTexts.fileNames.lines}_${stamp(options.now)}.csv`,
    asciiFileName: `lines_${stamp(options.now)}.csv`,
    columns,
    pages: () =>
      keysetPages(
        (after) =>
          db.line.findMany({
            where: after ? { AND: [where, walk.after(after)] } : where,
            orderBy: walk.orderBy,
            take: EXPORT_PAGE_SIZE,
            select: { ...walk.select, ...lineSelect },
          }) as Promise<ExportedLine[]>,
        columns,
      ),
  };
}

// ---------------------------------------------------------------------------
// 履歴
// ---------------------------------------------------------------------------

const receiptSelect = {
  id: true,
  number: true,
  kind: true,
  status: true,
  adminName: true,
  adminLoginId: true,
  receivedAt: true,
  completedAt: true,
} as const satisfies Prisma.ReceiptSelect;

type ExportedReceipt = Prisma.ReceiptGetPayload<{ select: typeof receiptSelect }>;

const receiptColumns: Record<ReceiptExportView, readonly Column<ExportedReceipt>[]> = {
  history: [
    { header: h.number, value: (r) => r.number, asText: true },
    { header: h.adminName, value: (r) => r.adminName },
    { header: h.adminId, value: (r) => r.adminLoginId },
    { header: h.receivedAt, value: (r) => formatDateTime(r.receivedAt) },
    { header: h.completedAt, value: (r) => formatDateTime(r.completedAt) },
    { header: h.menu, value: (r) => v.kind[r.kind] },
    // A receipt still processing shows its live progress bar on screen; the file says 処理中.
    { header: h.status, value: (r) => v.receipt[r.status] },
  ],
  passwordMails: [
    { header: h.number, value: (r) => r.number, asText: true },
    { header: h.adminName, value: (r) => r.adminName },
    { header: h.adminId, value: (r) => r.adminLoginId },
    { header: h.receivedAt, value: (r) => formatDateTime(r.receivedAt) },
    { header: h.menu, value: () => v.passwordMenu },
    { header: h.status, value: (r) => v.receipt[r.status] },
  ],
};

/**
 * The receipts the actor may see (a GROUP administrator: their own) that
 * match `filters` (the API's ReceiptFilter), newest first as on screen; the
 * password-mail history is the PASSWORD_NOTICE_MAIL receipts.
 */
export function receiptExport(
  db: Db,
  actor: Actor,
  options: { filters: Prisma.ReceiptWhereInput[]; view: ReceiptExportView; now: Date },
): CsvExport {
  const columns = receiptColumns[options.view];
  const where: Prisma.ReceiptWhereInput = {
    AND: [
      receiptScope(actor),
      ...options.filters,
      ...(options.view === "passwordMails" ? [{ kind: "PASSWORD_NOTICE_MAIL" as const }] : []),
    ],
  };
  const name =
    options.view === "passwordMails" ? exportTexts.fileNames.passwordMails : exportTexts.fileNames.receipts;
  return {
    fileName: `${name}_${stamp(options.now)}.csv`,
    asciiFileName: `${options.view === "passwordMails" ? "password-mails" : "receipts"}_${stamp(options.now)}.csv`,
    columns,
    pages: () =>
      keysetPages(
        (after) =>
          db.receipt.findMany({
            // (receivedAt, id) descending, as the list and its index run.
            where: after
              ? {
                  AND: [
                    where,
                    {
                      OR: [
                        { receivedAt: { lt: after.receivedAt } },
                        { receivedAt: after.receivedAt, id: { lt: after.id } },
                      ],
                    },
                  ],
                }
              : where,
            orderBy: [{ receivedAt: "desc" }, { id: "desc" }],
            take: EXPORT_PAGE_SIZE,
            select: receiptSelect,
          }),
        columns,
      ),
  };
}

// ---------------------------------------------------------------------------
// 履歴詳細
// ---------------------------------------------------------------------------

const itemSelect = {
  position: true,
  groupName: true,
  phoneNumber: true,
  lineName: true,
  backup: true,
  phonebookMigration: true,
  status: true,
  completedAt: true,
  errorMessage: true,
  errorCode: true,
  waitingFor: true,
  retryAt: true,
} as const satisfies Prisma.ReceiptItemSelect;

type ExportedItem = Prisma.ReceiptItemGetPayload<{ select: typeof itemSelect }>;

/** The status cell as 履歴詳細 shows it: the result, the carrier's error, or why the item still waits. */
function itemStatus(item: ExportedItem, now: Date): string {
  const status = v.item[item.status];
  if (item.errorCode) return `${status}（${item.errorMessage ?? ""}）`;
  if (item.status === "PROCESSING" && item.waitingFor) {
    return `${status} ${waitingMessages[item.waitingFor](formatUpcomingTime(item.retryAt, now.getTime()))}`;
  }
  return status;
}

function itemColumns(
  receipt: { kind: ExportedReceipt["kind"]; receivedAt: Date },
  now: Date,
): readonly Column<ExportedItem>[] {
  const leading: Column<ExportedItem>[] = [
    { header: h.no, value: (_item, no) => String(no) },
    { header: h.group, value: (item) => item.groupName ?? "" },
    { header: h.phone, value: (item) => item.phoneNumber },
    { header: h.name, value: (item) => item.lineName },
  ];
  const status: Column<ExportedItem> = { header: h.status, value: (item) => itemStatus(item, now) };
  if (receipt.kind === "PERMISSION_CHANGE") {
    return [
      ...leading,
      { header: h.completedAt, value: (item) => formatDateTime(item.completedAt) },
      { header: h.backup, value: (item) => onOff(item.backup) },
      { header: h.migration, value: (item) => onOff(item.phonebookMigration) },
      status,
    ];
  }
  // Mail receipts: the screen's password column shows ●●●● until an inquiry (R10); no file holds it.
  const receivedAt = formatDateTime(receipt.receivedAt);
  return [...leading, { header: h.receivedAt, value: () => receivedAt }, status];
}

/**
 * One receipt's lines in their order, as 履歴詳細 shows them; `filters`
 * narrows the items as the screen's filter does. Null when the actor may not
 * see the receipt (unknown, another account's, or another administrator's to
 * a GROUP administrator), as the API answers.
 */
export async function receiptItemsExport(
  db: Db,
  actor: Actor,
  options: { number: string; filters?: Prisma.ReceiptItemWhereInput[]; now: Date },
): Promise<CsvExport | null> {
  const receipt = await db.receipt.findFirst({
    where: { AND: [receiptScope(actor), { number: options.number }] },
    select: { id: true, number: true, kind: true, receivedAt: true },
  });
  if (!receipt) return null;
  const columns = itemColumns(receipt, options.now);
  const where: Prisma.ReceiptItemWhereInput = {
    AND: [{ receiptId: receipt.id }, ...(options.filters ?? [])],
  };
  return {
    fileName: `${exportTexts.fileNames.receiptItems}_${receipt.number}.csv`,
    asciiFileName: `receipt_${receipt.number}.csv`,
    columns,
    pages: () =>
      keysetPages(
        (after) =>
          db.receiptItem.findMany({
            where: after ? { AND: [where, { position: { gt: after.position } }] } : where,
            orderBy: { position: "asc" },
            take: EXPORT_PAGE_SIZE,
            select: itemSelect,
          }),
        columns,
      ),
  };
}

// ---------------------------------------------------------------------------
// Bytes
// ---------------------------------------------------------------------------

/**
 * The JIS X 0208 forms that Macs and Unix systems write (Unicode's mapping of
 * JIS), which Windows-31J spells with other code points: without this 〜 and
 * − (common in names of places and in affiliations) would become "?".
 */
const WINDOWS_31J_FORMS: Record<string, string> = {
  "\u301C": "\uFF5E", // 〜 WAVE DASH → ～
  "\u2016": "\u2225", // ‖ → ∥
  "\u2212": "\uFF0D", // − MINUS SIGN → －
  "\u2014": "\u2015", // — EM DASH → ―
  "\u00A2": "\uFFE0", // ¢
  "\u00A3": "\uFFE1", // £
  "\u00AC": "\uFFE2", // ¬
  "\u00A6": "\uFFE4", // ¦
};
const JIS_FORMS = new RegExp(`[${Object.keys(WINDOWS_31J_FORMS).join("")}]`, "g");

/**
 * Text to bytes. Shift_JIS is Windows-31J (iconv-lite's Shift_JIS is CP932,
 * as Excel writes it: NEC and IBM extensions such as ① and 髙 included);
 * what it still cannot hold (emoji, JIS X 0213 characters such as 𠮷)
 * becomes "?" — iconv-lite's replacement, nothing throws. UTF-8 keeps
 * everything.
 */
function encoder(encoding: CsvEncoding): (text: string) => Buffer {
  if (encoding === "utf8") return (text) => Buffer.from(text, "utf8");
  return (text) =>
    iconv.encode(
      text.replace(JIS_FORMS, (c) => WINDOWS_31J_FORMS[c] ?? c),
      "Shift_JIS",
    );
}

/** The MIME charset of each encoding (Shift_JIS as browsers and Excel name Windows-31J). */
export const CSV_CHARSETS: Record<CsvEncoding, string> = { utf8: "utf-8", sjis: "Shift_JIS" };

/**
 * The file as bytes, a chunk per page: the header row (after a UTF-8 BOM),
 * then each page of rows. CRLF line ends; quoting by csv-stringify; a field
 * that a spreadsheet would run as a formula (=, +, -, @ …; OWASP's CSV
 * injection) is prefixed with ' by csv-stringify's escape_formulas. `onRows`
 * hears how many rows each chunk carries.
 */
export async function* csvBytes(
  file: CsvExport,
  encoding: CsvEncoding,
  onRows?: (rows: number) => void,
): AsyncGenerator<Buffer, void> {
  const encode = encoder(encoding);
  const options = { record_delimiter: "windows", escape_formulas: true } as const;
  const asText = new Set(file.columns.flatMap((column, i) => (column.asText ? [i] : [])));
  const rowOptions = {
    ...options,
    cast: {
      string: (value: string, context: { column?: number | string }) =>
        asText.has(context.column as number) && /^\d+$/.test(value)
          ? // csv-stringify applies per-field options returned by a cast (escape_formulas
            // among them, which its types do not list): this one formula is ours.
            ({ value: `="${value}"`, escape_formulas: false } as unknown as { value: string })
          : value,
    },
  };
  const header = stringify([file.columns.map((column) => column.header)], options);
  yield encode(encoding === "utf8" ? `\uFEFF${header}` : header);
  for await (const rows of file.pages()) {
    const bytes = encode(stringify(rows, rowOptions));
    onRows?.(rows.length);
    yield bytes;
  }
}
