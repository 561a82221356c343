// Who is calling, signing in and out, and the administrators' own records.
import { allScopes, hasScope } from "../domain/auth/actor.ts";
import { authErrorMessages } from "../domain/messages.ts";
import { AdminRole, ApiScope } from "../prisma/generated/client/enums.ts";
import { login, logout } from "../services/auth.ts";
import { actorOf, builder, NO_ACCOUNT } from "./builder.ts";
import { GroupRef } from "./group.ts";
import { nodeAccess } from "./node-access.ts";
import { UserErrorRef } from "./user-error.ts";

export const AdminRoleEnum = builder.enumType(AdminRole, {
  name: "AdminRole",
  description: "An administrator's role (権限).",
  values: {
    MAIN: { description: "管理者: everything, including API tokens, webhooks and the audit log." },
    SUB: { description: "代理管理者(サブ管理者): everything except API tokens, webhooks and the audit log." },
    GROUP: { description: "グループ管理者: only the lines of their groups, and only their own receipts." },
  },
});
export const ApiScopeEnum = builder.enumType(ApiScope, {
  name: "ApiScope",
  description:
    "A permission of an API token (MDM tools); an administrator's role implies its own set (Viewer.scopes).",
  values: {
    READ_LINES: {
      description: "Read lines and groups (lines, groups, line, lineChanges, lineStatusChanged).",
    },
    READ_RECEIPTS: { description: "Read receipts and their items, and watch receiptProgress." },
    CHANGE_PERMISSIONS: {
      description: "利用可否設定: preview, submit and retry permission changes; 手動更新 (refreshLines).",
    },
    SEND_MAIL: { description: "Send and resend app-download and password notice mail." },
    READ_PASSWORDS: { description: "パスワード照会 (inquirePasswords, audited) and the mail outbox." },
    CHECK_FEATURE_ACCESS: { description: "Ask featureAccess, as the device apps do (R12)." },
    MANAGE_WEBHOOKS: {
      description: "Register, change, test and delete webhook endpoints; read their deliveries.",
    },
    READ_AUDIT: { description: "Read the audit log (監査ログ, auditEvents)." },
  },
});
const ViewerKind = builder.enumType("ViewerKind", {
  description: "Who is calling.",
  values: {
    ADMINISTRATOR: { description: "A signed-in administrator (login)." },
    API_TOKEN: { description: "An API token (MDM tools)." },
  },
});

builder.prismaObject("Account", {
  description: "The corporate customer (法人) the caller belongs to; nothing crosses accounts.",
  fields: (t) => ({
    id: t.exposeID("id", { description: "The account's id." }),
    name: t.exposeString("name", { description: "The company name (e.g. デモ株式会社)." }),
  }),
});

export const AdministratorRef = builder.prismaNode("Administrator", {
  description: "An administrator (管理者) of the account.",
  // Unknown and foreign ids resolve to null, like ids that never existed.
  nullable: true,
  id: { field: "id", description: "The administrator's global id." },
  findUnique: (id, ctx) => ({ id, accountId: ctx.actor?.accountId ?? NO_ACCOUNT }),
  // No root field lists administrators; `viewer { administrator }` shows one's
  // own record. MAIN and SUB administer the whole account and see every
  // administrator of it; a GROUP administrator sees only themselves, an API
  // token none (its viewer has no administrator).
  extensions: nodeAccess(
    (actor, id) => actor.kind === "admin" && (actor.role !== "GROUP" || actor.adminId === id),
  ),
  fields: (t) => ({
    loginId: t.exposeString("loginId", {
      description: "管理者ID: what they sign in with (e.g. Manager@admin).",
    }),
    name: t.exposeString("name", { description: "管理者名: the display name." }),
    role: t.expose("role", { type: AdminRoleEnum, description: "MAIN, SUB or GROUP." }),
    groups: t.field({
      type: [GroupRef],
      description: "For GROUP administrators, the groups they may see; empty for others.",
      select: { groupScopes: { select: { group: true } } },
      resolve: (admin) => admin.groupScopes.map((s) => s.group),
    }),
  }),
});

interface Viewer {
  kind: "ADMINISTRATOR" | "API_TOKEN";
}

