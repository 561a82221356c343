// The one SchemaBuilder. It defines no types: each domain type lives in its
// own file, which adds the type and the root fields that return it.
import SchemaBuilder from "@pothos/core";
import PrismaPlugin from "@pothos/plugin-prisma";
import RelayPlugin from "@pothos/plugin-relay";
import ScopeAuthPlugin from "@pothos/plugin-scope-auth";
import ValidationPlugin from "@pothos/plugin-validation";
import { GraphQLError } from "graphql";
import { type Actor, canManageApiTokens, hasScope } from "../domain/auth/actor.ts";
import type { Clock } from "../domain/clock.ts";
import { authErrorMessages } from "../domain/messages.ts";
import type { Db } from "../lib/db.ts";
import type { Logger } from "../lib/logger.ts";
import type { ApiScope } from "../prisma/generated/client/enums.ts";
import type PrismaTypes from "../prisma/generated/pothos-types.ts";
import { getDatamodel } from "../prisma/generated/pothos-types.ts";
import type { ActorCache } from "../services/auth.ts";
import type { Carrier } from "../services/carrier/port.ts";
import type { EventsPort } from "../services/events.ts";
import type { LoginThrottle } from "../services/login-throttle.ts";
import type { Loaders } from "../services/progress.ts";
import type { Realtime } from "../services/realtime.ts";
import type { SharedReads } from "../services/shared-reads.ts";
import { decodeNodeId } from "./ids.ts";
import { resolveVisibleNode } from "./node-access.ts";
import { validationFailure } from "./validation.ts";

/** What resolvers use, built once per process by the composition root (server/compose.ts). */
export interface Services {
  db: Db;
  clock: Clock;
  logger: Logger;
  settings: {
    acceptanceHours: string;
    /** A sign-in session unused this long ends (0: never); SESSION_IDLE_TIMEOUT_MINUTES. */
    sessionIdleTimeoutMs?: number;
    /** Days a lineChanges cursor stays valid (LINE_CHANGES_RETENTION_DAYS). */
    lineChangesRetentionDays?: number;
  };
  /** Realtime pub/sub (subscriptions). */
  realtime: Realtime;
  /** Recently authenticated actors; revocations go through it. */
  actors: ActorCache;
  /** Sign-in throttling per client address and per (login id, address). */
  loginThrottle: LoginThrottle;
  /** Reads shared by all subscribers of one event on this instance. */
  sharedReads: SharedReads;
  /** The carrier (roster, passwords). */
  carrier: Carrier;
  /** Where services tell what they committed (receipt events, line changes); resolvers never publish. */
  events: EventsPort;
  /** Webhook endpoints' SSRF policy (WEBHOOK_ALLOWED_HOSTS), and a nudge to the delivery loop when there is one. */
  webhooks?: { allowedHosts: readonly string[]; kick(): void };
}

export interface Context {
  /** Null when the request carries no valid token. */
  actor: Actor | null;
  /** The client's address (request fact). */
  ip: string | null;
  /** Per-request batching where Prisma selections cannot help. */
  loaders: Loaders;
  services: Services;
}

