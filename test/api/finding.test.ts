// Finding things through the API (issue 17 §6), as an MDM integrator or the
// web client asks: search as people type it, device kinds, lines by ids
// (選択中のみ表示), every sort order paged by keyset both ways, offset jumps,
// a receipt's items by status and phone number (履歴詳細), partial receipt
// numbers, and periods given backwards refused with a message.
// Scenario: findingScenario.
import { encodeGlobalID } from "@pothos/plugin-relay";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { filterErrorMessages } from "../../domain/messages.ts";
import { type FindingLine, findingScenario } from "../scenarios/finding.scenarios.ts";
import type { Seeded } from "../scenarios/scenario.ts";
import { type RunningApp, startScenarioApp } from "../support/app.ts";
import { graphql, loginAs, submitPermissionChange } from "../support/graphql.ts";

let server: RunningApp;
let data: Seeded<FindingLine>;
let token: string;
const TOTAL = 36;

beforeAll(async () => {
  // No worker: items stay as the test sets them (the carrier's answers are not what is tested).
  const started = await startScenarioApp(
    findingScenario,
    { FAKE_NOW: "2026-11-24T10:00:00+09:00", ACCEPTANCE_HOURS: "09:00-23:00" },
    { startWorker: false },
  );
  server = started;
  data = started.data;
  token = await loginAs(server.graphqlUrl, "Manager@admin");
});
afterAll(() => server.stop());

const LINES = /* GraphQL */ `
  query ($first: Int, $after: String, $last: Int, $before: String, $offset: Int, $filter: LineFilter, $orderBy: LineOrder) {
    lines(first: $first, after: $after, last: $last, before: $before, offset: $offset, filter: $filter, orderBy: $orderBy) {
      totalCount
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      edges { cursor node { id phoneNumber name nameKana deviceKind status contractStatus lastAppDownloadMailAt group { name } } }
    }
  }`;

interface Line {
  id: string;
  phoneNumber: string;
  name: string;
  nameKana: string;
  deviceKind: string;
  status: string;
  lastAppDownloadMailAt: string | null;
  group: { name: string } | null;
}
interface Page {
  totalCount: number;
  pageInfo: {
    hasNextPage: boolean;
    hasPreviousPage: boolean;
    startCursor: string | null;
    endCursor: string | null;
  };
  edges: { cursor: string; node: Line }[];
}

async function lines(variables: Record<string, unknown>, as = token): Promise<Page> {
  const result = await graphql<{ lines: Page }>(server.graphqlUrl, LINES, variables, as);
  expect(result.errors, JSON.stringify(result.errors)).toBeUndefined();
  return result.data!.lines;
}

async function refused(query: string, variables: Record<string, unknown>) {
  const result = await graphql(server.graphqlUrl, query, variables, token);
  expect(result.data ?? null).toBeNull();
  return result.errors!.map((e) => ({ message: e.message, ...e.extensions }));
}

const phones = (page: Page) => page.edges.map((e) => e.node.phoneNumber);
const searchFor = async (search: string) => phones(await lines({ first: 100, filter: { search } })).sort();

describe("search as people type it (LineFilter.search)", () => {
  it("hiragana and half-width kana find the katakana kana column; several words must all match", async () => {
    const yamadas = [data.lines.yamadaTaro.phoneNumber, data.lines.yamadaHanako.phoneNumber].sort();
    expect(await searchFor("やまだ")).toEqual(yamadas);
    expect(await searchFor("ﾔﾏﾀﾞ")).toEqual(yamadas);
    expect(await searchFor("ヤマダ")).toEqual(yamadas);
    expect(await searchFor("やまだ　はなこ")).toEqual([data.lines.yamadaHanako.phoneNumber]);
    expect(await searchFor("山田 ハナコ")).toEqual([data.lines.yamadaHanako.phoneNumber]);
    // Another account's 山田 stays out of reach.
    expect(await searchFor("やまだ じろう")).toEqual([]);
  });

  it("phone numbers in full-width digits, with or without hyphens, or any run of their digits", async () => {
    const taro = [data.lines.yamadaTaro.phoneNumber];
    expect(await searchFor("０９０－１２３４－５６７８")).toEqual(taro);
    expect(await searchFor("09012345678")).toEqual(taro);
    expect(await searchFor("１２３４５６７８")).toEqual(taro);
    // Digits across a hyphen: 0-1234-5 of 090-1234-5678.
    expect(await searchFor("012345")).toEqual(taro);
    expect(await searchFor("090ー1234")).toEqual(taro);
  });
});

