import { defineConfig } from "prisma/config";

// Prisma's CLI is used only for `prisma generate` here (see prisma/generate.mjs);
// migrations run through prisma/migrate.ts, which needs no native engine.
export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
});
