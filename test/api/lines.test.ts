// The read API as an MDM integrator uses it.
// Scenario: linesScenario (14 listed lines in 営業部/開発部/物流部 and ungrouped: R1 defaults on both sides of 2017-05-10, 3G, cancelled, R12 fixtures; 4 roster-only lines added today or tomorrow).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultPermissions } from "../../domain/rules/defaults.ts";
import { LINES_NOW, linesScenario } from "../scenarios/lines.scenarios.ts";
import type { Seeded, SeededLine } from "../scenarios/scenario.ts";
import { type RunningApp, startScenarioApp } from "../support/app.ts";
import { graphql, loginAs } from "../support/graphql.ts";
import { recordOperations } from "../support/operations.ts";

const operations = recordOperations();
let server: RunningApp;
let token: string;
let data: Seeded<keyof typeof linesScenario.account.lines>;
/** The scenario's listed lines (R8), in phone-number order as the API lists them. */
let listed: SeededLine[];

beforeAll(async () => {
  const started = await startScenarioApp(
    linesScenario,
    // The session stays cached for the whole file (see test/realtime/shared-reads.test.ts).
    { FAKE_NOW: LINES_NOW, ACCEPTANCE_HOURS: "09:00-23:00", ACTOR_CACHE_MS: "60000" },
    // No background worker: its polling would show up among the recorded calls.
    { onOperation: operations.onOperation, startWorker: false },
  );
  server = started;
  data = started.data;
  listed = Object.values<SeededLine>(data.lines)
    .filter((line) => line.listed)
    .sort((a, b) => a.phoneNumber.localeCompare(b.phoneNumber));
  token = await loginAs(server.graphqlUrl, "Manager@admin");
});
afterAll(() => server.stop());

const phones = (...lines: SeededLine[]) => lines.map((line) => line.phoneNumber);

const LINES = /* GraphQL */ `
  query Lines($first: Int, $after: String, $last: Int, $before: String, $filter: LineFilter) {
    lines(first: $first, after: $after, last: $last, before: $before, filter: $filter) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { cursor node { id phoneNumber contractedOn backup phonebookMigration status contractStatus version group { name } } }
    }
  }`;

interface LinePage {
  lines: {
    totalCount: number;
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
    edges: {
      node: {
        id: string;
        phoneNumber: string;
        contractedOn: string;
        backup: boolean;
        phonebookMigration: boolean;
        status: string;
        contractStatus: string;
        version: number;
        group: { name: string } | null;
      };
    }[];
  };
}

async function lines(variables: Record<string, unknown>) {
  const result = await graphql<LinePage>(server.graphqlUrl, LINES, variables, token);
  expect(result.errors).toBeUndefined();
  return result.data!.lines;
}

