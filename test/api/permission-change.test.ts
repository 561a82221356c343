// 利用可否設定 end to end through GraphQL: R3, R4, R5, R6, R7, R14 and idempotency.
// Scenario: receiptsScenario (200 bulk lines, 営業部's members, a 3G line in 物流部, a cancelled line, shared phonebooks).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bulkNames, racingNames, receiptsScenario } from "../scenarios/receipts.scenarios.ts";
import type { Seeded, SeededLine } from "../scenarios/scenario.ts";
import { type RunningApp, startScenarioApp } from "../support/app.ts";
import { graphql, loginAs } from "../support/graphql.ts";
import { waitForFinalReceiptOverApi } from "../support/wait.ts";

const INSIDE_HOURS = "2026-11-24T10:00:00+09:00";
const fastCarrier = { CARRIER_LATENCY_MS: "0", CARRIER_FAILURE_RATE: "0" };

const SUBMIT = /* GraphQL */ `
  mutation ($input: PermissionChangeInput!) {
    submitPermissionChange(input: $input) {
      replayed
      receipt { id number kind status admin { name loginId } progress { total pending processing succeeded failed } }
      userErrors { code message field lineIds }
    }
  }`;
const PREVIEW = /* GraphQL */ `
  mutation ($input: PermissionChangeInput!) {
    previewPermissionChange(input: $input) {
      totalCount
      lines { line { id phoneNumber version } backup phonebookMigration sharedPhonebookWarning }
      warnings { code message lineIds }
      userErrors { code message lineIds }
    }
  }`;

type Data = Seeded<keyof typeof receiptsScenario.account.lines>;
type Lines = Data["lines"];

/** The 200 bulk lines: as many as one request may hold (R3). */
const bulkOf = (lines: Lines) => bulkNames.map((name) => lines[name]!);

/** A line's version as the API shows it now. */
async function versionOf(url: string, token: string, line: SeededLine): Promise<number> {
  const result: any = await graphql(
    url,
    "query ($id: ID!) { node(id: $id) { ... on Line { version } } }",
    { id: line.id },
    token,
  );
  return result.data.node.version;
}

function targets(lines: SeededLine[], backup = true, phonebookMigration = true) {
  return lines.map((l) => ({ lineId: l.id, backup, phonebookMigration }));
}

// What a finished receipt is checked for (waitForFinalReceiptOverApi adds status).
const FINAL_FIELDS = "completedAt progress { total pending processing succeeded failed }";

