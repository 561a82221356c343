// CSV出力 (issue 17 point 3): GET /export/lines.csv, /export/receipts.csv and
// /export/receipts/<受付番号>/items.csv, as Excel opens them (UTF-8 with a BOM
// or Shift_JIS, CRLF), with each screen's columns, headers and values; the
// screens' filters; the API's authentication, visibility and scopes; coded
// refusals. Then a large account's export, streamed while another client is
// served, in bounded memory, and stopped by a client that goes away.
// Scenario: exportsScenario (and a generated large account for the last part).
import { get as httpGet, type IncomingMessage } from "node:http";
import { Session } from "node:inspector/promises";
import { parse } from "csv-parse/sync";
import type { GraphQLInputObjectType } from "graphql";
import iconv from "iconv-lite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exportTexts } from "../../domain/messages.ts";
import { seedLargeAccount } from "../../prisma/seed/large.ts";
import { schema } from "../../schema/index.ts";
import { EXPORT_PARAMETERS } from "../../server/exports.ts";
import { EXPORT_PAGE_SIZE } from "../../services/exports.ts";
import { commonTexts, findTexts, historyTexts, mailTexts, statusTexts } from "../../web/src/texts.ts";
import { exportsScenario } from "../scenarios/exports.scenarios.ts";
import type { Seeded } from "../scenarios/scenario.ts";
import { type RunningApp, startScenarioApp, startTestApp } from "../support/app.ts";
import { graphql, loginAs } from "../support/graphql.ts";
import { waitUntil } from "../support/wait.ts";

/** The group the GROUP administrator (営業部's) may not see. */
const DEVELOPMENT = "開発部";

const env = { FAKE_NOW: "2026-11-24T10:00:00+09:00", CARRIER_LATENCY_MS: "0", CARRIER_FAILURE_RATE: "0" };

interface Download {
  status: number;
  headers: Headers;
  bytes: Buffer;
}

