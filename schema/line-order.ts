// The orders `lines` can be sorted in (the columns the line screens show), and
// keyset paging in each of them. A page is read after (or before) the cursor's
// position: its sort key and the phone number, which is unique in an account
// and breaks ties, so every order pages through every line once, without gaps
// or repeats, however far and in whichever direction. NULLs (no group, no
// mail sent yet) sort as PostgreSQL sorts them by default: after every value
// ascending, first descending.
import {
  decodeBase64,
  decodeCursorChunk,
  encodeBase64,
  encodeCursorTuple,
  PothosValidationError,
} from "@pothos/core";
import { parsePrismaCursor } from "@pothos/plugin-prisma";
import type { Prisma } from "../prisma/generated/client/client.ts";
import { ContractStatus, DeviceKind, LineStatus } from "../prisma/generated/client/enums.ts";
import { builder } from "./builder.ts";
import { CURSOR_MESSAGE } from "./input-hygiene.ts";

/** The sortable columns (bounded: no free-form sort keys reach the database). */
export const LINE_ORDER_FIELDS = [
  "PHONE_NUMBER",
  "GROUP_NAME",
  "NAME",
  "NAME_KANA",
  "AFFILIATION",
  "STATUS",
  "CONTRACT_STATUS",
  "DEVICE_KIND",
  "LAST_APP_DOWNLOAD_MAIL_AT",
] as const;
export type LineOrderField = (typeof LINE_ORDER_FIELDS)[number];
export type Direction = "ASC" | "DESC";

export const LineOrderFieldEnum = builder.enumType("LineOrderField", {
  description:
    "A column `lines` can be sorted by; ties are broken by the phone number (in the same direction).",
  values: {
    PHONE_NUMBER: { description: "電話番号 (the default)." },
    GROUP_NAME: { description: "グループ名; lines in no group come last ascending." },
    NAME: { description: "The holder's name (氏名)." },
    NAME_KANA: { description: "The holder's name in katakana (氏名(カナ))." },
    AFFILIATION: { description: "The department (所属名)." },
    STATUS: { description: "ステータス: IN_SERVICE, then PROCESSING." },
    CONTRACT_STATUS: { description: "契約状態: ACTIVE, then CANCELLED." },
    DEVICE_KIND: { description: "機種, in the order of the DeviceKind enum." },
    LAST_APP_DOWNLOAD_MAIL_AT: {
      description: "依頼メール送信日時; lines never mailed come last ascending.",
    },
  } as const,
});

export const OrderDirectionEnum = builder.enumType("OrderDirection", {
  description: "Which way a sort runs (昇順 / 降順).",
  values: {
    ASC: { description: "Ascending." },
    DESC: { description: "Descending." },
  } as const,
});

export const LineOrderInput = builder.inputType("LineOrder", {
  description:
    "How `lines` is sorted. A cursor belongs to the order it was read in: pass it back with the same orderBy.",
  fields: (t) => ({
    field: t.field({ type: LineOrderFieldEnum, required: true, description: "The column (並び替え)." }),
    direction: t.field({ type: OrderDirectionEnum, defaultValue: "ASC", description: "Default ASC." }),
  }),
});

export interface LineOrder {
  field: LineOrderField;
  direction: Direction;
}

export const DEFAULT_LINE_ORDER: LineOrder = { field: "PHONE_NUMBER", direction: "ASC" };

type Key = string | Date | null;
/** A Prisma selection of Line columns and relations (as queryFromInfo merges it). */
type Selection = Record<string, true | { select: Record<string, true> }>;
type SortDirection = "asc" | "desc";

