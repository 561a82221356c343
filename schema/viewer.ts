// Who is calling, signing in and out, and the administrators' own records.
import { allScopes, hasScope } from "../domain/auth/actor.ts";
import { authErrorMessages } from "../domain/messages.ts";
import { AdminRole, ApiScope } from "../prisma/generated/client/enums.ts";
import { login, logout } from "../services/auth.ts";
import { actorOf, builder, NO_ACCOUNT } from "./builder.ts";
import { GroupRef } from "./group.ts";
import { nodeAccess } from "./node-access.ts";
import { UserErrorRef } from "./user-error.ts";

export const AdminRoleEnum = builder.enumType(AdminRole, { name: "AdminRole" });
export const ApiScopeEnum = builder.enumType(ApiScope, { name: "ApiScope" });
const ViewerKind = builder.enumType("ViewerKind", { values: ["ADMINISTRATOR", "API_TOKEN"] as const });

builder.prismaObject("Account", {
  fields: (t) => ({
    id: t.exposeID("id"),
    name: t.exposeString("name"),
  }),
});

export const AdministratorRef = builder.prismaNode("Administrator", {
  // Unknown and foreign ids resolve to null, like ids that never existed.
  nullable: true,
  id: { field: "id" },
  findUnique: (id, ctx) => ({ id, accountId: ctx.actor?.accountId ?? NO_ACCOUNT }),
  // No root field lists administrators; `viewer { administrator }` shows one's
  // own record. MAIN and SUB administer the whole account and see every
  // administrator of it; a GROUP administrator sees only themselves, an API
  // token none (its viewer has no administrator).
  extensions: nodeAccess(
    (actor, id) => actor.kind === "admin" && (actor.role !== "GROUP" || actor.adminId === id),
  ),
  fields: (t) => ({
    loginId: t.exposeString("loginId"),
    name: t.exposeString("name"),
    role: t.expose("role", { type: AdminRoleEnum }),
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
    kind: t.field({ type: ViewerKind, resolve: (v) => v.kind }),
    account: t.prismaField({
      type: "Account",
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
    fields: (t) => ({
      token: t.string({
        nullable: true,
        description: "Send as `Authorization: Bearer <token>`.",
        resolve: (p) => p.token,
      }),
      expiresAt: t.field({ type: "DateTime", nullable: true, resolve: (p) => p.expiresAt }),
      retryAfterSeconds: t.int({
        nullable: true,
        description:
          "With LOGIN_LOCKED: seconds before this login id may be tried again from this address (or, when the address made too many failed sign-ins, any login id from it). Null otherwise.",
        resolve: (p) => p.retryAfterSeconds ?? null,
      }),
      userErrors: t.field({ type: [UserErrorRef], resolve: (p) => p.userErrors }),
    }),
  });

builder.mutationField("login", (t) =>
  t.field({
    type: LoginPayload,
    args: { loginId: t.arg.string({ required: true }), password: t.arg.string({ required: true }) },
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
