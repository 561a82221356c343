// What browsers are told and asked before they may use the gateway: the
// Content-Security-Policy of the web client, of GraphiQL and of API responses,
// which other sites may call the API (CORS), and which pages may open a
// WebSocket to it. The web client itself is same-origin and needs neither
// CORS nor any exception to the Origin check.
import { createHash } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { renderGraphiQL } from "@graphql-yoga/render-graphiql";
import type { GraphiQLOptions, Plugin, YogaServerOptions } from "graphql-yoga";

const policy = (directives: Record<string, string>) =>
  Object.entries(directives)
    .map(([name, value]) => `${name} ${value}`)
    .join("; ");

/** Directives every page of ours and every API response shares. */
const NEVER = {
  "object-src": "'none'",
  "base-uri": "'none'",
  "form-action": "'self'",
  // Nobody frames us (clickjacking); X-Frame-Options says it to older browsers.
  "frame-ancestors": "'none'",
};

/**
 * The admin web client (web/dist): its own scripts and styles only, nothing
 * inline. React's `style={…}` props are set through the CSSOM, which
 * style-src does not govern. 'self' in connect-src covers ws: and wss: to the
 * same host (CSP Level 3), which the subscriptions use.
 */
export const WEB_CONTENT_SECURITY_POLICY = policy({
  "default-src": "'self'",
  "script-src": "'self'",
  "style-src": "'self'",
  "img-src": "'self' data:",
  "connect-src": "'self'",
  ...NEVER,
});

/** JSON, event streams and errors from /graphql run nothing and embed nothing. */
export const API_CONTENT_SECURITY_POLICY = policy({ "default-src": "'none'", ...NEVER });

/** Headers on every file the web client is served from (index.html, assets, icons). */
export const WEB_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "content-security-policy": WEB_CONTENT_SECURITY_POLICY,
  "x-frame-options": "DENY",
  "x-content-type-options": "nosniff",
  "referrer-policy": "same-origin",
};

/** The hash CSP gives an inline script or style element: sha256 of its text, base64. */
function sourceHash(text: string): string {
  return `'sha256-${createHash("sha256").update(text, "utf8").digest("base64")}'`;
}

/**
 * GraphiQL's page (@graphql-yoga/render-graphiql) is one HTML document with
 * the whole bundle inline. Its scripts are allowed by their hashes, so no
 * other inline script runs; its editor (Monaco) starts workers from blob:
 * URLs and adds <style> elements as it goes, hence blob: workers and inline
 * styles, which run no code.
 */
export function graphiqlContentSecurityPolicy(page: string): string {
  const scripts: string[] = [];
  // The HTML tokenizer ends a script at the first `</script>`, so does this.
  for (let at = page.indexOf("<script>"); at >= 0; at = page.indexOf("<script>", at)) {
    const start = at + "<script>".length;
    const end = page.indexOf("</script>", start);
    if (end < 0) break;
    scripts.push(sourceHash(page.slice(start, end)));
    at = end;
  }
  return policy({
    "default-src": "'self'",
    "script-src": scripts.length > 0 ? scripts.join(" ") : "'none'",
    "style-src": "'self' 'unsafe-inline'",
    "img-src": "'self' data: blob:",
    "font-src": "'self' data:",
    "worker-src": "'self' blob:",
    "connect-src": "'self'",
    ...NEVER,
  });
}

// The page (~9 MB) and its policy are made once per process, on first view.
let graphiql: { page: string; policy: string } | undefined;

/**
 * GraphiQL from the installed package, not a CDN: it loads offline and
 * behind a firewall. Pass as yoga's `renderGraphiQL`.
 */
export function renderGraphiQLPage(options: GraphiQLOptions): string {
  if (!graphiql) {
    const page = renderGraphiQL(options);
    graphiql = { page, policy: graphiqlContentSecurityPolicy(page) };
  }
  return graphiql.page;
}

/**
 * Security headers on every /graphql response: GraphiQL's policy on its page,
 * a policy that allows nothing on the rest; never framed, never sniffed.
 */
export function useBrowserSecurityHeaders(corsOrigins: readonly string[]): Plugin {
  return {
    onResponse({ response }) {
      const html = response.headers.get("content-type")?.startsWith("text/html") ?? false;
      const headers = response.headers;
      // An HTML answer that is not our GraphiQL page (there is none) runs nothing.
      headers.set(
        "content-security-policy",
        html ? (graphiql?.policy ?? API_CONTENT_SECURITY_POLICY) : API_CONTENT_SECURITY_POLICY,
      );
      headers.set("x-frame-options", "DENY");
      headers.set("x-content-type-options", "nosniff");
      headers.set("referrer-policy", "same-origin");
      // The CORS answer depends on the Origin: caches must not share it.
      if (corsOrigins.length > 0 && !/\borigin\b/i.test(headers.get("vary") ?? ""))
        headers.append("vary", "Origin");
    },
  };
}

/** Headers a browser on an allowed origin may read from a response (rate limits). */
export const CORS_EXPOSED_HEADERS = [
  "RateLimit-Limit",
  "RateLimit-Remaining",
  "RateLimit-Reset",
  "RateLimit-Policy",
  "Retry-After",
];

/**
 * Yoga's `cors`: with no origins configured, no CORS header at all (the web
 * client is same-origin); otherwise exactly those origins, with credentials,
 * and nothing, preflight included, for any other.
 */
export function corsPolicy(
  origins: readonly string[],
): NonNullable<YogaServerOptions<object, object>["cors"]> {
  if (origins.length === 0) return false;
  const allowed = new Set(origins);
  return (request: Request) => {
    const origin = request.headers.get("origin");
    if (origin === null || !allowed.has(origin)) return false;
    return {
      origin: [origin],
      credentials: true,
      methods: ["GET", "POST"],
      exposedHeaders: CORS_EXPOSED_HEADERS,
      maxAge: 600,
    };
  };
}

/**
 * Whether a WebSocket upgrade may go on. Browsers always send Origin: it must
 * be this server's own (the same host and port as the Host header, whatever
 * the scheme, so a TLS-terminating proxy that keeps Host passes) or one of
 * CORS_ORIGINS, so another site's page cannot use a visitor's browser (and
 * its network position) to talk to the gateway. Clients that are not browsers
 * (MDM tools, Node) send no Origin and are let in: nothing a page does can
 * leave the header out.
 */
export function isAllowedWebSocketOrigin(request: IncomingMessage, corsOrigins: readonly string[]): boolean {
  const origin = request.headers.origin;
  if (origin === undefined) return true;
  if (corsOrigins.includes(origin)) return true;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false; // "null" (sandboxed frames, file:) and anything unparsable
  }
  const host = request.headers.host?.toLowerCase();
  return (url.protocol === "http:" || url.protocol === "https:") && host !== undefined && url.host === host;
}
