// Paging arguments of every connection, as the Relay connection spec names
// them. A page is asked for forwards (first, after) or backwards (last,
// before), never both at once; sizes run from 0 to 200. Anything else is
// refused with BAD_USER_INPUT before anything runs (no "Unexpected error.",
// no silently clamped or reinterpreted page).
// Scenario: fullPageScenario (202 lines in three groups: a full page of 200 and two after it).
import { encodeGlobalID } from "@pothos/plugin-relay";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fullPageScenario } from "../scenarios/lines.scenarios.ts";
import type { Seeded } from "../scenarios/scenario.ts";
import { type RunningApp, startScenarioApp } from "../support/app.ts";
import { graphql, loginAs } from "../support/graphql.ts";
import { recordOperations } from "../support/operations.ts";
import { collect, wsClient } from "../support/subscriptions.ts";

const MESSAGES = {
  NEGATIVE_PAGE_SIZE: "取得件数(first・last)には0以上の数を指定してください。",
  PAGE_TOO_LARGE: "一度に取得できるのは200件までです。",
  MIXED_DIRECTIONS:
    "ページの指定は first・after(先頭から)か last・before(末尾から)のどちらか一方にしてください。",
} as const;
type Reason = keyof typeof MESSAGES;

const RECEIPT_NUMBER = "2026112499000001";
const PAGING = "first: $first, last: $last, after: $after, before: $before";
const VARIABLES = "$first: Int, $last: Int, $after: String, $before: String";

type Edges = { cursor: string }[];
/** Every connection of the schema: one page asked with the variables' arguments, and where its edges are. */
const CONNECTIONS: Record<string, { query: string; edges: (data: any) => Edges }> = {
  lines: {
    query: `query (${VARIABLES}) { lines(${PAGING}) { totalCount edges { cursor } } }`,
    edges: (data) => data.lines.edges,
  },
  groups: {
    query: `query (${VARIABLES}) { groups(${PAGING}) { totalCount edges { cursor } } }`,
    edges: (data) => data.groups.edges,
  },
  receipts: {
    query: `query (${VARIABLES}) { receipts(${PAGING}) { totalCount edges { cursor } } }`,
    edges: (data) => data.receipts.edges,
  },
  mailMessages: {
    query: `query (${VARIABLES}) { mailMessages(${PAGING}) { totalCount edges { cursor } } }`,
    edges: (data) => data.mailMessages.edges,
  },
  "Group.lines": {
    query: `query (${VARIABLES}) { groups(first: 1) { edges { node {
      lines(${PAGING}) { totalCount edges { cursor } } } } } }`,
    edges: (data) => data.groups.edges[0].node.lines.edges,
  },
  "Receipt.items": {
    query: `query (${VARIABLES}) { receipt(number: "${RECEIPT_NUMBER}") {
      items(${PAGING}) { totalCount edges { cursor } } } }`,
    edges: (data) => data.receipt.items.edges,
  },
};

const operations = recordOperations();
let server: RunningApp;
let url: string;
let token: string;
let data: Seeded<keyof typeof fullPageScenario.account.lines>;
/** The cursors of each connection's first three edges. */
const firstPages: Record<string, string[]> = {};