describe("lines", () => {
  it("pages through every listed line by cursor, in phone-number order, matching totalCount", async () => {
    const PAGE = 2;
    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    for (;;) {
      const page = await lines({ first: PAGE, after });
      expect(page.totalCount).toBe(listed.length);
      seen.push(...page.edges.map((e) => e.node.phoneNumber));
      pages++;
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
      expect(pages).toBeLessThan(20);
    }
    expect(pages).toBe(Math.ceil(listed.length / PAGE)); // 14 lines: 7 pages
    expect(seen).toHaveLength(listed.length);
    expect(new Set(seen).size).toBe(listed.length);
    expect(seen).toEqual([...seen].sort());
    expect(seen).toEqual(phones(...listed));

    // Backwards from the same cursors: the two lines before the 10th line, and
    // a filtered page after a cursor, both exactly the right rows.
    const fifthToEighth = await lines({ first: 4, after: (await lines({ first: 4 })).pageInfo.endCursor });
    const fifth = await lines({ first: PAGE, after: fifthToEighth.pageInfo.endCursor });
    expect(fifth.edges.map((e) => e.node.phoneNumber)).toEqual(seen.slice(8, 10));
    const cursor10 = (fifth.edges.at(-1) as { cursor?: string } | undefined)?.cursor;
    const before = await lines({ last: PAGE, before: cursor10 });
    expect(before.edges.map((e) => e.node.phoneNumber)).toEqual(seen.slice(7, 9));
    // The 11th line is cancelled: the ACTIVE page after the 10th starts with the 12th.
    expect(seen[10]).toBe(data.lines.cancelled.phoneNumber);
    const active = await lines({ first: 2, after: cursor10, filter: { contractStatus: "ACTIVE" } });
    expect(
      active.edges.every(
        (e) => e.node.contractStatus === "ACTIVE" && e.node.phoneNumber > (seen[9] as string),
      ),
    ).toBe(true);
    expect(active.edges.map((e) => e.node.phoneNumber)).toEqual(
      phones(data.lines.ungrouped, data.lines.otherUngrouped),
    );
  });

  it("shows every untouched line at its R1 defaults, in service, version 1", async () => {
    const page = await lines({ first: 200 });
    expect(page.edges).toHaveLength(listed.length);
    for (const { node } of page.edges) {
      expect({ backup: node.backup, phonebookMigration: node.phonebookMigration }).toEqual(
        defaultPermissions(node.contractedOn),
      );
      expect(node.status).toBe("IN_SERVICE");
      expect(node.version).toBe(1);
    }
  });

  it("filters by contract status, device kind and group, with matching totalCount", async () => {
    const { cancelled, cancelledInDev, threeG, threeGInWarehouse } = data.lines;
    const cancelledPage = await lines({ first: 50, filter: { contractStatus: "CANCELLED" } });
    expect(cancelledPage.totalCount).toBe(2);
    expect(cancelledPage.edges.every((e) => e.node.contractStatus === "CANCELLED")).toBe(true);
    expect(cancelledPage.edges.map((e) => e.node.phoneNumber)).toEqual(phones(cancelled, cancelledInDev));

    const threeGPage = await lines({ first: 50, filter: { deviceKind: "FEATURE_PHONE_3G" } });
    expect(threeGPage.edges.map((e) => e.node.group?.name)).toEqual(["物流部", "物流部"]);
    expect(threeGPage.edges.map((e) => e.node.phoneNumber)).toEqual(phones(threeG, threeGInWarehouse));

    const groups = await graphql<{ groups: { edges: { node: { id: string; name: string } }[] } }>(
      server.graphqlUrl,
      "{ groups(first: 20) { edges { node { id name } } } }",
      {},
      token,
    );
    const sales = groups.data!.groups.edges.find((e) => e.node.name === "営業部")!.node;
    expect(sales).toEqual({ id: data.groups[sales.name]!.id, name: "営業部" });
    const inSales = await lines({ first: 200, filter: { groupId: sales.id } });
    const { salesIphone, salesAndroid, satoTaro, migrationOn } = data.lines;
    expect(inSales.totalCount).toBe(5);
    expect(inSales.edges.every((e) => e.node.group?.name === "営業部")).toBe(true);
    expect(inSales.edges.map((e) => e.node.phoneNumber)).toEqual(
      phones(salesIphone, salesAndroid, satoTaro, migrationOn, cancelled),
    );

    const ungrouped = await lines({ first: 50, filter: { ungrouped: true } });
    expect(ungrouped.totalCount).toBe(2); // ungrouped, otherUngrouped
    expect(ungrouped.edges.map((e) => e.node.phoneNumber)).toEqual(
      phones(data.lines.ungrouped, data.lines.otherUngrouped),
    );
  });

  it("searches phone numbers with or without hyphens, names, kana and group names", async () => {
    const first = data.lines.salesIphone.phoneNumber;
    const withHyphens = await lines({ first: 5, filter: { search: first } });
    const withoutHyphens = await lines({ first: 5, filter: { search: first.replaceAll("-", "") } });
    expect(withHyphens.edges.map((e) => e.node.phoneNumber)).toEqual([first]);
    expect(withoutHyphens.edges.map((e) => e.node.phoneNumber)).toEqual([first]);

    // 物流部's lines; threeGInWarehouse only through its group's name (its 所属 is 倉庫).
    const byGroup = await lines({ first: 5, filter: { search: "物流" } });
    expect(byGroup.totalCount).toBe(2);
    expect(byGroup.edges.map((e) => e.node.phoneNumber)).toEqual(
      phones(data.lines.threeG, data.lines.threeGInWarehouse),
    );

    const satos = phones(data.lines.satoTaro, data.lines.satoHanako);
    const byKana = await lines({ first: 5, filter: { search: "サトウ" } });
    expect(byKana.totalCount).toBe(satos.length);
    expect(byKana.edges.map((e) => e.node.phoneNumber)).toEqual(satos);
    expect(
      (await lines({ first: 5, filter: { search: "佐藤" } })).edges.map((e) => e.node.phoneNumber),
    ).toEqual(satos);
    expect((await lines({ first: 1, filter: { search: "該当なし" } })).totalCount).toBe(0);
  });

  it("line(phoneNumber) finds one line", async () => {
    const { phoneNumber, id } = data.lines.satoTaro;
    const result = await graphql(
      server.graphqlUrl,
      "query ($p: String!) { line(phoneNumber: $p) { id } }",
      { p: phoneNumber },
      token,
    );
    expect(result.data).toEqual({ line: { id } });
  });

  it("makes the same database calls for 2 lines and for every line with their groups (no N+1)", async () => {
    const calls = async (first: number) => {
      await lines({ first: 1 }); // warm up: the session is read once, then cached for a few seconds
      return (await operations.during(() => lines({ first }))).calls;
    };
    const two = await calls(2);
    // Every listed line: three groups and none.
    expect(await calls(listed.length)).toEqual(two);
    // The page with its groups (selected with it), the count (summed from LineCount); the session came from the cache.
    expect(two).toMatchInlineSnapshot(`
      [
        "Line.findMany",
        "LineCount.aggregate",
      ]
    `);
  });
});

