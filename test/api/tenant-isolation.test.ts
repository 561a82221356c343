// SPEC §2: every query is scoped to the caller's account, and a GROUP
// administrator sees only the lines of their groups and only their own
// receipts. Nothing from elsewhere is revealed, not even that it exists.
// Scenario: tenantsScenario (自社株式会社: 営業部 with GroupA@admin, 開発部, a line in no group; 他社商事 with Other@admin).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Seeded, SeededLine } from "../scenarios/scenario.ts";
import { otherAccount, tenantsScenario } from "../scenarios/tenants.scenarios.ts";
import { type RunningApp, startScenarioApp } from "../support/app.ts";
import { graphql, loginAs } from "../support/graphql.ts";

const COUNTS = `{ lines(first: 1) { totalCount } groups(first: 50) { totalCount edges { node { name } } } }`;
const NODE = `query ($id: ID!) { node(id: $id) { id __typename } }`;
const LINE = `query ($phoneNumber: String!) { line(phoneNumber: $phoneNumber) { id phoneNumber } }`;
const LINES_IN_GROUP = `query ($groupId: ID!) { lines(first: 200, filter: { groupId: $groupId }) {
  totalCount edges { node { phoneNumber } }
} }`;
const FEATURE_ACCESS = `query ($phoneNumber: String!) {
  featureAccess(phoneNumber: $phoneNumber, app: IPHONE, action: SAVE_TO_SERVER) {
    allowed feature errorCode message menuItem
  }
}`;
const RECEIPTS = `{ receipts(first: 20) { totalCount edges { node { number admin { name loginId } } } } }`;
const RECEIPT = `query ($number: String!) { receipt(number: $number) {
  id number kind status admin { name loginId }
  items(first: 10) { totalCount edges { node { phoneNumber name groupName status } } }
  progress { total pending processing succeeded failed }
} }`;

const UNAUTHENTICATED = { message: "ログインしてください。", extensions: { code: "UNAUTHENTICATED" } };

/** Receipt numbers: JST YYYYMMDD + 8-digit sequence, far from any the product hands out. */
const MANAGER_RECEIPT = "2026112499000001";
const GROUP_A_RECEIPT = "2026112499000002";

let server: RunningApp;
let url: string;
const tokens: Record<"manager" | "substitute" | "groupA" | "other", string> = {
  manager: "",
  substitute: "",
  groupA: "",
  other: "",
};
let data: Seeded<keyof typeof tenantsScenario.account.lines>;
/** A line of 開発部 (not GroupA's) whose owner gets RESTRICTED for a backup action. */
let foreignLine: SeededLine & { group: { id: string } };
/** A line of 営業部 (GroupA's group). */
let salesLine: SeededLine;
let managerAdminId: string;

beforeAll(async () => {
  const started = await startScenarioApp(tenantsScenario, { FAKE_NOW: "2026-11-24T10:00:00+09:00" });
  server = started;
  data = started.data;
  url = server.graphqlUrl;
  tokens.manager = await loginAs(url, "Manager@admin");
  tokens.substitute = await loginAs(url, "Substitute@admin");
  tokens.groupA = await loginAs(url, "GroupA@admin");
  tokens.other = await loginAs(url, "Other@admin");

  const result = await graphql(url, `{ viewer { administrator { id } } }`, {}, tokens.manager);
  expect(result.errors).toBeUndefined();
  managerAdminId = result.data.viewer.administrator.id;
  foreignLine = { ...data.lines.development, group: data.groups.開発部! };
  salesLine = data.lines.sales;
  expect(foreignLine.listed && salesLine.listed).toBe(true);
});
afterAll(() => server.stop());

async function ok(query: string, variables: Record<string, unknown>, token: string) {
  const result = await graphql(url, query, variables, token);
  expect(result.errors).toBeUndefined();
  return result.data;
}

