// Line (回線): the type, `lines` (keyset-paginated, filtered) and `line`.

import { GraphQLError } from "graphql";
import { canRefreshLines, hasScope, lineScope } from "../domain/auth/actor.ts";
import { realtimeMessages } from "../domain/messages.ts";
import { OUT_OF_SERVICE_DEVICE_KIND } from "../domain/rules/selection.ts";
import { sharedEvent } from "../lib/shared-event.ts";
import type { Prisma } from "../prisma/generated/client/client.ts";
import { ContractStatus, DeviceKind, LineStatus } from "../prisma/generated/client/enums.ts";
import { watchLineChanges } from "../services/line-changes.ts";
import { endingWith, OVERFLOW } from "../services/realtime.ts";
import { refreshLines } from "../services/roster-sync.ts";
import { actorOf, builder, type Context } from "./builder.ts";
import { PAGE_LIMIT } from "./connection-args.ts";
import { GroupRef } from "./group.ts";
import { nodeAccess } from "./node-access.ts";
import { type UserError, UserErrorRef } from "./user-error.ts";

export const DeviceKindEnum = builder.enumType(DeviceKind, { name: "DeviceKind" });
export const ContractStatusEnum = builder.enumType(ContractStatus, { name: "ContractStatus" });
export const LineStatusEnum = builder.enumType(LineStatus, { name: "LineStatus" });

/** Lines the caller may see; nothing at all without a caller. */
export function visibleLines(ctx: Context): Prisma.LineWhereInput {
  return ctx.actor ? lineScope(ctx.actor) : { id: { in: [] } };
}

export const LineRef = builder.prismaNode("Line", {
  // Unknown and foreign ids resolve to null, like ids that never existed.
  nullable: true,
  id: { field: "id" },
  findUnique: (id, ctx) => ({ id, AND: [visibleLines(ctx)] }) as Prisma.LineWhereUniqueInput,
  // As `lines` and `line`: READ_LINES (the row scope is findUnique's).
  extensions: nodeAccess((actor) => hasScope(actor, "READ_LINES")),
  fields: (t) => ({
    phoneNumber: t.exposeString("phoneNumber"),
    name: t.exposeString("name", { description: "氏名" }),
    nameKana: t.exposeString("nameKana", { description: "氏名(カナ)" }),
    affiliation: t.exposeString("affiliation", { description: "所属名" }),
    group: t.relation("group", { nullable: true }),
    deviceKind: t.expose("deviceKind", { type: DeviceKindEnum }),
    contractStatus: t.expose("contractStatus", { type: ContractStatusEnum }),
    contractedOn: t.expose("contractedOn", { type: "Date", description: "契約日 (JST)" }),
    status: t.expose("status", { type: LineStatusEnum }),
    backup: t.exposeBoolean("backup", { description: "バックアップ機能 (save and restore, R2)" }),
    phonebookMigration: t.exposeBoolean("phonebookMigration", { description: "電話帳移行機能" }),
    lastAppDownloadMailAt: t.expose("lastAppDownloadMailAt", {
      type: "DateTime",
      nullable: true,
      description: "依頼メール送信日時",
    }),
    appPreinstalled: t.exposeBoolean("appPreinstalled"),
    sharedPhonebook: t.exposeBoolean("sharedPhonebook", { description: "共有電話帳を利用中 (R14)" }),
    upgradedFrom3gOn: t.expose("upgradedFrom3gOn", { type: "Date", nullable: true }),
    version: t.exposeInt("version", { description: "Increases on every change (R5)." }),
  }),
});

const LineFilter = builder.inputType("LineFilter", {
  fields: (t) => ({
    search: t.string({
      description: "Part of a phone number (with or without hyphens), name, kana, affiliation or group name.",
    }),
    groupId: t.globalID({ for: [GroupRef] }),
    ungrouped: t.boolean({ description: "Only lines in no group." }),
    status: t.field({ type: LineStatusEnum }),
    deviceKind: t.field({ type: DeviceKindEnum }),
    contractStatus: t.field({ type: ContractStatusEnum }),
    lastAppDownloadMailFrom: t.field({
      type: "DateTime",
      description: "依頼メール送信日時 from (inclusive)",
    }),
    lastAppDownloadMailTo: t.field({ type: "DateTime", description: "依頼メール送信日時 to (inclusive)" }),
    appDownloadMailNeverSent: t.boolean({ description: "Only lines that never got the app-download mail." }),
    outOfService: t.boolean({
      description:
        "true: only lines out of service for this product (3G, サービス対象外), which no selection may hold (R16); false: only the others.",
    }),
  }),
});