describe("groups", () => {
  it("lists the 3 groups with member counts; only the group with a 3G line is not selectable", async () => {
    const result = await graphql<{
      groups: {
        totalCount: number;
        edges: { node: { name: string; memberCount: number; selectable: boolean } }[];
      };
    }>(
      server.graphqlUrl,
      "{ groups(first: 50) { totalCount edges { node { name memberCount selectable } } } }",
      {},
      token,
    );
    const groups = result.data!.groups;
    expect(groups.totalCount).toBe(linesScenario.account.groups.length);
    expect(groups.edges.filter((e) => !e.node.selectable).map((e) => e.node.name)).toEqual(["物流部"]);
    // Every listed line but the two ungrouped ones.
    expect(groups.edges.reduce((sum, e) => sum + e.node.memberCount, 0)).toBe(listed.length - 2);
  });
});

describe("featureAccess (R12)", () => {
  it("answers the lines by their flags and the 60-day rule", async () => {
    const ask = async (phoneNumber: string, app: string, action: string) =>
      (
        await graphql<{
          featureAccess: { allowed: boolean; errorCode: string | null; message: string | null };
        }>(
          server.graphqlUrl,
          "query ($p: String!, $app: AppVariant!, $action: AppAction!) { featureAccess(phoneNumber: $p, app: $app, action: $action) { allowed errorCode message } }",
          { p: phoneNumber, app, action },
          token,
        )
      ).data!.featureAccess;

    const { migrationOn, bothOff, upgradedLongAgo } = data.lines;
    expect(await ask(migrationOn.phoneNumber, "SMARTPHONE", "SAVE_TO_SERVER")).toEqual({
      allowed: false,
      errorCode: "RESTRICTED",
      message: "管理者によりご利用を制限されています。",
    });
    expect((await ask(migrationOn.phoneNumber, "SMARTPHONE", "IMPORT_PHONEBOOK")).allowed).toBe(true);

    expect(await ask(bothOff.phoneNumber, "IPHONE", "IMPORT_PHONEBOOK")).toEqual({
      allowed: false,
      errorCode: "2105",
      message: "お使いの回線契約をご確認ください。2105",
    });
    expect((await ask(bothOff.phoneNumber, "IPHONE", "SAVE_TO_LOCAL")).allowed).toBe(true);
    expect((await ask("090-0000-0000", "IPHONE", "SAVE_TO_SERVER")).errorCode).toBe("2105");

    // Migration on (contracted after 2017-05-10), upgraded 90 days ago.
    expect((await ask(upgradedLongAgo.phoneNumber, "FEATURE_PHONE_4G", "IMPORT_PHONEBOOK")).errorCode).toBe(
      "2104",
    );
  });
});

