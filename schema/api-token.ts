// API tokens for MDM tools: created by MAIN administrators, shown once,
// stored hashed, revocable.
import { GraphQLError } from "graphql";
import { canManageApiTokens } from "../domain/auth/actor.ts";
import { authErrorMessages } from "../domain/messages.ts";
import { createApiToken, revokeApiToken } from "../services/auth.ts";
import { actorOf, builder, NO_ACCOUNT } from "./builder.ts";
import { nodeAccess } from "./node-access.ts";
import { type UserError, UserErrorRef } from "./user-error.ts";
import { ApiScopeEnum } from "./viewer.ts";

export const ApiTokenRef = builder.prismaNode("ApiToken", {
  description: "A token an MDM tool calls the API with (Authorization: Bearer), limited to its scopes.",
  // Unknown and foreign ids resolve to null, like ids that never existed.
  nullable: true,
  id: { field: "id", description: "The token's global id (not its secret)." },
  findUnique: (id, ctx) => ({ id, accountId: ctx.actor?.accountId ?? NO_ACCOUNT }),
  // As `apiTokens` (MAIN only), and a token itself as `viewer { apiToken }` shows it.
  extensions: nodeAccess(
    (actor, id) => canManageApiTokens(actor) || (actor.kind === "apiToken" && actor.tokenId === id),
  ),
  fields: (t) => ({
    name: t.exposeString("name", { description: "What the token is for, as its creator named it." }),
    prefix: t.exposeString("prefix", {
      description: "The first characters of the secret, to tell tokens apart.",
    }),
    scopes: t.expose("scopes", { type: [ApiScopeEnum], description: "What the token may do." }),
    createdAt: t.expose("createdAt", { type: "DateTime", description: "When it was created." }),
    createdBy: t.relation("createdBy", { description: "The MAIN administrator who created it." }),
    expiresAt: t.expose("expiresAt", {
      type: "DateTime",
      nullable: true,
      description: "After this instant the token is refused; null: no expiry.",
    }),
    lastUsedAt: t.expose("lastUsedAt", {
      type: "DateTime",
      nullable: true,
      description: "When a request last carried it; null: never used.",
    }),
    revokedAt: t.expose("revokedAt", {
      type: "DateTime",
      nullable: true,
      description: "When it was revoked (it stopped working at once); null while valid.",
    }),
  }),
});

builder.queryField("apiTokens", (t) =>
  t.prismaField({
    type: ["ApiToken"],
    authScopes: { manageApiTokens: true },
    description: "The account's API tokens, newest first (MAIN only).",
    resolve: (query, _root, _args, ctx) =>
      ctx.services.db.apiToken.findMany({
        ...query,
        where: { accountId: actorOf(ctx).accountId },
        orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      }),
  }),
);

const CreateApiTokenInput = builder.inputType("CreateApiTokenInput", {
  description: "A new API token.",
  fields: (t) => ({
    name: t.string({ required: true, description: "What the token is for (shown in the token list)." }),
    scopes: t.field({
      type: [ApiScopeEnum],
      required: true,
      description: "What the token may do; grant the fewest.",
    }),
    expiresAt: t.field({
      type: "DateTime",
      required: false,
      description: "When the token stops working; omit for no expiry.",
    }),
  }),
});

interface TokenPayload {
  token?: string | null;
  apiTokenId?: string;
  userErrors: UserError[];
}

const CreateApiTokenPayload = builder.objectRef<TokenPayload>("CreateApiTokenPayload").implement({
  description: "createApiToken's answer: the token and its secret (shown once), or why not.",
  fields: (t) => ({
    token: t.string({
      nullable: true,
      description: "The secret. Shown this once; only a hash is stored.",
      resolve: (p) => p.token ?? null,
    }),
    userErrors: t.field({
      type: [UserErrorRef],
      description: "INVALID_INPUT (with the field); empty on success.",
      resolve: (p) => p.userErrors,
    }),
  }),
});

builder.mutationField("createApiToken", (t) =>
  t.field({
    type: CreateApiTokenPayload,
    authScopes: { manageApiTokens: true },
    description: "API token management (MAIN only): a new token for an MDM tool; its secret is shown once.",
    args: {
      input: t.arg({
        type: CreateApiTokenInput,
        required: true,
        description: "The token's name, scopes and expiry.",
      }),
    },
    resolve: async (_root, { input }, ctx) => {
      const actor = actorOf(ctx);
      if (actor.kind !== "admin") throw new GraphQLError(authErrorMessages.FORBIDDEN);
      const created = await createApiToken(ctx.services.db, ctx.services.clock, actor, {
        name: input.name,
        scopes: input.scopes,
        expiresAt: input.expiresAt ?? null,
      });
      if (!created.ok) {
        return {
          token: null,
          userErrors: [
            { code: "INVALID_INPUT", message: authErrorMessages.INVALID_INPUT, field: created.field },
          ],
        };
      }
      return { token: created.secret, apiTokenId: created.apiToken.id, userErrors: [] };
    },
  }),
);

const RevokeApiTokenPayload = builder.objectRef<TokenPayload>("RevokeApiTokenPayload").implement({
  description: "revokeApiToken's answer: the revoked token, or why not.",
  fields: (t) => ({
    userErrors: t.field({
      type: [UserErrorRef],
      description: "NOT_FOUND for an unknown or foreign id; empty on success.",
      resolve: (p) => p.userErrors,
    }),
  }),
});

// Both payloads carry the token they created or revoked.
for (const payload of [CreateApiTokenPayload, RevokeApiTokenPayload]) {
  builder.objectField(payload, "apiToken", (t) =>
    t.prismaField({
      type: "ApiToken",
      nullable: true,
      description: "The token created or revoked; null with userErrors.",
      resolve: (query, { apiTokenId }, _args, ctx) =>
        apiTokenId ? ctx.services.db.apiToken.findUnique({ ...query, where: { id: apiTokenId } }) : null,
    }),
  );
}

builder.mutationField("revokeApiToken", (t) =>
  t.field({
    type: RevokeApiTokenPayload,
    authScopes: { manageApiTokens: true },
    description: "Revokes an API token (MAIN only); requests carrying it are refused at once.",
    args: {
      id: t.arg.globalID({
        required: true,
        for: [ApiTokenRef],
        description: "The token's id (ApiToken.id).",
      }),
    },
    resolve: async (_root, { id }, ctx) => {
      const actor = actorOf(ctx);
      if (actor.kind !== "admin") throw new GraphQLError(authErrorMessages.FORBIDDEN);
      const revoked = await revokeApiToken(ctx.services.db, ctx.services.clock, actor, id.id);
      if (!revoked) {
        return { userErrors: [{ code: "NOT_FOUND", message: authErrorMessages.NOT_FOUND, field: "id" }] };
      }
      ctx.services.actors.forget({ tokenId: revoked.id });
      return { apiTokenId: revoked.id, userErrors: [] };
    },
  }),
);
