// Receipt (受付) and ReceiptItem: the types, `receipts` and `receipt`.
import { hasScope, receiptScope } from "../domain/auth/actor.ts";
import { phoneNumberPatterns, receiptNumberFragment } from "../domain/search.ts";
import type { Prisma } from "../prisma/generated/client/client.ts";
import { ReceiptItemStatus, ReceiptKind, ReceiptStatus } from "../prisma/generated/client/enums.ts";
import type { Progress } from "../services/progress.ts";
import { builder, type Context } from "./builder.ts";
import { PAGE_LIMIT } from "./connection-args.ts";
import { orderedPeriod } from "./date-range.ts";
import { nodeAccess } from "./node-access.ts";
import { AdministratorRef } from "./viewer.ts";

export const ReceiptKindEnum = builder.enumType(ReceiptKind, {
  name: "ReceiptKind",
  description: "What a receipt is for (利用メニュー).",
  values: {
    PERMISSION_CHANGE: { description: "A permission change (利用可否設定, R6, R7)." },
    APP_DOWNLOAD_MAIL: { description: "The app-download request mail (アプリダウンロード依頼メール, R9)." },
    PASSWORD_NOTICE_MAIL: {
      description: "The My SoftBank password notice mail (My SoftBankパスワード通知メール, R10).",
    },
  },
});
export const ReceiptStatusEnum = builder.enumType(ReceiptStatus, {
  name: "ReceiptStatus",
  description: "Where a receipt stands (ステータス).",
  values: {
    PROCESSING: { description: "処理中: some items are not final yet." },
    SUCCEEDED: { description: "正常終了: every item succeeded." },
    FAILED: { description: "異常終了: every item is final and at least one failed." },
  },
});
export const ReceiptItemStatusEnum = builder.enumType(ReceiptItemStatus, {
  name: "ReceiptItemStatus",
  description: "Where one line of a receipt stands.",
  values: {
    PENDING: { description: "処理中 (not started): waiting for the worker." },
    PROCESSING: { description: "処理中: being applied, or waiting out an outage (waitingFor)." },
    SUCCEEDED: { description: "正常終了: applied." },
    FAILED: { description: "異常終了: refused for good, or the retry horizon passed (error says why)." },
  },
});
export const WaitingForEnum = builder.enumType("WaitingFor", {
  description:
    "What an item in PROCESSING waits for: that dependency is down, and the item is retried automatically.",
  values: {
    CARRIER: { value: "CARRIER", description: "The carrier's provisioning system does not answer." },
    MAIL_SERVER: { value: "MAIL_SERVER", description: "The mail server does not accept mail." },
  } as const,
});

// The receipt's open item that waits and is due first: one nested read with
// the receipt (a page of receipts reads them in one query).
const firstWaitingItem = {
  items: {
    where: { status: "PROCESSING", waitingFor: { not: null } },
    orderBy: [{ retryAt: "asc" }, { position: "asc" }],
    take: 1,
    select: { waitingFor: true, retryAt: true },
  },
} as const satisfies Prisma.ReceiptSelect;

export function visibleReceipts(ctx: Context): Prisma.ReceiptWhereInput {
  return ctx.actor ? receiptScope(ctx.actor) : { id: { in: [] } };
}

const ProgressRef = builder.objectRef<Progress>("ReceiptProgress").implement({
  description: "A receipt's items counted by status (the progress bar); total is their sum.",
  fields: (t) => ({
    total: t.exposeInt("total", { description: "All items of the receipt." }),
    pending: t.exposeInt("pending", { description: "Items not started yet." }),
    processing: t.exposeInt("processing", { description: "Items being applied or waiting out an outage." }),
    succeeded: t.exposeInt("succeeded", { description: "Items applied (正常終了)." }),
    failed: t.exposeInt("failed", { description: "Items failed (異常終了)." }),
  }),
});

const ReceiptAdminRef = builder.objectRef<{ name: string; loginId: string }>("ReceiptAdmin").implement({
  description: "Who made the request, as it was at acceptance.",
  fields: (t) => ({
    name: t.exposeString("name", { description: "管理者名 at acceptance." }),
    loginId: t.exposeString("loginId", { description: "管理者ID at acceptance." }),
  }),
});

