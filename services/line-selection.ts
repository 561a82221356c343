// 「CSVで選択」: a list of phone numbers (a CSV column, an MDM tool's inventory)
// resolved to the lines the caller may select, row by row and in order, with
// what stops each other row: unknown, cancelled, out of service (R16), the
// same number again, or past R3's 200 lines. A read: nothing is selected on
// the server, the caller submits the lines it got (sendAppDownloadMail,
// submitPermissionChange) and R3–R5 are checked there again.
import { type Actor, lineScope } from "../domain/auth/actor.ts";
import { lineSelectionMessages, userErrorMessages } from "../domain/messages.ts";
import { normalizePhoneNumber } from "../domain/phone-number.ts";
import { isOutOfService, MAX_LINES_PER_REQUEST } from "../domain/rules/selection.ts";
import type { Db } from "../lib/db.ts";
import type { Line, Prisma } from "../prisma/generated/client/client.ts";

/** The most rows one call resolves (an input bound: schema/input-bounds.ts). R3's 200 is reported per row. */
export const MAX_SELECTION_ROWS = 1_000;

export const lineSelectionStatuses = [
  "SELECTED",
  "NOT_FOUND",
  "INVALID_PHONE_NUMBER",
  "CANCELLED",
  "OUT_OF_SERVICE",
  "DUPLICATE",
  "TOO_MANY_LINES",
] as const;

export type LineSelectionStatus = (typeof lineSelectionStatuses)[number];

/** The text each status shows: R3's own where it applies (R16 shares the cancelled line's). */
export const lineSelectionMessage: Record<LineSelectionStatus, string | null> = {
  SELECTED: null,
  NOT_FOUND: lineSelectionMessages.NOT_FOUND,
  INVALID_PHONE_NUMBER: lineSelectionMessages.INVALID_PHONE_NUMBER,
  CANCELLED: userErrorMessages.CANCELLED_LINE_SELECTED,
  OUT_OF_SERVICE: userErrorMessages.OUT_OF_SERVICE_LINE_SELECTED,
  DUPLICATE: lineSelectionMessages.DUPLICATE,
  TOO_MANY_LINES: userErrorMessages.TOO_MANY_LINES,
};

export interface SelectionRowInput {
  phoneNumber: string;
  /** 利用可否設定's targets for the row's line, handed back as given (null: keep the line's). */
  backup?: boolean | null;
  phonebookMigration?: boolean | null;
}

export interface ResolvedSelectionRow<L = Line> {
  /** The row's position in the input, from 0. */
  index: number;
  /** As given. */
  phoneNumber: string;
  /** As lines store it (090-1234-5678); null when it is no phone number. */
  normalizedPhoneNumber: string | null;
  /** The line the number names, when the caller may see it (also for duplicates and past 200). */
  line: L | null;
  status: LineSelectionStatus;
  message: string | null;
  backup: boolean | null;
  phonebookMigration: boolean | null;
}

/** What decides a row: the line's contract state and device kind. */
type Classified = Pick<Line, "id" | "phoneNumber" | "contractStatus" | "deviceKind">;

/**
 * Each row's status, in order: the first row of a number decides it, later
 * rows of the same number are DUPLICATE; selectable lines past the 200th are
 * TOO_MANY_LINES (rows that select nothing do not count).
 */
export function classifyRows<L extends Classified>(
  rows: readonly SelectionRowInput[],
  linesByNumber: ReadonlyMap<string, L>,
): ResolvedSelectionRow<L>[] {
  const seen = new Set<string>();
  let selected = 0;
  return rows.map((row, index) => {
    const normalized = normalizePhoneNumber(row.phoneNumber);
    const line = normalized ? (linesByNumber.get(normalized) ?? null) : null;
    let status: LineSelectionStatus;
    if (!normalized) status = "INVALID_PHONE_NUMBER";
    else if (seen.has(normalized)) status = "DUPLICATE";
    else if (!line) status = "NOT_FOUND";
    else if (line.contractStatus === "CANCELLED") status = "CANCELLED";
    else if (isOutOfService(line.deviceKind)) status = "OUT_OF_SERVICE";
    else if (selected >= MAX_LINES_PER_REQUEST) status = "TOO_MANY_LINES";
    else {
      status = "SELECTED";
      selected++;
    }
    if (normalized) seen.add(normalized);
    return {
      index,
      phoneNumber: row.phoneNumber,
      normalizedPhoneNumber: normalized,
      line,
      status,
      message: lineSelectionMessage[status],
      backup: row.backup ?? null,
      phonebookMigration: row.phonebookMigration ?? null,
    };
  });
}

/** The Prisma selection of the lines read: GraphQL's, plus what the rows are decided by. */
export interface LineQuery {
  select?: Prisma.LineSelect;
  include?: Prisma.LineInclude;
}

/**
 * The rows resolved against the lines `actor` may see (a GROUP
 * administrator's groups; the actor's account only): a number the actor may
 * not see reads as NOT_FOUND, exactly like one that does not exist. One read
 * whatever the number of rows.
 */
export async function resolveLineSelection(
  db: Db,
  actor: Actor,
  rows: readonly SelectionRowInput[],
  query: LineQuery = {},
): Promise<ResolvedSelectionRow[]> {
  const numbers = [
    ...new Set(rows.map((row) => normalizePhoneNumber(row.phoneNumber)).filter((n) => n !== null)),
  ];
  if (numbers.length === 0) return classifyRows(rows, new Map());
  const where: Prisma.LineWhereInput = { AND: [lineScope(actor), { phoneNumber: { in: numbers } }] };
  const lines = (await (query.select
    ? db.line.findMany({
        select: { ...query.select, id: true, phoneNumber: true, contractStatus: true, deviceKind: true },
        where,
      })
    : db.line.findMany({ include: query.include, where }))) as Line[];
  return classifyRows(rows, new Map(lines.map((line) => [line.phoneNumber, line])));
}