describe("a permission change applied by the carrier", () => {
  let server: RunningApp;
  let token: string;
  let data: Data;
  beforeAll(async () => {
    const started = await startScenarioApp(receiptsScenario, { FAKE_NOW: INSIDE_HOURS, ...fastCarrier });
    server = started;
    data = started.data;
    token = await loginAs(server.graphqlUrl, "Manager@admin");
  });
  afterAll(() => server.stop());

  it("accepts 200 lines as one receipt and finishes with every line's flags updated (R7)", async () => {
    // bulk000…bulk199: 200 lines, the most one request may hold.
    const chosen = bulkOf(data.lines);
    const result: any = await graphql(
      server.graphqlUrl,
      SUBMIT,
      { input: { lines: targets(chosen) } },
      token,
    );
    const payload = result.data.submitPermissionChange;
    expect(payload.userErrors).toEqual([]);
    expect(payload.receipt.number).toMatch(/^20261124\d{8}$/);
    expect(payload.receipt).toMatchObject({
      kind: "PERMISSION_CHANGE",
      admin: { name: "管理者", loginId: "Manager@admin" },
    });
    expect(payload.receipt.progress.total).toBe(200);

    const final = await waitForFinalReceiptOverApi(
      server.graphqlUrl,
      token,
      payload.receipt.number,
      FINAL_FIELDS,
    );
    expect(final).toMatchObject({
      status: "SUCCEEDED",
      progress: { total: 200, pending: 0, processing: 0, succeeded: 200, failed: 0 },
    });
    expect(final.completedAt).not.toBeNull();

    const prisma = server.app.database.prisma;
    const phoneNumbers = chosen.map((l) => l.phoneNumber);
    const after = await prisma.line.findMany({ where: { phoneNumber: { in: phoneNumbers } } });
    expect(after).toHaveLength(200);
    for (const line of after) {
      expect(line).toMatchObject({
        backup: true,
        phonebookMigration: true,
        status: "IN_SERVICE",
        version: 2,
      });
    }
    const roster = await prisma.carrierLine.findMany({ where: { phoneNumber: { in: phoneNumbers } } });
    expect(roster.every((l) => l.backup && l.phonebookMigration)).toBe(true);

    // The event log: accepted, 200 × PROCESSING, 200 × SUCCEEDED, final — gap-free.
    const receipt = await prisma.receipt.findUniqueOrThrow({ where: { number: payload.receipt.number } });
    const events = await prisma.receiptEvent.findMany({
      where: { receiptId: receipt.id },
      orderBy: { seq: "asc" },
    });
    expect(events.map((e) => e.seq)).toEqual(Array.from({ length: 402 }, (_, i) => i + 1));
    expect(events.filter((e) => e.itemStatus === "PROCESSING")).toHaveLength(200);
    expect(events.filter((e) => e.itemStatus === "SUCCEEDED")).toHaveLength(200);
    expect(events.at(-1)).toMatchObject({ itemId: null, status: "SUCCEEDED" });
    expect(
      await prisma.auditEvent.count({
        where: { action: "PERMISSION_CHANGE_SUBMITTED", receiptId: receipt.id },
      }),
    ).toBe(1);
  });

  it("expands a group to its members with the group's pair (R6)", async () => {
    const sales = data.groups.営業部!;
    // 営業部's members.
    const members = [data.lines.sales1, data.lines.sales2, data.lines.sales3];
    const result: any = await graphql(
      server.graphqlUrl,
      SUBMIT,
      { input: { groups: [{ groupId: sales.id, backup: false, phonebookMigration: false }] } },
      token,
    );
    const payload = result.data.submitPermissionChange;
    expect(payload.userErrors).toEqual([]);
    expect(payload.receipt.progress.total).toBe(members.length);
    expect(
      (await waitForFinalReceiptOverApi(server.graphqlUrl, token, payload.receipt.number, FINAL_FIELDS))
        .status,
    ).toBe("SUCCEEDED");
    const after = await server.app.database.prisma.line.findMany({
      where: { id: { in: members.map((l) => l.rawId) } },
    });
    expect(after.map((l) => [l.backup, l.phonebookMigration])).toEqual(members.map(() => [false, false]));
  });

  it("returns the original receipt when a request is retried with its idempotencyKey", async () => {
    const line = data.lines.retried;
    const input = { lines: targets([line], true, false), idempotencyKey: "mdm-retry-1" };
    const first: any = await graphql(server.graphqlUrl, SUBMIT, { input }, token);
    const second: any = await graphql(server.graphqlUrl, SUBMIT, { input }, token);
    expect(first.data.submitPermissionChange.replayed).toBe(false);
    expect(second.data.submitPermissionChange).toMatchObject({
      replayed: true,
      receipt: { number: first.data.submitPermissionChange.receipt.number },
      userErrors: [],
    });
    expect(await server.app.database.prisma.receipt.count({ where: { idempotencyKey: "mdm-retry-1" } })).toBe(
      1,
    );
  });
});

