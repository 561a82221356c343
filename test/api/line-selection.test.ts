// 「CSVで選択」 through the API (issue 17.2): resolveLineSelection answers
// each row of a list of phone numbers, in order, with the line it selects or
// why it selects none (R3's texts where they apply, R16), for the lines the
// caller may see only.
// Scenario: lineSelectionScenario (a line per answer, 205 bulk lines, another account).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { lineSelectionMessages, userErrorMessages } from "../../domain/messages.ts";
import { lineSelectionScenario, OTHER_ACCOUNTS_NUMBER } from "../scenarios/line-selection.scenarios.ts";
import type { Seeded } from "../scenarios/scenario.ts";
import { type RunningApp, startScenarioApp } from "../support/app.ts";
import { graphql, loginAs } from "../support/graphql.ts";
import { recordOperations } from "../support/operations.ts";

const RESOLVE = /* GraphQL */ `
  query ($input: ResolveLineSelectionInput!) {
    resolveLineSelection(input: $input) {
      rows {
        index phoneNumber normalizedPhoneNumber status selected message backup phonebookMigration
        line { id phoneNumber group { name } }
      }
      selectedLineIds
      selectedCount
      notSelectedCount
    }
  }`;

interface Row {
  index: number;
  phoneNumber: string;
  normalizedPhoneNumber: string | null;
  status: string;
  selected: boolean;
  message: string | null;
  backup: boolean | null;
  phonebookMigration: boolean | null;
  line: { id: string; phoneNumber: string; group: { name: string } | null } | null;
}
interface Resolution {
  rows: Row[];
  selectedLineIds: string[];
  selectedCount: number;
  notSelectedCount: number;
}

const operations = recordOperations();
let server: RunningApp;
let lines: Seeded<keyof typeof lineSelectionScenario.account.lines>["lines"];
let manager: string;

beforeAll(async () => {
  const started = await startScenarioApp(
    lineSelectionScenario,
    { FAKE_NOW: "2026-11-24T10:00:00+09:00" },
    { onOperation: operations.onOperation, startWorker: false },
  );
  server = started;
  lines = started.data.lines;
  manager = await loginAs(server.graphqlUrl, "Manager@admin");
});
afterAll(() => server.stop());

async function resolve(input: Record<string, unknown>, token = manager): Promise<Resolution> {
  const result = await graphql<{ resolveLineSelection: Resolution }>(
    server.graphqlUrl,
    RESOLVE,
    { input },
    token,
  );
  expect(result.errors).toBeUndefined();
  return result.data!.resolveLineSelection;
}

/** Each row as [given, status, message, line's number]. */
const summary = (rows: Row[]) =>
  rows.map((row) => [row.phoneNumber, row.status, row.message, row.line?.phoneNumber ?? null]);

