// What browsers are told (issue 14, point 6): the web client runs under a
// strict Content-Security-Policy and is never framed; GraphQL answers CORS only
// for CORS_ORIGINS; browsers' WebSocket upgrades from other sites are refused;
// assets travel compressed; the source map is not published.
import { createHash } from "node:crypto";
import { readdirSync } from "node:fs";
import { type IncomingHttpHeaders, request } from "node:http";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { loadConfig } from "../../server/config.ts";
import { WEB_DIST } from "../../server/web.ts";
import { type RunningApp, startTestApp } from "../support/app.ts";
import { ensureWebBuilt } from "../support/web-build.ts";

const WEB_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
const API_POLICY =
  "default-src 'none'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
const FOREIGN = "https://evil.example";
const MDM = "https://mdm.example.com";

interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** node:http, not fetch: fetch would undo the content-encoding this file checks. */
function send(
  url: string,
  {
    method = "GET",
    headers = {},
    body,
  }: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
      );
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(body);
  });
}

const postTypename = (url: string, headers: Record<string, string>) =>
  send(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify({ query: "{ __typename }" }),
  });

const preflight = (url: string, origin: string) =>
  send(url, {
    method: "OPTIONS",
    headers: {
      origin,
      "access-control-request-method": "POST",
      "access-control-request-headers": "content-type, authorization",
    },
  });

/** The CORS headers of a response (none at all, when CORS refuses). */
const corsHeaders = (response: RawResponse) =>
  Object.fromEntries(Object.entries(response.headers).filter(([name]) => name.startsWith("access-control-")));

/** How the server answers a WebSocket upgrade: "open", or the HTTP status it refused with. */
function upgrade(url: string, origin?: string): Promise<"open" | number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, "graphql-transport-ws", origin === undefined ? {} : { origin });
    socket.once("open", () => {
      socket.close();
      resolve("open");
    });
    socket.once("unexpected-response", (_req, res) => {
      resolve(res.statusCode ?? 0);
      res.resume();
    });
    socket.once("error", reject);
  });
}

let server: RunningApp;
let script: string;

beforeAll(async () => {
  await ensureWebBuilt();
  server = await startTestApp({ FAKE_NOW: "2026-11-24T10:00:00+09:00" }, { startWorker: false });
  const index = (await send(`${server.url}/`)).body.toString();
  script = /<script type="module" crossorigin src="([^"]+)"><\/script>/.exec(index)?.[1] as string;
});
afterAll(() => server?.stop());

describe("the web client's pages and files", () => {
  it("carry the strict policy: own scripts and styles only, never framed, never sniffed", async () => {
    for (const path of ["/", "/history/2026", script, "/favicon.svg", "/favicon.ico", "/assets/none.js"]) {
      const { status, headers } = await send(`${server.url}${path}`);
      expect({ path, status, ...pick(headers) }).toEqual({
        path,
        status: path === "/assets/none.js" ? 404 : 200,
        "content-security-policy": WEB_POLICY,
        "x-frame-options": "DENY",
        "x-content-type-options": "nosniff",
        "referrer-policy": "same-origin",
      });
    }
  });

  it("index.html holds no inline script or style: every script and stylesheet is a file", async () => {
    const index = (await send(`${server.url}/`)).body.toString();
    expect(index.match(/<script\b[^>]*>/g)).toEqual([`<script type="module" crossorigin src="${script}">`]);
    expect(index).not.toMatch(/<style\b|\sstyle=|\son[a-z]+=/i);
  });

  it("are served brotli- or gzip-compressed when the browser accepts it, the same bytes once decoded", async () => {
    const plain = await send(`${server.url}${script}`);
    expect(plain.headers["content-encoding"]).toBeUndefined();
    const br = await send(`${server.url}${script}`, { headers: { "accept-encoding": "gzip, deflate, br" } });
    const gzip = await send(`${server.url}${script}`, { headers: { "accept-encoding": "gzip" } });
    const page = await send(`${server.url}/history/2026`, { headers: { "accept-encoding": "br" } });

    expect([
      br.headers["content-encoding"],
      gzip.headers["content-encoding"],
      page.headers["content-encoding"],
    ]).toEqual(["br", "gzip", "br"]);
    expect(brotliDecompressSync(br.body).equals(plain.body)).toBe(true);
    expect(gunzipSync(gzip.body).equals(plain.body)).toBe(true);
    expect(br.headers.vary).toBe("Accept-Encoding");
    expect(br.headers["content-type"]).toMatch(/^text\/javascript/);
    // The ~380 KB bundle travels as about a quarter of that.
    console.info(`${script}: ${plain.body.length} B, gzip ${gzip.body.length} B, brotli ${br.body.length} B`);
    expect(br.body.length).toBeLessThan(plain.body.length / 3);
  });

  it("do not include the source map: none is built, and asking for one is 404", async () => {
    const files = readdirSync(WEB_DIST, { recursive: true }).map(String);
    expect(files.filter((file) => file.endsWith(".map"))).toEqual([]);
    expect((await send(`${server.url}${script}.map`)).status).toBe(404);
    expect((await send(`${server.url}${script}`)).body.toString()).not.toContain("sourceMappingURL");
  });
});

