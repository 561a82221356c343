// Line (回線): the type, `lines` (keyset-paginated, filtered) and `line`.

import { queryFromInfo } from "@pothos/plugin-prisma";
import { GraphQLError, type GraphQLResolveInfo, Kind } from "graphql";
import { canRefreshLines, hasScope, lineScope } from "../domain/auth/actor.ts";
import { realtimeMessages } from "../domain/messages.ts";
import { MAX_LINES_OFFSET } from "../domain/paging.ts";
import { MAX_SEARCH_TERMS } from "../domain/search.ts";
import { sharedEvent } from "../lib/shared-event.ts";
import type { Prisma } from "../prisma/generated/client/client.ts";
import { ContractStatus, DeviceKind, LineStatus } from "../prisma/generated/client/enums.ts";
import { watchLineChanges } from "../services/line-changes.ts";
import { countLines } from "../services/line-counts.ts";
import { lineFilterWhere } from "../services/line-filter.ts";
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

export const DeviceKindEnum = builder.enumType(DeviceKind, {
  name: "DeviceKind",
  description: "The line's kind of device (機種).",
  values: {
    FEATURE_PHONE_4G: { description: "4Gケータイ (4G feature phone): needs no app-download mail (R9)." },
    IPHONE: { description: "iPhone." },
    SMARTPHONE: { description: "スマートフォン (Android)." },
    WINDOWS10_MOBILE: { description: "Windows 10 Mobile (連絡先コピー app)." },
    FEATURE_PHONE_3G: {
      description: "3G feature phone: サービス対象外, out of service for this product (R16).",
    },
  },
});
export const ContractStatusEnum = builder.enumType(ContractStatus, {
  name: "ContractStatus",
  description: "The line's contract (契約状態).",
  values: {
    ACTIVE: { description: "In contract." },
    CANCELLED: { description: "解約済: cancelled; it cannot be selected (R3)." },
  },
});
export const LineStatusEnum = builder.enumType(LineStatus, {
  name: "LineStatus",
  description: "The line's status (ステータス).",
  values: {
    IN_SERVICE: { description: "サービス中: no change in flight." },
    PROCESSING: { description: "処理中: a permission change for it is in flight (R5)." },
  },
});

/** Lines the caller may see; nothing at all without a caller. */
export function visibleLines(ctx: Context): Prisma.LineWhereInput {
  return ctx.actor ? lineScope(ctx.actor) : { id: { in: [] } };
}

export const LineRef = builder.prismaNode("Line", {
  description: "回線: a mobile line of the account, with its two feature flags.",
  // Unknown and foreign ids resolve to null, like ids that never existed.
  nullable: true,
  id: { field: "id", description: "The line's global id (the same in webhooks and the change feed)." },
  findUnique: (id, ctx) => ({ id, AND: [visibleLines(ctx)] }) as Prisma.LineWhereUniqueInput,
  // As `lines` and `line`: READ_LINES (the row scope is findUnique's).
  extensions: nodeAccess((actor) => hasScope(actor, "READ_LINES")),
  fields: (t) => ({
    phoneNumber: t.exposeString("phoneNumber", { description: "携帯電話番号, as 090-1234-5678." }),
    name: t.exposeString("name", { description: "The holder's name (氏名)." }),
    nameKana: t.exposeString("nameKana", { description: "The holder's name in katakana (氏名(カナ))." }),
    affiliation: t.exposeString("affiliation", { description: "The holder's department (所属名)." }),
    group: t.relation("group", {
      nullable: true,
      description: "The line's group (グループ); null when in none.",
    }),
    deviceKind: t.expose("deviceKind", { type: DeviceKindEnum, description: "The kind of device (機種)." }),
    contractStatus: t.expose("contractStatus", {
      type: ContractStatusEnum,
      description: "ACTIVE or CANCELLED (解約済).",
    }),
    contractedOn: t.expose("contractedOn", { type: "Date", description: "The contract date (契約日, JST)." }),
    status: t.expose("status", {
      type: LineStatusEnum,
      description: "IN_SERVICE, or PROCESSING while a change is in flight.",
    }),
    backup: t.exposeBoolean("backup", {
      description: "The backup feature (バックアップ機能: save and restore together, R2) is allowed.",
    }),
    phonebookMigration: t.exposeBoolean("phonebookMigration", {
      description: "The phonebook migration feature (電話帳移行機能) is allowed.",
    }),
    lastAppDownloadMailAt: t.expose("lastAppDownloadMailAt", {
      type: "DateTime",
      nullable: true,
      description: "When the app-download mail was last sent (依頼メール送信日時); null: never.",
    }),
    appPreinstalled: t.exposeBoolean("appPreinstalled", {
      description: "The app came preinstalled (プリインストール): no app-download mail needed (R9).",
    }),
    sharedPhonebook: t.exposeBoolean("sharedPhonebook", {
      description: "The line uses the shared phonebook service (共有電話帳を利用中, R14).",
    }),
    upgradedFrom3gOn: t.expose("upgradedFrom3gOn", {
      type: "Date",
      nullable: true,
      description:
        "When the line moved from a 3G phone (機種変更); migration is allowed for 60 days after (2104).",
    }),
    version: t.exposeInt("version", { description: "Increases on every change (R5)." }),
  }),
});

const LineFilter = builder.inputType("LineFilter", {
  description: "Narrows `lines` (絞り込み): every field given must match.",
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
    groupId: t.globalID({ for: [GroupRef], description: "Only lines of this group (グループ)." }),
    ungrouped: t.boolean({ description: "Only lines in no group." }),
    status: t.field({ type: LineStatusEnum, description: "Only lines with this status (ステータス)." }),
    deviceKind: t.field({ type: DeviceKindEnum, description: "Only lines of this device kind (機種)." }),
    contractStatus: t.field({
      type: ContractStatusEnum,
      description: "Only lines with this contract status.",
    }),
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

builder.queryField("lines", (t) =>
  t.connection(
    {
      type: LineRef,
      authScopes: { scope: "READ_LINES" },
      description:
        'Lines the caller may see, by phone number unless orderBy says otherwise. Keyset-paginated in every order: deep pages cost what the first does. `offset` jumps a bounded number of rows from the start, the end or a cursor (page numbers, README "Paging").',
      args: {
        filter: t.arg({ type: LineFilter, description: "Only lines that match (絞り込み)." }),
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
      description: "A page of lines (回線) in the order asked for (携帯電話番号一覧).",
      fields: (t) => ({
        // Counted only when asked for.
        totalCount: t.int({ resolve: (connection) => (connection as unknown as LinePage).totalCount() }),
      }),
    },
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
  const totalCount = () => countLines(ctx.services.db, actorOf(ctx), args.filter);
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
    description: "One line by its phone number, or null when the caller may not see it.",
    args: {
      phoneNumber: t.arg.string({
        required: true,
        description: "As 090-1234-5678 (spaces around it are ignored).",
      }),
    },
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
    description: "refreshLines' answer (手動更新).",
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
    args: {
      groupId: t.arg.globalID({ for: GroupRef, description: "Only this group's lines." }),
      lineIds: t.arg.globalIDList({ for: LineRef, description: "Only these lines." }),
    },
    subscribe: (_root, args, ctx) =>
      lineChanges(ctx, args.groupId?.id ?? null, args.lineIds ? args.lineIds.map((line) => line.id) : null),
    resolve: (line) => line,
  }),
);