beforeAll(async () => {
  const started = await startScenarioApp(
    fullPageScenario,
    // The session stays cached for the whole file (see test/realtime/shared-reads.test.ts).
    { FAKE_NOW: "2026-11-24T10:00:00+09:00", ACTOR_CACHE_MS: "60000" },
    { onOperation: operations.onOperation, startWorker: false },
  );
  server = started;
  data = started.data;
  url = server.graphqlUrl;
  token = await loginAs(url, "Manager@admin");

  // Three receipts of three lines each and three mails, so every connection has pages.
  const prisma = server.app.database.prisma;
  const { accountId } = data;
  const admin = await prisma.administrator.findUniqueOrThrow({ where: { loginId: "Manager@admin" } });
  const { line000, line001, line002 } = data.lines;
  const lines = await prisma.line.findMany({
    where: { id: { in: [line000, line001, line002].map((line) => line!.rawId) } },
    orderBy: { phoneNumber: "asc" },
  });
  for (const number of [RECEIPT_NUMBER, "2026112499000002", "2026112499000003"]) {
    await prisma.receipt.create({
      data: {
        accountId,
        number,
        kind: "APP_DOWNLOAD_MAIL",
        status: "SUCCEEDED",
        adminId: admin.id,
        adminName: admin.name,
        adminLoginId: admin.loginId,
        receivedAt: new Date("2026-11-24T01:00:00Z"),
        completedAt: new Date("2026-11-24T01:00:00Z"),
        items: {
          create: lines.map((line, position) => ({
            lineId: line.id,
            position,
            phoneNumber: line.phoneNumber,
            lineName: line.name,
            lineVersion: line.version,
            status: "SUCCEEDED" as const,
            completedAt: new Date("2026-11-24T01:00:00Z"),
          })),
        },
      },
    });
  }
  await prisma.mailMessage.createMany({
    data: lines.map((line) => ({
      accountId,
      kind: "APP_DOWNLOAD" as const,
      to: `${line.phoneNumber}@example.jp`,
      subject: "アプリダウンロード依頼",
      body: "-",
      status: "SENT" as const,
      transport: "outbox",
    })),
  });

  for (const [name, connection] of Object.entries(CONNECTIONS)) {
    const page = await graphql(url, connection.query, { first: 3 }, token);
    expect(page.errors).toBeUndefined();
    const edges = connection.edges(page.data);
    expect(edges, name).toHaveLength(3);
    firstPages[name] = edges.map((edge) => edge.cursor);
  }
});
afterAll(() => server.stop());

const REFUSED: { args: Record<string, unknown>; reason: Reason }[] = [
  { args: { first: 2, last: 1 }, reason: "MIXED_DIRECTIONS" },
  { args: { first: 0, last: 0 }, reason: "MIXED_DIRECTIONS" },
  { args: { after: "cursor", before: "cursor" }, reason: "MIXED_DIRECTIONS" },
  { args: { first: 2, before: "cursor" }, reason: "MIXED_DIRECTIONS" },
  { args: { last: 2, after: "cursor" }, reason: "MIXED_DIRECTIONS" },
  { args: { first: -1 }, reason: "NEGATIVE_PAGE_SIZE" },
  { args: { last: -1 }, reason: "NEGATIVE_PAGE_SIZE" },
  { args: { first: 201 }, reason: "PAGE_TOO_LARGE" },
  { args: { last: 201 }, reason: "PAGE_TOO_LARGE" },
  { args: { first: 2147483647 }, reason: "PAGE_TOO_LARGE" },
];

const withCursor = (name: string, args: Record<string, unknown>) =>
  Object.fromEntries(
    Object.entries(args).map(([key, value]) => [key, value === "cursor" ? firstPages[name]![1] : value]),
  );

describe.each(Object.keys(CONNECTIONS))("%s", (name) => {
  const { query } = CONNECTIONS[name]!;
  it.each(REFUSED)("refuses $args with BAD_USER_INPUT ($reason)", async ({ args, reason }) => {
    const result = await graphql(url, query, withCursor(name, args), token);
    expect(result).toEqual({
      status: 200,
      errors: [
        {
          message: MESSAGES[reason],
          locations: expect.any(Array),
          extensions: { code: "BAD_USER_INPUT", reason },
        },
      ],
    });
  });

  it.each([{ first: 200 }, { last: 200 }, { first: 0 }, { last: 0 }])("accepts %o", async (args) => {
    const result = await graphql(url, query, args, token);
    expect(result.errors).toBeUndefined();
    if (args.first === 0 || args.last === 0) expect(CONNECTIONS[name]!.edges(result.data)).toEqual([]);
  });

  it("pages forwards with first and after, backwards with last and before", async () => {
    const [first, second, third] = firstPages[name]!;
    const page = async (args: Record<string, unknown>) => {
      const result = await graphql(url, query, args, token);
      expect(result.errors).toBeUndefined();
      return CONNECTIONS[name]!.edges(result.data).map((edge) => edge.cursor);
    };
    expect(await page({ first: 1, after: second })).toEqual([third]);
    expect(await page({ last: 1, before: second })).toEqual([first]);
    expect(await page({ first: 2 })).toEqual([first, second]);
  });
});