type LineFilterShape = typeof LineFilter.$inferInput;

export function lineFilterWhere(filter: LineFilterShape | null | undefined): Prisma.LineWhereInput[] {
  if (!filter) return [];
  const where: Prisma.LineWhereInput[] = [];
  const search = filter.search?.trim();
  if (search) {
    const or: Prisma.LineWhereInput[] = [
      { name: { contains: search, mode: "insensitive" } },
      { nameKana: { contains: search, mode: "insensitive" } },
      { affiliation: { contains: search, mode: "insensitive" } },
      { group: { name: { contains: search, mode: "insensitive" } } },
      { phoneNumber: { contains: search } },
    ];
    const digits = search.replaceAll(/[-\s]/g, "");
    if (/^\d+$/.test(digits)) or.push({ phoneNumber: { contains: hyphenatedFragment(digits) } });
    where.push({ OR: or });
  }
  if (filter.groupId) where.push({ groupId: filter.groupId.id });
  if (filter.ungrouped) where.push({ groupId: null });
  if (filter.status) where.push({ status: filter.status });
  if (filter.deviceKind) where.push({ deviceKind: filter.deviceKind });
  if (filter.contractStatus) where.push({ contractStatus: filter.contractStatus });
  if (filter.lastAppDownloadMailFrom)
    where.push({ lastAppDownloadMailAt: { gte: filter.lastAppDownloadMailFrom } });
  if (filter.lastAppDownloadMailTo)
    where.push({ lastAppDownloadMailAt: { lte: filter.lastAppDownloadMailTo } });
  if (filter.appDownloadMailNeverSent) where.push({ lastAppDownloadMailAt: null });
  if (filter.outOfService != null) {
    where.push({
      deviceKind: filter.outOfService ? OUT_OF_SERVICE_DEVICE_KIND : { not: OUT_OF_SERVICE_DEVICE_KIND },
    });
  }
  return where;
}

/**
 * Phone numbers are stored as 090-1234-5678. A full 11-digit number searched
 * without hyphens is matched in its stored form; shorter digit runs match
 * as typed.
 */
function hyphenatedFragment(digits: string): string {
  return digits.length === 11 ? `${digits.slice(0, 3)}-${digits.slice(3, 7)}-${digits.slice(7)}` : digits;
}

builder.queryField("lines", (t) =>
  t.prismaConnection(
    {
      type: "Line",
      cursor: "accountId_phoneNumber",
      authScopes: { scope: "READ_LINES" },
      description:
        "Lines the caller may see, by phone number. Keyset-paginated: deep pages cost what the first does.",
      defaultSize: 50,
      maxSize: PAGE_LIMIT,
      args: { filter: t.arg({ type: LineFilter }) },
      resolve: (query, _root, args, ctx) => {
        // Keyset paging by hand: given Prisma's `cursor`, the generated SQL
        // has no LIMIT (prisma/orm#27094) and reads every row after the
        // cursor, so a page costs as much as the rest of the list (bench/README.md).
        // `phoneNumber > cursor` (or `<` backwards) reads just one page.
        const { cursor, skip, ...rest } = query as typeof query & {
          cursor?: { accountId_phoneNumber: { phoneNumber: string } };
        };
        const after = cursor?.accountId_phoneNumber.phoneNumber;
        const backwards = (rest.take ?? 0) < 0;
        return ctx.services.db.line.findMany({
          ...rest,
          // Pothos skips the cursor row itself (skip: 1); > and < leave it out already.
          skip: after ? Math.max(0, (skip ?? 0) - 1) : skip,
          where: {
            AND: [
              visibleLines(ctx),
              ...lineFilterWhere(args.filter),
              ...(after ? [{ phoneNumber: backwards ? { lt: after } : { gt: after } }] : []),
            ],
          },
          orderBy: { phoneNumber: "asc" },
        });
      },
      totalCount: (_root, args, ctx) =>
        ctx.services.db.line.count({ where: { AND: [visibleLines(ctx), ...lineFilterWhere(args.filter)] } }),
    },
    { name: "LineConnection" },
    { name: "LineEdge" },
  ),
);

