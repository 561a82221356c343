// OpenTelemetry tracing (issue 18 point 4) in the real server process:
// OTEL_EXPORTER_OTLP_ENDPOINT points at an OTLP/HTTP receiver on loopback
// (server/tracing.ts uses @opentelemetry/exporter-trace-otlp-http, which
// sends JSON; protobuf bodies are kept too, as bytes). A GraphQL POST with a
// bearer token, and a GET carrying the token in its query string, must give
// an HTTP server span, and the token must appear nowhere in what the
// receiver got (no Authorization header, no query string in span attributes).
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { killAllServerProcesses, type ServerProcess, startServerProcess } from "../support/server-process.ts";

const SECRET = "SECRET-TOKEN-123";
const SPAN_KIND_SERVER = 2;

interface Export {
  path: string;
  contentType: string;
  body: Buffer;
}

interface Span {
  name: string;
  kind: number;
  scope: string;
  attributes: Record<string, unknown>;
}

/** The spans of the JSON exports (OTLP/JSON: resourceSpans → scopeSpans → spans). */
function spansOf(exports: Export[]): Span[] {
  return exports
    .filter((e) => e.contentType.includes("json"))
    .flatMap((e) => (JSON.parse(e.body.toString("utf8")).resourceSpans ?? []) as any[])
    .flatMap((resource) => (resource.scopeSpans ?? []) as any[])
    .flatMap((scope) =>
      ((scope.spans ?? []) as any[]).map((span) => ({
        name: span.name as string,
        kind: span.kind as number,
        scope: scope.scope?.name as string,
        attributes: Object.fromEntries(
          ((span.attributes ?? []) as any[]).map((a) => [a.key, Object.values(a.value ?? {})[0]]),
        ),
      })),
    );
}

const dataDir = mkdtempSync(path.join(tmpdir(), "anshin-otel-"));
const exports: Export[] = [];
let receiver: Server;
let server: ServerProcess;

beforeAll(async () => {
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      exports.push({
        path: req.url ?? "",
        contentType: req.headers["content-type"] ?? "",
        body: Buffer.concat(chunks),
      });
      res.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  const { port } = receiver.address() as AddressInfo;
  server = await startServerProcess({
    DATA_DIR: dataDir,
    OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}`,
    OTEL_SERVICE_NAME: "anshin-otel-test",
    // The batch span processor sends every 200 ms instead of every 5 s.
    OTEL_BSP_SCHEDULE_DELAY: "200",
    WORKER: "off",
  });
}, 120_000);

afterAll(async () => {
  await server?.stop();
  killAllServerProcesses();
  await new Promise<void>((resolve) => (receiver ? receiver.close(() => resolve()) : resolve()));
  rmSync(dataDir, { recursive: true, force: true });
});

describe("OpenTelemetry tracing", () => {
  it("exports an HTTP server span for a GraphQL request, and never the bearer token", async () => {
    expect(server.messages).toContain("OpenTelemetry tracing on");
    const posted = await fetch(server.graphqlUrl, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${SECRET}` },
      body: JSON.stringify({ query: "query FirstLine { lines(first: 1) { totalCount } }" }),
    });
    // An unknown token: refused, but traced.
    expect(posted.status).toBeLessThan(500);
    await posted.arrayBuffer();
    const query = new URLSearchParams({
      query: "query Typename($t: String) { __typename }",
      variables: JSON.stringify({ t: SECRET }),
    });
    const got = await fetch(`${server.graphqlUrl}?${query}`, {
      headers: { accept: "application/json", authorization: `Bearer ${SECRET}` },
    });
    await got.arrayBuffer();

    // Both requests' server spans arrive (bounded: the exporter sends every 200 ms).
    await expect
      .poll(
        () =>
          spansOf(exports).filter(
            (s) => s.kind === SPAN_KIND_SERVER && s.scope === "@opentelemetry/instrumentation-http",
          ).length,
        { timeout: 20_000, interval: 100 },
      )
      .toBeGreaterThanOrEqual(2);

    expect(exports.every((e) => e.path === "/v1/traces")).toBe(true);
    const spans = spansOf(exports);
    const serverSpans = spans.filter(
      (s) => s.kind === SPAN_KIND_SERVER && s.scope === "@opentelemetry/instrumentation-http",
    );
    const methods = serverSpans.map(
      (s) => s.attributes["http.request.method"] ?? s.attributes["http.method"],
    );
    expect(methods).toEqual(expect.arrayContaining(["POST", "GET"]));
    // The path is kept, without the GET's query string.
    for (const span of serverSpans) {
      const target = span.attributes["url.path"] ?? span.attributes["http.target"];
      expect(target).toBe("/graphql");
    }
    // Prisma's instrumentation traces the queries (PGlite is not node-postgres: no pg spans here).
    expect(spans.some((s) => s.scope === "prisma" && s.name === "prisma:client:db_query")).toBe(true);
    // Nowhere in any byte the receiver got: not the token, nor the header carrying it.
    const received = Buffer.concat(exports.map((e) => e.body));
    expect(received.includes(SECRET)).toBe(false);
    expect(received.toString("utf8").toLowerCase()).not.toContain("authorization");
    console.info(
      `otel: ${spans.length} spans: ${[...new Set(spans.map((s) => `${s.scope}:${s.name}`))].join(", ")}`,
    );
  });
});
