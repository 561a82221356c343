// The read API as an MDM integrator uses it on the demo account.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultPermissions } from "../../domain/rules/defaults.ts";
import { type RunningApp, startTestApp } from "../support/app.ts";
import { graphql, loginAs } from "../support/graphql.ts";
import { recordOperations } from "../support/operations.ts";

const operations = recordOperations();
let server: RunningApp;
let token: string;

beforeAll(async () => {
  server = await startTestApp(
    { FAKE_NOW: "2026-11-24T10:00:00+09:00", ACCEPTANCE_HOURS: "09:00-23:00" },
    // No background worker: its polling would show up among the recorded calls.
    { onOperation: operations.onOperation, startWorker: false },
  );
  token = await loginAs(server.graphqlUrl, "Manager@admin");
});
afterAll(() => server.stop());

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
  it("pages through all 1,000 lines by cursor, in phone-number order, matching totalCount", async () => {
    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    for (;;) {
      const page = await lines({ first: 100, after });
      expect(page.totalCount).toBe(1000);
      seen.push(...page.edges.map((e) => e.node.phoneNumber));
      pages++;
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
      expect(pages).toBeLessThan(20);
    }
    expect(pages).toBe(10);
    expect(seen).toHaveLength(1000);
    expect(new Set(seen).size).toBe(1000);
    expect(seen).toEqual([...seen].sort());

    // Backwards from the same cursors: the 100 lines before line 500, and a
    // filtered page after a cursor, both exactly the right rows.
    const first400 = await lines({ first: 200, after: (await lines({ first: 200 })).pageInfo.endCursor });
    const fifth = await lines({ first: 100, after: first400.pageInfo.endCursor });
    expect(fifth.edges.map((e) => e.node.phoneNumber)).toEqual(seen.slice(400, 500));
    const cursor500 = (fifth.edges.at(-1) as { cursor?: string } | undefined)?.cursor;
    const before = await lines({ last: 100, before: cursor500 });
    expect(before.edges.map((e) => e.node.phoneNumber)).toEqual(seen.slice(399, 499));
    const active = await lines({ first: 5, after: cursor500, filter: { contractStatus: "ACTIVE" } });
    expect(
      active.edges.every(
        (e) => e.node.contractStatus === "ACTIVE" && e.node.phoneNumber > (seen[499] as string),
      ),
    ).toBe(true);
    expect(active.edges).toHaveLength(5);
  });

  it("shows every untouched demo line at its R1 defaults, in service, version 1", async () => {
    const page = await lines({ first: 200 });
    for (const { node } of page.edges) {
      expect({ backup: node.backup, phonebookMigration: node.phonebookMigration }).toEqual(
        defaultPermissions(node.contractedOn),
      );
      expect(node.status).toBe("IN_SERVICE");
      expect(node.version).toBe(1);
    }
  });

  it("filters by contract status, device kind and group, with matching totalCount", async () => {
    const cancelled = await lines({ first: 50, filter: { contractStatus: "CANCELLED" } });
    expect(cancelled.totalCount).toBe(20);
    expect(cancelled.edges.every((e) => e.node.contractStatus === "CANCELLED")).toBe(true);

    const threeG = await lines({ first: 50, filter: { deviceKind: "FEATURE_PHONE_3G" } });
    expect(threeG.edges.map((e) => e.node.group?.name)).toEqual(["物流部", "物流部", "物流部"]);

    const groups = await graphql<{ groups: { edges: { node: { id: string; name: string } }[] } }>(
      server.graphqlUrl,
      "{ groups(first: 20) { edges { node { id name } } } }",
      {},
      token,
    );
    const sales = groups.data!.groups.edges.find((e) => e.node.name === "営業部")!.node;
    const inSales = await lines({ first: 200, filter: { groupId: sales.id } });
    expect(inSales.totalCount).toBe(96);
    expect(inSales.edges.every((e) => e.node.group?.name === "営業部")).toBe(true);

    const ungrouped = await lines({ first: 50, filter: { ungrouped: true } });
    expect(ungrouped.totalCount).toBe(40);
  });

  it("searches phone numbers with or without hyphens, names, kana and group names", async () => {
    const first = (await lines({ first: 1 })).edges[0]!.node.phoneNumber;
    const withHyphens = await lines({ first: 5, filter: { search: first } });
    const withoutHyphens = await lines({ first: 5, filter: { search: first.replaceAll("-", "") } });
    expect(withHyphens.edges.map((e) => e.node.phoneNumber)).toEqual([first]);
    expect(withoutHyphens.edges.map((e) => e.node.phoneNumber)).toEqual([first]);

    const byGroup = await lines({ first: 1, filter: { search: "物流" } });
    expect(byGroup.totalCount).toBeGreaterThanOrEqual(96);

    const prisma = server.app.database.prisma;
    const demo = await prisma.account.findFirstOrThrow({ where: { name: "デモ株式会社" } });
    const satoKana = await prisma.line.count({
      where: { accountId: demo.id, nameKana: { contains: "サトウ" } },
    });
    expect((await lines({ first: 1, filter: { search: "サトウ" } })).totalCount).toBe(satoKana);
    expect((await lines({ first: 1, filter: { search: "該当なし" } })).totalCount).toBe(0);
  });

  it("line(phoneNumber) finds one line", async () => {
    const page = await lines({ first: 1 });
    const { phoneNumber, id } = page.edges[0]!.node;
    const result = await graphql(
      server.graphqlUrl,
      "query ($p: String!) { line(phoneNumber: $p) { id } }",
      { p: phoneNumber },
      token,
    );
    expect(result.data).toEqual({ line: { id } });
  });

  it("makes the same database calls for 10 and for 100 lines with their groups (no N+1)", async () => {
    const calls = async (first: number) => {
      await lines({ first: 1 }); // warm up: the session is read once, then cached for a few seconds
      return (await operations.during(() => lines({ first }))).calls;
    };
    const ten = await calls(10);
    expect(await calls(100)).toEqual(ten);
    // The page with its groups (selected with it), the count; the session came from the cache.
    expect(ten).toMatchInlineSnapshot(`
      [
        "Line.findMany",
        "Line.count",
      ]
    `);
  });
});

