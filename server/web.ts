// Serves the built admin web client (web/dist, `npm run build`) at `/` on the
// API's port. Paths that are not files get index.html, so the client's own
// routes (/history/2026…) survive a reload. Hashed assets are cached for good.
import { existsSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { join } from "node:path";
import sirv from "sirv";

export const WEB_DIST = join(import.meta.dirname, "..", "web", "dist");

export type WebHandler = (req: IncomingMessage, res: ServerResponse) => void;

export function createWebHandler(dir = WEB_DIST): WebHandler {
  if (!existsSync(join(dir, "index.html"))) {
    return (_req, res) => {
      res.writeHead(404, { "content-type": "text/plain; charset=utf-8" });
      res.end("The web client is not built: run `npm run build` (npm start does it).\n");
    };
  }
  const serve = sirv(dir, {
    single: true,
    dev: false,
    etag: true,
    setHeaders(res, pathname) {
      // sirv's MIME table (mrmime) has no entry for .ico.
      if (pathname.endsWith(".ico")) res.setHeader("content-type", "image/x-icon");
      res.setHeader("x-content-type-options", "nosniff");
      res.setHeader("referrer-policy", "same-origin");
      res.setHeader(
        "cache-control",
        pathname.startsWith("/assets/") ? "public, max-age=31536000, immutable" : "no-cache",
      );
    },
  });
  return (req, res) =>
    serve(req, res, () => {
      res.writeHead(404);
      res.end();
    });
}
