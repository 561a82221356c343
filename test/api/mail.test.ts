// R9 app-download mail, R10 password notice and inquiry, R11 resend — with the
// outbox (no SMTP_URL) and with a real SMTP server on loopback.
// Scenario: mailScenario (one line of each device kind).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appUrls } from "../../domain/rules/mail.ts";
import { mailScenario } from "../scenarios/mail.scenarios.ts";
import type { Seeded } from "../scenarios/scenario.ts";
import { type RunningApp, startScenarioApp } from "../support/app.ts";
import { graphql, loginAs } from "../support/graphql.ts";
import { startSmtp, type TestSmtp } from "../support/smtp.ts";
import { waitForFinalReceiptOverApi } from "../support/wait.ts";

const env = { FAKE_NOW: "2026-11-24T10:00:00+09:00", CARRIER_LATENCY_MS: "0", CARRIER_FAILURE_RATE: "0" };

const SEND = (name: string) => /* GraphQL */ `
  mutation ($input: SendMailInput!) {
    ${name}(input: $input) {
      receipt { id number kind status items(first: 200) { edges { node { id phoneNumber status error { code message } } } } }
      skipped { line { id phoneNumber } code reason }
      userErrors { code message field lineIds }
    }
  }`;
const RESEND = (name: string) => /* GraphQL */ `
  mutation ($input: ResendMailInput!) {
    ${name}(input: $input) { receipt { id number resendOf { number } } userErrors { code message } }
  }`;

// What a finished mail receipt is checked for (waitForFinalReceiptOverApi adds status).
const FINAL_FIELDS = "items(first: 200) { edges { node { id phoneNumber status error { code message } } } }";