describe("what each administrator sees", () => {
  it.each([
    ["Manager@admin", "manager"],
    ["Substitute@admin", "substitute"],
  ] as const)("%s sees every line and group of 自社株式会社", async (_loginId, who) => {
    const seen = await ok(COUNTS, {}, tokens[who]);
    // Every line of the scenario is listed (active, contracted in 2018).
    expect(seen.lines.totalCount).toBe(Object.keys(tenantsScenario.account.lines).length);
    expect(seen.groups.totalCount).toBe(tenantsScenario.account.groups.length);
  });

  it("Other@admin sees 他社商事's lines and groups only", async () => {
    const seen = await ok(COUNTS, {}, tokens.other);
    expect(seen.lines.totalCount).toBe(Object.keys(otherAccount.lines).length);
    expect(seen.groups).toEqual({
      totalCount: otherAccount.groups.length,
      edges: expect.arrayContaining(otherAccount.groups.map((name) => ({ node: { name } }))),
    });
  });

  it("GroupA@admin sees exactly the lines of 営業部 and the group 営業部", async () => {
    // The scenario's lines of 営業部; 開発部's and the ungrouped one stay out of sight.
    const expected = [data.lines.sales, data.lines.salesColleague].sort((a, b) =>
      a.phoneNumber.localeCompare(b.phoneNumber),
    );

    const seen = await ok(
      `{ lines(first: 200) { totalCount edges { node { phoneNumber group { name } } } }
         groups(first: 50) { totalCount edges { node { name } } } }`,
      {},
      tokens.groupA,
    );
    expect(seen.lines.totalCount).toBe(expected.length);
    expect(seen.lines.edges.map((e: { node: { phoneNumber: string } }) => e.node.phoneNumber)).toEqual(
      expected.map((l) => l.phoneNumber),
    );
    expect(
      new Set(seen.lines.edges.map((e: { node: { group: { name: string } } }) => e.node.group.name)),
    ).toEqual(new Set(["営業部"]));
    expect(seen.groups).toEqual({ totalCount: 1, edges: [{ node: { name: "営業部" } }] });
  });
});

describe("another account's data, asked for by id, number or phone number (Other@admin)", () => {
  it("a 自社株式会社 line id is not a node", async () => {
    expect(await ok(NODE, { id: foreignLine.id }, tokens.manager)).toEqual({
      node: { id: foreignLine.id, __typename: "Line" },
    });
    expect(await ok(NODE, { id: foreignLine.id }, tokens.other)).toEqual({ node: null });
  });

  it("a 自社株式会社 group id is not a node", async () => {
    expect(await ok(NODE, { id: foreignLine.group!.id }, tokens.other)).toEqual({ node: null });
  });

  it("a 自社株式会社 group id filters to no lines", async () => {
    expect(await ok(LINES_IN_GROUP, { groupId: foreignLine.group!.id }, tokens.other)).toEqual({
      lines: { totalCount: 0, edges: [] },
    });
  });

  it("an id that exists nowhere is not a node either (same answer: existence is not revealed)", async () => {
    const unknown = Buffer.from("Line:00000000-0000-7000-8000-000000000000").toString("base64");
    expect(await ok(NODE, { id: unknown }, tokens.other)).toEqual({ node: null });
  });

  it("a 自社株式会社 phone number is no line", async () => {
    expect(await ok(LINE, { phoneNumber: foreignLine.phoneNumber }, tokens.manager)).toEqual({
      line: { id: foreignLine.id, phoneNumber: foreignLine.phoneNumber },
    });
    expect(await ok(LINE, { phoneNumber: foreignLine.phoneNumber }, tokens.other)).toEqual({ line: null });
  });

  it("featureAccess on a 自社株式会社 number answers 2105, exactly as for an unknown number", async () => {
    // For its own account the line answers RESTRICTED (backup off, migration on)...
    expect(
      (await ok(FEATURE_ACCESS, { phoneNumber: foreignLine.phoneNumber }, tokens.manager)).featureAccess,
    ).toMatchObject({ allowed: false, errorCode: "RESTRICTED" });
    // ...for another account it does not exist.
    const foreign = await ok(FEATURE_ACCESS, { phoneNumber: foreignLine.phoneNumber }, tokens.other);
    expect(foreign.featureAccess).toMatchObject({
      allowed: false,
      feature: "BACKUP",
      errorCode: "2105",
      message: "お使いの回線契約をご確認ください。2105",
    });
    const unknown = await ok(FEATURE_ACCESS, { phoneNumber: "099-9999-9999" }, tokens.other);
    expect(foreign).toEqual(unknown);
  });

  it("Manager@admin's Administrator id is not a node", async () => {
    expect(await ok(NODE, { id: managerAdminId }, tokens.manager)).toEqual({
      node: { id: managerAdminId, __typename: "Administrator" },
    });
    expect(await ok(NODE, { id: managerAdminId }, tokens.other)).toEqual({ node: null });
  });
});