export const builder = new SchemaBuilder<{
  Context: Context;
  PrismaTypes: PrismaTypes;
  DefaultFieldNullability: false;
  AuthScopes: {
    authenticated: boolean;
    /** A signed-in administrator (not an API token). */
    administrator: boolean;
    /** MAIN administrators: API token management. */
    manageApiTokens: boolean;
    /** A permission: the token's scope, or what the administrator's role allows. */
    scope: ApiScope;
  };
  Scalars: {
    DateTime: { Input: Date; Output: Date };
    Date: { Input: string; Output: Date | string };
  };
}>({
  defaultFieldNullability: false,
  // Relay before scope-auth so authScopes see decoded global IDs; errors from
  // scope-auth are thrown before any resolver (or Prisma query) runs, then
  // input shapes are validated (zod schemas on arguments and input fields).
  plugins: [RelayPlugin, ScopeAuthPlugin, ValidationPlugin, PrismaPlugin],
  validation: { validationError: validationFailure },
  scopeAuth: {
    authorizeOnSubscribe: true,
    authScopes: (ctx) => ({
      authenticated: ctx.actor !== null,
      administrator: ctx.actor?.kind === "admin",
      manageApiTokens: ctx.actor !== null && canManageApiTokens(ctx.actor),
      scope: (scope) => ctx.actor !== null && hasScope(ctx.actor, scope),
    }),
    unauthorizedError: (_parent, ctx) =>
      ctx.actor
        ? new GraphQLError(authErrorMessages.FORBIDDEN, { extensions: { code: "FORBIDDEN" } })
        : new GraphQLError(authErrorMessages.UNAUTHENTICATED, { extensions: { code: "UNAUTHENTICATED" } }),
  },
  relay: {
    clientMutationId: "omit",
    cursorType: "String",
    // Malformed ids and non-UUID raw ids are BAD_USER_INPUT before any query (schema/ids.ts).
    decodeGlobalID: (globalID) => decodeNodeId(globalID),
    // Each Node type's own rule (schema/node-access.ts) decides; the rest is null.
    nodeQueryOptions: {
      authScopes: { authenticated: true },
      nullable: true,
      resolve: resolveVisibleNode,
      description: "Any object by its global id (Relay), or null when the caller may not see it.",
      args: { id: { description: "A global id, as any `id` field of this schema returns it." } },
    },
    nodesQueryOptions: false,
    // Descriptions of the types and fields the plugin generates (the contract
    // describes itself: test/schema/descriptions.test.ts).
    nodeTypeOptions: { description: "An object with a global id, readable again with `node(id:)` (Relay)." },
    idFieldOptions: {
      description: "The global id: opaque, stable, and the same in webhooks and the change feed.",
    },
    pageInfoTypeOptions: { description: "Where a page of a connection stands (Relay cursor connections)." },
    hasNextPageFieldOptions: {
      description: "True when more results follow endCursor (paging with first/after).",
    },
    hasPreviousPageFieldOptions: {
      description: "True when results precede startCursor (paging with last/before).",
    },
    startCursorFieldOptions: { description: "The first edge's cursor; null on an empty page." },
    endCursorFieldOptions: {
      description: "The last edge's cursor (pass it as `after` for the next page); null on an empty page.",
    },
    pageInfoFieldOptions: { description: "Where this page stands: cursors and whether more pages exist." },
    edgesFieldOptions: { description: "The page's results, each with its cursor." },
    nodeFieldOptions: { description: "The result." },
    cursorFieldOptions: { description: "Opaque; pass it as `after` or `before` to page from this result." },
    firstArgOptions: {
      description: "Page size from the start or from `after` (default and maximum per field).",
    },
    lastArgOptions: { description: "Page size from the end or from `before`." },
    afterArgOptions: { description: "A cursor (endCursor or an edge's cursor): the page starts after it." },
    beforeArgOptions: { description: "A cursor (startCursor or an edge's cursor): the page ends before it." },
    defaultConnectionTypeOptions: {
      description: "A page of results with cursors (Relay cursor connection) and the total count.",
    },
    defaultEdgeTypeOptions: { description: "One result of a connection page, with its cursor." },
  },
  prisma: {
    // The client comes from the request context: every app instance (and every
    // test) owns its database.
    client: (ctx) => ctx.services.db,
    dmmf: getDatamodel(),
    exposeDescriptions: false,
    filterConnectionTotalCount: true,
    onUnusedQuery: process.env.NODE_ENV === "production" ? null : "warn",
  },
});

builder.queryType({ description: "Reads. Each field names the scope it needs (ApiScope)." });
builder.mutationType({
  description:
    "Changes. Expected refusals are `userErrors` in the payload; a refused request writes nothing.",
});
builder.subscriptionType({
  description: "Live streams over WebSocket (graphql-transport-ws) or SSE on /graphql.",
});

/** An account id that matches nothing (the nil UUID), for lookups without a caller. */
export const NO_ACCOUNT = "00000000-0000-0000-0000-000000000000";

/** The signed-in actor; only for resolvers already guarded by an auth scope. */
export function actorOf(ctx: Context): Actor {
  if (!ctx.actor) {
    throw new GraphQLError(authErrorMessages.UNAUTHENTICATED, { extensions: { code: "UNAUTHENTICATED" } });
  }
  return ctx.actor;
}