const ItemErrorRef = builder.objectRef<{ code: string; message: string }>("ReceiptItemError").implement({
  description: "Why an item failed.",
  fields: (t) => ({
    code: t.exposeString("code", {
      description: "Stable, for programs (the carrier's or mail server's code).",
    }),
    message: t.exposeString("message", { description: "What the 履歴詳細 screen shows (Japanese)." }),
  }),
});

const ReceiptItemFilter = builder.inputType("ReceiptItemFilter", {
  description: "Narrows a receipt's items (履歴詳細's 指定なし/検索/クリア).",
  fields: (t) => ({
    statuses: t.field({
      type: [ReceiptItemStatusEnum],
      description:
        "Items in any of these statuses. The screen's 処理中 is PENDING and PROCESSING, 正常終了 SUCCEEDED, 異常終了 FAILED. An empty list matches no item.",
    }),
    phoneNumber: t.string({
      description:
        "A phone number or part of it, with or without hyphens, full-width digits allowed (1234 finds 090-1234-5678).",
    }),
  }),
});

/** Also the filter of the 履歴詳細 CSV export (server/exports.ts). */
export function receiptItemFilterWhere(
  filter: typeof ReceiptItemFilter.$inferInput | null | undefined,
): Prisma.ReceiptItemWhereInput {
  if (!filter) return {};
  const where: Prisma.ReceiptItemWhereInput[] = [];
  if (filter.statuses) where.push({ status: { in: filter.statuses } });
  const patterns = phoneNumberPatterns(filter.phoneNumber ?? "");
  if (patterns.length > 0) {
    where.push({ OR: patterns.map((pattern) => ({ phoneNumber: { contains: pattern } })) });
  }
  return { AND: where };
}

export const ReceiptRef = builder.prismaNode("Receipt", {
  description: "受付: one accepted request (a permission change or a mail), with one item per line.",
  // Unknown and foreign ids resolve to null, like ids that never existed.
  nullable: true,
  id: { field: "id", description: "The receipt's global id (the same in webhooks)." },
  findUnique: (id, ctx) => ({ id, AND: [visibleReceipts(ctx)] }) as Prisma.ReceiptWhereUniqueInput,
  // As `receipts` and `receipt`: READ_RECEIPTS (the row scope is findUnique's).
  extensions: nodeAccess((actor) => hasScope(actor, "READ_RECEIPTS")),
  fields: (t) => ({
    number: t.exposeString("number", { description: "受付番号: JST YYYYMMDD + 8-digit daily sequence." }),
    kind: t.expose("kind", { type: ReceiptKindEnum, description: "What the receipt is for (利用メニュー)." }),
    admin: t.field({
      type: ReceiptAdminRef,
      description: "Who made the request (管理者名 / 管理者ID), as at acceptance.",
      select: { adminName: true, adminLoginId: true },
      resolve: (r) => ({ name: r.adminName, loginId: r.adminLoginId }),
    }),
    receivedAt: t.expose("receivedAt", { type: "DateTime", description: "When it was accepted (受付日時)." }),
    completedAt: t.expose("completedAt", {
      type: "DateTime",
      nullable: true,
      description: "When its last item became final (結果日時); null while PROCESSING.",
    }),
    status: t.expose("status", { type: ReceiptStatusEnum, description: "PROCESSING, SUCCEEDED or FAILED." }),
    waitingFor: t.field({
      type: WaitingForEnum,
      nullable: true,
      description:
        "Set while the receipt is PROCESSING and some of its items wait for a dependency that is down (the one due first); null otherwise.",
      select: firstWaitingItem,
      resolve: (r) => r.items[0]?.waitingFor ?? null,
    }),
    retryAt: t.field({
      type: "DateTime",
      nullable: true,
      description: "When the first of the waiting items is tried again (with waitingFor).",
      select: firstWaitingItem,
      resolve: (r) => r.items[0]?.retryAt ?? null,
    }),
    progress: t.field({
      type: ProgressRef,
      description: "Its items counted by status.",
      select: { id: true, lastSeq: true },
      // Every item transition appends to the event log, so the counts are a
      // function of (receipt, lastSeq): one read serves every subscriber and
      // request that saw the same lastSeq. The per-request loader still
      // batches a page of receipts into one query.
      resolve: (r, _args, ctx) =>
        ctx.services.sharedReads.get(`progress:${r.id}:${r.lastSeq}`, () =>
          ctx.loaders.progress.clear(r.id).load(r.id),
        ),
    }),
    resendOf: t.relation("parent", {
      nullable: true,
      description: "The receipt this one resends (R11) or whose failed items it retries (R19).",
    }),
    retryableItemCount: t.relationCount("items", {
      where: { status: "FAILED", resends: { none: {} } },
      description:
        "R19: failed items that no retry or resend took up yet; retryFailedItems without itemIds retries these (permission changes).",
    }),
    resends: t.relatedConnection(
      "resends",
      {
        cursor: "id",
        description:
          "Receipts that resend this one (R11) or retry its failed items (R19), oldest first: the other direction of resendOf. Only those the caller may see.",
        query: (_args, ctx) => ({
          where: visibleReceipts(ctx),
          orderBy: [{ receivedAt: "asc" }, { id: "asc" }],
        }),
        totalCount: true,
        defaultSize: 20,
        maxSize: PAGE_LIMIT,
      },
      { description: "A page of the receipts that resend or retry a receipt, oldest first." },
    ),
    items: t.relatedConnection(
      "items",
      {
        cursor: "receiptId_position",
        description: "The receipt's lines in the order they were accepted; `filter` narrows them (履歴詳細).",
        args: {
          filter: t.arg({ type: ReceiptItemFilter, description: "Only items that match (履歴詳細's 検索)." }),
        },
        query: (args) => ({ where: receiptItemFilterWhere(args.filter), orderBy: { position: "asc" } }),
        // Counts the filtered items (the builder's filterConnectionTotalCount).
        totalCount: true,
        defaultSize: 50,
        maxSize: PAGE_LIMIT,
      },
      { description: "A page of a receipt's items (one per line), in acceptance order." },
    ),
  }),
});