describe("what a page holds", () => {
  const PHONES = `query (${VARIABLES}) { lines(${PAGING}) { edges { node { phoneNumber } } } }`;
  const phones = async (args: Record<string, unknown>) => {
    const result = await graphql(url, PHONES, args, token);
    expect(result.errors).toBeUndefined();
    return result.data.lines.edges.map((e: { node: { phoneNumber: string } }) => e.node.phoneNumber);
  };

  it("first: n is the first n lines, last: n the last n, first: 0 none", async () => {
    const all = await phones({ first: 200 });
    expect(all).toHaveLength(200);
    expect(await phones({ first: 2 })).toEqual(all.slice(0, 2));
    expect(await phones({ first: 0 })).toEqual([]);
    const lastTwo = await phones({ last: 2 });
    expect(lastTwo).toHaveLength(2);
    expect(lastTwo[0] < lastTwo[1]).toBe(true);
    expect(lastTwo[0] > all[199]).toBe(true);
    // The scenario's two lines after the full page.
    expect(lastTwo).toEqual([data.lines.line200!.phoneNumber, data.lines.line201!.phoneNumber]);
  });

  it("first with after, last with before page around a cursor", async () => {
    const five = await phones({ first: 5 });
    const { data } = await graphql(url, `{ lines(first: 3) { edges { cursor } } }`, {}, token);
    const third = data.lines.edges[2].cursor;
    expect(await phones({ first: 2, after: third })).toEqual(five.slice(3, 5));
    expect(await phones({ last: 2, before: third })).toEqual(five.slice(0, 2));
  });

  it("first: 200 is a whole page: the limit refuses, it does not clamp", async () => {
    expect(await phones({ first: 200 })).toHaveLength(200);
    const result = await graphql(url, "{ lines(first: 300) { edges { cursor } } }", {}, token);
    expect(result.data).toBeUndefined();
    expect(result.errors).toMatchObject([
      { message: MESSAGES.PAGE_TOO_LARGE, extensions: { code: "BAD_USER_INPUT" } },
    ]);
  });
});

describe("wherever the arguments are written", () => {
  const refused = (reason: Reason) => ({
    status: 200,
    errors: [
      {
        message: MESSAGES[reason],
        locations: expect.any(Array),
        extensions: { code: "BAD_USER_INPUT", reason },
      },
    ],
  });

  it("as literals", async () => {
    expect(await graphql(url, "{ lines(first: 2, last: 1) { totalCount } }", {}, token)).toEqual(
      refused("MIXED_DIRECTIONS"),
    );
  });

  it("in a fragment", async () => {
    const query = `query { ...Groups } fragment Groups on Query { groups(first: -5) { totalCount } }`;
    expect(await graphql(url, query, {}, token)).toEqual(refused("NEGATIVE_PAGE_SIZE"));
  });

  it("in a mutation's payload: the mutation does not run", async () => {
    // Run, it would answer NO_LINES_SELECTED in userErrors.
    const query = `mutation { submitPermissionChange(input: { lines: [] }) {
      receipt { items(first: 2, before: "x") { totalCount } } userErrors { code }
    } }`;
    expect(await graphql(url, query, {}, token)).toEqual(refused("MIXED_DIRECTIONS"));
  });

  it("nested in a subscription (graphql-ws)", async () => {
    const client = wsClient(server.wsUrl, token);
    try {
      const collected = await collect(
        client,
        `subscription ($id: ID!) { receiptProgress(receiptId: $id) {
          seq receipt { items(first: 10, last: 10) { totalCount } }
        } }`,
        { id: encodeGlobalID("Receipt", "00000000-0000-4000-8000-000000000000") },
      );
      expect(collected.events).toEqual([]);
      expect(collected.error).toMatchObject([
        {
          message: MESSAGES.MIXED_DIRECTIONS,
          extensions: { code: "BAD_USER_INPUT", reason: "MIXED_DIRECTIONS" },
        },
      ]);
    } finally {
      await client.dispose();
    }
  });

  it("is refused before any database work: a receipt's items page does not read the receipt", async () => {
    await graphql(url, "{ viewer { kind } }", {}, token); // the session is read (and cached) here
    const { result, calls } = await operations.during(() =>
      graphql(
        url,
        `{ receipt(number: "2026112499000001") { number items(first: -1) { totalCount } } }`,
        {},
        token,
      ),
    );
    expect(result).toEqual(refused("NEGATIVE_PAGE_SIZE"));
    expect(calls).toMatchInlineSnapshot(`[]`);
  });
});