describe("refused requests write nothing", () => {
  let server: RunningApp;
  let token: string;
  let lines: Lines;
  let groups: Data["groups"];
  // The worker is off here, so accepted lines stay PROCESSING (R5 checks).
  beforeAll(async () => {
    const started = await startScenarioApp(
      receiptsScenario,
      { FAKE_NOW: INSIDE_HOURS, ...fastCarrier },
      { startWorker: false },
    );
    server = started;
    ({ lines, groups } = started.data);
    token = await loginAs(server.graphqlUrl, "Manager@admin");
  });
  afterAll(() => server.stop());

  async function submitExpectingNothingWritten(input: unknown, tokenToUse = token) {
    const prisma = server.app.database.prisma;
    const before = {
      receipts: await prisma.receipt.count(),
      processing: await prisma.line.count({ where: { status: "PROCESSING" } }),
    };
    const result: any = await graphql(server.graphqlUrl, SUBMIT, { input }, tokenToUse);
    const after = {
      receipts: await prisma.receipt.count(),
      processing: await prisma.line.count({ where: { status: "PROCESSING" } }),
    };
    expect(after).toEqual(before);
    expect(result.data.submitPermissionChange.receipt).toBeNull();
    return result.data.submitPermissionChange.userErrors;
  }

  it("R3: no line selected", async () => {
    expect(await submitExpectingNothingWritten({ lines: [] })).toEqual([
      { code: "NO_LINES_SELECTED", message: "ユーザが1件も選択されていません。", field: null, lineIds: [] },
    ]);
  });

  it("R3: more than 200 lines after expanding groups", async () => {
    // The 200 bulk lines and a 201st, all active in selectable groups.
    const active = [...bulkOf(lines), lines.sales1];
    const errors = await submitExpectingNothingWritten({ lines: targets(active) });
    expect(errors).toEqual([
      { code: "TOO_MANY_LINES", message: "選択できるユーザは200件までです。", field: null, lineIds: [] },
    ]);
  });

  it("R3: a cancelled line among them, named in lineIds", async () => {
    const { cancelled, sales1: active } = lines;
    expect(await submitExpectingNothingWritten({ lines: targets([active, cancelled]) })).toEqual([
      {
        code: "CANCELLED_LINE_SELECTED",
        message: "ご利用いただけない契約の対象者が選択されています。",
        field: null,
        lineIds: [cancelled.id],
      },
    ]);
  });

  it("a group holding a 3G line cannot be selected", async () => {
    const logistics = groups.物流部!;
    const errors = await submitExpectingNothingWritten({
      groups: [{ groupId: logistics.id, backup: true, phonebookMigration: true }],
    });
    expect(errors.map((e: { code: string; message: string }) => [e.code, e.message])).toContainEqual([
      "GROUP_NOT_SELECTABLE",
      "※サービス対象外(3G ケータイなど)の回線を含むグループは選択できません。",
    ]);
  });

  it("R5: a line whose version moved since 確認 is refused with CONFLICT", async () => {
    const line = lines.stale;
    const version = await versionOf(server.graphqlUrl, token, line);
    const errors = await submitExpectingNothingWritten({
      lines: [{ lineId: line.id, backup: true, phonebookMigration: true, version: version - 1 }],
    });
    expect(errors).toEqual([
      {
        code: "CONFLICT",
        message: "ただいま受付できません。しばらく経ってから再度お試しください。",
        field: null,
        lineIds: [line.id],
      },
    ]);
  });

  it("R5: two administrators racing on the same lines — exactly one is accepted", async () => {
    const same = racingNames.map((name) => lines[name]!);
    const substitute = await loginAs(server.graphqlUrl, "Substitute@admin");
    const results: any[] = await Promise.all([
      graphql(server.graphqlUrl, SUBMIT, { input: { lines: targets(same) } }, token),
      graphql(server.graphqlUrl, SUBMIT, { input: { lines: targets(same, false, false) } }, substitute),
    ]);
    const payloads = results.map((r) => r.data.submitPermissionChange);
    expect(payloads.filter((p) => p.receipt !== null)).toHaveLength(1);
    const refused = payloads.find((p) => p.receipt === null);
    expect(refused.userErrors[0]).toMatchObject({ code: "CONFLICT" });
    // A line with a change in flight is refused too, and preview says so.
    const again = await submitExpectingNothingWritten({ lines: targets(same.slice(0, 1)) });
    expect(again[0]).toMatchObject({ code: "CONFLICT", lineIds: [same[0]!.id] });
  });

  it("R4: outside 09:00–23:00 JST nothing is accepted", async () => {
    const late = await startScenarioApp(
      receiptsScenario,
      { FAKE_NOW: "2026-11-24T23:00:00+09:00", ...fastCarrier },
      { startWorker: false },
    );
    try {
      const lateToken = await loginAs(late.graphqlUrl, "Manager@admin");
      const line = late.data.lines.sales1;
      const result: any = await graphql(
        late.graphqlUrl,
        SUBMIT,
        { input: { lines: targets([line]) } },
        lateToken,
      );
      expect(result.data.submitPermissionChange).toEqual({
        replayed: false,
        receipt: null,
        userErrors: [
          {
            code: "OUTSIDE_ACCEPTANCE_HOURS",
            message: "ただいまの時間帯はあんしんバックアップを利用できません。",
            field: null,
            lineIds: [],
          },
        ],
      });
      expect(await late.app.database.prisma.receipt.count()).toBe(0);
    } finally {
      await late.stop();
    }
  });

  it("a GROUP administrator cannot reach lines outside their groups, and a token needs CHANGE_PERMISSIONS", async () => {
    const groupA = await loginAs(server.graphqlUrl, "GroupA@admin");
    // GroupA@admin reaches 営業部 only.
    const outside = lines.developer;
    const errors = await submitExpectingNothingWritten({ lines: targets([outside]) }, groupA);
    expect(errors[0]).toMatchObject({ code: "NOT_FOUND", field: "lines" });

    const created: any = await graphql(
      server.graphqlUrl,
      'mutation { createApiToken(input: {name: "read only", scopes: [READ_LINES]}) { token } }',
      {},
      token,
    );
    const readOnly = created.data.createApiToken.token;
    const result = await graphql(
      server.graphqlUrl,
      SUBMIT,
      { input: { lines: targets([outside]) } },
      readOnly,
    );
    expect(result.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
  });
});

describe("previewPermissionChange (確認)", () => {
  let server: RunningApp;
  let token: string;
  let lines: Lines;
  beforeAll(async () => {
    const started = await startScenarioApp(
      receiptsScenario,
      { FAKE_NOW: INSIDE_HOURS, ...fastCarrier },
      { startWorker: false },
    );
    server = started;
    lines = started.data.lines;
    token = await loginAs(server.graphqlUrl, "Manager@admin");
  });
  afterAll(() => server.stop());

  it("lists the expanded lines with R14 warnings and writes nothing", async () => {
    const shared = [lines.sharedPhonebook1, lines.sharedPhonebook2];
    const plain = [lines.sales1, lines.sales2, lines.sales3];
    const result: any = await graphql(
      server.graphqlUrl,
      PREVIEW,
      { input: { lines: [...targets(shared), ...targets(plain, true, false)] } },
      token,
    );
    const preview = result.data.previewPermissionChange;
    expect(preview.totalCount).toBe(shared.length + plain.length);
    expect(preview.userErrors).toEqual([]);
    expect(preview.warnings).toHaveLength(1);
    expect(preview.warnings[0].code).toBe("SHARED_PHONEBOOK");
    expect(preview.warnings[0].message).toContain(
      "電話帳移行機能を利用して端末に移行した電話帳データは、共有電話帳では編集できません。",
    );
    expect(preview.warnings[0].lineIds.sort()).toEqual(shared.map((l) => l.id).sort());
    expect(
      preview.lines.filter((l: { sharedPhonebookWarning: boolean }) => l.sharedPhonebookWarning),
    ).toHaveLength(shared.length);
    expect(await server.app.database.prisma.receipt.count()).toBe(0);
    expect(await server.app.database.prisma.line.count({ where: { status: "PROCESSING" } })).toBe(0);
  });

  it("shows R3 errors at confirmation too", async () => {
    const result: any = await graphql(server.graphqlUrl, PREVIEW, { input: {} }, token);
    expect(result.data.previewPermissionChange.userErrors).toEqual([
      { code: "NO_LINES_SELECTED", message: "ユーザが1件も選択されていません。", lineIds: [] },
    ]);
  });
});