export const ReceiptItemRef = builder.prismaNode("ReceiptItem", {
  description: "One line of a receipt: a snapshot at acceptance, its target and its status (履歴詳細's row).",
  // Unknown and foreign ids resolve to null, like ids that never existed.
  nullable: true,
  id: { field: "id", description: "The item's global id (the same in webhooks)." },
  findUnique: (id, ctx) =>
    ({ id, receipt: { is: visibleReceipts(ctx) } }) as Prisma.ReceiptItemWhereUniqueInput,
  // As `receipt(number) { items }`: READ_RECEIPTS and a receipt the caller sees.
  extensions: nodeAccess((actor) => hasScope(actor, "READ_RECEIPTS")),
  fields: (t) => ({
    line: t.relation("line", { nullable: true, description: "The line now (null if no longer visible)." }),
    phoneNumber: t.exposeString("phoneNumber", { description: "At acceptance." }),
    name: t.exposeString("lineName", { description: "The holder's name (氏名) at acceptance." }),
    groupName: t.exposeString("groupName", { nullable: true, description: "At acceptance." }),
    backup: t.exposeBoolean("backup", { nullable: true, description: "Target (permission changes only)." }),
    phonebookMigration: t.exposeBoolean("phonebookMigration", {
      nullable: true,
      description: "Target (permission changes only).",
    }),
    status: t.expose("status", {
      type: ReceiptItemStatusEnum,
      description: "PENDING, PROCESSING, SUCCEEDED or FAILED.",
    }),
    waitingFor: t.expose("waitingFor", {
      type: WaitingForEnum,
      nullable: true,
      description:
        "While PROCESSING: the dependency this item waits for because it is down; it is retried automatically (null when not waiting). Only a permanent rejection, or RETRY_HORIZON_MS after the first attempt, fails it.",
    }),
    retryAt: t.expose("retryAt", {
      type: "DateTime",
      nullable: true,
      description: "While PROCESSING after a temporary error: when the item is tried again.",
    }),
    completedAt: t.expose("completedAt", {
      type: "DateTime",
      nullable: true,
      description: "When it became final (結果日時); null until then.",
    }),
    error: t.field({
      type: ItemErrorRef,
      nullable: true,
      description: "Why it failed (code and message); null unless FAILED.",
      select: { errorCode: true, errorMessage: true },
      resolve: (i) => (i.errorCode ? { code: i.errorCode, message: i.errorMessage ?? "" } : null),
    }),
  }),
});