describe("device kinds and ids (LineFilter.deviceKinds, LineFilter.ids)", () => {
  it("filters by any of several device kinds, with a matching totalCount; none for an empty list", async () => {
    const page = await lines({
      first: 100,
      filter: { deviceKinds: ["WINDOWS10_MOBILE", "FEATURE_PHONE_3G"] },
    });
    expect(page.edges.map((e) => e.node.deviceKind).sort()).toEqual(
      [...Array(8).fill("WINDOWS10_MOBILE"), "FEATURE_PHONE_3G"].sort(),
    );
    expect(page.totalCount).toBe(9);
    expect((await lines({ first: 10, filter: { deviceKinds: [] } })).totalCount).toBe(0);
  });

  it("returns the lines of the given ids (選択中のみ表示), only those the caller may see", async () => {
    const { yamadaTaro, yamadaHanako, satoIchiro } = data.lines;
    const foreign = await server.app.database.prisma.line.findFirstOrThrow({
      where: { phoneNumber: "090-1234-0000" },
    });
    const ids = [satoIchiro.id, yamadaHanako.id, yamadaTaro.id, encodeGlobalID("Line", foreign.id)];
    const page = await lines({ first: 50, filter: { ids } });
    expect(phones(page)).toEqual([satoIchiro.phoneNumber, yamadaTaro.phoneNumber, yamadaHanako.phoneNumber]);
    expect(page.totalCount).toBe(3);
    // A GROUP administrator (営業部) sees only their group's.
    const group = await loginAs(server.graphqlUrl, "GroupA@admin");
    expect(phones(await lines({ first: 50, filter: { ids } }, group))).toEqual([yamadaTaro.phoneNumber]);
    expect((await lines({ first: 50, filter: { ids: [] } })).totalCount).toBe(0);
  });

  it("holds at most 200 ids", async () => {
    const ids = Array.from({ length: 201 }, () => data.lines.yamadaTaro.id);
    expect(await refused(LINES, { first: 1, filter: { ids } })).toEqual([
      {
        message: "LineFilter.ids holds at most 200 items.",
        code: "BAD_USER_INPUT",
        reason: "LIST_TOO_LONG",
        argument: "LineFilter.ids",
        max: 200,
      },
    ]);
  });
});

const ORDERS = [
  "PHONE_NUMBER",
  "GROUP_NAME",
  "NAME",
  "NAME_KANA",
  "AFFILIATION",
  "STATUS",
  "CONTRACT_STATUS",
  "DEVICE_KIND",
  "LAST_APP_DOWNLOAD_MAIL_AT",
] as const;

