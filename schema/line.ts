// Line (回線): the type, `lines` (keyset-paginated, filtered) and `line`.

import { queryFromInfo } from "@pothos/plugin-prisma";
import { GraphQLError, type GraphQLResolveInfo, Kind } from "graphql";
import { canRefreshLines, hasScope, lineScope } from "../domain/auth/actor.ts";
import { realtimeMessages } from "../domain/messages.ts";
import { MAX_LINES_OFFSET } from "../domain/paging.ts";
import { OUT_OF_SERVICE_DEVICE_KIND } from "../domain/rules/selection.ts";
import { MAX_SEARCH_TERMS, searchTerms } from "../domain/search.ts";
import { sharedEvent } from "../lib/shared-event.ts";
import type { Prisma } from "../prisma/generated/client/client.ts";
import { ContractStatus, DeviceKind, LineStatus } from "../prisma/generated/client/enums.ts";
import { watchLineChanges } from "../services/line-changes.ts";
import { endingWith, OVERFLOW } from "../services/realtime.ts";
import { refreshLines } from "../services/roster-sync.ts";
import { actorOf, builder, type Context } from "./builder.ts";
import { orderedPeriod } from "./date-range.ts";
import { GroupRef } from "./group.ts";
import {
  DEFAULT_LINE_ORDER,
  type Direction,
  type LineOrder,
  type LineOrderField,
  LineOrderInput,
  lineCursor,
  orderByFor,
  orderSelection,
  parseLineCursor,
  pastPosition,
} from "./line-order.ts";
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
  // A period given backwards is refused (DATE_RANGE_REVERSED), not answered with no lines.
  validate: orderedPeriod("lastAppDownloadMailFrom", "lastAppDownloadMailTo"),
  fields: (t) => ({
    search: t.string({
      description: `Words (up to ${MAX_SEARCH_TERMS}; each must match) found in the phone number, name, kana, affiliation or group name, as people type them: full-width digits and letters, half-width kana, hiragana for the kana (やまだ finds ヤマダ), a phone number or part of it with or without hyphens (9012 finds 090-1234-…).`,
    }),
    ids: t.globalIDList({
      for: [LineRef],
      description:
        "Only these lines (e.g. the ones selected: 選択中のみ表示), at most 200; ids the caller may not see match nothing. An empty list matches no line.",
    }),
    deviceKinds: t.field({
      type: [DeviceKindEnum],
      description: "Only lines of these device kinds (機種); an empty list matches no line.",
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
  // Each word must match some column (domain/search.ts says how words are read).
  for (const term of searchTerms(filter.search)) {
    where.push({
      OR: [
        { name: { contains: term.text, mode: "insensitive" } },
        { nameKana: { contains: term.kana, mode: "insensitive" } },
        { affiliation: { contains: term.text, mode: "insensitive" } },
        { group: { name: { contains: term.text, mode: "insensitive" } } },
        { phoneNumber: { contains: term.text } },
        ...term.phoneFragments.map((fragment) => ({ phoneNumber: { contains: fragment } })),
      ],
    });
  }
  if (filter.ids) where.push({ id: { in: filter.ids.map((line) => line.id) } });
  if (filter.deviceKinds) where.push({ deviceKind: { in: filter.deviceKinds } });
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

builder.queryField("lines", (t) =>
  t.connection(
    {
      type: LineRef,
      authScopes: { scope: "READ_LINES" },
      description:
        'Lines the caller may see, by phone number unless orderBy says otherwise. Keyset-paginated in every order: deep pages cost what the first does. `offset` jumps a bounded number of rows from the start, the end or a cursor (page numbers, README "Paging").',
      args: {
        filter: t.arg({ type: LineFilter }),
        orderBy: t.arg({
          type: LineOrderInput,
          description:
            "The sort column and direction (default PHONE_NUMBER ASC); cursors belong to their order.",
        }),
        offset: t.arg.int({
          description: `Skip this many lines first: from the start (first), the end (last), or past the cursor (after/before). 0–${MAX_LINES_OFFSET.toLocaleString("en")}: skipped lines are read, so farther positions are reached from a nearer cursor.`,
        }),
      },
      resolve: (_root, args, ctx, info) => readLines(args, ctx, info),
    },
    {
      name: "LineConnection",
      fields: (t) => ({
        // Counted only when asked for.
        totalCount: t.int({ resolve: (connection) => (connection as unknown as LinePage).totalCount() }),
      }),
    },
    { name: "LineEdge" },
  ),
);

interface LinePage {
  totalCount(): Promise<number>;
}

async function readLines(
  args: {
    first?: number | null;
    last?: number | null;
    after?: string | null;
    before?: string | null;
    offset?: number | null;
    filter?: LineFilterShape | null;
    orderBy?: { field: LineOrderField; direction?: Direction | null } | null;
  },
  ctx: Context,
  info: GraphQLResolveInfo,
) {
  const order: LineOrder = args.orderBy
    ? { field: args.orderBy.field, direction: args.orderBy.direction ?? "ASC" }
    : DEFAULT_LINE_ORDER;
  // Directions are never mixed (schema/connection-args.ts refuses it before this runs).
  const backwards = args.last != null || args.before != null;
  const size = (backwards ? args.last : args.first) ?? 50;
  const cursor = backwards ? args.before : args.after;
  const from = cursor != null ? parseLineCursor(order, cursor) : null;
  const offset = args.offset ?? 0;
  const where: Prisma.LineWhereInput = { AND: [visibleLines(ctx), ...lineFilterWhere(args.filter)] };
  const totalCount = () => ctx.services.db.line.count({ where });
  // `{ lines { totalCount } }` counts and reads no page (as prismaConnection did).
  if (onlyTotalCount(info)) {
    const pageInfo = { startCursor: null, endCursor: null, hasNextPage: false, hasPreviousPage: false };
    return { edges: [], pageInfo, totalCount } as never;
  }
  // The client's selection (a line's group…) is read with the page, as prismaConnection did;
  // the cursor's columns come with it.
  const query = await queryFromInfo({
    context: ctx,
    info,
    path: ["edges", "node"],
    select: orderSelection(order),
    awaitSelections: true,
  });
  // Keyset by hand (Prisma's `cursor` reads every row after it, prisma/orm#27094):
  // strictly past the cursor's (sort key, phone number), one row more than the page.
  const rows = (await ctx.services.db.line.findMany({
    ...query,
    where: from ? { AND: [where, pastPosition(order, from, backwards)] } : where,
    orderBy: orderByFor(order, backwards),
    skip: offset,
    take: size + 1,
  })) as unknown as Record<string, unknown>[];
  const more = rows.length > size;
  const page = rows.slice(0, size);
  if (backwards) page.reverse();
  const edges = page.map((row) => ({ cursor: lineCursor(order, row), node: row }));
  const skipped = cursor != null || offset > 0;
  return {
    edges,
    pageInfo: {
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
      hasNextPage: backwards ? skipped : more,
      hasPreviousPage: backwards ? more : skipped,
    },
    totalCount,
  } as never;
}

function onlyTotalCount(info: GraphQLResolveInfo): boolean {
  return info.fieldNodes.every((node) =>
    (node.selectionSet?.selections ?? []).every(
      (selection) =>
        selection.kind === Kind.FIELD && ["totalCount", "__typename"].includes(selection.name.value),
    ),
  );
}

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
  .objectRef<{ added: number; updated: number; addedPhoneNumbers: string[]; userErrors: UserError[] }>(
    "RefreshLinesPayload",
  )
  .implement({
    fields: (t) => ({
      added: t.exposeInt("added", {
        description: "Lines newly listed (e.g. contracted today, R8); 0 when refused.",
      }),
      updated: t.exposeInt("updated", {
        description: "Listed lines whose contract facts changed; 0 when refused.",
      }),
      addedLines: t.prismaField({
        type: ["Line"],
        description:
          "The lines this refresh listed (`added` of them), by phone number; empty when refused. At most what the carrier added today, read in one query.",
        resolve: (query, p, _args, ctx) =>
          ctx.services.db.line.findMany({
            ...query,
            where: { phoneNumber: { in: p.addedPhoneNumbers }, AND: [visibleLines(ctx)] },
            orderBy: { phoneNumber: "asc" },
          }),
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
        : { added: 0, updated: 0, addedPhoneNumbers: [], userErrors: refreshed.errors };
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
