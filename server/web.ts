// Serves the built admin web client (web/dist, `npm run build`) at `/` on the
// API's port. Paths that are not files get index.html, so the client's own
// routes (/history/2026…) survive a reload. Hashed assets are cached for good.
// Each text file is served as the build compressed it (x.js.br, x.js.gz) when
// the browser accepts that encoding, and every answer carries the client's
// Content-Security-Policy (server/browser-security.ts).
import { existsSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { join } from "node:path";
import sirv from "sirv";
import { WEB_SECURITY_HEADERS } from "./browser-security.ts";

export const WEB_DIST = join(import.meta.dirname, "..", "web", "dist");

export type WebHandler = (req: IncomingMessage, res: ServerResponse) => void;

export function createWebHandler(dir = WEB_DIST): WebHandler {
  if (!existsSync(join(dir, "index.html"))) {
    return (_req, res) => {
      for (const [name, value] of Object.entries(WEB_SECURITY_HEADERS)) res.setHeader(name, value);
      res.writeHead(404, { "content-type": "text/plain; charset=utf-8" });
      res.end("The web client is not built: run `npm run build` (npm start does it).\n");
    };
  }
  const serve = sirv(dir, {
    single: true,
    dev: false,
    etag: true,
    gzip: true,
    brotli: true,
    setHeaders(res, pathname) {
      // sirv's MIME table (mrmime) has no entry for .ico.
      if (pathname.endsWith(".ico")) res.setHeader("content-type", "image/x-icon");
      res.setHeader(
        "cache-control",
        pathname.startsWith("/assets/") ? "public, max-age=31536000, immutable" : "no-cache",
      );
    },
  });
  return (req, res) => {
    // Set first, so 304 and 404 answers carry them too.
    for (const [name, value] of Object.entries(WEB_SECURITY_HEADERS)) res.setHeader(name, value);
    serve(req, res, () => {
      res.writeHead(404);
      res.end();
    });
  };
}