const ViewerRef = builder.objectRef<Viewer>("Viewer").implement({
  description: "The caller: a signed-in administrator or an MDM tool's API token.",
  fields: (t) => ({
    kind: t.field({
      type: ViewerKind,
      description: "An administrator or an API token.",
      resolve: (v) => v.kind,
    }),
    account: t.prismaField({
      type: "Account",
      description: "The caller's account (法人).",
      resolve: (query, _v, _args, ctx) =>
        ctx.services.db.account.findUniqueOrThrow({ ...query, where: { id: actorOf(ctx).accountId } }),
    }),
    administrator: t.prismaField({
      type: "Administrator",
      nullable: true,
      description: "The signed-in administrator; for an API token, null.",
      resolve: (query, _v, _args, ctx) => {
        const actor = actorOf(ctx);
        return actor.kind === "admin"
          ? ctx.services.db.administrator.findUnique({ ...query, where: { id: actor.adminId } })
          : null;
      },
    }),
    apiToken: t.prismaField({
      type: "ApiToken",
      nullable: true,
      description: "The API token in use; for an administrator, null.",
      resolve: (query, _v, _args, ctx) => {
        const actor = actorOf(ctx);
        return actor.kind === "apiToken"
          ? ctx.services.db.apiToken.findUnique({ ...query, where: { id: actor.tokenId } })
          : null;
      },
    }),
    sessionIdleTimeoutSeconds: t.int({
      nullable: true,
      description:
        "A signed-in administrator's session ends after this many seconds without a request (SESSION_IDLE_TIMEOUT_MINUTES; requests then get UNAUTHENTICATED). Null for an API token or when sessions have no idle timeout.",
      resolve: (_v, _args, ctx) => {
        const idle = ctx.services.settings.sessionIdleTimeoutMs ?? 0;
        return actorOf(ctx).kind === "admin" && idle > 0 ? Math.max(1, Math.round(idle / 1000)) : null;
      },
    }),
    scopes: t.field({
      type: [ApiScopeEnum],
      description: "What the caller may do: the token's scopes, or what the administrator's role allows.",
      resolve: (_v, _args, ctx) => allScopes.filter((scope) => hasScope(actorOf(ctx), scope)),
    }),
  }),
});

builder.queryField("viewer", (t) =>
  t.field({
    type: ViewerRef,
    nullable: true,
    description: "The caller, or null without a valid token.",
    resolve: (_root, _args, ctx): Viewer | null =>
      ctx.actor ? { kind: ctx.actor.kind === "admin" ? "ADMINISTRATOR" : "API_TOKEN" } : null,
  }),
);

const LoginPayload = builder
  .objectRef<{
    token: string | null;
    expiresAt: Date | null;
    retryAfterSeconds?: number | null;
    userErrors: { code: string; message: string }[];
  }>("LoginPayload")
  .implement({
    description: "login's answer: a session token, or why not.",
    fields: (t) => ({
      token: t.string({
        nullable: true,
        description: "Send as `Authorization: Bearer <token>`.",
        resolve: (p) => p.token,
      }),
      expiresAt: t.field({
        type: "DateTime",
        nullable: true,
        description: "When the session ends at the latest (an idle session ends sooner).",
        resolve: (p) => p.expiresAt,
      }),
      retryAfterSeconds: t.int({
        nullable: true,
        description:
          "With LOGIN_LOCKED: seconds before this login id may be tried again from this address (or, when the address made too many failed sign-ins, any login id from it). Null otherwise.",
        resolve: (p) => p.retryAfterSeconds ?? null,
      }),
      userErrors: t.field({
        type: [UserErrorRef],
        description: "INVALID_CREDENTIALS or LOGIN_LOCKED; empty on success.",
        resolve: (p) => p.userErrors,
      }),
    }),
  });

builder.mutationField("login", (t) =>
  t.field({
    type: LoginPayload,
    description:
      "ログイン: an administrator signs in and gets a session token (integrators use API tokens instead).",
    args: {
      loginId: t.arg.string({ required: true, description: "管理者ID (e.g. Manager@admin)." }),
      password: t.arg.string({ required: true, description: "パスワード; never logged." }),
    },
    resolve: async (_root, args, ctx) => {
      const result = await login(
        ctx.services.db,
        ctx.services.clock,
        { loginId: args.loginId, password: args.password, ip: ctx.ip },
        { throttle: ctx.services.loginThrottle, logger: ctx.services.logger },
      );
      if (!result.ok)
        return failed(result.code, result.code === "LOGIN_LOCKED" ? result.retryAfterSeconds : null);
      return { token: result.token, expiresAt: result.expiresAt, userErrors: [] };
    },
  }),
);

function failed(code: "INVALID_CREDENTIALS" | "LOGIN_LOCKED", retryAfterSeconds: number | null = null) {
  return {
    token: null,
    expiresAt: null,
    retryAfterSeconds,
    userErrors: [{ code, message: authErrorMessages[code] }],
  };
}

builder.mutationField("logout", (t) =>
  t.boolean({
    authScopes: { administrator: true },
    description: "Ends the current login session; its token stops working at once.",
    resolve: async (_root, _args, ctx) => {
      const actor = actorOf(ctx);
      await logout(ctx.services.db, ctx.services.clock, actor);
      if (actor.kind === "admin") ctx.services.actors.forget({ sessionId: actor.sessionId });
      return true;
    },
  }),
);