const ReceiptFilter = builder.inputType("ReceiptFilter", {
  description: "Narrows `receipts` (履歴's 検索): every field given must match.",
  // A period given backwards is refused (DATE_RANGE_REVERSED), not answered with no receipts.
  validate: orderedPeriod("receivedFrom", "receivedTo"),
  fields: (t) => ({
    kind: t.field({ type: ReceiptKindEnum, description: "Only receipts of this kind (利用メニュー)." }),
    status: t.field({ type: ReceiptStatusEnum, description: "Only receipts with this status (ステータス)." }),
    adminId: t.globalID({ for: [AdministratorRef], description: "Receipts of one administrator." }),
    receivedFrom: t.field({ type: "DateTime", description: "受付日時 from (inclusive)." }),
    receivedTo: t.field({ type: "DateTime", description: "受付日時 to (inclusive)." }),
    number: t.string({
      description:
        "A receipt number or any part of it (e.g. its YYYYMMDD date or its last digits); full-width digits, spaces, hyphens and dots are read as typed on a receipt.",
    }),
  }),
});

/** Also the filter of the 履歴 CSV export (server/exports.ts). */
export function receiptFilterWhere(
  filter: typeof ReceiptFilter.$inferInput | null | undefined,
): Prisma.ReceiptWhereInput[] {
  if (!filter) return [];
  const where: Prisma.ReceiptWhereInput[] = [];
  if (filter.kind) where.push({ kind: filter.kind });
  if (filter.status) where.push({ status: filter.status });
  if (filter.adminId) where.push({ adminId: filter.adminId.id });
  if (filter.receivedFrom) where.push({ receivedAt: { gte: filter.receivedFrom } });
  if (filter.receivedTo) where.push({ receivedAt: { lte: filter.receivedTo } });
  const number = receiptNumberFragment(filter.number ?? "");
  if (number) where.push({ number: { contains: number } });
  return where;
}

builder.queryField("receipts", (t) =>
  t.prismaConnection(
    {
      type: "Receipt",
      cursor: "id",
      authScopes: { scope: "READ_RECEIPTS" },
      description: "Receipts the caller may see, newest first (a GROUP administrator sees their own).",
      defaultSize: 20,
      maxSize: PAGE_LIMIT,
      args: {
        filter: t.arg({ type: ReceiptFilter, description: "Only receipts that match (履歴's 検索)." }),
      },
      resolve: (query, _root, args, ctx) =>
        ctx.services.db.receipt.findMany({
          ...query,
          where: { AND: [visibleReceipts(ctx), ...receiptFilterWhere(args.filter)] },
          orderBy: [{ receivedAt: "desc" }, { id: "desc" }],
        }),
      totalCount: (_root, args, ctx) =>
        ctx.services.db.receipt.count({
          where: { AND: [visibleReceipts(ctx), ...receiptFilterWhere(args.filter)] },
        }),
    },
    { name: "ReceiptConnection", description: "A page of receipts (受付), newest first (履歴)." },
  ),
);

builder.queryField("receipt", (t) =>
  t.prismaField({
    type: "Receipt",
    nullable: true,
    authScopes: { scope: "READ_RECEIPTS" },
    description: "One receipt by its number (受付番号), or null when the caller may not see it.",
    args: {
      number: t.arg.string({ required: true, description: "The 16-digit receipt number (受付番号)." }),
    },
    resolve: (query, _root, { number }, ctx) =>
      ctx.services.db.receipt.findFirst({
        ...query,
        where: { ...visibleReceipts(ctx), number: number.trim() },
      }),
  }),
);

/**
 * For mutation payloads that carry the id of the receipt they created: one
 * read with the selection spread, so the receipt's nested fields (items,
 * counts) cost no extra query.
 */
export function payloadReceipt(
  query: { include?: Prisma.ReceiptInclude; select?: Prisma.ReceiptSelect },
  payload: { receiptId: string | null },
  _args: unknown,
  ctx: Context,
) {
  return payload.receiptId
    ? ctx.services.db.receipt.findUnique({ ...query, where: { id: payload.receiptId } })
    : null;
}
