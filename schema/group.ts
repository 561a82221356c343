// Group (グループ): the type and `groups`.
import { groupScope, hasScope } from "../domain/auth/actor.ts";
import { screenTexts } from "../domain/messages.ts";
import type { Prisma } from "../prisma/generated/client/client.ts";
import { builder, type Context } from "./builder.ts";
import { PAGE_LIMIT } from "./connection-args.ts";
import { nodeAccess } from "./node-access.ts";

function visibleGroups(ctx: Context): Prisma.GroupWhereInput {
  return ctx.actor ? groupScope(ctx.actor) : { id: { in: [] } };
}

export const GroupRef = builder.prismaNode("Group", {
  description: "グループ: a named set of lines; selecting it selects its members with one target pair (R6).",
  // Unknown and foreign ids resolve to null, like ids that never existed.
  nullable: true,
  id: { field: "id", description: "The group's global id." },
  findUnique: (id, ctx) => ({ id, AND: [visibleGroups(ctx)] }) as Prisma.GroupWhereUniqueInput,
  // As `groups`: READ_LINES (the row scope is findUnique's).
  extensions: nodeAccess((actor) => hasScope(actor, "READ_LINES")),
  fields: (t) => ({
    name: t.exposeString("name", { description: "The group's name (グループ名)." }),
    memberCount: t.int({
      description: "How many lines the group holds (人数).",
      resolve: async (group, _args, ctx) => (await ctx.loaders.groupLineCounts.load(group.id)).members,
    }),
    selectable: t.boolean({
      description: `False when the group holds an out-of-service (3G) line. ${screenTexts.GROUP_WITH_3G_NOT_SELECTABLE}`,
      resolve: async (group, _args, ctx) =>
        (await ctx.loaders.groupLineCounts.load(group.id)).featurePhones3g === 0,
    }),
    lines: t.relatedConnection(
      "lines",
      {
        cursor: "id",
        authScopes: { scope: "READ_LINES" },
        description: "The group's lines, by phone number.",
        query: { orderBy: [{ phoneNumber: "asc" }, { id: "asc" }] },
        totalCount: true,
        defaultSize: 50,
        maxSize: PAGE_LIMIT,
      },
      { description: "A page of a group's lines (回線), by phone number." },
    ),
  }),
});

builder.queryField("groups", (t) =>
  t.prismaConnection(
    {
      type: "Group",
      cursor: "accountId_name",
      authScopes: { scope: "READ_LINES" },
      description: "The groups the caller may see (a GROUP administrator: their own), by name.",
      defaultSize: 50,
      maxSize: PAGE_LIMIT,
      resolve: (query, _root, _args, ctx) =>
        ctx.services.db.group.findMany({ ...query, where: visibleGroups(ctx), orderBy: { name: "asc" } }),
      totalCount: (_root, _args, ctx) => ctx.services.db.group.count({ where: visibleGroups(ctx) }),
    },
    { name: "GroupConnection", description: "A page of groups (グループ), by name." },
  ),
);
