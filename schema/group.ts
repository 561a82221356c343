// Group (グループ). Listing and `selectable` (the 3G rule) come with the read API.
import { builder } from "./builder.ts";

builder.prismaObject("Group", {
  fields: (t) => ({
    id: t.exposeID("id"),
    name: t.exposeString("name"),
    memberCount: t.relationCount("lines"),
  }),
});