interface Column {
  kind: "text" | "date" | "enum";
  nullable: boolean;
  /** Enum values in the database's order (PostgreSQL sorts enums as declared). */
  values?: readonly string[];
  /** What the row must hold for the key to be read from it. */
  select: Selection;
  key(row: Record<string, unknown>): Key;
  orderBy(direction: SortDirection): Prisma.LineOrderByWithRelationInput;
  equals(key: Exclude<Key, null>): Prisma.LineWhereInput;
  /** Strictly beyond `key` in `direction`, NULLs excluded. */
  beyond(key: Exclude<Key, null>, direction: SortDirection): Prisma.LineWhereInput;
  isNull?: Prisma.LineWhereInput;
}

function scalar(
  name: "name" | "nameKana" | "affiliation" | "lastAppDownloadMailAt",
  kind: "text" | "date",
  nullable: boolean,
): Column {
  return {
    kind,
    nullable,
    select: { [name]: true },
    key: (row) => row[name] as Key,
    orderBy: (direction) => ({ [name]: direction }),
    equals: (key) => ({ [name]: key }),
    beyond: (key, direction) => ({ [name]: direction === "asc" ? { gt: key } : { lt: key } }),
    ...(nullable ? { isNull: { [name]: null } } : {}),
  };
}

function enumeration(name: "status" | "contractStatus" | "deviceKind", values: readonly string[]): Column {
  return {
    kind: "enum",
    nullable: false,
    values,
    select: { [name]: true },
    key: (row) => row[name] as Key,
    orderBy: (direction) => ({ [name]: direction }),
    equals: (key) => ({ [name]: key }),
    // Prisma compares enums only for equality: "beyond" is the values on that side.
    beyond: (key, direction) => {
      const at = values.indexOf(key as string);
      return { [name]: { in: direction === "asc" ? values.slice(at + 1) : values.slice(0, at) } };
    },
  };
}

const columns: Record<Exclude<LineOrderField, "PHONE_NUMBER">, Column> = {
  GROUP_NAME: {
    kind: "text",
    nullable: true,
    select: { group: { select: { name: true } } },
    key: (row) => (row.group as { name: string } | null)?.name ?? null,
    orderBy: (direction) => ({ group: { name: direction } }),
    equals: (key) => ({ group: { is: { name: key as string } } }),
    beyond: (key, direction) => ({
      group: { is: { name: direction === "asc" ? { gt: key as string } : { lt: key as string } } },
    }),
    isNull: { groupId: null },
  },
  NAME: scalar("name", "text", false),
  NAME_KANA: scalar("nameKana", "text", false),
  AFFILIATION: scalar("affiliation", "text", false),
  LAST_APP_DOWNLOAD_MAIL_AT: scalar("lastAppDownloadMailAt", "date", true),
  STATUS: enumeration("status", Object.values(LineStatus)),
  CONTRACT_STATUS: enumeration("contractStatus", Object.values(ContractStatus)),
  DEVICE_KIND: enumeration("deviceKind", Object.values(DeviceKind)),
};

/** A position in an order: the sort key (none for the phone-number order) and the phone number. */
export interface Position {
  key: Key;
  phoneNumber: string;
}

/** What a page's rows must hold besides what the client selected. */
export function orderSelection(order: LineOrder): Selection {
  const column = order.field === "PHONE_NUMBER" ? null : columns[order.field];
  return { accountId: true, phoneNumber: true, ...column?.select };
}

/** The ORDER BY of a walk through `order`, forwards or (for `last`/`before`) backwards. */
export function orderByFor(order: LineOrder, backwards: boolean): Prisma.LineOrderByWithRelationInput[] {
  const direction = walkDirection(order, backwards);
  if (order.field === "PHONE_NUMBER") return [{ phoneNumber: direction }];
  return [columns[order.field].orderBy(direction), { phoneNumber: direction }];
}