describe("sorting (lines(orderBy)) with keyset cursors", () => {
  beforeAll(async () => {
    // Some lines were mailed (two at the same instant), some are processing: ties and NULLs to page across.
    const db = server.app.database.prisma;
    const mailed = ["crowd01", "crowd02", "crowd05", "crowd11", "yamadaTaro"] as const;
    for (const [i, name] of mailed.entries()) {
      await db.line.update({
        where: { id: data.lines[name].rawId },
        data: { lastAppDownloadMailAt: new Date(Date.UTC(2026, 10, 20 + Math.min(i, 3), 1)) },
      });
    }
    await db.line.updateMany({
      where: { id: { in: [data.lines.crowd03.rawId, data.lines.crowd04.rawId] } },
      data: { status: "PROCESSING" },
    });
  });

  /** Every line, read page by page forwards, then the same backwards from the end. */
  async function walk(orderBy: Record<string, string>, size: number) {
    const forward: string[] = [];
    let after: string | null = null;
    for (let i = 0; i < 20; i++) {
      const page: Page = await lines({ first: size, after, orderBy });
      forward.push(...phones(page));
      expect(page.pageInfo.hasPreviousPage).toBe(after !== null);
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    const backward: string[] = [];
    let before: string | null = null;
    for (let i = 0; i < 20; i++) {
      const page: Page = await lines({ last: size, before, orderBy });
      backward.unshift(...phones(page));
      expect(page.pageInfo.hasNextPage).toBe(before !== null);
      if (!page.pageInfo.hasPreviousPage) break;
      before = page.pageInfo.startCursor;
    }
    return { forward, backward };
  }

  it.each(
    ORDERS.flatMap((field) => [
      [field, "ASC"],
      [field, "DESC"],
    ]),
  )(
    "%s %s: pages of 7 forwards and backwards read every line once, in the order of one big page",
    async (field, direction) => {
      const orderBy = { field, direction };
      const whole = phones(await lines({ first: 200, orderBy }));
      expect(whole).toHaveLength(TOTAL);
      expect(new Set(whole).size).toBe(TOTAL);
      const { forward, backward } = await walk(orderBy, 7);
      expect(forward).toEqual(whole);
      expect(backward).toEqual(whole);
    },
  );

  it("orders as the columns read: no group and never mailed last ascending, first descending; enums as declared", async () => {
    const asc = async (field: string, direction = "ASC") =>
      (await lines({ first: 200, orderBy: { field, direction } })).edges.map((e) => e.node);
    const groups = (await asc("GROUP_NAME")).map((l) => l.group?.name ?? null);
    expect(groups.indexOf(null)).toBe(groups.length - groups.filter((g) => g === null).length);
    expect((await asc("GROUP_NAME", "DESC"))[0]!.group).toBeNull();
    const mailed = (await asc("LAST_APP_DOWNLOAD_MAIL_AT")).map((l) => l.lastAppDownloadMailAt);
    expect(mailed.slice(0, 5).every((at) => at !== null)).toBe(true);
    expect(mailed.slice(5).every((at) => at === null)).toBe(true);
    expect(mailed.slice(0, 5)).toEqual([...mailed.slice(0, 5)].sort());
    const statuses = (await asc("STATUS", "DESC")).map((l) => l.status);
    expect(statuses.slice(0, 2)).toEqual(["PROCESSING", "PROCESSING"]);
    const kinds = (await asc("DEVICE_KIND")).map((l) => l.deviceKind);
    expect([...new Set(kinds)]).toEqual([
      "FEATURE_PHONE_4G",
      "IPHONE",
      "SMARTPHONE",
      "WINDOWS10_MOBILE",
      "FEATURE_PHONE_3G",
    ]);
    // Ties are broken by the phone number, in the sort's direction.
    const tanakas = (await asc("NAME_KANA", "DESC")).filter((l) => l.nameKana === "タナカ マコト");
    expect(tanakas).toHaveLength(10);
    expect(tanakas.map((l) => l.phoneNumber)).toEqual(
      tanakas
        .map((l) => l.phoneNumber)
        .sort()
        .reverse(),
    );
  });

  it("sorts and filters together", async () => {
    const page = await lines({
      first: 50,
      filter: { search: "東京", deviceKinds: ["IPHONE", "SMARTPHONE"] },
      orderBy: { field: "NAME_KANA", direction: "DESC" },
    });
    // 東京支社 is 佐藤 健太 and 田中 誠 of the crowd; iPhones and Androids are half of it.
    const kana = page.edges.map((e) => e.node.nameKana);
    expect(new Set(kana)).toEqual(new Set(["タナカ マコト", "サトウ ケンタ"]));
    expect(kana).toEqual([...kana].sort().reverse());
    expect(new Set(page.edges.map((e) => e.node.deviceKind))).toEqual(new Set(["IPHONE", "SMARTPHONE"]));
    expect(page.totalCount).toBe(10);
  });

  it("a cursor belongs to its order: another order's cursor is BAD_USER_INPUT", async () => {
    const byName = await lines({ first: 2, orderBy: { field: "NAME", direction: "ASC" } });
    const byPhone = await lines({ first: 2 });
    const invalid = {
      message:
        "Invalid cursor: pass a cursor this list returned (edges.cursor, pageInfo.startCursor or pageInfo.endCursor).",
      code: "BAD_USER_INPUT",
    };
    for (const [cursor, orderBy] of [
      [byName.pageInfo.endCursor, { field: "NAME", direction: "DESC" }],
      [byName.pageInfo.endCursor, { field: "NAME_KANA", direction: "ASC" }],
      [byName.pageInfo.endCursor, undefined],
      [byPhone.pageInfo.endCursor, { field: "NAME", direction: "ASC" }],
    ] as const) {
      const errors = await refused(LINES, { first: 2, after: cursor, orderBy });
      expect(errors.map(({ message, code }) => ({ message, code }))).toEqual([invalid]);
    }
    // The phone-number order, either way, takes the cursors `lines` always handed out.
    const desc = await lines({
      first: 2,
      after: byPhone.pageInfo.endCursor,
      orderBy: { field: "PHONE_NUMBER", direction: "DESC" },
    });
    expect(phones(desc).every((p) => p < phones(byPhone)[1]!)).toBe(true);
  });
});

describe("offset: page numbers over keyset paging", () => {
  it("skips from the start, from the end, and past a cursor in either direction", async () => {
    const orderBy = { field: "NAME_KANA", direction: "ASC" };
    const whole = phones(await lines({ first: 200, orderBy }));
    const third = await lines({ first: 5, offset: 10, orderBy });
    expect(phones(third)).toEqual(whole.slice(10, 15));
    expect(third.pageInfo).toMatchObject({ hasPreviousPage: true, hasNextPage: true });
    const nearEnd = await lines({ last: 5, offset: 3, orderBy });
    expect(phones(nearEnd)).toEqual(whole.slice(TOTAL - 8, TOTAL - 3));
    expect(nearEnd.pageInfo).toMatchObject({ hasPreviousPage: true, hasNextPage: true });
    const past = await lines({ first: 4, after: third.pageInfo.endCursor, offset: 5, orderBy });
    expect(phones(past)).toEqual(whole.slice(20, 24));
    const before = await lines({ last: 4, before: third.pageInfo.startCursor, offset: 2, orderBy });
    expect(phones(before)).toEqual(whole.slice(4, 8));
    const beyond = await lines({ first: 5, offset: TOTAL, orderBy });
    expect(beyond.edges).toEqual([]);
    expect(beyond.pageInfo.hasNextPage).toBe(false);
  });

  it("skips at most 10,000 lines", async () => {
    expect(await refused(LINES, { first: 1, offset: 10_001 })).toEqual([
      {
        message: "Query.lines(offset:) must be between 0 and 10,000.",
        code: "BAD_USER_INPUT",
        reason: "OUT_OF_RANGE",
        argument: "Query.lines(offset:)",
        min: 0,
        max: 10_000,
      },
    ]);
    expect((await lines({ first: 1, offset: 10_000 })).edges).toEqual([]);
  });
});

const ITEMS = /* GraphQL */ `
  query ($number: String!, $filter: ReceiptItemFilter, $first: Int, $after: String) {
    receipt(number: $number) {
      items(first: $first, after: $after, filter: $filter) {
        totalCount
        pageInfo { hasNextPage endCursor }
        edges { node { phoneNumber status } }
      }
    }
  }`;

describe("a receipt's items by status and phone number (履歴詳細)", () => {
  let number: string;
  beforeAll(async () => {
    const names = [
      "yamadaTaro",
      "yamadaHanako",
      "satoIchiro",
      "kimuraAi",
      "crowd00",
      "crowd01",
      "crowd02",
    ] as const;
    const receipt = await submitPermissionChange(
      server.graphqlUrl,
      token,
      names.map((name) => data.lines[name].id),
    );
    number = receipt.number;
    // As the carrier would have answered (the worker is off in this file).
    const db = server.app.database.prisma;
    const set = (status: "SUCCEEDED" | "FAILED" | "PROCESSING", lines: (typeof names)[number][]) =>
      db.receiptItem.updateMany({
        where: { receipt: { number: receipt.number }, lineId: { in: lines.map((l) => data.lines[l].rawId) } },
        data: { status },
      });
    await set("FAILED", ["yamadaTaro", "kimuraAi", "crowd02"]);
    await set("SUCCEEDED", ["yamadaHanako", "crowd00"]);
    await set("PROCESSING", ["satoIchiro"]);
  });

  async function items(filter: Record<string, unknown> | null, first = 50) {
    const result = await graphql(server.graphqlUrl, ITEMS, { number, filter, first }, token);
    expect(result.errors).toBeUndefined();
    const connection = result.data.receipt.items;
    return {
      totalCount: connection.totalCount as number,
      rows: connection.edges.map((e: { node: { phoneNumber: string; status: string } }) => [
        e.node.phoneNumber,
        e.node.status,
      ]),
    };
  }

  it("by status: only the failed ones (異常終了), or 処理中 as PENDING and PROCESSING, with their count", async () => {
    const failed = await items({ statuses: ["FAILED"] });
    expect(failed).toEqual({
      totalCount: 3,
      // In the receipt's order (by phone number, as 確認 showed them).
      rows: [
        [data.lines.kimuraAi.phoneNumber, "FAILED"],
        [data.lines.crowd02.phoneNumber, "FAILED"],
        [data.lines.yamadaTaro.phoneNumber, "FAILED"],
      ],
    });
    const open = await items({ statuses: ["PENDING", "PROCESSING"] });
    expect(open.rows.map((row: string[]) => row[1]).sort()).toEqual(["PENDING", "PROCESSING"]);
    expect(open.totalCount).toBe(2);
    expect((await items(null)).totalCount).toBe(7);
    expect((await items({ statuses: [] })).totalCount).toBe(0);
  });

  it("by phone number: part of it, full-width, with or without hyphens; with a status", async () => {
    expect((await items({ phoneNumber: "５６７８" })).rows).toEqual([
      [data.lines.yamadaTaro.phoneNumber, "FAILED"],
    ]);
    expect((await items({ phoneNumber: "0901234" })).rows).toEqual([
      [data.lines.yamadaTaro.phoneNumber, "FAILED"],
    ]);
    expect((await items({ phoneNumber: "070-" })).totalCount).toBe(2);
    expect(await items({ phoneNumber: "070", statuses: ["FAILED"] })).toEqual({
      totalCount: 1,
      rows: [[data.lines.kimuraAi.phoneNumber, "FAILED"]],
    });
    expect((await items({ phoneNumber: "999999" })).totalCount).toBe(0);
  });

  it("pages the filtered items by cursor", async () => {
    const first = await graphql(
      server.graphqlUrl,
      ITEMS,
      { number, filter: { statuses: ["FAILED"] }, first: 2 },
      token,
    );
    const page1 = first.data.receipt.items;
    expect(page1.edges).toHaveLength(2);
    const second = await graphql(
      server.graphqlUrl,
      ITEMS,
      { number, filter: { statuses: ["FAILED"] }, first: 2, after: page1.pageInfo.endCursor },
      token,
    );
    expect(
      second.data.receipt.items.edges.map((e: { node: { phoneNumber: string } }) => e.node.phoneNumber),
    ).toEqual([data.lines.yamadaTaro.phoneNumber]);
  });
});

const RECEIPTS = /* GraphQL */ `
  query ($filter: ReceiptFilter) { receipts(first: 50, filter: $filter) { totalCount edges { node { number } } } }`;

describe("receipts: partial numbers and periods", () => {
  let numbers: string[];
  beforeAll(async () => {
    const first = await submitPermissionChange(server.graphqlUrl, token, [data.lines.crowd10.id]);
    const second = await submitPermissionChange(server.graphqlUrl, token, [data.lines.crowd11.id]);
    numbers = [first.number, second.number];
  });

  const found = async (filter: Record<string, unknown>) => {
    const result = await graphql(server.graphqlUrl, RECEIPTS, { filter }, token);
    expect(result.errors).toBeUndefined();
    return result.data.receipts.edges.map((e: { node: { number: string } }) => e.node.number) as string[];
  };

  it("finds a receipt by any part of its number, typed in full-width digits or with separators", async () => {
    const [first, second] = numbers as [string, string];
    expect(first.slice(0, 8)).toBe("20261124");
    expect(await found({ number: first })).toEqual([first]);
    expect(await found({ number: first.slice(-5) })).toEqual([first]);
    expect(
      await found({
        number: second.slice(-5).replace(/\d/g, (d) => String.fromCharCode(0xff10 + Number(d))),
      }),
    ).toEqual([second]);
    expect(await found({ number: `${first.slice(0, 8)}-${first.slice(8)}` })).toEqual([first]);
    expect(await found({ number: "2026.11.24" })).toEqual(expect.arrayContaining([first, second]));
    expect(await found({ number: "99999999" })).toEqual([]);
  });

  it("a period given backwards is refused with a message, not answered with nothing", async () => {
    expect(
      await refused(RECEIPTS, {
        filter: { receivedFrom: "2026-11-25T00:00:00.000Z", receivedTo: "2026-11-24T00:00:00.000Z" },
      }),
    ).toEqual([
      {
        message: filterErrorMessages.DATE_RANGE_REVERSED,
        code: "BAD_USER_INPUT",
        field: "receivedTo",
        reason: "DATE_RANGE_REVERSED",
      },
    ]);
    expect(filterErrorMessages.DATE_RANGE_REVERSED).toBe(
      "期間の指定に誤りがあります。開始日には終了日以前の日付を指定してください。",
    );
    expect(
      await refused(LINES, {
        first: 1,
        filter: {
          lastAppDownloadMailFrom: "2026-11-25T00:00:00.000Z",
          lastAppDownloadMailTo: "2026-11-24T23:59:59.999Z",
        },
      }),
    ).toEqual([
      {
        message: filterErrorMessages.DATE_RANGE_REVERSED,
        code: "BAD_USER_INPUT",
        field: "lastAppDownloadMailTo",
        reason: "DATE_RANGE_REVERSED",
      },
    ]);
    // One day (from = to) and open ends are periods too.
    const before = "2026-11-24T00:00:00.000Z";
    expect(
      await found({ receivedFrom: "2026-11-23T15:00:00.000Z", receivedTo: "2026-11-24T14:59:59.999Z" }),
    ).toHaveLength(3);
    expect(await found({ receivedFrom: before, receivedTo: before })).toEqual([]);
    expect(await found({ receivedTo: "2026-11-23T00:00:00.000Z" })).toEqual([]);
  });
});