describe("acceptanceWindow (R4)", () => {
  it("is open at 10:00 JST with today's 09:00–23:00 window", async () => {
    const result = await graphql(
      server.graphqlUrl,
      "{ acceptanceWindow { open opensAt closesAt } }",
      {},
      token,
    );
    expect(result.data).toEqual({
      acceptanceWindow: {
        open: true,
        opensAt: "2026-11-24T00:00:00.000Z",
        closesAt: "2026-11-24T14:00:00.000Z",
      },
    });
  });
});

describe("refreshLines (手動更新, R8)", () => {
  const REFRESH = "mutation { refreshLines { added updated userErrors { code message } } }";

  it("a GROUP administrator is refused with FORBIDDEN (手動更新 covers the whole account) and nothing runs", async () => {
    const groupA = await loginAs(server.graphqlUrl, "GroupA@admin");
    const refused = await graphql(server.graphqlUrl, REFRESH, {}, groupA);
    expect(refused.data).toBeNull();
    expect(refused.errors).toEqual([
      expect.objectContaining({
        message: "この操作を行う権限がありません。",
        extensions: expect.objectContaining({ code: "FORBIDDEN" }),
      }),
    ]);
    expect(await server.app.database.prisma.lineSyncRun.count({ where: { trigger: "MANUAL" } })).toBe(0);
  });

  it("lists the three lines the carrier added today, and says which; a second refresh adds nothing", async () => {
    const refresh = () => graphql(server.graphqlUrl, REFRESH, {}, token);
    const first = await graphql(
      server.graphqlUrl,
      "mutation { refreshLines { added updated addedLines { phoneNumber contractedOn } userErrors { code } } }",
      {},
      token,
    );
    expect(first.data.refreshLines).toMatchObject({ added: 3, updated: 0, userErrors: [] });
    // The web client shows them (手動更新): today's contracts, by phone number.
    const added = first.data.refreshLines.addedLines;
    expect(added).toHaveLength(3);
    expect(added.map((l: { phoneNumber: string }) => l.phoneNumber)).toEqual(
      added.map((l: { phoneNumber: string }) => l.phoneNumber).sort(),
    );
    expect(new Set(added.map((l: { contractedOn: string }) => l.contractedOn))).toEqual(
      new Set(["2026-11-24"]),
    );
    expect((await refresh()).data).toEqual({ refreshLines: { added: 0, updated: 0, userErrors: [] } });
    // addedToday, otherAddedToday and portedInToday; contractedTomorrow stays in the roster.
    const { addedToday, otherAddedToday, portedInToday } = data.lines;
    expect((await lines({ first: 1 })).totalCount).toBe(listed.length + 3);
    const last = await lines({ last: 3 });
    expect(last.edges.map((e) => e.node.phoneNumber)).toEqual(
      phones(addedToday, otherAddedToday, portedInToday),
    );
  });
});

describe("a mutation's payload", () => {
  it("reads its receipt with the receipt's selected fields in one call (the selection is spread)", async () => {
    const page = await lines({ first: 3 });
    const targets = page.edges.map(({ node }) => ({
      lineId: node.id,
      backup: !node.backup,
      phonebookMigration: node.phonebookMigration,
    }));
    const submit = () =>
      graphql<any>(
        server.graphqlUrl,
        `mutation ($input: PermissionChangeInput!) {
          submitPermissionChange(input: $input) {
            userErrors { code }
            receipt { number status items(first: 3) { edges { node { status } } } }
          }
        }`,
        { input: { lines: targets } },
        token,
      );
    const { result, calls } = await operations.during(submit);
    expect(result.data.submitPermissionChange.userErrors).toEqual([]);
    expect(result.data.submitPermissionChange.receipt.items.edges).toHaveLength(3);
    // After the write (its last statement records the change feed's rows), one read: the receipt with its first items.
    expect(calls.slice(calls.lastIndexOf("$executeRaw") + 1)).toMatchInlineSnapshot(`
      [
        "Receipt.findUnique",
      ]
    `);
  });
});
