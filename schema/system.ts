// Server facts any client may ask for without logging in.
import { builder } from "./builder.ts";

builder.queryField("serverTime", (t) =>
  t.field({
    type: "DateTime",
    description: "The server clock (FAKE_NOW moves it for demos).",
    resolve: (_root, _args, ctx) => ctx.services.clock.now(),
  }),
);