describe("mail into the outbox (no SMTP_URL)", () => {
  let server: RunningApp;
  let token: string;
  let lines: Seeded<keyof typeof mailScenario.account.lines>["lines"];
  beforeAll(async () => {
    const started = await startScenarioApp(mailScenario, env);
    server = started;
    lines = started.data.lines;
    token = await loginAs(server.graphqlUrl, "Manager@admin");
  });
  afterAll(() => server.stop());

  it("R9: sends by device kind, skips 4G feature phones and preinstalled apps with reasons", async () => {
    const { iphone, android, windows, featurePhone: feature, preinstalledAndroid: preinstalled } = lines;
    const result: any = await graphql(
      server.graphqlUrl,
      SEND("sendAppDownloadMail"),
      { input: { lineIds: [iphone.id, android.id, windows.id, feature.id, preinstalled.id] } },
      token,
    );
    const payload = result.data.sendAppDownloadMail;
    expect(payload.userErrors).toEqual([]);
    expect(payload.skipped.map((s: any) => [s.line.id, s.code, s.reason]).sort()).toEqual(
      [
        [feature.id, "NO_APP_DOWNLOAD_NEEDED", "4Gケータイはアプリのダウンロードが不要です。"],
        [preinstalled.id, "APP_PREINSTALLED", "アプリがプリインストールされているため、送信不要です。"],
      ].sort(),
    );
    expect(payload.receipt.kind).toBe("APP_DOWNLOAD_MAIL");
    expect(payload.receipt.items.edges).toHaveLength(3);
    expect(
      (await waitForFinalReceiptOverApi(server.graphqlUrl, token, payload.receipt.number, FINAL_FIELDS))
        .status,
    ).toBe("SUCCEEDED");

    const prisma = server.app.database.prisma;
    const mails = await prisma.mailMessage.findMany({ include: { receiptItem: true } });
    const bodyFor = (phone: string) => mails.find((m) => m.receiptItem?.phoneNumber === phone)!.body;
    expect(bodyFor(iphone.phoneNumber)).toContain(appUrls.ANSHIN_BACKUP);
    expect(bodyFor(android.phoneNumber)).toContain(appUrls.ANSHIN_BACKUP);
    expect(bodyFor(windows.phoneNumber)).toContain(appUrls.CONTACT_COPY);
    expect(mails.every((m) => m.status === "SENT" && m.transport === "outbox")).toBe(true);
    const sent = await prisma.line.findMany({
      where: { phoneNumber: { in: [iphone.phoneNumber, windows.phoneNumber] } },
    });
    // 依頼メール送信日時 is the server clock (FAKE_NOW 10:00 JST) at delivery.
    for (const line of sent) {
      const at = line.lastAppDownloadMailAt!.getTime() - Date.parse("2026-11-24T01:00:00Z");
      expect(at).toBeGreaterThanOrEqual(0);
      expect(at).toBeLessThan(60_000);
    }
  });

  it("NOTHING_TO_SEND when every selected line needs no mail; R3 errors as for permission changes", async () => {
    const feature = [lines.featurePhone, lines.otherFeaturePhone];
    const nothing: any = await graphql(
      server.graphqlUrl,
      SEND("sendAppDownloadMail"),
      { input: { lineIds: feature.map((l) => l.id) } },
      token,
    );
    expect(nothing.data.sendAppDownloadMail.receipt).toBeNull();
    expect(nothing.data.sendAppDownloadMail.userErrors).toEqual([
      { code: "NOTHING_TO_SEND", message: "送信が必要な回線がありません。", field: null, lineIds: [] },
    ]);
    expect(nothing.data.sendAppDownloadMail.skipped).toHaveLength(2);

    const empty: any = await graphql(
      server.graphqlUrl,
      SEND("sendAppDownloadMail"),
      { input: { lineIds: [] } },
      token,
    );
    expect(empty.data.sendAppDownloadMail.userErrors[0]).toMatchObject({
      code: "NO_LINES_SELECTED",
      message: "ユーザが1件も選択されていません。",
    });
    const { cancelled } = lines;
    const withCancelled: any = await graphql(
      server.graphqlUrl,
      SEND("sendPasswordNotice"),
      { input: { lineIds: [cancelled.id] } },
      token,
    );
    expect(withCancelled.data.sendPasswordNotice.userErrors[0]).toMatchObject({
      code: "CANCELLED_LINE_SELECTED",
      message: "ご利用いただけない契約の対象者が選択されています。",
    });
  });

  it("R10: password notices skip Windows 10 Mobile and keep no password in the outbox; 照会 is audited without it", async () => {
    const { iphone, windows } = lines;
    const result: any = await graphql(
      server.graphqlUrl,
      SEND("sendPasswordNotice"),
      { input: { lineIds: [iphone.id, windows.id] } },
      token,
    );
    const payload = result.data.sendPasswordNotice;
    expect(payload.skipped.map((s: any) => [s.code, s.reason])).toEqual([
      ["NO_PASSWORD_NOTICE_NEEDED", "Windows 10 Mobileはパスワード通知の対象外です。"],
    ]);
    expect(
      (await waitForFinalReceiptOverApi(server.graphqlUrl, token, payload.receipt.number, FINAL_FIELDS))
        .status,
    ).toBe("SUCCEEDED");

    const prisma = server.app.database.prisma;
    const password = (
      await prisma.carrierLine.findUniqueOrThrow({ where: { phoneNumber: iphone.phoneNumber } })
    ).mySoftbankPassword;
    const notice = await prisma.mailMessage.findFirstOrThrow({ where: { kind: "PASSWORD_NOTICE" } });
    expect(notice.body).not.toContain(password);
    expect(notice.body).toContain("********");

    const inquiry: any = await graphql(
      server.graphqlUrl,
      "mutation ($ids: [ID!]!) { inquirePasswords(input: {lineIds: $ids}) { passwords { line { phoneNumber } password } userErrors { code } } }",
      { ids: [iphone.id] },
      token,
    );
    expect(inquiry.data.inquirePasswords).toEqual({
      passwords: [{ line: { phoneNumber: iphone.phoneNumber }, password }],
      userErrors: [],
    });
    const audits = await prisma.auditEvent.findMany({ where: { action: "PASSWORD_INQUIRY" } });
    expect(audits).toHaveLength(1);
    expect(JSON.stringify(audits)).not.toContain(password);

    const groupA = await loginAs(server.graphqlUrl, "GroupA@admin");
    const refused = await graphql(
      server.graphqlUrl,
      "mutation ($ids: [ID!]!) { inquirePasswords(input: {lineIds: $ids}) { passwords { password } } }",
      { ids: [iphone.id] },
      groupA,
    );
    expect(refused.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
  });
});

describe("mail over SMTP (a real SMTP server on loopback)", () => {
  let smtp: TestSmtp;
  let server: RunningApp;
  let token: string;
  let lines: Seeded<keyof typeof mailScenario.account.lines>["lines"];
  beforeAll(async () => {
    smtp = await startSmtp();
    const started = await startScenarioApp(mailScenario, { ...env, SMTP_URL: smtp.url });
    server = started;
    lines = started.data.lines;
    token = await loginAs(server.graphqlUrl, "Manager@admin");
  });
  afterAll(async () => {
    await server.stop();
    await smtp.close();
  });

  it("delivers the password notice with the password to the line's address", async () => {
    const { android } = lines;
    const prisma = server.app.database.prisma;
    const line = await prisma.line.findFirstOrThrow({ where: { phoneNumber: android.phoneNumber } });
    const password = (
      await prisma.carrierLine.findUniqueOrThrow({ where: { phoneNumber: android.phoneNumber } })
    ).mySoftbankPassword;
    const result: any = await graphql(
      server.graphqlUrl,
      SEND("sendPasswordNotice"),
      { input: { lineIds: [android.id] } },
      token,
    );
    expect(
      (
        await waitForFinalReceiptOverApi(
          server.graphqlUrl,
          token,
          result.data.sendPasswordNotice.receipt.number,
          FINAL_FIELDS,
        )
      ).status,
    ).toBe("SUCCEEDED");
    const mail = smtp.received.find((m) => JSON.stringify(m.to).includes(line.mailAddress))!;
    expect(mail.subject).toBe("【My SoftBank】パスワードのお知らせ");
    expect(mail.text).toContain(`パスワード: ${password}`);
  });

  it("an SMTP refusal fails the item; a resend of that item succeeds once the mailbox accepts (R11)", async () => {
    const iphones = [lines.refusedIphone, lines.acceptedIphone];
    const prisma = server.app.database.prisma;
    const refused = await prisma.line.findFirstOrThrow({ where: { phoneNumber: iphones[0]!.phoneNumber } });
    smtp.reject.add(refused.mailAddress);

    const result: any = await graphql(
      server.graphqlUrl,
      SEND("sendAppDownloadMail"),
      { input: { lineIds: iphones.map((l) => l.id) } },
      token,
    );
    const receipt = await waitForFinalReceiptOverApi(
      server.graphqlUrl,
      token,
      result.data.sendAppDownloadMail.receipt.number,
      FINAL_FIELDS,
    );
    expect(receipt.status).toBe("FAILED");
    const failed = receipt.items.edges.map((e: any) => e.node).find((i: any) => i.status === "FAILED");
    expect(failed).toMatchObject({
      phoneNumber: refused.phoneNumber,
      error: { code: "MAIL_FAILED", message: "メールを送信できませんでした。" },
    });
    expect(receipt.items.edges.filter((e: any) => e.node.status === "SUCCEEDED")).toHaveLength(1);

    smtp.reject.clear();
    const before = smtp.received.length;
    const resent: any = await graphql(
      server.graphqlUrl,
      RESEND("resendAppDownloadMail"),
      { input: { receiptId: result.data.sendAppDownloadMail.receipt.id, itemIds: [failed.id] } },
      token,
    );
    expect(resent.data.resendAppDownloadMail.userErrors).toEqual([]);
    expect(resent.data.resendAppDownloadMail.receipt.resendOf.number).toBe(
      result.data.sendAppDownloadMail.receipt.number,
    );
    const second = await waitForFinalReceiptOverApi(
      server.graphqlUrl,
      token,
      resent.data.resendAppDownloadMail.receipt.number,
      FINAL_FIELDS,
    );
    expect(second.status).toBe("SUCCEEDED");
    expect(second.items.edges.map((e: any) => e.node.phoneNumber)).toEqual([refused.phoneNumber]);
    expect(smtp.received.length).toBe(before + 1);
    expect(JSON.stringify(smtp.received.at(-1)!.to)).toContain(refused.mailAddress);
  });
});