/** The lines strictly past `from` in a walk through `order`. */
export function pastPosition(order: LineOrder, from: Position, backwards: boolean): Prisma.LineWhereInput {
  const direction = walkDirection(order, backwards);
  const phoneBeyond = {
    phoneNumber: direction === "asc" ? { gt: from.phoneNumber } : { lt: from.phoneNumber },
  };
  if (order.field === "PHONE_NUMBER") return phoneBeyond;
  const column = columns[order.field];
  if (from.key === null) {
    // NULL is the greatest key: ascending only NULLs remain, descending every value does.
    const isNull = column.isNull ?? { id: { in: [] } };
    return direction === "asc"
      ? { AND: [isNull, phoneBeyond] }
      : { OR: [{ NOT: isNull }, { AND: [isNull, phoneBeyond] }] };
  }
  return {
    OR: [
      column.beyond(from.key, direction),
      ...(direction === "asc" && column.isNull ? [column.isNull] : []),
      { AND: [column.equals(from.key), phoneBeyond] },
    ],
  };
}

function walkDirection(order: LineOrder, backwards: boolean): SortDirection {
  const ascending = (order.direction === "ASC") !== backwards;
  return ascending ? "asc" : "desc";
}

// ---- Cursors -----------------------------------------------------------------

/**
 * In the phone-number order the cursor is the one `lines` always handed out
 * (Pothos's compound cursor of the account and the phone number), so cursors
 * an integrator kept still page. Other orders carry the order, the sort key
 * and the phone number; a cursor of another order is refused.
 */
const ORDERED_PREFIX = "LineOrder:";

export function lineCursor(order: LineOrder, row: Record<string, unknown>): string {
  const phoneNumber = row.phoneNumber as string;
  if (order.field === "PHONE_NUMBER") {
    return encodeBase64(`GPC:${encodeCursorTuple([row.accountId, phoneNumber])}`);
  }
  const key = columns[order.field].key(row);
  return encodeBase64(
    `${ORDERED_PREFIX}${encodeCursorTuple([order.field, order.direction, key, phoneNumber])}`,
  );
}

const invalidCursor = () => new PothosValidationError(CURSOR_MESSAGE);

/** The position a cursor of `order` names; a coded BAD_USER_INPUT error for anything else. */
export function parseLineCursor(order: LineOrder, cursor: string): Position {
  let text: string;
  try {
    text = decodeBase64(cursor);
  } catch {
    throw invalidCursor();
  }
  if (text.startsWith("GPC:")) {
    if (order.field !== "PHONE_NUMBER") throw invalidCursor();
    // As Pothos's own parsing of this list's cursors answered (with its words).
    const parsed = parsePrismaCursor(cursor);
    if (!Array.isArray(parsed)) {
      throw new PothosValidationError(`Expected compound cursor to contain an array, but got ${parsed}`);
    }
    const phoneNumber = parsed[1];
    if (parsed.length !== 2 || !isText(phoneNumber)) throw invalidCursor();
    return { key: null, phoneNumber };
  }
  if (!text.startsWith(ORDERED_PREFIX) || order.field === "PHONE_NUMBER") throw invalidCursor();
  let parts: unknown;
  try {
    parts = decodeCursorChunk(text.slice(ORDERED_PREFIX.length));
  } catch {
    throw invalidCursor();
  }
  if (!Array.isArray(parts) || parts.length !== 4) throw invalidCursor();
  const [field, direction, key, phoneNumber] = parts as unknown[];
  if (field !== order.field || direction !== order.direction || !isText(phoneNumber)) throw invalidCursor();
  const column = columns[order.field];
  if (!fitsColumn(column, key)) throw invalidCursor();
  return { key: key as Key, phoneNumber };
}

function isText(value: unknown): value is string {
  return typeof value === "string" && value.length <= 1_024 && !value.includes("\u0000");
}

function fitsColumn(column: Column, key: unknown): boolean {
  if (key === null) return column.nullable;
  switch (column.kind) {
    case "text":
      return isText(key);
    case "date":
      return key instanceof Date && !Number.isNaN(key.getTime()) && Math.abs(key.getFullYear()) < 10_000;
    case "enum":
      return typeof key === "string" && (column.values ?? []).includes(key);
  }
}
