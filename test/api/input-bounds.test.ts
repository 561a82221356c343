// Issue 14.1: every text, list and number argument has a bound, checked for
// the whole operation before any database work, answered BAD_USER_INPUT with
// the argument's schema coordinate and its bound.
import { getNamedType, isInputObjectType, isObjectType } from "graphql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { schema } from "../../schema/index.ts";
import { listBounds, textBounds } from "../../schema/input-bounds.ts";
import { type RunningApp, startTestApp } from "../support/app.ts";
import { graphql, loginAs } from "../support/graphql.ts";
import { recordOperations } from "../support/operations.ts";

let server: RunningApp;
let groupAdmin: string;
let manager: string;
const operations = recordOperations();

beforeAll(async () => {
  // No worker: its polls would be recorded as this test's database calls.
  server = await startTestApp(
    { ACTOR_CACHE_MS: "60000" },
    { onOperation: operations.onOperation, startWorker: false },
  );
  groupAdmin = await loginAs(server.graphqlUrl, "GroupA@admin");
  manager = await loginAs(server.graphqlUrl, "Manager@admin");
  // The sessions are read once; later requests find them in the actor cache.
  await graphql(server.graphqlUrl, "{ viewer { kind } }", {}, groupAdmin);
  await graphql(server.graphqlUrl, "{ viewer { kind } }", {}, manager);
});
afterAll(() => server.stop());

/** The errors of a request, and the database calls it made. */
async function refusal(query: string, variables: Record<string, unknown>, token = groupAdmin) {
  const { result, calls } = await operations.during(() =>
    graphql(server.graphqlUrl, query, variables, token),
  );
  return { errors: result.errors, data: result.data ?? null, calls };
}

const tooLong = (coordinate: string, max: number) => ({
  message: `${coordinate} holds at most ${max.toLocaleString("en")} characters.`,
  extensions: { code: "BAD_USER_INPUT", reason: "TEXT_TOO_LONG", argument: coordinate, max },
});

describe("the bounds table", () => {
  it("names only arguments and input fields the schema has", () => {
    const coordinates = new Set<string>();
    for (const type of Object.values(schema.getTypeMap())) {
      if (isInputObjectType(type)) {
        for (const field of Object.keys(type.getFields())) coordinates.add(`${type.name}.${field}`);
      } else if (isObjectType(type)) {
        for (const field of Object.values(type.getFields())) {
          for (const arg of field.args) coordinates.add(`${type.name}.${field.name}(${arg.name}:)`);
        }
      }
    }
    for (const coordinate of [...Object.keys(textBounds), ...Object.keys(listBounds)]) {
      expect(coordinates, coordinate).toContain(coordinate);
    }
    expect(getNamedType(schema.getType("LineFilter") ?? undefined)).toBeTruthy();
  });
});

describe("text", () => {
  it("a megabyte search, as a GROUP administrator: refused with no database work", async () => {
    const result = await refusal(
      "query ($s: String) { lines(first: 5, filter: {search: $s}) { totalCount } }",
      {
        s: "a".repeat(1_000_000),
      },
    );
    expect(result.errors).toMatchObject([
      { extensions: { code: "BAD_USER_INPUT", reason: "TEXT_TOO_LONG" } },
    ]);
    expect(result.calls).toEqual([]);
  });

  it("a search of 101 characters, as a variable or written inline", async () => {
    const search = "あ".repeat(101);
    const asVariable = await refusal(
      "query ($s: String) { lines(first: 5, filter: {search: $s}) { totalCount } }",
      { s: search },
    );
    const inline = await refusal(`{ lines(first: 5, filter: {search: "${search}"}) { totalCount } }`, {});
    for (const result of [asVariable, inline]) {
      expect(result.errors).toEqual([expect.objectContaining(tooLong("LineFilter.search", 100))]);
      expect(result.calls).toEqual([]);
    }
    // 100 characters is a search.
    const within = await refusal(
      "query ($s: String) { lines(first: 5, filter: {search: $s}) { totalCount } }",
      { s: "あ".repeat(100) },
    );
    expect(within.errors).toBeUndefined();
    expect(within.calls).toMatchInlineSnapshot(`
      [
        "Line.count",
      ]
    `);
  });

  it("a phone number, a receipt number and an id past their bounds", async () => {
    expect(
      (await refusal("query ($p: String!) { line(phoneNumber: $p) { id } }", { p: "0".repeat(33) })).errors,
    ).toEqual([expect.objectContaining(tooLong("Query.line(phoneNumber:)", 32))]);
    expect(
      (await refusal("query ($n: String!) { receipt(number: $n) { id } }", { n: "2".repeat(33) })).errors,
    ).toEqual([expect.objectContaining(tooLong("Query.receipt(number:)", 32))]);
    expect(
      (await refusal("query ($id: ID!) { node(id: $id) { id } }", { id: "x".repeat(1_025) })).errors,
    ).toEqual([expect.objectContaining(tooLong("Query.node(id:)", 1_024))]);
  });
});