describe("lines outside a GROUP administrator's groups (GroupA@admin)", () => {
  it("a line of 営業部 is visible by id and by phone number", async () => {
    expect(await ok(NODE, { id: salesLine.id }, tokens.groupA)).toEqual({
      node: { id: salesLine.id, __typename: "Line" },
    });
    expect(await ok(LINE, { phoneNumber: salesLine.phoneNumber }, tokens.groupA)).toEqual({
      line: { id: salesLine.id, phoneNumber: salesLine.phoneNumber },
    });
  });

  it("a line of 開発部 is not a node", async () => {
    expect(await ok(NODE, { id: foreignLine.id }, tokens.groupA)).toEqual({ node: null });
  });

  it("a line of 開発部 is not found by phone number", async () => {
    expect(await ok(LINE, { phoneNumber: foreignLine.phoneNumber }, tokens.groupA)).toEqual({ line: null });
  });

  it("a line in no group is neither a node nor found by phone number", async () => {
    const { ungrouped } = data.lines;
    expect(await ok(NODE, { id: ungrouped.id }, tokens.groupA)).toEqual({ node: null });
    expect(await ok(LINE, { phoneNumber: ungrouped.phoneNumber }, tokens.groupA)).toEqual({ line: null });
  });

  it("the group 開発部 is not a node", async () => {
    expect(await ok(NODE, { id: foreignLine.group!.id }, tokens.groupA)).toEqual({ node: null });
  });

  it("the group 開発部 filters to no lines", async () => {
    expect(await ok(LINES_IN_GROUP, { groupId: foreignLine.group!.id }, tokens.groupA)).toEqual({
      lines: { totalCount: 0, edges: [] },
    });
  });
});