describe("resolveLineSelection", () => {
  it("answers every row in order: found, unknown, no number, cancelled, out of service (3G), duplicate", async () => {
    const { sales, cancelled, threeG, salesAndroid } = lines;
    const resolution = await resolve({
      phoneNumbers: [
        sales.phoneNumber,
        "090-9999-0000",
        "電話番号なし",
        cancelled.phoneNumber,
        threeG.phoneNumber,
        salesAndroid.phoneNumber,
        sales.phoneNumber.replaceAll("-", ""),
      ],
    });
    expect(summary(resolution.rows)).toEqual([
      [sales.phoneNumber, "SELECTED", null, sales.phoneNumber],
      ["090-9999-0000", "NOT_FOUND", "該当する回線が見つかりません。", null],
      ["電話番号なし", "INVALID_PHONE_NUMBER", "電話番号の形式が正しくありません。", null],
      [
        cancelled.phoneNumber,
        "CANCELLED",
        "ご利用いただけない契約の対象者が選択されています。",
        cancelled.phoneNumber,
      ],
      [
        threeG.phoneNumber,
        "OUT_OF_SERVICE",
        "ご利用いただけない契約の対象者が選択されています。",
        threeG.phoneNumber,
      ],
      [salesAndroid.phoneNumber, "SELECTED", null, salesAndroid.phoneNumber],
      ["09011110001", "DUPLICATE", "同じ電話番号が前の行で指定されています。", sales.phoneNumber],
    ]);
    // The texts are the product's one list's (R3's for cancelled and 3G lines).
    expect(resolution.rows[3]?.message).toBe(userErrorMessages.CANCELLED_LINE_SELECTED);
    expect(resolution.rows[4]?.message).toBe(userErrorMessages.OUT_OF_SERVICE_LINE_SELECTED);
    expect(resolution.rows[1]?.message).toBe(lineSelectionMessages.NOT_FOUND);
    expect(resolution.rows.map((row) => row.index)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(resolution.rows.map((row) => row.selected)).toEqual([
      true,
      false,
      false,
      false,
      false,
      true,
      false,
    ]);
    expect(resolution.rows[0]?.line).toEqual({
      id: sales.id,
      phoneNumber: sales.phoneNumber,
      group: { name: "営業部" },
    });
    expect(resolution.selectedLineIds).toEqual([sales.id, salesAndroid.id]);
    expect([resolution.selectedCount, resolution.notSelectedCount]).toEqual([2, 5]);
  });

  it("reads numbers as people write them: without hyphens, full-width, with spaces, +81, without Excel's leading zero", async () => {
    const { sales, salesAndroid, developer, bulk000, bulk001 } = lines;
    const written = [
      "09011110001", // sales, hyphenless
      "０９０－１１１１－０００２", // salesAndroid, full-width digits and hyphens
      " 090 2222 0001 ", // developer, spaces
      "+81 80-2000-0000", // bulk000, international
      "8020000001", // bulk001, as Excel shows a number column (leading zero lost)
    ];
    const resolution = await resolve({ phoneNumbers: written });
    expect(resolution.rows.map((row) => [row.phoneNumber, row.normalizedPhoneNumber, row.status])).toEqual([
      [written[0], sales.phoneNumber, "SELECTED"],
      [written[1], salesAndroid.phoneNumber, "SELECTED"],
      [written[2], developer.phoneNumber, "SELECTED"],
      [written[3], bulk000.phoneNumber, "SELECTED"],
      [written[4], bulk001.phoneNumber, "SELECTED"],
    ]);
    expect(resolution.selectedLineIds).toEqual([
      sales.id,
      salesAndroid.id,
      developer.id,
      bulk000.id,
      bulk001.id,
    ]);
  });

  it("R3: the 201st selectable row and those after it are TOO_MANY_LINES; rows that select nothing do not count", async () => {
    const bulk = Array.from({ length: 205 }, (_, i) => `080-2000-${String(i).padStart(4, "0")}`);
    // An unknown number and a cancelled line among the first 200 take no place of the 200.
    const numbers = [...bulk.slice(0, 100), "090-9999-0000", lines.cancelled.phoneNumber, ...bulk.slice(100)];
    const resolution = await resolve({ phoneNumbers: numbers });
    expect(resolution.rows).toHaveLength(207);
    expect(resolution.selectedCount).toBe(200);
    expect(resolution.selectedLineIds).toHaveLength(200);
    // bulk[199] (row index 201) is the 200th line; bulk[200] … bulk[204] are past it.
    expect(resolution.rows[201]).toMatchObject({ phoneNumber: bulk[199], status: "SELECTED" });
    expect(summary(resolution.rows.slice(202))).toEqual(
      bulk.slice(200).map((n) => [n, "TOO_MANY_LINES", "選択できるユーザは200件までです。", n]),
    );
    expect(resolution.rows[202]?.message).toBe(userErrorMessages.TOO_MANY_LINES);
    expect(resolution.notSelectedCount).toBe(7);
  });

  it("hands each row's targets back as given (利用可否設定's CSV columns)", async () => {
    const { sales, salesAndroid, developer } = lines;
    const resolution = await resolve({
      rows: [
        { phoneNumber: sales.phoneNumber, backup: true, phonebookMigration: false },
        { phoneNumber: salesAndroid.phoneNumber, backup: false },
        { phoneNumber: developer.phoneNumber },
        { phoneNumber: "090-9999-0000", backup: true, phonebookMigration: true },
      ],
    });
    expect(resolution.rows.map((row) => [row.status, row.backup, row.phonebookMigration])).toEqual([
      ["SELECTED", true, false],
      ["SELECTED", false, null],
      ["SELECTED", null, null],
      ["NOT_FOUND", true, true],
    ]);
  });

  it("a GROUP administrator resolves lines of their groups only: another group's number is NOT_FOUND", async () => {
    const groupAdmin = await loginAs(server.graphqlUrl, "GroupA@admin");
    const { sales, developer } = lines;
    const resolution = await resolve(
      { phoneNumbers: [sales.phoneNumber, developer.phoneNumber] },
      groupAdmin,
    );
    expect(summary(resolution.rows)).toEqual([
      [sales.phoneNumber, "SELECTED", null, sales.phoneNumber],
      [developer.phoneNumber, "NOT_FOUND", "該当する回線が見つかりません。", null],
    ]);
  });

  it("another account's number is NOT_FOUND, like one that does not exist; its own administrator finds it", async () => {
    const otherLine = OTHER_ACCOUNTS_NUMBER;
    const resolution = await resolve({ phoneNumbers: [otherLine, "070-3333-9999"] });
    expect(summary(resolution.rows)).toEqual([
      [otherLine, "NOT_FOUND", "該当する回線が見つかりません。", null],
      ["070-3333-9999", "NOT_FOUND", "該当する回線が見つかりません。", null],
    ]);
    const other = await loginAs(server.graphqlUrl, "Other@admin");
    const own = await resolve({ phoneNumbers: [otherLine, lines.sales.phoneNumber] }, other);
    expect(own.rows.map((row) => row.status)).toEqual(["SELECTED", "NOT_FOUND"]);
  });

  it("reads the lines once, whatever the number of rows (with their groups)", async () => {
    const numbers = Array.from({ length: 205 }, (_, i) => `080-2000-${String(i).padStart(4, "0")}`);
    await graphql(server.graphqlUrl, RESOLVE, { input: { phoneNumbers: numbers.slice(0, 2) } }, manager);
    const { calls } = await operations.during(() =>
      graphql(server.graphqlUrl, RESOLVE, { input: { phoneNumbers: numbers } }, manager),
    );
    expect(calls.filter((call) => call.startsWith("Line.") || call.startsWith("Group."))).toEqual([
      "Line.findMany",
    ]);
  });

  it("an empty list answers no rows", async () => {
    expect(await resolve({ phoneNumbers: [] })).toEqual({
      rows: [],
      selectedLineIds: [],
      selectedCount: 0,
      notSelectedCount: 0,
    });
  });
});

describe("resolveLineSelection's bounds and access", () => {
  it("more than 1,000 rows are refused with LIST_TOO_LONG before any database work", async () => {
    const numbers = Array.from({ length: 1_001 }, () => lines.sales.phoneNumber);
    for (const input of [
      { phoneNumbers: numbers },
      { rows: numbers.map((phoneNumber) => ({ phoneNumber })) },
    ]) {
      const { result, calls } = await operations.during(() =>
        graphql(
          server.graphqlUrl,
          `query ($input: ResolveLineSelectionInput!) { resolveLineSelection(input: $input) { selectedCount } }`,
          { input },
          manager,
        ),
      );
      expect(result.errors).toMatchObject([
        { extensions: { code: "BAD_USER_INPUT", reason: "LIST_TOO_LONG" } },
      ]);
      expect(calls.filter((call) => call.startsWith("Line."))).toEqual([]);
    }
  });

  it("1,000 rows are answered; a number past 32 characters is refused with TEXT_TOO_LONG", async () => {
    const numbers = Array.from({ length: 1_000 }, (_, i) => `080-2000-${String(i % 205).padStart(4, "0")}`);
    const resolution = await resolve({ phoneNumbers: numbers });
    expect([resolution.rows.length, resolution.selectedCount]).toEqual([1_000, 200]);

    const result = await graphql(
      server.graphqlUrl,
      RESOLVE,
      { input: { phoneNumbers: ["0".repeat(33)] } },
      manager,
    );
    expect(result.errors).toMatchObject([
      {
        extensions: {
          code: "BAD_USER_INPUT",
          reason: "TEXT_TOO_LONG",
          argument: "ResolveLineSelectionInput.phoneNumbers",
          max: 32,
        },
      },
    ]);
  });

  it("exactly one of phoneNumbers and rows", async () => {
    for (const input of [{}, { phoneNumbers: ["090-1111-0001"], rows: [{ phoneNumber: "090-1111-0001" }] }]) {
      const result = await graphql(server.graphqlUrl, RESOLVE, { input }, manager);
      expect(result.errors).toMatchObject([
        {
          message: "Pass either phoneNumbers or rows (exactly one of them).",
          extensions: { code: "BAD_USER_INPUT" },
        },
      ]);
    }
  });

  it("needs READ_LINES: unauthenticated and a token without it are refused", async () => {
    const anonymous = await graphql(server.graphqlUrl, RESOLVE, { input: { phoneNumbers: [] } });
    expect(anonymous.errors).toMatchObject([{ extensions: { code: "UNAUTHENTICATED" } }]);

    const created = await graphql(
      server.graphqlUrl,
      `mutation ($input: CreateApiTokenInput!) { createApiToken(input: $input) { token } }`,
      { input: { name: "MDM mail only", scopes: ["SEND_MAIL"] } },
      manager,
    );
    const token = created.data.createApiToken.token as string;
    const refused = await graphql(server.graphqlUrl, RESOLVE, { input: { phoneNumbers: [] } }, token);
    expect(refused.errors).toMatchObject([
      { message: "この操作を行う権限がありません。", extensions: { code: "FORBIDDEN" } },
    ]);

    const reader = await graphql(
      server.graphqlUrl,
      `mutation ($input: CreateApiTokenInput!) { createApiToken(input: $input) { token } }`,
      { input: { name: "MDM reader", scopes: ["READ_LINES"] } },
      manager,
    );
    const resolution = await resolve(
      { phoneNumbers: [lines.developer.phoneNumber] },
      reader.data.createApiToken.token as string,
    );
    expect(resolution.selectedLineIds).toEqual([lines.developer.id]);
  });
});
