// R16 Out-of-service lines through GraphQL: a 3G line chosen on its own is
// refused by 確認, 決定, both mails and their resends, with the manual's text
// and the line named; featureAccess answers for it as for an unknown number.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningApp, startTestApp } from "../support/app.ts";
import { graphql, loginAs } from "../support/graphql.ts";

const env = { FAKE_NOW: "2026-11-24T10:00:00+09:00", CARRIER_LATENCY_MS: "0", CARRIER_FAILURE_RATE: "0" };
const REFUSAL = {
  code: "OUT_OF_SERVICE_LINE_SELECTED",
  message: "ご利用いただけない契約の対象者が選択されています。",
  field: null,
};

const PREVIEW = /* GraphQL */ `
  mutation ($input: PermissionChangeInput!) {
    previewPermissionChange(input: $input) {
      totalCount previewToken
      userErrors { code message field lineIds }
    }
  }`;
const SUBMIT = /* GraphQL */ `
  mutation ($input: PermissionChangeInput!) {
    submitPermissionChange(input: $input) { receipt { id } userErrors { code message field lineIds } }
  }`;
const SEND = (name: string) => /* GraphQL */ `
  mutation ($input: SendMailInput!) {
    ${name}(input: $input) {
      receipt { id }
      skipped { code line { id } }
      userErrors { code message field lineIds }
    }
  }`;
const RESEND = (name: string) => /* GraphQL */ `
  mutation ($input: ResendMailInput!) {
    ${name}(input: $input) { receipt { id } userErrors { code message field lineIds } }
  }`;

interface DemoLine {
  id: string;
  phoneNumber: string;
  deviceKind: string;
  appPreinstalled: boolean;
}

