// R17: an idempotency key belongs to its caller. It replays only the same
// administrator's (or API token's) earlier request of the same kind and the
// same body; the same key with another body is refused; another caller's key
// is simply a new request for them, and reveals nothing of the first.
// Scenario: idempotencyScenario (one 営業部 line for GroupA@admin, a line of its own for each test in 開発部).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { idempotencyScenario } from "../scenarios/receipts.scenarios.ts";
import type { Seeded, SeededLine } from "../scenarios/scenario.ts";
import { type RunningApp, startScenarioApp } from "../support/app.ts";
import { graphql, loginAs } from "../support/graphql.ts";
import { waitForFinalReceiptOverApi } from "../support/wait.ts";

const SUBMIT = /* GraphQL */ `
  mutation ($input: PermissionChangeInput!) {
    submitPermissionChange(input: $input) {
      replayed
      receipt { id number kind admin { name loginId } items(first: 10) { edges { node { phoneNumber } } } }
      userErrors { code message field lineIds }
    }
  }`;
const SEND = (name: string) => /* GraphQL */ `
  mutation ($input: SendMailInput!) {
    ${name}(input: $input) {
      replayed
      receipt { id number kind admin { loginId } }
      userErrors { code message field lineIds }
    }
  }`;

const REUSED = {
  code: "IDEMPOTENCY_KEY_REUSED",
  message: "この再送キーは、内容の異なる受付ですでに使用されています。",
  field: "idempotencyKey",
  lineIds: [],
};
const BAD_KEY = expect.objectContaining({
  message: "再送キーは1文字以上200文字以内で指定してください。",
  extensions: expect.objectContaining({ code: "BAD_USER_INPUT", field: "idempotencyKey" }),
});

let server: RunningApp;
let url: string;
const tokens = { manager: "", substitute: "", groupA: "", api: "" };
/** Each test's own lines: none is touched twice in a permission change (a line in flight would be a CONFLICT). */
let lines: Seeded<keyof typeof idempotencyScenario.account.lines>["lines"];

beforeAll(async () => {
  const started = await startScenarioApp(idempotencyScenario, {
    FAKE_NOW: "2026-11-24T10:00:00+09:00",
    CARRIER_LATENCY_MS: "0",
    CARRIER_FAILURE_RATE: "0",
  });
  server = started;
  lines = started.data.lines;
  url = server.graphqlUrl;
  tokens.manager = await loginAs(url, "Manager@admin");
  tokens.substitute = await loginAs(url, "Substitute@admin");
  tokens.groupA = await loginAs(url, "GroupA@admin");
  const created = await graphql(
    url,
    `mutation { createApiToken(input: {name: "MDM", scopes: [CHANGE_PERMISSIONS, SEND_MAIL, READ_RECEIPTS]}) {
      token userErrors { code } } }`,
    {},
    tokens.manager,
  );
  tokens.api = created.data.createApiToken.token;
});
afterAll(() => server.stop());

const targets = (chosen: SeededLine[], backup = true) =>
  chosen.map((l) => ({ lineId: l.id, backup, phonebookMigration: true }));

async function submit(token: string, input: Record<string, unknown>) {
  const result = await graphql(url, SUBMIT, { input }, token);
  expect(result.errors).toBeUndefined();
  return result.data.submitPermissionChange;
}

async function send(name: string, token: string, input: Record<string, unknown>) {
  const result = await graphql(url, SEND(name), { input }, token);
  expect(result.errors).toBeUndefined();
  return result.data[name];
}

const keyed = (key: string) =>
  server.app.database.prisma.receipt.findMany({ where: { idempotencyKey: key }, orderBy: { number: "asc" } });

describe("R17 the same caller", () => {
  it("same key, same request (lines in another order): the original receipt, replayed", async () => {
    const both = [lines.reordered1, lines.reordered2];
    const first = await submit(tokens.manager, { lines: targets(both), idempotencyKey: "r17-same" });
    expect(first).toMatchObject({ replayed: false, userErrors: [] });
    const again = await submit(tokens.manager, {
      lines: targets([...both].reverse()),
      idempotencyKey: "  r17-same ",
    });
    expect(again).toEqual({ ...first, replayed: true });
    expect(await keyed("r17-same")).toHaveLength(1);
  });

  it("same key, another request: IDEMPOTENCY_KEY_REUSED, and nothing is written", async () => {
    const { keyReused: line, another } = lines;
    const first = await submit(tokens.manager, { lines: targets([line]), idempotencyKey: "r17-other" });
    expect(first.userErrors).toEqual([]);
    const before = await server.app.database.prisma.receipt.count();
    // Another pair for the same line, then another line: both are other requests.
    for (const input of [{ lines: targets([line], false) }, { lines: targets([another]) }]) {
      expect(await submit(tokens.manager, { ...input, idempotencyKey: "r17-other" })).toEqual({
        replayed: false,
        receipt: null,
        userErrors: [REUSED],
      });
    }
    const mail = await send("sendAppDownloadMail", tokens.manager, {
      lineIds: [line.id],
      idempotencyKey: "r17-mail-other",
    });
    expect(mail.userErrors).toEqual([]);
    expect(
      await send("sendAppDownloadMail", tokens.manager, {
        lineIds: [line.id, another.id],
        idempotencyKey: "r17-mail-other",
      }),
    ).toEqual({ replayed: false, receipt: null, userErrors: [REUSED] });
    // The refusals wrote nothing: the one new receipt is the first mail.
    expect(await server.app.database.prisma.receipt.count()).toBe(before + 1);
  });
});

