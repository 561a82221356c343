// 利用可否設定 end to end through GraphQL: R3, R4, R5, R6, R7, R14 and idempotency.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningApp, startTestApp } from "../support/app.ts";
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

interface LineNode {
  id: string;
  phoneNumber: string;
  contractStatus: string;
  deviceKind: string;
  sharedPhonebook: boolean;
  version: number;
  status: string;
  group: { id: string; name: string; selectable: boolean } | null;
}

async function allLines(url: string, token: string): Promise<LineNode[]> {
  const out: LineNode[] = [];
  let after: string | null = null;
  for (let page = 0; page < 10; page++) {
    const result: any = await graphql(
      url,
      `query ($after: String) { lines(first: 200, after: $after) { pageInfo { hasNextPage endCursor }
        edges { node { id phoneNumber contractStatus deviceKind sharedPhonebook version status group { id name selectable } } } } }`,
      { after },
      token,
    );
    out.push(...result.data.lines.edges.map((e: { node: LineNode }) => e.node));
    if (!result.data.lines.pageInfo.hasNextPage) break;
    after = result.data.lines.pageInfo.endCursor;
  }
  return out;
}

/** Lines a selection may hold: active (R3) and not 3G (R16). */
const selectable = (l: LineNode) => l.contractStatus === "ACTIVE" && l.deviceKind !== "FEATURE_PHONE_3G";

function targets(lines: LineNode[], backup = true, phonebookMigration = true) {
  return lines.map((l) => ({ lineId: l.id, backup, phonebookMigration }));
}

// What a finished receipt is checked for (waitForFinalReceiptOverApi adds status).
const FINAL_FIELDS = "completedAt progress { total pending processing succeeded failed }";

describe("a permission change applied by the carrier", () => {
  let server: RunningApp;
  let token: string;
  let lines: LineNode[];
  beforeAll(async () => {
    server = await startTestApp({ FAKE_NOW: INSIDE_HOURS, ...fastCarrier });
    token = await loginAs(server.graphqlUrl, "Manager@admin");
    lines = await allLines(server.graphqlUrl, token);
  });
  afterAll(() => server.stop());

  it("accepts 200 lines as one receipt and finishes with every line's flags updated (R7)", async () => {
    const chosen = lines.filter(selectable).slice(0, 200);
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
    const sales = lines.find((l) => l.group?.name === "営業部")!.group!;
    const result: any = await graphql(
      server.graphqlUrl,
      SUBMIT,
      { input: { groups: [{ groupId: sales.id, backup: false, phonebookMigration: false }] } },
      token,
    );
    const payload = result.data.submitPermissionChange;
    expect(payload.userErrors).toEqual([]);
    expect(payload.receipt.progress.total).toBe(lines.filter((l) => l.group?.name === "営業部").length);
    expect(
      (await waitForFinalReceiptOverApi(server.graphqlUrl, token, payload.receipt.number, FINAL_FIELDS))
        .status,
    ).toBe("SUCCEEDED");
  });

  it("returns the original receipt when a request is retried with its idempotencyKey", async () => {
    const line = lines.filter(selectable).at(-1)!;
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
  let lines: LineNode[];
  // The worker is off here, so accepted lines stay PROCESSING (R5 checks).
  beforeAll(async () => {
    server = await startTestApp({ FAKE_NOW: INSIDE_HOURS, ...fastCarrier }, { startWorker: false });
    token = await loginAs(server.graphqlUrl, "Manager@admin");
    lines = await allLines(server.graphqlUrl, token);
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
    const active = lines.filter((l) => l.contractStatus === "ACTIVE" && l.group?.selectable);
    const errors = await submitExpectingNothingWritten({ lines: targets(active.slice(0, 201)) });
    expect(errors).toEqual([
      { code: "TOO_MANY_LINES", message: "選択できるユーザは200件までです。", field: null, lineIds: [] },
    ]);
  });

  it("R3: a cancelled line among them, named in lineIds", async () => {
    const cancelled = lines.find((l) => l.contractStatus === "CANCELLED")!;
    const active = lines.find((l) => l.contractStatus === "ACTIVE")!;
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
    const logistics = lines.find((l) => l.group?.name === "物流部")!.group!;
    const errors = await submitExpectingNothingWritten({
      groups: [{ groupId: logistics.id, backup: true, phonebookMigration: true }],
    });
    expect(errors.map((e: { code: string; message: string }) => [e.code, e.message])).toContainEqual([
      "GROUP_NOT_SELECTABLE",
      "※サービス対象外(3G ケータイなど)の回線を含むグループは選択できません。",
    ]);
  });

  it("R5: a line whose version moved since 確認 is refused with CONFLICT", async () => {
    const line = lines.filter(selectable)[10]!;
    const errors = await submitExpectingNothingWritten({
      lines: [{ lineId: line.id, backup: true, phonebookMigration: true, version: line.version - 1 }],
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
    const same = lines.filter(selectable).slice(20, 30);
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
    const late = await startTestApp(
      { FAKE_NOW: "2026-11-24T23:00:00+09:00", ...fastCarrier },
      { startWorker: false },
    );
    try {
      const lateToken = await loginAs(late.graphqlUrl, "Manager@admin");
      const line = (await allLines(late.graphqlUrl, lateToken)).find((l) => l.contractStatus === "ACTIVE")!;
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
    const outside = lines.find((l) => l.group?.name === "開発部" && l.contractStatus === "ACTIVE")!;
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
  let lines: LineNode[];
  beforeAll(async () => {
    server = await startTestApp({ FAKE_NOW: INSIDE_HOURS, ...fastCarrier }, { startWorker: false });
    token = await loginAs(server.graphqlUrl, "Manager@admin");
    lines = await allLines(server.graphqlUrl, token);
  });
  afterAll(() => server.stop());

  it("lists the expanded lines with R14 warnings and writes nothing", async () => {
    const shared = lines.filter((l) => l.sharedPhonebook && selectable(l)).slice(0, 2);
    const plain = lines.filter((l) => !l.sharedPhonebook && selectable(l)).slice(0, 3);
    const result: any = await graphql(
      server.graphqlUrl,
      PREVIEW,
      { input: { lines: [...targets(shared), ...targets(plain, true, false)] } },
      token,
    );
    const preview = result.data.previewPermissionChange;
    expect(preview.totalCount).toBe(5);
    expect(preview.userErrors).toEqual([]);
    expect(preview.warnings).toHaveLength(1);
    expect(preview.warnings[0].code).toBe("SHARED_PHONEBOOK");
    expect(preview.warnings[0].message).toContain(
      "電話帳移行機能を利用して端末に移行した電話帳データは、共有電話帳では編集できません。",
    );
    expect(preview.warnings[0].lineIds.sort()).toEqual(shared.map((l) => l.id).sort());
    expect(
      preview.lines.filter((l: { sharedPhonebookWarning: boolean }) => l.sharedPhonebookWarning),
    ).toHaveLength(2);
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