async function get(url: string, token?: string, init: RequestInit = {}): Promise<Download> {
  const response = await fetch(url, {
    ...init,
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  return {
    status: response.status,
    headers: response.headers,
    bytes: Buffer.from(await response.arrayBuffer()),
  };
}

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/** A UTF-8 file's text: it must start with the BOM Excel looks for. */
function utf8Text(download: Download): string {
  expect(download.status, download.bytes.toString()).toBe(200);
  expect(download.headers.get("content-type")).toBe("text/csv; charset=utf-8");
  expect(download.bytes.subarray(0, 3)).toEqual(BOM);
  return download.bytes.subarray(3).toString("utf8");
}

/** A Shift_JIS file's text, decoded as Excel and browsers read it (Windows-31J); no BOM. */
function sjisText(download: Download): string {
  expect(download.status, download.bytes.toString()).toBe(200);
  expect(download.headers.get("content-type")).toBe("text/csv; charset=Shift_JIS");
  expect(download.bytes.subarray(0, 3)).not.toEqual(BOM);
  const text = iconv.decode(download.bytes, "Shift_JIS");
  // The same bytes as browsers decode them (the web client, Excel's reading).
  expect(new TextDecoder("shift_jis").decode(download.bytes)).toBe(text);
  return text;
}

/** Lines of a CSV file as they are written: each ends with CRLF. */
const csv = (...lines: string[]) => lines.map((line) => `${line}\r\n`).join("");

/** A file's rows as a CSV reader sees them. */
const rowsOf = (text: string): string[][] => parse(text, { bom: true });

function refusal(download: Download): { status: number; code: string; message: string; parameter?: string } {
  expect(download.headers.get("content-type")).toBe("application/json; charset=utf-8");
  const { error } = JSON.parse(download.bytes.toString("utf8"));
  return { status: download.status, ...error };
}

const SUBMIT = `mutation ($input: PermissionChangeInput!) {
  submitPermissionChange(input: $input) { receipt { id number } userErrors { code message } }
}`;
const SEND = (name: string) => `mutation ($input: SendMailInput!) {
  ${name}(input: $input) { receipt { id number } userErrors { code message } }
}`;
const CREATE_TOKEN = `mutation ($input: CreateApiTokenInput!) {
  createApiToken(input: $input) { token userErrors { code message } }
}`;

describe("CSV exports", () => {
  let server: RunningApp;
  let lines: Seeded<keyof typeof exportsScenario.account.lines>["lines"];
  let groups: Seeded<string>["groups"];
  let manager: string;
  let groupAdmin: string;
  let other: string;
  /** Receipts made in beforeAll, by what they are. */
  const receipts = { permission: "", appMail: "", passwordMail: "", groupAdmins: "", others: "" };
  const phone = (name: keyof typeof lines) => lines[name].phoneNumber;
  const exportUrl = (path: string) => `${server.url}/export/${path}`;

  beforeAll(async () => {
    // No worker: receipts stay as the fixture below leaves them.
    const started = await startScenarioApp(exportsScenario, env, { startWorker: false });
    server = started;
    ({ lines, groups } = started.data);
    manager = await loginAs(server.graphqlUrl, "Manager@admin");
    groupAdmin = await loginAs(server.graphqlUrl, "GroupA@admin");
    other = await loginAs(server.graphqlUrl, "Other@admin");

    const submit = async (token: string, targets: [string, boolean, boolean][]) => {
      const result = await graphql(
        server.graphqlUrl,
        SUBMIT,
        {
          input: {
            lines: targets.map(([lineId, backup, phonebookMigration]) => ({
              lineId,
              backup,
              phonebookMigration,
            })),
          },
        },
        token,
      );
      const receipt = result.data?.submitPermissionChange.receipt;
      if (!receipt) throw new Error(JSON.stringify(result));
      return receipt.number as string;
    };
    const send = async (mutation: string, lineIds: string[]) => {
      const result = await graphql(server.graphqlUrl, SEND(mutation), { input: { lineIds } }, manager);
      const receipt = result.data?.[mutation].receipt;
      if (!receipt) throw new Error(JSON.stringify(result));
      return receipt.number as string;
    };
    receipts.permission = await submit(manager, [
      [lines.yamada.id, true, true],
      [lines.quoted.id, true, false],
      [lines.takahashi.id, false, true],
    ]);
    receipts.appMail = await send("sendAppDownloadMail", [lines.yoshida.id]);
    receipts.passwordMail = await send("sendPasswordNotice", [lines.yamada.id]);
    receipts.groupAdmins = await submit(groupAdmin, [[lines.formula.id, true, true]]);
    const theirs = await graphql(
      server.graphqlUrl,
      "{ lines(first: 1) { edges { node { id } } } }",
      {},
      other,
    );
    receipts.others = await submit(other, [[theirs.data.lines.edges[0].node.id, true, true]]);

    // What the carrier made of them, at fixed times (the worker is off).
    const prisma = server.app.database.prisma;
    const at = (iso: string) => new Date(iso);
    const received: [string, string][] = [
      [receipts.permission, "2026-11-24T01:00:00Z"],
      [receipts.appMail, "2026-11-24T01:10:00Z"],
      [receipts.passwordMail, "2026-11-24T01:15:00Z"],
      [receipts.groupAdmins, "2026-11-24T01:20:00Z"],
    ];
    for (const [number, iso] of received) {
      await prisma.receipt.update({ where: { number }, data: { receivedAt: at(iso) } });
    }
    const item = (number: string, phoneNumber: string) =>
      prisma.receiptItem.findFirstOrThrow({ where: { receipt: { number }, phoneNumber } });
    await prisma.receiptItem.update({
      where: { id: (await item(receipts.permission, phone("yamada"))).id },
      data: { status: "SUCCEEDED", completedAt: at("2026-11-24T01:05:00Z") },
    });
    await prisma.receiptItem.update({
      where: { id: (await item(receipts.permission, phone("quoted"))).id },
      data: {
        status: "FAILED",
        completedAt: at("2026-11-24T01:06:00Z"),
        errorCode: "CARRIER_REJECTED",
        errorMessage: "キャリアで設定を反映できませんでした。再度お試しください。",
      },
    });
    await prisma.receiptItem.update({
      where: { id: (await item(receipts.permission, phone("takahashi"))).id },
      data: { status: "PROCESSING", waitingFor: "CARRIER", retryAt: at("2026-11-24T05:00:00Z") },
    });
    await prisma.receiptItem.updateMany({
      where: { receipt: { number: receipts.passwordMail } },
      data: { status: "SUCCEEDED", completedAt: at("2026-11-24T01:16:00Z") },
    });
    await prisma.receipt.update({
      where: { number: receipts.passwordMail },
      data: { status: "SUCCEEDED", completedAt: at("2026-11-24T01:16:00Z") },
    });
    await prisma.line.update({
      where: { id: lines.yamada.rawId },
      data: { lastAppDownloadMailAt: at("2026-11-20T01:02:00Z") },
    });
  });
  afterAll(() => server.stop());

  it("uses the screens' words: the file's labels are the web client's", () => {
    const { columns: c, values: v } = exportTexts;
    expect([
      c.no,
      c.group,
      c.phone,
      c.name,
      c.nameKana,
      c.affiliation,
      c.status,
      c.backup,
      c.migration,
    ]).toEqual([
      commonTexts.no,
      commonTexts.group,
      commonTexts.phone,
      commonTexts.name,
      commonTexts.nameKana,
      commonTexts.affiliation,
      commonTexts.status,
      commonTexts.backup,
      commonTexts.migration,
    ]);
    expect([c.number, c.adminName, c.adminId, c.receivedAt, c.completedAt, c.menu]).toEqual([
      historyTexts.number,
      historyTexts.adminName,
      historyTexts.adminId,
      historyTexts.receivedAt,
      historyTexts.completedAt,
      historyTexts.menu,
    ]);
    expect(c.appMailSentAt).toBe(mailTexts.sentAt);
    expect([v.on, v.off, v.passwordMenu]).toEqual([
      commonTexts.on,
      commonTexts.off,
      historyTexts.passwordMenu,
    ]);
    expect({ line: v.line, receipt: v.receipt, item: v.item, kind: v.kind }).toEqual({
      line: statusTexts.line,
      receipt: statusTexts.receipt,
      item: statusTexts.item,
      kind: statusTexts.kind,
    });
    expect([v.outOfService, v.cancelled]).toEqual([statusTexts.outOfService, statusTexts.contract.CANCELLED]);
    expect([c.device, v.devices]).toEqual([findTexts.device, findTexts.devices]);
  });

  it("reads every field of the API's filters as a query parameter", () => {
    const fields = (name: string) =>
      Object.keys((schema.getType(name) as GraphQLInputObjectType).getFields());
    expect(EXPORT_PARAMETERS.lines).toEqual(expect.arrayContaining(fields("LineFilter")));
    expect(EXPORT_PARAMETERS.receipts).toEqual(expect.arrayContaining(fields("ReceiptFilter")));
    expect(EXPORT_PARAMETERS.receiptItems).toEqual(expect.arrayContaining(fields("ReceiptItemFilter")));
  });

  describe("回線一覧 (/export/lines.csv)", () => {
    it("利用可否設定's columns in UTF-8 with a BOM and CRLF: quoted commas and quotes, formulas defused", async () => {
      const download = await get(exportUrl("lines.csv"), manager);
      expect(download.headers.get("content-disposition")).toBe(
        `attachment; filename="lines_20261124_1000.csv"; filename*=UTF-8''${encodeURIComponent("回線一覧_20261124_1000.csv")}`,
      );
      expect(download.headers.get("cache-control")).toBe("no-store");
      expect(utf8Text(download)).toBe(
        csv(
          "No.,グループ名,電話番号,氏名,ステータス,機種,バックアップ機能,電話帳移行機能",
          // The first four have a permission change in flight (処理中).
          `1,営業部,${phone("yamada")},山田 太郎,処理中,iPhone,OFF,ON`,
          `2,営業部,${phone("quoted")},"佐藤, ""花子""",処理中,iPhone,OFF,OFF`,
          `3,営業部,${phone("formula")},'=1+2,処理中,iPhone,OFF,ON`,
          `4,開発部,${phone("takahashi")},髙橋 一郎①,処理中,スマートフォン,OFF,ON`,
          `5,開発部,${phone("yoshida")},𠮷田 次郎,サービス中,Windows 10 Mobile,OFF,ON`,
          `6,開発部,${phone("cancelled")},解約 済子,解約済,iPhone,OFF,ON`,
          `7,開発部,${phone("threeG")},旧型 三郎,サービス対象外,3Gケータイ,OFF,ON`,
          `8,,${phone("ungrouped")},無所属 四郎,サービス中,iPhone,OFF,ON`,
        ),
      );
    });

    it("Shift_JIS (Windows-31J): 髙 and ① kept, 〜 as Windows spells it, what it cannot hold (𠮷) as ?", async () => {
      const text = sjisText(await get(exportUrl("lines.csv?view=passwords&encoding=sjis"), manager));
      expect(text).toBe(
        csv(
          "No.,ステータス,グループ名,電話番号,氏名,氏名(カナ),所属名(1),機種",
          `1,処理中,営業部,${phone("yamada")},山田 太郎,ヤマダ タロウ,営業一課,iPhone`,
          `2,処理中,営業部,${phone("quoted")},"佐藤, ""花子""",サトウ ハナコ,営業二課,iPhone`,
          `3,処理中,営業部,${phone("formula")},'=1+2,イコール,'+営業,iPhone`,
          `4,処理中,開発部,${phone("takahashi")},髙橋 一郎①,タカハシ イチロウ,開発～第1,スマートフォン`,
          `5,サービス中,開発部,${phone("yoshida")},?田 次郎,ヨシダ ジロウ,開発第2,Windows 10 Mobile`,
          `6,サービス中,開発部,${phone("cancelled")},解約 済子,テスト,開発部,iPhone`,
          `7,サービス対象外,開発部,${phone("threeG")},旧型 三郎,テスト,開発部,3Gケータイ`,
          `8,サービス中,,${phone("ungrouped")},無所属 四郎,テスト,本社,iPhone`,
        ),
      );
    });

    it("アプリダウンロード依頼's columns: the last request mail's date in JST, サービス対象外 for 3G", async () => {
      const text = utf8Text(await get(exportUrl("lines.csv?view=appMail&contractStatus=ACTIVE"), manager));
      expect(text).toBe(
        csv(
          "No.,グループ名,電話番号,氏名,依頼メール送信日時,機種",
          `1,営業部,${phone("yamada")},山田 太郎,2026/11/20 10:02,iPhone`,
          `2,営業部,${phone("quoted")},"佐藤, ""花子""",,iPhone`,
          `3,営業部,${phone("formula")},'=1+2,,iPhone`,
          `4,開発部,${phone("takahashi")},髙橋 一郎①,,スマートフォン`,
          `5,開発部,${phone("yoshida")},𠮷田 次郎,,Windows 10 Mobile`,
          `6,開発部,${phone("threeG")},旧型 三郎,サービス対象外,3Gケータイ`,
          `7,,${phone("ungrouped")},無所属 四郎,,iPhone`,
        ),
      );
    });

    it("applies the screen's filter (the API's LineFilter): search, group, contract, date range", async () => {
      const numbers = async (query: string, token = manager) =>
        rowsOf(utf8Text(await get(exportUrl(`lines.csv?${query}`), token)))
          .slice(1)
          .map((row) => row[2]);
      expect(await numbers(`search=${encodeURIComponent("山田")}`)).toEqual([phone("yamada")]);
      expect(await numbers(`groupId=${encodeURIComponent(groups[DEVELOPMENT]!.id)}`)).toEqual(
        (["takahashi", "yoshida", "cancelled", "threeG"] as const).map(phone),
      );
      expect(await numbers("ungrouped=true")).toEqual([phone("ungrouped")]);
      expect(await numbers("contractStatus=CANCELLED")).toEqual([phone("cancelled")]);
      expect(await numbers("status=IN_SERVICE&outOfService=false&contractStatus=ACTIVE")).toEqual(
        (["yoshida", "ungrouped"] as const).map(phone),
      );
      const from = encodeURIComponent("2026-11-19T15:00:00.000Z");
      const to = encodeURIComponent("2026-11-20T14:59:59.999Z");
      expect(await numbers(`lastAppDownloadMailFrom=${from}&lastAppDownloadMailTo=${to}`)).toEqual([
        phone("yamada"),
      ]);
      expect(await numbers("deviceKinds=SMARTPHONE&deviceKinds=WINDOWS10_MOBILE")).toEqual(
        (["takahashi", "yoshida"] as const).map(phone),
      );
      // 選択中のみ表示: the selection's lines.
      const ids = [lines.threeG.id, lines.yamada.id].map((id) => `ids=${encodeURIComponent(id)}`).join("&");
      expect(await numbers(ids)).toEqual((["yamada", "threeG"] as const).map(phone));
      // A GROUP administrator: their group's lines only, whatever the filter asks.
      expect(await numbers("", groupAdmin)).toEqual((["yamada", "quoted", "formula"] as const).map(phone));
      expect(await numbers(`groupId=${encodeURIComponent(groups[DEVELOPMENT]!.id)}`, groupAdmin)).toEqual([]);
    });

    it("in the screen's sort order (the API's orderBy), ties by phone number", async () => {
      const rows = rowsOf(
        utf8Text(await get(exportUrl("lines.csv?view=passwords&orderBy=NAME_KANA&direction=DESC"), manager)),
      );
      expect(rows.slice(1).map((row) => [row[0], row[5]])).toEqual([
        ["1", "ヨシダ ジロウ"],
        ["2", "ヤマダ タロウ"],
        ["3", "テスト"],
        ["4", "テスト"],
        ["5", "テスト"],
        ["6", "タカハシ イチロウ"],
        ["7", "サトウ ハナコ"],
        ["8", "イコール"],
      ]);
      expect(rows.slice(3, 6).map((row) => row[3])).toEqual(
        (["ungrouped", "threeG", "cancelled"] as const).map(phone),
      );
    });

    it("an empty result is the header row alone", async () => {
      const text = utf8Text(await get(exportUrl("lines.csv?search=nobody"), manager));
      expect(text).toBe(csv("No.,グループ名,電話番号,氏名,ステータス,機種,バックアップ機能,電話帳移行機能"));
    });
  });

  describe("履歴 (/export/receipts.csv)", () => {
    const historyHeader = "受付番号,管理者名,管理者ID,受付日時,結果日時,利用メニュー,ステータス";

    it('履歴一覧\'s columns, newest first; 受付番号 as ="…" so Excel keeps all 16 digits', async () => {
      const download = await get(exportUrl("receipts.csv"), manager);
      expect(download.headers.get("content-disposition")).toBe(
        `attachment; filename="receipts_20261124_1000.csv"; filename*=UTF-8''${encodeURIComponent("履歴一覧_20261124_1000.csv")}`,
      );
      expect(utf8Text(download)).toBe(
        csv(
          historyHeader,
          `"=""${receipts.groupAdmins}""",グループ管理者A,GroupA@admin,2026/11/24 10:20,,利用可否設定,処理中`,
          `"=""${receipts.passwordMail}""",管理者,Manager@admin,2026/11/24 10:15,2026/11/24 10:16,My SoftBankパスワード通知メール,正常終了`,
          `"=""${receipts.appMail}""",管理者,Manager@admin,2026/11/24 10:10,,アプリダウンロード依頼メール,処理中`,
          `"=""${receipts.permission}""",管理者,Manager@admin,2026/11/24 10:00,,利用可否設定,処理中`,
        ),
      );
    });

    it("Shift_JIS, the password-mail history's columns, and the screen's filters", async () => {
      const text = sjisText(await get(exportUrl("receipts.csv?view=passwordMails&encoding=sjis"), manager));
      expect(text).toBe(
        csv(
          "受付番号,管理者名,管理者ID,受付日時,利用メニュー,ステータス",
          `"=""${receipts.passwordMail}""",管理者,Manager@admin,2026/11/24 10:15,あんしんバックアップ/連絡先コピー設定,正常終了`,
        ),
      );
      const numbers = async (query: string, token = manager) =>
        rowsOf(utf8Text(await get(exportUrl(`receipts.csv?${query}`), token)))
          .slice(1)
          .map((row) => row[0]);
      const cell = (number: string) => `="${number}"`;
      expect(await numbers("kind=PERMISSION_CHANGE")).toEqual([
        cell(receipts.groupAdmins),
        cell(receipts.permission),
      ]);
      expect(await numbers("status=SUCCEEDED")).toEqual([cell(receipts.passwordMail)]);
      expect(await numbers(`number=${receipts.appMail}`)).toEqual([cell(receipts.appMail)]);
      const from = encodeURIComponent("2026-11-24T01:05:00Z");
      const to = encodeURIComponent("2026-11-24T01:12:00Z");
      expect(await numbers(`receivedFrom=${from}&receivedTo=${to}`)).toEqual([cell(receipts.appMail)]);
      // A GROUP administrator sees their own receipts only; nobody sees another account's.
      expect(await numbers("", groupAdmin)).toEqual([cell(receipts.groupAdmins)]);
      expect(await numbers("", manager)).not.toContain(cell(receipts.others));
    });
  });

  describe("履歴詳細 (/export/receipts/<受付番号>/items.csv)", () => {
    it("a permission change line by line: result time, ON/OFF, status with the carrier's error or the wait", async () => {
      const download = await get(exportUrl(`receipts/${receipts.permission}/items.csv`), manager);
      expect(download.headers.get("content-disposition")).toBe(
        `attachment; filename="receipt_${receipts.permission}.csv"; filename*=UTF-8''${encodeURIComponent(`履歴詳細_${receipts.permission}.csv`)}`,
      );
      expect(utf8Text(download)).toBe(
        csv(
          "No.,グループ名,電話番号,氏名,結果日時,バックアップ機能,電話帳移行機能,ステータス",
          `1,営業部,${phone("yamada")},山田 太郎,2026/11/24 10:05,ON,ON,正常終了`,
          `2,営業部,${phone("quoted")},"佐藤, ""花子""",2026/11/24 10:06,ON,OFF,異常終了（キャリアで設定を反映できませんでした。再度お試しください。）`,
          `3,開発部,${phone("takahashi")},髙橋 一郎①,,OFF,ON,処理中 キャリアの応答待ちのため、自動で再試行します（次回 14:00 頃）。`,
        ),
      );
    });

    it("a mail receipt in Shift_JIS: no password column (R10), the receipt's time, 受付済", async () => {
      const text = sjisText(
        await get(exportUrl(`receipts/${receipts.appMail}/items.csv?encoding=sjis`), manager),
      );
      expect(text).toBe(
        csv(
          "No.,グループ名,電話番号,氏名,受付日時,ステータス",
          `1,開発部,${phone("yoshida")},?田 次郎,2026/11/24 10:10,受付済`,
        ),
      );
    });

    it("applies 履歴詳細's filter: statuses (処理中 is PENDING and PROCESSING) and part of a phone number", async () => {
      const numbers = async (query: string) =>
        rowsOf(utf8Text(await get(exportUrl(`receipts/${receipts.permission}/items.csv?${query}`), manager)))
          .slice(1)
          .map((row) => [row[0], row[2]]);
      expect(await numbers("statuses=FAILED")).toEqual([["1", phone("quoted")]]);
      expect(await numbers("statuses=PENDING&statuses=PROCESSING")).toEqual([["1", phone("takahashi")]]);
      const digits = phone("yamada").replaceAll("-", "").slice(-6);
      expect(await numbers(`phoneNumber=${digits}`)).toEqual([["1", phone("yamada")]]);
    });

    it("what the caller may not see is not found: another administrator's to a GROUP administrator, another account's, unknown", async () => {
      expect(refusal(await get(exportUrl(`receipts/${receipts.permission}/items.csv`), groupAdmin))).toEqual({
        status: 404,
        code: "NOT_FOUND",
        message: "指定されたデータは見つかりません。",
      });
      expect(
        utf8Text(await get(exportUrl(`receipts/${receipts.groupAdmins}/items.csv`), groupAdmin)),
      ).toContain(phone("formula"));
      expect(refusal(await get(exportUrl(`receipts/${receipts.others}/items.csv`), manager)).status).toBe(
        404,
      );
      expect(refusal(await get(exportUrl("receipts/2026112499999999/items.csv"), manager)).status).toBe(404);
    });
  });

  describe("who may export", () => {
    it("401 without credentials or with ones the API does not accept", async () => {
      for (const token of [undefined, "not-a-token"]) {
        const download = await get(exportUrl("lines.csv"), token);
        expect(refusal(download)).toEqual({
          status: 401,
          code: "UNAUTHENTICATED",
          message: "ログインしてください。",
        });
        expect(download.headers.get("www-authenticate")).toBe("Bearer");
      }
    });

    it("API tokens need READ_LINES for lines and READ_RECEIPTS for receipts", async () => {
      const token = async (scopes: string[]) => {
        const result = await graphql(
          server.graphqlUrl,
          CREATE_TOKEN,
          { input: { name: scopes.join("+"), scopes } },
          manager,
        );
        return result.data.createApiToken.token as string;
      };
      const linesOnly = await token(["READ_LINES"]);
      const receiptsOnly = await token(["READ_RECEIPTS"]);
      expect(rowsOf(utf8Text(await get(exportUrl("lines.csv"), linesOnly)))).toHaveLength(9);
      expect(refusal(await get(exportUrl("receipts.csv"), linesOnly))).toEqual({
        status: 403,
        code: "FORBIDDEN",
        message: "この操作を行う権限がありません。",
      });
      expect(refusal(await get(exportUrl("lines.csv"), receiptsOnly)).code).toBe("FORBIDDEN");
      expect(
        rowsOf(utf8Text(await get(exportUrl(`receipts/${receipts.permission}/items.csv`), receiptsOnly))),
      ).toHaveLength(4);
    });
  });

  describe("bad requests", () => {
    it.each([
      ["lines.csv?encoding=latin1", "encoding"],
      ["lines.csv?view=groups", "view"],
      ["lines.csv?limit=10", "limit"],
      ["lines.csv?encoding=utf8&encoding=sjis", "encoding"],
      ["lines.csv?status=SLEEPING", "status"],
      ["lines.csv?ungrouped=yes", "ungrouped"],
      [`lines.csv?search=${"あ".repeat(101)}`, "search"],
      ["lines.csv?groupId=not-an-id", "groupId"],
      ["lines.csv?lastAppDownloadMailFrom=2026-11-24", "lastAppDownloadMailFrom"],
      ["lines.csv?orderBy=PASSWORD", "orderBy"],
      ["lines.csv?direction=UP", "direction"],
      ["lines.csv?deviceKinds=PAGER", "deviceKinds"],
      [`lines.csv?${Array.from({ length: 201 }, () => "ids=x").join("&")}`, "ids"],
      ["receipts.csv?kind=MAIL", "kind"],
      [`receipts.csv?number=${"1".repeat(33)}`, "number"],
      ["receipts/20261124/items.csv", "number"],
      ["receipts/2026112400000001/items.csv?view=history", "view"],
      ["receipts/2026112400000001/items.csv?statuses=DONE", "statuses"],
    ])("%s is refused with 400 naming %s", async (path, parameter) => {
      expect(refusal(await get(exportUrl(path), manager))).toEqual({
        status: 400,
        code: "BAD_USER_INPUT",
        message: "CSV出力の指定に誤りがあります。",
        parameter,
      });
    });

    it.each([
      [
        "lines.csv?lastAppDownloadMailFrom=2026-11-25T00:00:00Z&lastAppDownloadMailTo=2026-11-24T00:00:00Z",
        "lastAppDownloadMailTo",
      ],
      ["receipts.csv?receivedFrom=2026-11-25T00:00:00Z&receivedTo=2026-11-24T00:00:00Z", "receivedTo"],
    ])("%s (a period backwards) is refused as the API refuses it", async (path, parameter) => {
      expect(refusal(await get(exportUrl(path), manager))).toEqual({
        status: 400,
        code: "BAD_USER_INPUT",
        message: "期間の指定に誤りがあります。開始日には終了日以前の日付を指定してください。",
        parameter,
      });
    });

    it("a group id of another type is refused; unknown paths are 404; only GET", async () => {
      const lineId = encodeURIComponent(lines.yamada.id);
      expect(refusal(await get(exportUrl(`lines.csv?groupId=${lineId}`), manager)).parameter).toBe("groupId");
      expect(refusal(await get(exportUrl("groups.csv"), manager))).toMatchObject({
        status: 404,
        code: "NOT_FOUND",
      });
      const post = await get(exportUrl("lines.csv"), manager, { method: "POST" });
      expect(refusal(post)).toMatchObject({ status: 405, code: "METHOD_NOT_ALLOWED" });
      expect(post.headers.get("allow")).toBe("GET");
    });
  });
});

describe("CSV exports draw on the caller's rate-limit budget", () => {
  let server: RunningApp;
  let token: string;
  beforeAll(async () => {
    // Room for the sign-in and one export (1,000 points), not two.
    server = await startScenarioApp(exportsScenario, {
      ...env,
      RATE_LIMIT_POINTS: "1500",
      RATE_LIMIT_WINDOW_S: "600",
    });
    token = await loginAs(server.graphqlUrl, "Manager@admin");
  });
  afterAll(() => server.stop());

  it("an export costs 1,000 points, reported in RateLimit-* headers; one that does not fit is 429", async () => {
    const first = await get(`${server.url}/export/lines.csv`, token);
    expect(first.status).toBe(200);
    expect(first.headers.get("ratelimit-limit")).toBe("1500");
    expect(Number(first.headers.get("ratelimit-remaining"))).toBeLessThanOrEqual(500);
    const second = await get(`${server.url}/export/lines.csv`, token);
    expect(refusal(second)).toEqual({
      status: 429,
      code: "RATE_LIMITED",
      message: "操作が集中しています。しばらく経ってから再度お試しください。",
    });
    expect(Number(second.headers.get("retry-after"))).toBeGreaterThan(0);
  });
});

describe("a large account's export (20,000 lines here; 100,000 in the bench, bench/README.md)", () => {
  const LINES = 20_000;
  let server: RunningApp;
  let token: string;
  let otherClient: string;
  let oneGroup: string;
  /** Line.findMany calls the server made so far (the export's pages, and GraphQL's). */
  let lineReads = 0;
  const session = new Session();
  const FINISHED = "export finished";
  const STOPPED = "export stopped: the response was closed before the end";

  beforeAll(async () => {
    server = await startTestApp(
      { ...env, LOG_LEVEL: "info" },
      {
        seedDemo: false,
        startWorker: false,
        onOperation: (model, operation) => {
          if (model === "Line" && operation === "findMany") lineReads++;
        },
      },
    );
    const prisma = server.app.database.prisma;
    await seedLargeAccount(prisma, {
      lines: LINES,
      code: "csv",
      password: "demo-pass",
      now: server.app.clock.now(),
    });
    token = await loginAs(server.graphqlUrl, "Bench-csv@admin");
    // Another session: another client as far as the server knows.
    otherClient = await loginAs(server.graphqlUrl, "Bench-csv@admin");
    const groups = await graphql(
      server.graphqlUrl,
      "{ groups(first: 1) { edges { node { id } } } }",
      {},
      token,
    );
    oneGroup = encodeURIComponent(groups.data.groups.edges[0].node.id);
    session.connect();
  }, 180_000);
  afterAll(async () => {
    session.disconnect();
    await server?.stop();
  });

  const PAGE =
    "{ lines(first: 50) { totalCount edges { node { id phoneNumber name status group { id name } } } } }";
  async function timedPage(): Promise<number> {
    const begun = performance.now();
    const result = await graphql(server.graphqlUrl, PAGE, {}, otherClient);
    expect(result.data.lines.edges).toHaveLength(50);
    return performance.now() - begun;
  }
  const median = (values: number[]) =>
    [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

  /** Heap in use after a full collection, in-process (the server runs in this process). */
  async function heapUsed(): Promise<number> {
    let last = Number.POSITIVE_INFINITY;
    for (let i = 0; i < 8; i++) {
      await session.post("HeapProfiler.collectGarbage");
      const used = process.memoryUsage().heapUsed;
      if (Math.abs(last - used) < 256 * 1024) return used;
      last = used;
    }
    return last;
  }

  it("streams every line while another client's pages keep answering", async () => {
    const baseline: number[] = [];
    for (let i = 0; i < 10; i++) baseline.push(await timedPage());
    const readsBefore = lineReads;
    const response = await fetch(`${server.url}/export/lines.csv`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(response.status).toBe(200);
    const reader = response.body!.getReader();
    let exporting = true;
    const during: number[] = [];
    const pages = (async () => {
      while (exporting) during.push(await timedPage());
    })();
    let newlines = 0;
    let tail = "";
    const decoder = new TextDecoder();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      for (const byte of value) if (byte === 0x0a) newlines++;
      tail = (tail + decoder.decode(value, { stream: true })).slice(-300);
    }
    exporting = false;
    await pages;
    expect(newlines).toBe(LINES + 1);
    expect(tail.split("\r\n").at(-2)).toMatch(/^20000,グループ\d\d,070-/);
    // Pages of EXPORT_PAGE_SIZE (and one that finds nothing more); the other client's pages read one each.
    expect(lineReads - readsBefore - during.length).toBe(LINES / EXPORT_PAGE_SIZE + 1);
    // Answered all along (a page waits at most for a page of the export), not once it is over.
    expect(during.length).toBeGreaterThanOrEqual(3);
    expect(median(during)).toBeLessThan(10 * median(baseline) + 250);
  });

  it("holds a page at a time: memory stays flat while 20,000 lines stream", async () => {
    // What the rows alone take when held at once, measured in this run.
    const prisma = server.app.database.prisma;
    const empty = await heapUsed();
    const all = await prisma.line.findMany({
      select: {
        phoneNumber: true,
        name: true,
        status: true,
        contractStatus: true,
        deviceKind: true,
        backup: true,
        phonebookMigration: true,
        group: { select: { name: true } },
      },
    });
    const held = (await heapUsed()) - empty;
    expect(all).toHaveLength(LINES);

    const response = await fetch(`${server.url}/export/lines.csv`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const reader = response.body!.getReader();
    // The heap after each chunk the client takes; what it rose by since its lowest point before.
    let lowest = Number.POSITIVE_INFINITY;
    let rise = 0;
    let chunks = 0;
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      chunks += value.length > 0 ? 1 : 0;
      const used = await heapUsed();
      rise = Math.max(rise, used - lowest);
      lowest = Math.min(lowest, used);
    }
    expect(chunks).toBeGreaterThanOrEqual(5);
    // Holding the rows would raise the heap by `held` (5.8 MB in one run); streaming rose by 0.8 MB at most.
    expect(rise).toBeLessThan(held / 2);
  });

  it("stops reading when the client goes away", async () => {
    const before = lineReads;
    const controller = new AbortController();
    const response = await fetch(`${server.url}/export/lines.csv?view=passwords`, {
      headers: { authorization: `Bearer ${token}` },
      signal: controller.signal,
    });
    await response.body!.getReader().read();
    controller.abort();
    const stopped = await server.waitForLog((line) => line.msg === STOPPED);
    const readsAtStop = lineReads;
    expect(stopped.rows).toBeLessThan(LINES / 2);
    expect(readsAtStop - before).toBeLessThanOrEqual((stopped.rows as number) / EXPORT_PAGE_SIZE + 1);
    // Nothing reads on behind the next export's back: it adds its own one page of reads, no more.
    expect(
      rowsOf(utf8Text(await get(`${server.url}/export/lines.csv?groupId=${oneGroup}`, token))),
    ).toHaveLength(LINES / 50 + 1);
    expect(lineReads - readsAtStop).toBe(1);
  });

  it("a credential runs two exports at a time; a third is refused while they run", async () => {
    const ended = () => server.logs.filter((line) => line.msg === FINISHED || line.msg === STOPPED).length;
    const endedBefore = ended();
    /** An export whose client reads nothing (yet): it runs until it is done or the client goes. */
    const unread = () =>
      new Promise<IncomingMessage>((resolve, reject) => {
        const request = httpGet(
          `${server.url}/export/lines.csv?view=passwords`,
          { headers: { authorization: `Bearer ${token}` } },
          resolve,
        );
        request.on("error", reject);
      });
    const running = [await unread(), await unread()];
    expect(running.map((response) => response.statusCode)).toEqual([200, 200]);
    expect(refusal(await get(`${server.url}/export/lines.csv`, token))).toEqual({
      status: 429,
      code: "EXPORT_BUSY",
      message: "ほかのCSV出力を実行中です。終わってから再度お試しください。",
    });
    for (const response of running) response.destroy();
    await waitUntil(ended, (n) => n === endedBefore + 2, { what: "both exports to end" });
    expect((await get(`${server.url}/export/lines.csv?groupId=${oneGroup}`, token)).status).toBe(200);
  });
});
