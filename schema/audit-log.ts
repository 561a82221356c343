// The audit log (監査ログ, R15): `auditEvents(filter, first, after)` for MAIN
// administrators and READ_AUDIT tokens (services/audit-log.ts).
import { encodeGlobalID } from "@pothos/plugin-relay";
import DataLoader from "dataloader";
import { hasScope } from "../domain/auth/actor.ts";
import type { Line } from "../prisma/generated/client/client.ts";
import {
  AUDIT_ACTIONS,
  AUDIT_ORDER,
  type AuditAction,
  type AuditActorView,
  type AuditFilter,
  auditActionOf,
  auditActors,
  auditActorView,
  auditWhere,
  resolveAuditFilter,
} from "../services/audit-log.ts";
import { ApiTokenRef } from "./api-token.ts";
import { actorOf, builder, type Context, NO_ACCOUNT } from "./builder.ts";
import { PAGE_LIMIT } from "./connection-args.ts";
import { orderedPeriod } from "./date-range.ts";
import { LineRef, visibleLines } from "./line.ts";
import { nodeAccess } from "./node-access.ts";
import { AdministratorRef } from "./viewer.ts";

const actionDescriptions: Record<AuditAction, string> = {
  LOGIN: "ログイン: an administrator signed in.",
  LOGIN_FAILED: "A sign-in with a wrong password for an existing administrator.",
  LINES_REFRESHED: "手動更新: the line list was refreshed from the carrier.",
  PASSWORD_INQUIRY: "パスワード照会: passwords of the lines were shown (the log never holds them).",
  PERMISSION_CHANGE_SUBMITTED: "利用可否設定 accepted (the receipt).",
  PERMISSION_CHANGE_RETRIED: "Failed lines of a permission change retried (a new receipt).",
  APP_DOWNLOAD_MAIL_REQUESTED: "アプリダウンロード依頼メール accepted.",
  APP_DOWNLOAD_MAIL_RESENT: "アプリダウンロード依頼メール resent from 履歴詳細.",
  PASSWORD_NOTICE_MAIL_REQUESTED: "My SoftBankパスワード通知メール accepted.",
  PASSWORD_NOTICE_MAIL_RESENT: "My SoftBankパスワード通知メール resent from 履歴詳細.",
  API_TOKEN_CREATED: "An API token was created.",
  API_TOKEN_REVOKED: "An API token was revoked.",
  OTHER: "Any other action (newer than this schema); actionCode names it.",
};

export const AuditActionEnum = builder.enumType("AuditAction", {
  description: "What an administrator or API token did (操作).",
  values: Object.fromEntries(
    AUDIT_ACTIONS.map((action) => [action, { value: action, description: actionDescriptions[action] }]),
  ) as Record<AuditAction, { value: AuditAction; description: string }>,
});

const AuditActorKindEnum = builder.enumType("AuditActorKind", {
  description: "Who acted: an administrator or an API token.",
  values: {
    ADMINISTRATOR: { description: "A signed-in administrator (管理者)." },
    API_TOKEN: { description: "An MDM tool's API token." },
  },
});

const AuditActorRef = builder.objectRef<AuditActorView>("AuditActor").implement({
  description: "Who acted, as recorded at the time (names are snapshots).",
  fields: (t) => ({
    kind: t.field({
      type: AuditActorKindEnum,
      description: "An administrator or an API token.",
      resolve: (a) => a.kind,
    }),
    id: t.id({
      nullable: true,
      description:
        "The global id of the Administrator or ApiToken (usable as AuditEventFilter.actor); null when not recorded.",
      resolve: (a) =>
        a.id ? encodeGlobalID(a.kind === "API_TOKEN" ? "ApiToken" : "Administrator", a.id) : null,
    }),
    name: t.exposeString("name", { description: "管理者名, or the token's name, at the time." }),
    loginId: t.exposeString("loginId", {
      nullable: true,
      description: "管理者ID at the time; null for an API token.",
    }),
  }),
});

/** The lines of a page of events, read once per request. */
const lineLoaders = new WeakMap<Context, DataLoader<string, Line | null>>();
function linesOf(ctx: Context) {
  let loader = lineLoaders.get(ctx);
  if (!loader) {
    loader = new DataLoader<string, Line | null>(async (ids) => {
      const rows = await ctx.services.db.line.findMany({
        where: { AND: [visibleLines(ctx), { id: { in: [...ids] } }] },
      });
      const byId = new Map(rows.map((line) => [line.id, line]));
      return ids.map((id) => byId.get(id) ?? null);
    });
    lineLoaders.set(ctx, loader);
  }
  return loader;
}

