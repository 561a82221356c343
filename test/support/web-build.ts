// The built admin web client (web/dist), which the server serves at `/`.
import { execFile } from "node:child_process";
import { existsSync, readdirSync, renameSync, rmSync, statSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { WEB_DIST } from "../../server/web.ts";

const root = path.resolve(import.meta.dirname, "../..");
/** What the build is made of: the client, its config, and the domain rules it imports. */
const SOURCES = ["web/src", "web/public", "web/index.html", "web/vite.config.ts", "domain"];

function newestChange(file: string): number {
  const stats = statSync(file);
  if (!stats.isDirectory()) return stats.mtimeMs;
  return Math.max(stats.mtimeMs, ...readdirSync(file).map((name) => newestChange(path.join(file, name))));
}

/**
 * Builds the client if `npm test` did not (e.g. `npx vitest run test/e2e`), or
 * if a source or the build's config changed since. Built beside web/dist and
 * moved into place, so a test file building at the same time as another never
 * serves a half-written directory.
 */
export async function ensureWebBuilt(): Promise<void> {
  const index = path.join(WEB_DIST, "index.html");
  if (existsSync(index)) {
    const sources = SOURCES.map((source) => path.join(root, source)).filter((source) => existsSync(source));
    if (Math.max(...sources.map(newestChange)) <= statSync(index).mtimeMs) return;
  }
  const staging = `${WEB_DIST}.building-${process.pid}`;
  // As `npm run build` does it, in its own process: Vitest's NODE_ENV=test
  // would otherwise give React's development build (630 KB instead of 386 KB).
  await promisify(execFile)(
    process.execPath,
    [
      path.join(root, "node_modules/vite/bin/vite.js"),
      "build",
      ...["--config", "web/vite.config.ts", "--logLevel", "warn", "--outDir", staging, "--emptyOutDir"],
    ],
    { cwd: root, env: { ...process.env, NODE_ENV: "production" } },
  );
  rmSync(WEB_DIST, { recursive: true, force: true });
  try {
    renameSync(staging, WEB_DIST);
  } catch (error) {
    // Another test file moved its build (of the same sources) in first.
    rmSync(staging, { recursive: true, force: true });
    if (!existsSync(index)) throw error;
  }
}