describe("lists", () => {
  it("lineStatusChanged watches at most 200 lines; a selection past 200 gets R3's own text up to 1,000", async () => {
    const page = await graphql<any>(
      server.graphqlUrl,
      "{ lines(first: 200, filter: {contractStatus: ACTIVE, outOfService: false}) { edges { node { id } } pageInfo { endCursor } } }",
      {},
      manager,
    );
    const next = await graphql<any>(
      server.graphqlUrl,
      "query ($after: String) { lines(first: 1, after: $after, filter: {contractStatus: ACTIVE, outOfService: false}) { edges { node { id } } } }",
      { after: page.data.lines.pageInfo.endCursor },
      manager,
    );
    const ids: string[] = [...page.data.lines.edges, ...next.data.lines.edges].map((e: any) => e.node.id);
    expect(ids).toHaveLength(201);
    const watch = await refusal("subscription ($ids: [ID!]) { lineStatusChanged(lineIds: $ids) { id } }", {
      ids,
    });
    expect(watch.errors).toEqual([
      expect.objectContaining({
        message: "Subscription.lineStatusChanged(lineIds:) holds at most 200 items.",
        extensions: {
          code: "BAD_USER_INPUT",
          reason: "LIST_TOO_LONG",
          argument: "Subscription.lineStatusChanged(lineIds:)",
          max: 200,
        },
      }),
    ]);
    const submit = await graphql<any>(
      server.graphqlUrl,
      "mutation ($ids: [ID!]!) { sendAppDownloadMail(input: {lineIds: $ids}) { userErrors { code message } } }",
      { ids },
      manager,
    );
    expect(submit.data.sendAppDownloadMail.userErrors).toEqual([
      { code: "TOO_MANY_LINES", message: "選択できるユーザは200件までです。" },
    ]);
    const many = Array.from({ length: 1_001 }, (_, i) => ids[i % ids.length]);
    const past = await refusal(
      "mutation ($ids: [ID!]!) { sendAppDownloadMail(input: {lineIds: $ids}) { userErrors { code } } }",
      { ids: many },
      manager,
    );
    // Past what any list may hold, the variable itself is refused before it is even read against the schema.
    expect(past.errors).toEqual([
      {
        message: "List arguments hold at most 1,000 items.",
        extensions: { code: "BAD_USER_INPUT", reason: "LIST_TOO_LONG", variable: "ids" },
      },
    ]);
    expect(past.calls).toEqual([]);
  });
});

describe("numbers", () => {
  it("afterSeq is not negative", async () => {
    const result = await refusal(
      'subscription { receiptProgress(receiptId: "UmVjZWlwdDox", afterSeq: -1) { seq } }',
      {},
      manager,
    );
    expect(result.errors).toEqual([
      expect.objectContaining({
        message: "Subscription.receiptProgress(afterSeq:) must be between 0 and 2,147,483,647.",
        extensions: {
          code: "BAD_USER_INPUT",
          reason: "OUT_OF_RANGE",
          argument: "Subscription.receiptProgress(afterSeq:)",
          min: 0,
          max: 2_147_483_647,
        },
      }),
    ]);
  });
});
