// docs/integrators.md cannot rot: every fenced block marked `test` runs here,
// in document order, against the real app on a scenario.
//
//   ```graphql test [as=admin|anonymous] [expect=CODE]
//     An operation, sent over HTTP with the API token (as=admin: as
//     Manager@admin; as=anonymous: without a token). A ```json variables block right after it gives its
//     variables; "<LINE_ID>", "<LINE_ID_2>" and "<GROUP_ID>" in them stand for
//     the scenario's lines and group. Without expect it must answer without
//     errors and without userErrors; with expect=CODE, an error's
//     extensions.code or a userErrors code must be CODE.
//   ```ts test
//     A module an integrator could run as is: it reads ANSHIN_GRAPHQL_URL,
//     ANSHIN_WS_URL and ANSHIN_TOKEN from the environment and checks what it
//     says with node:assert. It is written to tmp/ and imported.
//
// The error-code table of the guide is checked against the code base: every
// code it lists is one the server can answer.
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defineScenario } from "../scenarios/scenario.ts";
import { type RunningApp, startScenarioApp } from "../support/app.ts";
import { graphql, loginAs } from "../support/graphql.ts";

const root = fileURLToPath(new URL("../..", import.meta.url));
const guidePath = path.join(root, "docs", "integrators.md");

const integratorScenario = defineScenario({
  account: {
    name: "連携株式会社",
    customerCode: "MDM-0001",
    groups: ["営業部", "開発部"],
    lines: {
      sales1: { group: "営業部", deviceKind: "IPHONE" },
      sales2: { group: "営業部", deviceKind: "SMARTPHONE" },
      dev1: { group: "開発部", deviceKind: "SMARTPHONE" },
      dev2: { group: "開発部", deviceKind: "WINDOWS10_MOBILE" },
      dev3: { group: "開発部", deviceKind: "IPHONE" },
      ungrouped: { group: null, deviceKind: "IPHONE" },
    },
  },
});

// Inside acceptance hours (R4); the carrier answers at once and never fails.
const env = {
  FAKE_NOW: "2026-11-24T10:00:00+09:00",
  CARRIER_LATENCY_MS: "0",
  CARRIER_FAILURE_RATE: "0",
  // The guide's webhook receiver listens on loopback.
  WEBHOOK_ALLOWED_HOSTS: "127.0.0.1",
};

interface Block {
  lang: string;
  attributes: Record<string, string>;
  code: string;
  /** 1-based line of the opening fence. */
  line: number;
  heading: string;
  variables?: string;
}