export const AuditEventRef = builder.prismaNode("AuditEvent", {
  description: "One entry of the audit log (監査ログ): who did what, when, from where, to which lines.",
  nullable: true,
  id: { field: "id", description: "The entry's global id." },
  findUnique: (id, ctx) => ({ id, accountId: ctx.actor?.accountId ?? NO_ACCOUNT }),
  extensions: nodeAccess((actor) => hasScope(actor, "READ_AUDIT")),
  fields: (t) => ({
    action: t.field({
      type: AuditActionEnum,
      description: "操作: what was done.",
      resolve: (e) => auditActionOf(e.action),
    }),
    actionCode: t.exposeString("action", {
      description: "The action as recorded (the same as `action` unless that is OTHER).",
    }),
    actor: t.field({
      type: AuditActorRef,
      description: "Who did it.",
      resolve: (e) => auditActorView(e),
    }),
    at: t.expose("createdAt", { type: "DateTime", description: "日時: when." }),
    ipAddress: t.exposeString("ip", {
      nullable: true,
      description: "The client's address (X-Forwarded-For only from TRUST_PROXY); null when not known.",
    }),
    lineCount: t.int({
      description: "How many lines the action was about.",
      resolve: (e) => e.lineIds.length,
    }),
    lines: t.field({
      type: [LineRef],
      description: "The lines it was about, as they are now (lines no longer listed are left out).",
      resolve: async (e, _args, ctx) =>
        (await linesOf(ctx).loadMany(e.lineIds)).filter(
          (l): l is Line => l !== null && !(l instanceof Error),
        ),
    }),
    receipt: t.relation("receipt", {
      nullable: true,
      description: "The receipt (受付) the action created, if any.",
    }),
  }),
});

const AuditEventFilter = builder.inputType("AuditEventFilter", {
  description: "Which entries of the audit log: all conditions given must hold.",
  validate: orderedPeriod("from", "to"),
  fields: (t) => ({
    from: t.field({ type: "DateTime", description: "期間 from (inclusive)." }),
    to: t.field({ type: "DateTime", description: "期間 to (inclusive)." }),
    actor: t.globalID({
      for: [AdministratorRef, ApiTokenRef],
      description: "管理者: entries of this administrator or API token (AuditActor.id).",
    }),
    action: t.field({ type: AuditActionEnum, description: "操作: entries of this action." }),
    lineId: t.globalID({ for: [LineRef], description: "Entries about this line." }),
    phoneNumber: t.string({
      description: "電話番号: entries about the line with this number (with or without hyphens).",
    }),
  }),
});

export function auditFilterOf(filter: typeof AuditEventFilter.$inferInput | null | undefined): AuditFilter {
  if (!filter) return {};
  return {
    from: filter.from ?? null,
    to: filter.to ?? null,
    actor: filter.actor
      ? { kind: filter.actor.typename === "ApiToken" ? "API_TOKEN" : "ADMINISTRATOR", id: filter.actor.id }
      : null,
    action: filter.action ?? null,
    lineId: filter.lineId?.id ?? null,
    phoneNumber: filter.phoneNumber ?? null,
  };
}

builder.queryField("auditEvents", (t) =>
  t.prismaConnection(
    {
      type: "AuditEvent",
      cursor: "id",
      authScopes: { scope: "READ_AUDIT" },
      description:
        "監査ログ: the account's audit log, newest first. MAIN administrators and tokens with READ_AUDIT. Entries are kept AUDIT_RETENTION_DAYS (default 400) days.",
      defaultSize: 20,
      maxSize: PAGE_LIMIT,
      args: {
        filter: t.arg({
          type: AuditEventFilter,
          description: "Which entries (期間, 操作, 管理者, 電話番号).",
        }),
      },
      resolve: async (query, _root, args, ctx) => {
        const actor = actorOf(ctx);
        const filter = await resolveAuditFilter(ctx.services.db, actor, auditFilterOf(args.filter));
        return ctx.services.db.auditEvent.findMany({
          ...query,
          where: auditWhere(actor, filter),
          orderBy: AUDIT_ORDER,
        });
      },
      totalCount: async (_root, args, ctx) => {
        const actor = actorOf(ctx);
        const filter = await resolveAuditFilter(ctx.services.db, actor, auditFilterOf(args.filter));
        return ctx.services.db.auditEvent.count({ where: auditWhere(actor, filter) });
      },
    },
    { name: "AuditEventConnection", description: "A page of the audit log, with the total count." },
    { description: "One entry of the audit log, with its cursor." },
  ),
);

builder.queryField("auditActors", (t) =>
  t.field({
    type: [AuditActorRef],
    authScopes: { scope: "READ_AUDIT" },
    description:
      "The administrators and API tokens the audit log has entries of (監査ログ's 管理者 choices), most recently active first; at most 200.",
    resolve: (_root, _args, ctx) => auditActors(ctx.services.db, actorOf(ctx)),
  }),
);
