// The one SchemaBuilder. It defines no types: each domain type lives in its
// own file, which adds the type and the root fields that return it.
import SchemaBuilder from "@pothos/core";
import PrismaPlugin from "@pothos/plugin-prisma";
import RelayPlugin from "@pothos/plugin-relay";
import type { Clock } from "../domain/clock.ts";
import type PrismaTypes from "../prisma/generated/pothos-types.ts";
import { getDatamodel } from "../prisma/generated/pothos-types.ts";
import type { Db } from "../server/db.ts";
import type { Logger } from "../server/logger.ts";

export interface Context {
  db: Db;
  clock: Clock;
  logger: Logger;
}

export const builder = new SchemaBuilder<{
  Context: Context;
  PrismaTypes: PrismaTypes;
  DefaultFieldNullability: false;
  Scalars: {
    DateTime: { Input: Date; Output: Date };
    Date: { Input: string; Output: Date | string };
  };
}>({
  defaultFieldNullability: false,
  plugins: [RelayPlugin, PrismaPlugin],
  relay: {
    // Root `node`/`nodes` arrive with tenant-aware authorization (read API).
    nodeQueryOptions: false,
    nodesQueryOptions: false,
    clientMutationId: "omit",
    cursorType: "String",
  },
  prisma: {
    // The client comes from the request context: every app instance (and every
    // test) owns its database.
    client: (ctx) => ctx.db,
    dmmf: getDatamodel(),
    exposeDescriptions: false,
    filterConnectionTotalCount: true,
    onUnusedQuery: process.env.NODE_ENV === "production" ? null : "warn",
  },
});

builder.queryType({});