describe("GraphQL's answers", () => {
  it("allow nothing to run, are never framed, never sniffed", async () => {
    const response = await postTypename(server.graphqlUrl, {});
    expect(JSON.parse(response.body.toString()).data).toEqual({ __typename: "Query" });
    expect(pick(response.headers)).toEqual({
      "content-security-policy": API_POLICY,
      "x-frame-options": "DENY",
      "x-content-type-options": "nosniff",
      "referrer-policy": "same-origin",
    });
  });

  it("GraphiQL's page runs exactly its own inline script (by hash) and is never framed", async () => {
    const response = await send(server.graphqlUrl, { headers: { accept: "text/html" } });
    const page = response.body.toString();
    const start = page.indexOf("<script>") + "<script>".length;
    const hash = createHash("sha256")
      .update(page.slice(start, page.indexOf("</script>", start)))
      .digest("base64");
    const policy = response.headers["content-security-policy"] as string;
    const directives = Object.fromEntries(
      policy.split("; ").map((d) => [d.split(" ")[0], d.slice(d.indexOf(" ") + 1)]),
    );
    expect(directives).toMatchObject({
      "script-src": `'sha256-${hash}'`,
      "frame-ancestors": "'none'",
      "object-src": "'none'",
      "base-uri": "'none'",
      "connect-src": "'self'",
    });
    expect(response.headers["x-frame-options"]).toBe("DENY");
  });
});

describe("CORS with no CORS_ORIGINS (the default)", () => {
  it("answers another site's GET, POST and preflight without a single CORS header", async () => {
    const get = await send(`${server.graphqlUrl}?query=${encodeURIComponent("{ __typename }")}`, {
      headers: { origin: FOREIGN, accept: "application/json" },
    });
    const post = await postTypename(server.graphqlUrl, { origin: FOREIGN });
    const options = await preflight(server.graphqlUrl, FOREIGN);
    expect([corsHeaders(get), corsHeaders(post), corsHeaders(options)]).toEqual([{}, {}, {}]);
  });

  it("does not answer even the server's own origin with CORS (the web client needs none)", async () => {
    const post = await postTypename(server.graphqlUrl, { origin: server.url });
    expect(corsHeaders(post)).toEqual({});
  });
});

describe("WebSocket upgrades", () => {
  it("from the server's own page, or from a client that is not a browser (no Origin), open", async () => {
    expect(await upgrade(server.wsUrl, server.url)).toBe("open");
    expect(await upgrade(server.wsUrl)).toBe("open");
  });

  it("from another site's page (another host, another port, or an opaque origin) are refused with 403", async () => {
    const otherPort = server.url.replace(/:\d+$/, ":1");
    for (const origin of [FOREIGN, otherPort, "null"]) {
      expect({ origin, answer: await upgrade(server.wsUrl, origin) }).toEqual({ origin, answer: 403 });
    }
    const refused = await server.waitForLog((line) => line.msg.startsWith("refused a WebSocket upgrade"));
    expect(refused).toMatchObject({ level: 40, origin: FOREIGN });
  });
});

describe("with CORS_ORIGINS", () => {
  let configured: RunningApp;
  beforeAll(async () => {
    configured = await startTestApp(
      { CORS_ORIGINS: `${MDM}, http://localhost:5173` },
      { startWorker: false },
    );
  });
  afterAll(() => configured?.stop());

  it("allows exactly a listed origin, with credentials and the rate-limit headers readable", async () => {
    const post = await postTypename(configured.graphqlUrl, { origin: MDM });
    expect(corsHeaders(post)).toEqual({
      "access-control-allow-origin": MDM,
      "access-control-allow-credentials": "true",
      "access-control-allow-methods": "GET, POST",
      "access-control-expose-headers":
        "RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset, RateLimit-Policy, Retry-After",
      "access-control-max-age": "600",
    });
    expect(post.headers.vary).toMatch(/\bOrigin\b/);

    const options = await preflight(configured.graphqlUrl, "http://localhost:5173");
    expect(options.status).toBe(204);
    expect(corsHeaders(options)).toMatchObject({
      "access-control-allow-origin": "http://localhost:5173",
      "access-control-allow-credentials": "true",
      "access-control-allow-methods": "GET, POST",
      "access-control-allow-headers": "content-type, authorization",
    });
  });

  it("gives any other origin no CORS header, preflight included", async () => {
    const post = await postTypename(configured.graphqlUrl, { origin: FOREIGN });
    const options = await preflight(configured.graphqlUrl, FOREIGN);
    expect([corsHeaders(post), corsHeaders(options)]).toEqual([{}, {}]);
  });

  it("opens WebSockets for a listed origin, still refuses others", async () => {
    expect(await upgrade(configured.wsUrl, MDM)).toBe("open");
    expect(await upgrade(configured.wsUrl, FOREIGN)).toBe(403);
  });
});

describe("the CORS_ORIGINS setting", () => {
  it("takes comma-separated origins as browsers send them", () => {
    expect(loadConfig({}).corsOrigins).toEqual([]);
    expect(
      loadConfig({ CORS_ORIGINS: "https://MDM.example.com/, http://localhost:5173" }).corsOrigins,
    ).toEqual([MDM, "http://localhost:5173"]);
  });

  it("stops the server on anything that is not an origin: a wildcard, a path, null", () => {
    for (const value of ["*", "https://mdm.example.com/api", "null"]) {
      expect(() => loadConfig({ CORS_ORIGINS: value })).toThrow(
        `CORS_ORIGINS: expected origins like https://mdm.example.com, got ${value}`,
      );
    }
  });
});

function pick(headers: IncomingHttpHeaders) {
  return {
    "content-security-policy": headers["content-security-policy"],
    "x-frame-options": headers["x-frame-options"],
    "x-content-type-options": headers["x-content-type-options"],
    "referrer-policy": headers["referrer-policy"],
  };
}