describe("R16 out-of-service (3G) lines", () => {
  let server: RunningApp;
  let token: string;
  let threeG: DemoLine[];
  let others: DemoLine[];

  // No carrier worker: refused requests must leave nothing behind, and
  // accepted mails (to set up resends) need not be delivered.
  beforeAll(async () => {
    server = await startTestApp(env, { startWorker: false });
    token = await loginAs(server.graphqlUrl, "Manager@admin");
    const fields = "edges { node { id phoneNumber deviceKind appPreinstalled } }";
    const page: any = await graphql(
      server.graphqlUrl,
      `{ threeG: lines(first: 10, filter: {outOfService: true}) { totalCount ${fields} }
         others: lines(first: 50, filter: {contractStatus: ACTIVE, outOfService: false, deviceKind: IPHONE}) { ${fields} } }`,
      {},
      token,
    );
    threeG = page.data.threeG.edges.map((e: any) => e.node);
    others = page.data.others.edges.map((e: any) => e.node).filter((l: DemoLine) => !l.appPreinstalled);
    expect(page.data.threeG.totalCount).toBe(3);
    expect(threeG.every((l) => l.deviceKind === "FEATURE_PHONE_3G")).toBe(true);
  });
  afterAll(() => server.stop());

  async function nothingWritten<T>(run: () => Promise<T>): Promise<T> {
    const prisma = server.app.database.prisma;
    const count = async () => ({
      receipts: await prisma.receipt.count(),
      processing: await prisma.line.count({ where: { status: "PROCESSING" } }),
    });
    const before = await count();
    const result = await run();
    expect(await count()).toEqual(before);
    return result;
  }

  it("R16: 確認 refuses a 3G line chosen on its own, naming it, and hands out no previewToken", async () => {
    const result: any = await graphql(
      server.graphqlUrl,
      PREVIEW,
      {
        input: {
          lines: [others[0]!, threeG[0]!].map((l) => ({
            lineId: l.id,
            backup: true,
            phonebookMigration: true,
          })),
        },
      },
      token,
    );
    expect(result.data.previewPermissionChange).toEqual({
      totalCount: 2,
      previewToken: null,
      userErrors: [{ ...REFUSAL, lineIds: [threeG[0]!.id] }],
    });
  });

  it("R16: 決定 refuses it and writes nothing", async () => {
    const result: any = await nothingWritten(() =>
      graphql(
        server.graphqlUrl,
        SUBMIT,
        {
          input: {
            lines: [threeG[0]!, others[0]!, threeG[1]!].map((l) => ({
              lineId: l.id,
              backup: false,
              phonebookMigration: true,
            })),
          },
        },
        token,
      ),
    );
    expect(result.data.submitPermissionChange.receipt).toBeNull();
    expect(result.data.submitPermissionChange.userErrors).toEqual([
      { ...REFUSAL, lineIds: [threeG[0]!.id, threeG[1]!.id] },
    ]);
  });

  for (const name of ["sendAppDownloadMail", "sendPasswordNotice"]) {
    it(`R16: ${name} refuses it instead of skipping it, and writes nothing`, async () => {
      const result: any = await nothingWritten(() =>
        graphql(server.graphqlUrl, SEND(name), { input: { lineIds: [others[1]!.id, threeG[2]!.id] } }, token),
      );
      expect(result.data[name]).toEqual({
        receipt: null,
        skipped: [],
        userErrors: [{ ...REFUSAL, lineIds: [threeG[2]!.id] }],
      });
    });
  }

  it("R16: パスワード照会 refuses it too", async () => {
    const result: any = await graphql(
      server.graphqlUrl,
      "mutation ($ids: [ID!]!) { inquirePasswords(input: {lineIds: $ids}) { passwords { password } userErrors { code message field lineIds } } }",
      { ids: [threeG[0]!.id] },
      token,
    );
    expect(result.data.inquirePasswords).toEqual({
      passwords: [],
      userErrors: [{ ...REFUSAL, lineIds: [threeG[0]!.id] }],
    });
  });

  for (const [send, resend] of [
    ["sendAppDownloadMail", "resendAppDownloadMail"],
    ["sendPasswordNotice", "resendPasswordNotice"],
  ] as const) {
    it(`R16: ${resend} re-checks today's lines and refuses a line now out of service`, async () => {
      // A mail accepted while the line was an iPhone; the carrier's roster now
      // says it is a 3G phone (the only way a 3G line gets into a mail receipt).
      const line = others[send === "sendAppDownloadMail" ? 2 : 3]!;
      const sent: any = await graphql(
        server.graphqlUrl,
        SEND(send),
        { input: { lineIds: [line.id] } },
        token,
      );
      expect(sent.data[send].userErrors).toEqual([]);
      const prisma = server.app.database.prisma;
      const phone = { phoneNumber: line.phoneNumber };
      await prisma.line.updateMany({ where: phone, data: { deviceKind: "FEATURE_PHONE_3G" } });
      try {
        const result: any = await nothingWritten(() =>
          graphql(
            server.graphqlUrl,
            RESEND(resend),
            { input: { receiptId: sent.data[send].receipt.id } },
            token,
          ),
        );
        expect(result.data[resend]).toEqual({
          receipt: null,
          userErrors: [{ ...REFUSAL, lineIds: [line.id] }],
        });
      } finally {
        await prisma.line.updateMany({ where: phone, data: { deviceKind: "IPHONE" } });
      }
    });
  }

  it("R16: featureAccess for a 3G line answers exactly as for an unknown number", async () => {
    const actions = [
      "SAVE_TO_SERVER",
      "RESTORE_FROM_SERVER",
      "IMPORT_PHONEBOOK",
      "SAVE_TO_LOCAL",
      "RESTORE_FROM_LOCAL",
    ];
    const fields = "allowed feature errorCode message menuItem";
    for (const app of ["FEATURE_PHONE_4G", "IPHONE", "SMARTPHONE", "WINDOWS10_MOBILE"]) {
      const ask = (alias: string, phone: string) =>
        actions
          .map(
            (action) =>
              `${alias}_${action}: featureAccess(phoneNumber: "${phone}", app: ${app}, action: ${action}) { ${fields} }`,
          )
          .join("\n");
      const result: any = await graphql(
        server.graphqlUrl,
        `{ ${ask("threeG", threeG[0]!.phoneNumber)} ${ask("unknown", "090-9999-9999")} }`,
        {},
        token,
      );
      expect(result.errors).toBeUndefined();
      for (const action of actions) {
        expect(result.data[`threeG_${action}`], `${app} ${action}`).toEqual(result.data[`unknown_${action}`]);
      }
      expect(result.data.threeG_SAVE_TO_SERVER).toMatchObject({ allowed: false, errorCode: "2105" });
    }
  });
});