describe("receipts", () => {
  let managerReceiptId: string;
  let managerItemId: string;

  beforeAll(async () => {
    const prisma = server.app.database.prisma;
    const [manager, groupA] = await Promise.all([
      prisma.administrator.findUniqueOrThrow({ where: { loginId: "Manager@admin" } }),
      prisma.administrator.findUniqueOrThrow({ where: { loginId: "GroupA@admin" } }),
    ]);
    const receivedAt = new Date("2026-11-24T01:00:00Z");
    const insert = async (
      number: string,
      admin: typeof manager,
      phoneNumber: string,
      status: "PROCESSING" | "SUCCEEDED",
    ) => {
      const line = await prisma.line.findUniqueOrThrow({
        where: { accountId_phoneNumber: { accountId: admin.accountId, phoneNumber } },
        include: { group: true },
      });
      return prisma.receipt.create({
        data: {
          accountId: admin.accountId,
          number,
          kind: "PERMISSION_CHANGE",
          status,
          adminId: admin.id,
          adminName: admin.name,
          adminLoginId: admin.loginId,
          receivedAt,
          completedAt: status === "SUCCEEDED" ? receivedAt : null,
          items: {
            create: {
              lineId: line.id,
              position: 0,
              groupName: line.group?.name ?? null,
              phoneNumber: line.phoneNumber,
              lineName: line.name,
              backup: true,
              phonebookMigration: true,
              lineVersion: line.version,
              status: status === "SUCCEEDED" ? "SUCCEEDED" : "PENDING",
              completedAt: status === "SUCCEEDED" ? receivedAt : null,
              // Out of reach of any carrier worker during the test.
              nextAttemptAt: new Date("2100-01-01T00:00:00Z"),
            },
          },
        },
        include: { items: true },
      });
    };
    const managerReceipt = await insert(MANAGER_RECEIPT, manager, foreignLine.phoneNumber, "PROCESSING");
    await insert(GROUP_A_RECEIPT, groupA, salesLine.phoneNumber, "SUCCEEDED");
    managerReceiptId = (await ok(RECEIPT, { number: MANAGER_RECEIPT }, tokens.manager)).receipt.id;
    managerItemId = (
      await ok(
        `query ($n: String!) { receipt(number: $n) { items(first: 1) { edges { node { id } } } } }`,
        { n: MANAGER_RECEIPT },
        tokens.manager,
      )
    ).receipt.items.edges[0].node.id;
    expect(managerReceipt.items).toHaveLength(1);
  });

  const both = [
    { number: GROUP_A_RECEIPT, admin: { name: "グループ管理者A", loginId: "GroupA@admin" } },
    { number: MANAGER_RECEIPT, admin: { name: "管理者", loginId: "Manager@admin" } },
  ];

  it.each([
    ["Manager@admin", "manager"],
    ["Substitute@admin", "substitute"],
  ] as const)("%s sees every receipt of the account", async (_loginId, who) => {
    const data = await ok(RECEIPTS, {}, tokens[who]);
    expect(data.receipts.totalCount).toBe(2);
    expect(
      data.receipts.edges
        .map((e: { node: { number: string } }) => e.node)
        .sort((a: { number: string }, b: { number: string }) => a.number.localeCompare(b.number)),
    ).toEqual([...both].sort((a, b) => a.number.localeCompare(b.number)));
  });

  it("GroupA@admin sees only their own receipt", async () => {
    expect(await ok(RECEIPTS, {}, tokens.groupA)).toEqual({
      receipts: { totalCount: 1, edges: [{ node: both[0] }] },
    });
  });

  it("GroupA@admin cannot open Manager@admin's receipt by number", async () => {
    expect(await ok(RECEIPT, { number: MANAGER_RECEIPT }, tokens.groupA)).toEqual({ receipt: null });
  });

  it("GroupA@admin cannot open Manager@admin's receipt or its item by id", async () => {
    expect(await ok(NODE, { id: managerReceiptId }, tokens.groupA)).toEqual({ node: null });
    expect(await ok(NODE, { id: managerItemId }, tokens.groupA)).toEqual({ node: null });
  });

  it("Other@admin sees none of 自社株式会社's receipts, not even by number", async () => {
    expect(await ok(RECEIPTS, {}, tokens.other)).toEqual({ receipts: { totalCount: 0, edges: [] } });
    expect(await ok(RECEIPT, { number: MANAGER_RECEIPT }, tokens.other)).toEqual({ receipt: null });
    expect(await ok(RECEIPT, { number: GROUP_A_RECEIPT }, tokens.other)).toEqual({ receipt: null });
  });

  it("Other@admin cannot open 自社株式会社's receipt or its item by id", async () => {
    expect(await ok(NODE, { id: managerReceiptId }, tokens.other)).toEqual({ node: null });
    expect(await ok(NODE, { id: managerItemId }, tokens.other)).toEqual({ node: null });
  });

  it("Manager@admin opens their receipt with its items and progress", async () => {
    expect(await ok(RECEIPT, { number: MANAGER_RECEIPT }, tokens.manager)).toEqual({
      receipt: {
        id: managerReceiptId,
        number: MANAGER_RECEIPT,
        kind: "PERMISSION_CHANGE",
        status: "PROCESSING",
        admin: { name: "管理者", loginId: "Manager@admin" },
        items: {
          totalCount: 1,
          edges: [
            {
              node: {
                phoneNumber: foreignLine.phoneNumber,
                name: foreignLine.name,
                groupName: "開発部",
                status: "PENDING",
              },
            },
          ],
        },
        progress: { total: 1, pending: 1, processing: 0, succeeded: 0, failed: 0 },
      },
    });
  });

  it("GroupA@admin opens their own receipt with its items and progress", async () => {
    expect(await ok(RECEIPT, { number: GROUP_A_RECEIPT }, tokens.groupA)).toEqual({
      receipt: {
        id: expect.any(String),
        number: GROUP_A_RECEIPT,
        kind: "PERMISSION_CHANGE",
        status: "SUCCEEDED",
        admin: { name: "グループ管理者A", loginId: "GroupA@admin" },
        items: {
          totalCount: 1,
          edges: [
            {
              node: {
                phoneNumber: salesLine.phoneNumber,
                name: salesLine.name,
                groupName: "営業部",
                status: "SUCCEEDED",
              },
            },
          ],
        },
        progress: { total: 1, pending: 0, processing: 0, succeeded: 1, failed: 0 },
      },
    });
  });
});

describe("without a token", () => {
  it("node(id) is refused with UNAUTHENTICATED", async () => {
    const result = await graphql(url, NODE, { id: foreignLine.id });
    expect(result.data?.node ?? null).toBeNull();
    expect(result.errors).toMatchObject([UNAUTHENTICATED]);
  });
});