/** The fenced blocks marked `test`, each with the json variables block that follows it. */
function testBlocks(markdown: string): Block[] {
  const lines = markdown.split("\n");
  const blocks: Block[] = [];
  let heading = "";
  for (let i = 0; i < lines.length; i++) {
    const text = lines[i] ?? "";
    if (/^#{1,4} /.test(text)) heading = text.replace(/^#+ /, "");
    const fence = text.match(/^```(\S+)\s*(.*)$/);
    if (!fence) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && lines[i] !== "```"; i++) body.push(lines[i] ?? "");
    const [lang = "", info = ""] = [fence[1], fence[2]];
    const words = info.split(/\s+/).filter(Boolean);
    if (lang === "json" && words[0] === "variables") {
      const previous = blocks.at(-1);
      if (previous && previous.lang === "graphql") previous.variables = body.join("\n");
      continue;
    }
    if (words[0] !== "test") continue;
    const attributes = Object.fromEntries(
      words.slice(1).map((word) => {
        const [key = word, value = "true"] = word.split("=");
        return [key, value];
      }),
    );
    blocks.push({ lang, attributes, code: body.join("\n"), line: start + 1, heading });
  }
  return blocks;
}

/** Every userErrors code anywhere in a payload. */
function userErrorCodes(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(userErrorCodes);
  if (value === null || typeof value !== "object") return [];
  return Object.entries(value).flatMap(([key, inner]) =>
    key === "userErrors" && Array.isArray(inner)
      ? inner.map((error: { code: string }) => error.code)
      : userErrorCodes(inner),
  );
}

const guide = readFileSync(guidePath, "utf8");
const blocks = testBlocks(guide);
const examplesDir = path.join(root, "tmp", "integrators-examples");

describe("docs/integrators.md", () => {
  let server: RunningApp;
  let adminToken: string;
  let apiToken: string;
  const placeholders: Record<string, string> = {};

  beforeAll(async () => {
    const started = await startScenarioApp(integratorScenario, env);
    server = started;
    adminToken = await loginAs(server.graphqlUrl, "Manager@admin");
    // An API token with every scope, as an MDM tool would be given.
    const scopes: any = await graphql(
      server.graphqlUrl,
      `{ __type(name: "ApiScope") { enumValues { name } } }`,
      {},
      adminToken,
    );
    const created: any = await graphql(
      server.graphqlUrl,
      `mutation ($input: CreateApiTokenInput!) { createApiToken(input: $input) { token userErrors { code } } }`,
      {
        input: {
          name: "docs/integrators.md",
          scopes: scopes.data.__type.enumValues.map((value: { name: string }) => value.name),
        },
      },
      adminToken,
    );
    apiToken = created.data.createApiToken.token;
    placeholders["<LINE_ID>"] = started.data.lines.sales1.id;
    placeholders["<LINE_ID_2>"] = started.data.lines.sales2.id;
    placeholders["<GROUP_ID>"] = started.data.groups.開発部?.id ?? "";
    process.env.ANSHIN_GRAPHQL_URL = server.graphqlUrl;
    process.env.ANSHIN_WS_URL = server.wsUrl;
    process.env.ANSHIN_TOKEN = apiToken;
    rmSync(examplesDir, { recursive: true, force: true });
    mkdirSync(examplesDir, { recursive: true });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it("runs every GraphQL and TypeScript block (none is left unmarked)", () => {
    const unmarked = [...guide.matchAll(/^```(graphql|ts|typescript|js)(\s.*)?$/gm)]
      .filter((match) => !/^\s*test\b/.test(match[2] ?? ""))
      .map((match) => match[0]);
    expect(unmarked).toEqual([]);
  });

  it("has examples of every section that runs", () => {
    const sections = new Set(blocks.map((block) => block.heading));
    for (const section of [
      "Authentication: tokens and scopes",
      "Pagination",
      "The change feed",
      "Idempotency keys",
      "Rate limits",
      "Webhooks",
      "Subscriptions with resume",
      "Error codes",
    ]) {
      expect(
        [...sections].some((heading) => heading.startsWith(section)),
        section,
      ).toBe(true);
    }
  });

  for (const [index, block] of blocks.entries()) {
    const name = `${block.heading} (line ${block.line}, ${block.lang}${block.attributes.expect ? `, expects ${block.attributes.expect}` : ""})`;
    if (block.lang === "graphql") {
      it(name, async () => {
        const variables = JSON.parse(
          Object.entries(placeholders).reduce(
            (text, [placeholder, id]) => text.replaceAll(placeholder, id),
            block.variables ?? "{}",
          ),
        );
        const as = block.attributes.as ?? "token";
        const token = as === "admin" ? adminToken : as === "anonymous" ? undefined : apiToken;
        const result: any = await graphql(server.graphqlUrl, block.code, variables, token);
        const codes = [
          ...(result.errors ?? []).map((error: any) => error.extensions?.code),
          ...userErrorCodes(result.data),
        ];
        if (block.attributes.expect) expect(codes).toContain(block.attributes.expect);
        else expect({ errors: result.errors, codes }).toEqual({ errors: undefined, codes: [] });
      });
    } else if (block.lang === "ts") {
      it(name, async () => {
        const file = path.join(
          examplesDir,
          `example-${String(index).padStart(2, "0")}-line-${block.line}.ts`,
        );
        writeFileSync(file, `${block.code}\n`);
        await import(pathToFileURL(file).href);
      }, 60_000);
    } else {
      it(name, () => {
        throw new Error("Only graphql and ts blocks can be marked test.");
      });
    }
  }

  it("lists only error codes the server can answer", () => {
    const table = guide.slice(guide.indexOf("## Error codes"));
    const codes = [...table.matchAll(/^\| `([A-Z0-9_]+)` +\|/gm)].map((match) => match[1] ?? "");
    expect(codes.length).toBeGreaterThan(10);
    const sources = ["domain", "services", "schema", "server"]
      .flatMap((dir) => sourceFiles(path.join(root, dir)))
      .map((file) => readFileSync(file, "utf8"))
      .join("\n");
    const unknown = codes.filter((code) => !new RegExp(`["'\`]${code}["'\`]|\\b${code}:`).test(sources));
    expect(unknown).toEqual([]);
  });
});

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name);
    if (statSync(file).isDirectory()) return name === "generated" ? [] : sourceFiles(file);
    return file.endsWith(".ts") ? [file] : [];
  });
}