describe("groups", () => {
  it("lists the 10 groups with member counts; only the group with a 3G line is not selectable", async () => {
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
    expect(groups.totalCount).toBe(10);
    expect(groups.edges.filter((e) => !e.node.selectable).map((e) => e.node.name)).toEqual(["物流部"]);
    expect(groups.edges.reduce((sum, e) => sum + e.node.memberCount, 0)).toBe(960);
  });
});

describe("featureAccess (R12)", () => {
  it("answers the demo lines by their flags and the 60-day rule", async () => {
    const prisma = server.app.database.prisma;
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

    const migrationOn = await prisma.line.findFirstOrThrow({
      where: { contractStatus: "ACTIVE", phonebookMigration: true, deviceKind: "SMARTPHONE" },
    });
    expect(await ask(migrationOn.phoneNumber, "SMARTPHONE", "SAVE_TO_SERVER")).toEqual({
      allowed: false,
      errorCode: "RESTRICTED",
      message: "管理者によりご利用を制限されています。",
    });
    expect((await ask(migrationOn.phoneNumber, "SMARTPHONE", "IMPORT_PHONEBOOK")).allowed).toBe(true);

    const bothOff = await prisma.line.findFirstOrThrow({
      where: { contractStatus: "ACTIVE", phonebookMigration: false },
    });
    expect(await ask(bothOff.phoneNumber, "IPHONE", "IMPORT_PHONEBOOK")).toEqual({
      allowed: false,
      errorCode: "2105",
      message: "お使いの回線契約をご確認ください。2105",
    });
    expect((await ask(bothOff.phoneNumber, "IPHONE", "SAVE_TO_LOCAL")).allowed).toBe(true);
    expect((await ask("090-0000-0000", "IPHONE", "SAVE_TO_SERVER")).errorCode).toBe("2105");

    const [longAgo] = await prisma.line.findMany({
      where: { upgradedFrom3gOn: { not: null } },
      orderBy: { upgradedFrom3gOn: "asc" },
    });
    if (longAgo!.phonebookMigration) {
      expect((await ask(longAgo!.phoneNumber, "FEATURE_PHONE_4G", "IMPORT_PHONEBOOK")).errorCode).toBe(
        "2104",
      );
    }
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
    expect((await lines({ first: 1 })).totalCount).toBe(1003);
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
    // After the write, one read: the receipt with its first items.
    expect(calls.slice(calls.lastIndexOf("AuditEvent.create") + 1)).toMatchInlineSnapshot(`
      [
        "Receipt.findUnique",
      ]
    `);
  });
});