builder.queryField("line", (t) =>
  t.prismaField({
    type: "Line",
    nullable: true,
    authScopes: { scope: "READ_LINES" },
    args: { phoneNumber: t.arg.string({ required: true }) },
    resolve: (query, _root, { phoneNumber }, ctx) => {
      actorOf(ctx);
      return ctx.services.db.line.findFirst({
        ...query,
        where: { ...visibleLines(ctx), phoneNumber: phoneNumber.trim() },
      });
    },
  }),
);

const RefreshLinesPayload = builder
  .objectRef<{ added: number; updated: number; userErrors: UserError[] }>("RefreshLinesPayload")
  .implement({
    fields: (t) => ({
      added: t.exposeInt("added", {
        description: "Lines newly listed (e.g. contracted today, R8); 0 when refused.",
      }),
      updated: t.exposeInt("updated", {
        description: "Listed lines whose contract facts changed; 0 when refused.",
      }),
      userErrors: t.field({
        type: [UserErrorRef],
        description:
          "Why nothing was refreshed, e.g. CARRIER_UNAVAILABLE when the carrier's roster cannot be read.",
        resolve: (p) => p.userErrors,
      }),
    }),
  });

builder.mutationField("refreshLines", (t) =>
  t.field({
    type: RefreshLinesPayload,
    authScopes: (_root, _args, ctx) => ctx.actor !== null && canRefreshLines(ctx.actor),
    description:
      "手動更新: lists the lines the carrier added today (R8) and refreshes contract facts, for the whole account. MAIN and SUB administrators and API tokens with CHANGE_PERMISSIONS; a GROUP administrator (who sees only their groups) is refused with FORBIDDEN.",
    resolve: async (_root, _args, ctx) => {
      const refreshed = await refreshLines(
        ctx.services.db,
        ctx.services.clock,
        ctx.services.carrier,
        actorOf(ctx),
        { ip: ctx.ip },
      );
      return refreshed.ok
        ? { ...refreshed.result, userErrors: [] }
        : { added: 0, updated: 0, userErrors: refreshed.errors };
    },
  }),
);

/** Names each changed line read for an event; watchers of the same view share its execution. */
let lineEvents = 0;

function lineChanges(ctx: Context, groupId: string | null, lineIds: string[] | null) {
  const stream = watchLineChanges(ctx.services, actorOf(ctx), { groupId, lineIds });
  return endingWith(changedLines(stream), stream);
}

async function* changedLines(stream: ReturnType<typeof watchLineChanges>) {
  try {
    for await (const line of stream) {
      if (line === OVERFLOW) {
        // Which lines changed is lost; the client re-subscribes and refetches.
        throw new GraphQLError(realtimeMessages.SLOW_CONSUMER, { extensions: { code: "SLOW_CONSUMER" } });
      }
      // The read is shared, so every watcher of this event holds this very object.
      yield sharedEvent(line, () => `line:${line.id}:${++lineEvents}`);
    }
  } finally {
    await stream.return();
  }
}

builder.subscriptionField("lineStatusChanged", (t) =>
  t.field({
    type: LineRef,
    authScopes: { scope: "READ_LINES" },
    description: "Lines (status, flags, version) as they change; optionally only a group's or some lines.",
    args: { groupId: t.arg.globalID({ for: GroupRef }), lineIds: t.arg.globalIDList({ for: LineRef }) },
    subscribe: (_root, args, ctx) =>
      lineChanges(ctx, args.groupId?.id ?? null, args.lineIds ? args.lineIds.map((line) => line.id) : null),
    resolve: (line) => line,
  }),
);