describe("R17 another caller with the same key: a request of their own", () => {
  let original: { number: string; id: string };
  const key = "r17-shared";
  const managerLines: SeededLine[] = [];
  beforeAll(async () => {
    managerLines.push(lines.managerLine);
    const first = await submit(tokens.manager, { lines: targets(managerLines), idempotencyKey: key });
    expect(first.userErrors).toEqual([]);
    original = first.receipt;
  });

  it("another administrator, same key and same body: a new receipt of their own, then their own replay", async () => {
    // The Manager's lines are free again, so the same body can be accepted anew.
    await waitForFinalReceiptOverApi(url, tokens.manager, original.number);
    const input = { lines: targets(managerLines), idempotencyKey: key };
    const own = await submit(tokens.substitute, input);
    expect(own).toMatchObject({
      replayed: false,
      userErrors: [],
      receipt: {
        kind: "PERMISSION_CHANGE",
        admin: { name: "代理管理者(サブ管理者)", loginId: "Substitute@admin" },
      },
    });
    expect(own.receipt.number).not.toBe(original.number);
    expect(await submit(tokens.substitute, input)).toEqual({ ...own, replayed: true });
  });

  it("a GROUP administrator sending another administrator's key and body learns nothing of their receipt", async () => {
    const borrowed = await submit(tokens.groupA, { lines: targets(managerLines), idempotencyKey: key });
    // The lines are in 開発部, outside 営業部: not found, exactly as without the key.
    expect(borrowed.receipt).toBeNull();
    expect(borrowed.replayed).toBe(false);
    expect(borrowed.userErrors.map((e: { code: string }) => e.code)).toContain("NOT_FOUND");
    expect(JSON.stringify(borrowed)).not.toContain(original.number);

    const own = await submit(tokens.groupA, { lines: targets([lines.sales]), idempotencyKey: key });
    expect(own).toMatchObject({
      replayed: false,
      userErrors: [],
      receipt: { admin: { loginId: "GroupA@admin" } },
    });
    expect(own.receipt.number).not.toBe(original.number);
  });

  it("an API token (even one its administrator created): a new receipt, then its own replay", async () => {
    const own = [lines.apiLine];
    const first = await submit(tokens.api, { lines: targets(own), idempotencyKey: key });
    expect(first).toMatchObject({
      replayed: false,
      userErrors: [],
      receipt: { admin: { name: "管理者 (API: MDM)", loginId: "Manager@admin" } },
    });
    expect(first.receipt.number).not.toBe(original.number);
    expect(await submit(tokens.api, { lines: targets(own), idempotencyKey: key })).toEqual({
      ...first,
      replayed: true,
    });
    // And the administrator's own retry still finds only their own receipt.
    const manager = await submit(tokens.manager, { lines: targets(managerLines), idempotencyKey: key });
    expect(manager).toMatchObject({ replayed: true, receipt: { number: original.number } });
  });

  it("another kind of receipt with the same key is a receipt of its own kind", async () => {
    const line = managerLines[0]!;
    const notice = await send("sendPasswordNotice", tokens.manager, {
      lineIds: [line.id],
      idempotencyKey: key,
    });
    expect(notice).toMatchObject({
      replayed: false,
      userErrors: [],
      receipt: { kind: "PASSWORD_NOTICE_MAIL" },
    });
    const app = await send("sendAppDownloadMail", tokens.manager, {
      lineIds: [line.id],
      idempotencyKey: key,
    });
    expect(app).toMatchObject({ replayed: false, userErrors: [], receipt: { kind: "APP_DOWNLOAD_MAIL" } });
    expect(new Set([original.number, notice.receipt.number, app.receipt.number]).size).toBe(3);
    // Each kind replays its own.
    expect(
      await send("sendPasswordNotice", tokens.manager, { lineIds: [line.id, line.id], idempotencyKey: key }),
    ).toEqual({ ...notice, replayed: true });
    const receipts = await keyed(key);
    expect(receipts.map((r) => r.kind).sort()).toEqual([
      "APP_DOWNLOAD_MAIL",
      "PASSWORD_NOTICE_MAIL",
      "PERMISSION_CHANGE",
      "PERMISSION_CHANGE",
      "PERMISSION_CHANGE",
      "PERMISSION_CHANGE",
    ]);
  });
});

describe("R17 the key's bounds, checked before any database work", () => {
  it.each([
    ["empty", ""],
    ["only spaces", "   "],
    ["201 characters", "k".repeat(201)],
    ["201 characters beyond the BMP", "🔑".repeat(201)],
  ])("%s: BAD_USER_INPUT", async (_name, key) => {
    const before = await server.app.database.prisma.receipt.count();
    const line = lines.longKey;
    const permission = await graphql(
      url,
      SUBMIT,
      { input: { lines: targets([line]), idempotencyKey: key } },
      tokens.manager,
    );
    expect(permission.data).toBeNull();
    expect(permission.errors).toEqual([BAD_KEY]);
    const mail = await graphql(
      url,
      SEND("sendAppDownloadMail"),
      { input: { lineIds: [line.id], idempotencyKey: key } },
      tokens.manager,
    );
    expect(mail.errors).toEqual([BAD_KEY]);
    expect(await server.app.database.prisma.receipt.count()).toBe(before);
  });

  it("200 characters (beyond the BMP too) are a key", async () => {
    const key = "🔑".repeat(200);
    const first = await submit(tokens.manager, { lines: targets([lines.longKey]), idempotencyKey: key });
    expect(first.userErrors).toEqual([]);
    expect((await keyed(key)).map((r) => r.number)).toEqual([first.receipt.number]);
  });
});
