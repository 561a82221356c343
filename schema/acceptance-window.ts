// acceptanceWindow (R4): when permission changes are accepted.
import { type AcceptanceWindow, acceptanceWindow } from "../domain/rules/acceptance.ts";
import { builder } from "./builder.ts";

const AcceptanceWindowRef = builder.objectRef<AcceptanceWindow>("AcceptanceWindow").implement({
  description: "Permission changes are accepted 09:00–23:00 Asia/Tokyo (ACCEPTANCE_HOURS).",
  fields: (t) => ({
    open: t.exposeBoolean("open", { description: "True now: a permission change would be accepted (R4)." }),
    opensAt: t.expose("opensAt", { type: "DateTime", description: "Start of the current or next window." }),
    closesAt: t.expose("closesAt", { type: "DateTime", description: "End of the current or next window." }),
  }),
});

builder.queryField("acceptanceWindow", (t) =>
  t.field({
    type: AcceptanceWindowRef,
    authScopes: { authenticated: true },
    description: "受付時間: whether permission changes are accepted now, and the window's bounds (R4).",
    resolve: (_root, _args, ctx) =>
      acceptanceWindow(ctx.services.clock.now(), ctx.services.settings.acceptanceHours),
  }),
);
