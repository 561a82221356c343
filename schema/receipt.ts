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

export const ReceiptKindEnum = builder.enumType(ReceiptKind, { name: "ReceiptKind" });
export const ReceiptStatusEnum = builder.enumType(ReceiptStatus, { name: "ReceiptStatus" });
export const ReceiptItemStatusEnum = builder.enumType(ReceiptItemStatus, { name: "ReceiptItemStatus" });
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
  fields: (t) => ({
    total: t.exposeInt("total"),
    pending: t.exposeInt("pending"),
    processing: t.exposeInt("processing"),
    succeeded: t.exposeInt("succeeded"),
    failed: t.exposeInt("failed"),
  }),
});

const ReceiptAdminRef = builder.objectRef<{ name: string; loginId: string }>("ReceiptAdmin").implement({
  description: "Who made the request, as it was at acceptance.",
  fields: (t) => ({
    name: t.exposeString("name"),
    loginId: t.exposeString("loginId"),
  }),
});

const ItemErrorRef = builder.objectRef<{ code: string; message: string }>("ReceiptItemError").implement({
  fields: (t) => ({ code: t.exposeString("code"), message: t.exposeString("message") }),
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
  // Unknown and foreign ids resolve to null, like ids that never existed.
  nullable: true,
  id: { field: "id" },
  findUnique: (id, ctx) => ({ id, AND: [visibleReceipts(ctx)] }) as Prisma.ReceiptWhereUniqueInput,
  // As `receipts` and `receipt`: READ_RECEIPTS (the row scope is findUnique's).
  extensions: nodeAccess((actor) => hasScope(actor, "READ_RECEIPTS")),
  fields: (t) => ({
    number: t.exposeString("number", { description: "受付番号: JST YYYYMMDD + 8-digit daily sequence." }),
    kind: t.expose("kind", { type: ReceiptKindEnum }),
    admin: t.field({
      type: ReceiptAdminRef,
      select: { adminName: true, adminLoginId: true },
      resolve: (r) => ({ name: r.adminName, loginId: r.adminLoginId }),
    }),
    receivedAt: t.expose("receivedAt", { type: "DateTime", description: "受付日時" }),
    completedAt: t.expose("completedAt", { type: "DateTime", nullable: true, description: "結果日時" }),
    status: t.expose("status", { type: ReceiptStatusEnum }),
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
    resends: t.relatedConnection("resends", {
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
    }),
    items: t.relatedConnection("items", {
      cursor: "receiptId_position",
      description: "The receipt's lines in the order they were accepted; `filter` narrows them (履歴詳細).",
      args: { filter: t.arg({ type: ReceiptItemFilter }) },
      query: (args) => ({ where: receiptItemFilterWhere(args.filter), orderBy: { position: "asc" } }),
      // Counts the filtered items (the builder's filterConnectionTotalCount).
      totalCount: true,
      defaultSize: 50,
      maxSize: PAGE_LIMIT,
    }),
  }),
});

export const ReceiptItemRef = builder.prismaNode("ReceiptItem", {
  // Unknown and foreign ids resolve to null, like ids that never existed.
  nullable: true,
  id: { field: "id" },
  findUnique: (id, ctx) =>
    ({ id, receipt: { is: visibleReceipts(ctx) } }) as Prisma.ReceiptItemWhereUniqueInput,
  // As `receipt(number) { items }`: READ_RECEIPTS and a receipt the caller sees.
  extensions: nodeAccess((actor) => hasScope(actor, "READ_RECEIPTS")),
  fields: (t) => ({
    line: t.relation("line", { nullable: true, description: "The line now (null if no longer visible)." }),
    phoneNumber: t.exposeString("phoneNumber", { description: "At acceptance." }),
    name: t.exposeString("lineName", { description: "氏名 at acceptance." }),
    groupName: t.exposeString("groupName", { nullable: true, description: "At acceptance." }),
    backup: t.exposeBoolean("backup", { nullable: true, description: "Target (permission changes only)." }),
    phonebookMigration: t.exposeBoolean("phonebookMigration", {
      nullable: true,
      description: "Target (permission changes only).",
    }),
    status: t.expose("status", { type: ReceiptItemStatusEnum }),
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
    completedAt: t.expose("completedAt", { type: "DateTime", nullable: true }),
    error: t.field({
      type: ItemErrorRef,
      nullable: true,
      select: { errorCode: true, errorMessage: true },
      resolve: (i) => (i.errorCode ? { code: i.errorCode, message: i.errorMessage ?? "" } : null),
    }),
  }),
});

const ReceiptFilter = builder.inputType("ReceiptFilter", {
  // A period given backwards is refused (DATE_RANGE_REVERSED), not answered with no receipts.
  validate: orderedPeriod("receivedFrom", "receivedTo"),
  fields: (t) => ({
    kind: t.field({ type: ReceiptKindEnum }),
    status: t.field({ type: ReceiptStatusEnum }),
    adminId: t.globalID({ for: [AdministratorRef], description: "Receipts of one administrator." }),
    receivedFrom: t.field({ type: "DateTime" }),
    receivedTo: t.field({ type: "DateTime" }),
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
      args: { filter: t.arg({ type: ReceiptFilter }) },
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
    { name: "ReceiptConnection" },
    { name: "ReceiptEdge" },
  ),
);

builder.queryField("receipt", (t) =>
  t.prismaField({
    type: "Receipt",
    nullable: true,
    authScopes: { scope: "READ_RECEIPTS" },
    args: { number: t.arg.string({ required: true }) },
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
