// The built admin web client (web/dist), which the server serves at `/`.
import { existsSync } from "node:fs";
import path from "node:path";
import { WEB_DIST } from "../../server/web.ts";

/** Builds the client once if `npm test` did not (e.g. `npx vitest run test/e2e`). */
export async function ensureWebBuilt(): Promise<void> {
  if (existsSync(path.join(WEB_DIST, "index.html"))) return;
  const { build } = await import("vite");
  await build({
    configFile: path.resolve(import.meta.dirname, "../../web/vite.config.ts"),
    logLevel: "warn",
  });
}
