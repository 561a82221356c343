// R19 retryFailedItems (issue 17, 「異常終了分を再設定」): a permission change's
// failed items become a new receipt with their original targets, linked to
// the original both ways, accepted as submitPermissionChange is (R3–R5, R16,
// R17), by whoever may change those lines.
// Scenario: retryScenario (lines of 営業部 and 開発部, another account). The
// carrier is reached over HTTP (CARRIER_URL) and rejects the lines a test
// names (test/support/rejecting-carrier.ts); everything else goes to the
// simulator on the app's database.
import { decodeGlobalID } from "@pothos/plugin-relay";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { carrierMessages, retryMessages, userErrorMessages } from "../../domain/messages.ts";
import { createCarrierSimulator } from "../../services/carrier/simulator.ts";
import { retryScenario } from "../scenarios/retry.scenarios.ts";
import type { Seeded, SeededLine } from "../scenarios/scenario.ts";
import { type RunningApp, startScenarioApp } from "../support/app.ts";
import { graphql, loginAs } from "../support/graphql.ts";
import { type RejectingCarrier, startRejectingCarrier } from "../support/rejecting-carrier.ts";
import { waitForFinalReceiptOverApi, waitUntil } from "../support/wait.ts";

const env = { FAKE_NOW: "2026-11-24T10:00:00+09:00", CARRIER_LATENCY_MS: "0", CARRIER_FAILURE_RATE: "0" };

const ITEM_FIELDS = "id phoneNumber backup phonebookMigration status error { code message } line { id }";
const RECEIPT_FIELDS = `id number kind status resendOf { id number } retryableItemCount
  items(first: 20) { edges { node { ${ITEM_FIELDS} } } }`;

const SUBMIT = /* GraphQL */ `
  mutation ($input: PermissionChangeInput!) {
    submitPermissionChange(input: $input) { receipt { id number } userErrors { code message lineIds } }
  }`;

const RETRY = /* GraphQL */ `
  mutation ($input: RetryFailedItemsInput!) {
    retryFailedItems(input: $input) {
      replayed
      receipt { ${RECEIPT_FIELDS} }
      userErrors { code message field lineIds }
    }
  }`;

const LINEAGE = /* GraphQL */ `
  query ($n: String!) {
    receipt(number: $n) {
      number retryableItemCount resendOf { number }
      resends(first: 20) { totalCount edges { node { number kind status resendOf { number } } } }
    }
  }`;

interface Item {
  id: string;
  phoneNumber: string;
  backup: boolean;
  phonebookMigration: boolean;
  status: string;
  error: { code: string; message: string } | null;
  line: { id: string } | null;
}
interface Receipt {
  id: string;
  number: string;
  kind: string;
  status: string;
  resendOf: { id: string; number: string } | null;
  retryableItemCount: number;
  items: Item[];
}

type Target = [line: SeededLine, backup: boolean, phonebookMigration: boolean];
type Lines = Seeded<keyof typeof retryScenario.account.lines>["lines"];

let carrier: RejectingCarrier;
let server: RunningApp;
let lines: Lines;
let manager: string;

beforeAll(async () => {
  carrier = await startRejectingCarrier();
  const started = await startScenarioApp(retryScenario, { ...env, CARRIER_URL: carrier.url });
  server = started;
  lines = started.data.lines;
  carrier.attach(
    createCarrierSimulator(server.app.database.prisma, { latencyMs: { min: 0, max: 0 }, failureRate: 0 }),
  );
  manager = await loginAs(server.graphqlUrl, "Manager@admin");
});

afterAll(async () => {
  await server?.stop();
  await carrier?.stop();
});

const flatten = (receipt: any): Receipt => ({
  ...receipt,
  items: receipt.items.edges.map((e: { node: Item }) => e.node),
});

async function finished(token: string, number: string): Promise<Receipt> {
  return flatten(await waitForFinalReceiptOverApi(server.graphqlUrl, token, number, RECEIPT_FIELDS));
}

/** Submits `targets`; the carrier rejects `failing` until the receipt has finished. */
async function batch(token: string, targets: Target[], failing: SeededLine[]): Promise<Receipt> {
  carrier.reject(failing.map((line) => line.phoneNumber));
  try {
    const result = await graphql(
      server.graphqlUrl,
      SUBMIT,
      {
        input: {
          lines: targets.map(([line, backup, phonebookMigration]) => ({
            lineId: line.id,
            backup,
            phonebookMigration,
          })),
        },
      },
      token,
    );
    const payload = result.data.submitPermissionChange;
    expect(payload.userErrors).toEqual([]);
    return await finished(token, payload.receipt.number);
  } finally {
    carrier.accept();
  }
}

async function retry(token: string, input: Record<string, unknown>) {
  const result = await graphql(server.graphqlUrl, RETRY, { input }, token);
  expect(result.errors).toBeUndefined();
  const payload = result.data.retryFailedItems;
  return { ...payload, receipt: payload.receipt ? flatten(payload.receipt) : null } as {
    replayed: boolean;
    receipt: Receipt | null;
    userErrors: { code: string; message: string; field: string | null; lineIds: string[] }[];
  };
}

const itemOf = (receipt: Receipt, line: SeededLine) => {
  const item = receipt.items.find((i) => i.phoneNumber === line.phoneNumber);
  if (!item) throw new Error(`no item for ${line.phoneNumber} in ${receipt.number}`);
  return item;
};

const countReceipts = () => server.app.database.prisma.receipt.count();

const flagsOf = async (line: SeededLine) =>
  server.app.database.prisma.line.findUniqueOrThrow({
    where: { id: line.rawId },
    select: { backup: true, phonebookMigration: true, status: true },
  });

describe("retryFailedItems", () => {
  it("retries every failed line with its original targets as a new receipt, linked both ways", async () => {
    const { allA, allB, allC, allD } = lines;
    const original = await batch(
      manager,
      [
        [allA, true, false],
        [allB, true, true],
        [allC, false, true],
        [allD, false, false],
      ],
      [allB, allD],
    );
    expect(original.status).toBe("FAILED");
    expect(original.retryableItemCount).toBe(2);
    for (const line of [allB, allD]) {
      expect(itemOf(original, line)).toMatchObject({
        status: "FAILED",
        error: { code: "CARRIER_REJECTED", message: carrierMessages.CARRIER_REJECTED },
      });
    }

    const retried = await retry(manager, { receiptId: original.id });
    expect(retried.userErrors).toEqual([]);
    expect(retried.replayed).toBe(false);
    const receipt = retried.receipt!;
    expect(receipt).toMatchObject({ kind: "PERMISSION_CHANGE", resendOf: { number: original.number } });
    expect(receipt.number).not.toBe(original.number);
    expect(
      receipt.items.map((i) => [i.phoneNumber, i.line?.id, i.backup, i.phonebookMigration]).sort(),
    ).toEqual(
      [
        [allB.phoneNumber, allB.id, true, true],
        [allD.phoneNumber, allD.id, false, false],
      ].sort(),
    );

    const done = await finished(manager, receipt.number);
    expect(done.status).toBe("SUCCEEDED");
    expect(done.items.map((i) => i.status)).toEqual(["SUCCEEDED", "SUCCEEDED"]);
    expect(await flagsOf(allB)).toEqual({ backup: true, phonebookMigration: true, status: "IN_SERVICE" });
    expect(await flagsOf(allD)).toEqual({ backup: false, phonebookMigration: false, status: "IN_SERVICE" });

    // Lineage both ways: the original lists its retry; the retry points back.
    const up = await graphql(server.graphqlUrl, LINEAGE, { n: original.number }, manager);
    expect(up.data.receipt).toEqual({
      number: original.number,
      retryableItemCount: 0,
      resendOf: null,
      resends: {
        totalCount: 1,
        edges: [
          {
            node: {
              number: receipt.number,
              kind: "PERMISSION_CHANGE",
              status: "SUCCEEDED",
              resendOf: { number: original.number },
            },
          },
        ],
      },
    });
    const down = await graphql(server.graphqlUrl, LINEAGE, { n: receipt.number }, manager);
    expect(down.data.receipt).toMatchObject({
      resendOf: { number: original.number },
      resends: { totalCount: 0, edges: [] },
    });

    // Item by item, and in the audit log (R15).
    const prisma = server.app.database.prisma;
    const items = await prisma.receiptItem.findMany({ where: { receipt: { number: receipt.number } } });
    expect(items.map((i) => i.resendOfId).sort()).toEqual(
      [itemOf(original, allB).id, itemOf(original, allD).id].map((id) => decodeGlobalID(id).id).sort(),
    );
    const audit = await prisma.auditEvent.findFirstOrThrow({
      where: { receiptId: decodeGlobalID(receipt.id).id },
    });
    expect(audit).toMatchObject({
      action: "PERMISSION_CHANGE_RETRIED",
      detail: { number: receipt.number, lines: 2, resendOf: decodeGlobalID(original.id).id },
    });

    // Nothing is left to retry from the original.
    const again = await retry(manager, { receiptId: original.id });
    expect(again.receipt).toBeNull();
    expect(again.userErrors).toEqual([
      { code: "NOTHING_TO_RETRY", message: retryMessages.NOTHING_TO_RETRY, field: null, lineIds: [] },
    ]);
  });

  it("retries only the failed items chosen; the others stay retryable", async () => {
    const { chosenA, chosenB, chosenC } = lines;
    const original = await batch(
      manager,
      [
        [chosenA, true, true],
        [chosenB, true, false],
        [chosenC, false, true],
      ],
      [chosenA, chosenB, chosenC],
    );
    expect(original.items.map((i) => i.status)).toEqual(["FAILED", "FAILED", "FAILED"]);

    const one = await retry(manager, { receiptId: original.id, itemIds: [itemOf(original, chosenB).id] });
    expect(one.userErrors).toEqual([]);
    expect(one.receipt!.items.map((i) => [i.phoneNumber, i.backup, i.phonebookMigration])).toEqual([
      [chosenB.phoneNumber, true, false],
    ]);
    expect((await finished(manager, one.receipt!.number)).status).toBe("SUCCEEDED");

    // Without itemIds: the failed items no retry took up yet.
    const rest = await retry(manager, { receiptId: original.id });
    expect(rest.userErrors).toEqual([]);
    expect(rest.receipt!.items.map((i) => i.phoneNumber).sort()).toEqual(
      [chosenA.phoneNumber, chosenC.phoneNumber].sort(),
    );
    expect((await finished(manager, rest.receipt!.number)).status).toBe("SUCCEEDED");
    const lineage = await graphql(server.graphqlUrl, LINEAGE, { n: original.number }, manager);
    expect(lineage.data.receipt.resends.edges.map((e: any) => e.node.number)).toEqual([
      one.receipt!.number,
      rest.receipt!.number,
    ]);
  });

  it("refuses a chosen item that did not fail, an item of another receipt and an empty choice; writes nothing", async () => {
    const { refusedA, refusedB } = lines;
    const original = await batch(
      manager,
      [
        [refusedA, true, true],
        [refusedB, true, true],
      ],
      [refusedB],
    );
    const other = await batch(manager, [[refusedA, false, true]], []);
    const before = await countReceipts();

    const succeeded = await retry(manager, {
      receiptId: original.id,
      itemIds: [itemOf(original, refusedA).id, itemOf(original, refusedB).id],
    });
    expect(succeeded.receipt).toBeNull();
    expect(succeeded.userErrors).toEqual([
      {
        code: "ITEM_NOT_FAILED",
        message: retryMessages.ITEM_NOT_FAILED,
        field: "itemIds",
        lineIds: [refusedA.id],
      },
    ]);

    const foreign = await retry(manager, { receiptId: original.id, itemIds: [other.items[0]!.id] });
    expect(foreign.userErrors).toEqual([
      { code: "NOT_FOUND", message: "指定されたデータは見つかりません。", field: "itemIds", lineIds: [] },
    ]);

    const empty = await retry(manager, { receiptId: original.id, itemIds: [] });
    expect(empty.userErrors).toEqual([
      { code: "NO_LINES_SELECTED", message: userErrorMessages.NO_LINES_SELECTED, field: null, lineIds: [] },
    ]);

    // Only permission changes are retried; a receipt id of another type is not one.
    const notAReceipt = await graphql(
      server.graphqlUrl,
      RETRY,
      { input: { receiptId: itemOf(original, refusedB).id } },
      manager,
    );
    expect(notAReceipt.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    expect(await countReceipts()).toBe(before);
  });

  it("R5: a line someone else changed since the failure is a CONFLICT with R5's text; nothing is written", async () => {
    const { conflictA, conflictB } = lines;
    const original = await batch(
      manager,
      [
        [conflictA, true, true],
        [conflictB, true, true],
      ],
      [conflictA, conflictB],
    );
    // Another administrator changes conflictB meanwhile.
    const substitute = await loginAs(server.graphqlUrl, "Substitute@admin");
    const theirs = await batch(substitute, [[conflictB, false, false]], []);
    expect(theirs.status).toBe("SUCCEEDED");
    const before = await countReceipts();

    const refused = await retry(manager, { receiptId: original.id });
    expect(refused.receipt).toBeNull();
    expect(refused.userErrors).toEqual([
      { code: "CONFLICT", message: userErrorMessages.CONFLICT, field: null, lineIds: [conflictB.id] },
    ]);
    expect(await countReceipts()).toBe(before);
    // Nothing of the refused request was applied (R5): the other administrator's values stand.
    expect(await flagsOf(conflictB)).toEqual({
      backup: false,
      phonebookMigration: false,
      status: "IN_SERVICE",
    });
    expect(await flagsOf(conflictA)).toMatchObject({ status: "IN_SERVICE" });

    // The line that nobody touched can still be retried on its own.
    const alone = await retry(manager, { receiptId: original.id, itemIds: [itemOf(original, conflictA).id] });
    expect(alone.userErrors).toEqual([]);
    // …and while that retry is in flight, retrying it again is R5's in-flight conflict or, once done, a changed line.
    const twice = await retry(manager, { receiptId: original.id, itemIds: [itemOf(original, conflictA).id] });
    expect(twice.userErrors).toEqual([
      { code: "CONFLICT", message: userErrorMessages.CONFLICT, field: null, lineIds: [conflictA.id] },
    ]);
    expect((await finished(manager, alone.receipt!.number)).status).toBe("SUCCEEDED");
  });

  it("R17: the same key replays the same receipt; the same key for another choice is refused", async () => {
    const { replayA, replayB } = lines;
    const original = await batch(
      manager,
      [
        [replayA, true, true],
        [replayB, true, false],
      ],
      [replayA, replayB],
    );
    const key = "retry-replay-1";
    const first = await retry(manager, { receiptId: original.id, idempotencyKey: key });
    expect(first.userErrors).toEqual([]);
    expect(first.replayed).toBe(false);
    const before = await countReceipts();

    const again = await retry(manager, { receiptId: original.id, idempotencyKey: ` ${key} ` });
    expect(again.userErrors).toEqual([]);
    expect(again.replayed).toBe(true);
    expect(again.receipt!.number).toBe(first.receipt!.number);

    const other = await retry(manager, {
      receiptId: original.id,
      itemIds: [itemOf(original, replayA).id],
      idempotencyKey: key,
    });
    expect(other.receipt).toBeNull();
    expect(other.userErrors).toEqual([
      {
        code: "IDEMPOTENCY_KEY_REUSED",
        message: "この再送キーは、内容の異なる受付ですでに使用されています。",
        field: "idempotencyKey",
        lineIds: [],
      },
    ]);
    expect(await countReceipts()).toBe(before);

    const blank = await graphql(
      server.graphqlUrl,
      RETRY,
      { input: { receiptId: original.id, idempotencyKey: "   " } },
      manager,
    );
    expect(blank.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    expect((await finished(manager, first.receipt!.number)).status).toBe("SUCCEEDED");
  });

  it("GROUP administrators retry their own receipts only; another account's administrator finds nothing", async () => {
    const { groupA, groupB, managerOnly } = lines;
    const groupAdmin = await loginAs(server.graphqlUrl, "GroupA@admin");
    const theirs = await batch(
      groupAdmin,
      [
        [groupA, true, true],
        [groupB, true, true],
      ],
      [groupB],
    );
    const managers = await batch(manager, [[managerOnly, true, true]], [managerOnly]);
    const before = await countReceipts();

    const notFound = {
      code: "NOT_FOUND",
      message: "指定されたデータは見つかりません。",
      field: "receiptId",
      lineIds: [],
    };
    // Manager's receipt on the GROUP administrator's own group: not theirs to see.
    expect((await retry(groupAdmin, { receiptId: managers.id })).userErrors).toEqual([notFound]);
    const other = await loginAs(server.graphqlUrl, "Other@admin");
    expect((await retry(other, { receiptId: managers.id })).userErrors).toEqual([notFound]);
    expect((await retry(other, { receiptId: theirs.id })).userErrors).toEqual([notFound]);
    expect(await countReceipts()).toBe(before);

    const own = await retry(groupAdmin, { receiptId: theirs.id });
    expect(own.userErrors).toEqual([]);
    expect(own.receipt!.items.map((i) => i.phoneNumber)).toEqual([groupB.phoneNumber]);
    expect((await finished(groupAdmin, own.receipt!.number)).status).toBe("SUCCEEDED");
  });

  it("API tokens need CHANGE_PERMISSIONS, as for submitPermissionChange", async () => {
    const { tokenA } = lines;
    const original = await batch(manager, [[tokenA, true, true]], [tokenA]);
    const create = async (scopes: string[]) =>
      (
        await graphql(
          server.graphqlUrl,
          "mutation ($input: CreateApiTokenInput!) { createApiToken(input: $input) { token } }",
          { input: { name: `MDM ${scopes.join(" ")}`, scopes } },
          manager,
        )
      ).data.createApiToken.token as string;

    const readOnly = await create(["READ_RECEIPTS"]);
    const refused = await graphql(server.graphqlUrl, RETRY, { input: { receiptId: original.id } }, readOnly);
    expect(refused.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");

    const mdm = await create(["READ_RECEIPTS", "CHANGE_PERMISSIONS"]);
    const retried = await retry(mdm, { receiptId: original.id });
    expect(retried.userErrors).toEqual([]);
    expect(retried.receipt!.resendOf!.number).toBe(original.number);
    expect((await finished(mdm, retried.receipt!.number)).status).toBe("SUCCEEDED");
  });

  it("R3 again: a line cancelled since the failure is refused with the manual's text", async () => {
    const { rulesA, rulesB } = lines;
    const original = await batch(
      manager,
      [
        [rulesA, true, true],
        [rulesB, false, true],
      ],
      [rulesA, rulesB],
    );
    // The carrier's roster reports rulesA cancelled (what 手動更新 or the daily sync would copy).
    await server.app.database.prisma.line.update({
      where: { id: rulesA.rawId },
      data: { contractStatus: "CANCELLED" },
    });
    const refused = await retry(manager, { receiptId: original.id });
    expect(refused.userErrors).toEqual([
      {
        code: "CANCELLED_LINE_SELECTED",
        message: userErrorMessages.CANCELLED_LINE_SELECTED,
        field: null,
        lineIds: [rulesA.id],
      },
    ]);
    const rest = await retry(manager, { receiptId: original.id, itemIds: [itemOf(original, rulesB).id] });
    expect(rest.userErrors).toEqual([]);
    expect((await finished(manager, rest.receipt!.number)).status).toBe("SUCCEEDED");
  });
});

describe("retryFailedItems at the end of the acceptance hours", () => {
  // Its own app whose window closes at 10:00 JST, 12 seconds after its clock starts:
  // a batch fails inside the window; its retry comes after it.
  let closing: RunningApp & { data: Seeded<keyof typeof retryScenario.account.lines> };
  let closingCarrier: RejectingCarrier;
  beforeAll(async () => {
    closingCarrier = await startRejectingCarrier();
    closing = await startScenarioApp(retryScenario, {
      ...env,
      FAKE_NOW: "2026-11-24T09:59:48+09:00",
      ACCEPTANCE_HOURS: "09:00-10:00",
      CARRIER_URL: closingCarrier.url,
    });
  });
  afterAll(async () => {
    await closing?.stop();
    await closingCarrier?.stop();
  });

  it("R4: outside the acceptance hours nothing is retried, with R4's text", async () => {
    const { hoursA } = closing.data.lines;
    const token = await loginAs(closing.graphqlUrl, "Manager@admin");
    closingCarrier.reject([hoursA.phoneNumber]);
    const submitted = await graphql(
      closing.graphqlUrl,
      SUBMIT,
      { input: { lines: [{ lineId: hoursA.id, backup: true, phonebookMigration: true }] } },
      token,
    );
    expect(submitted.data.submitPermissionChange.receipt, "submitted before 10:00 JST").not.toBeNull();
    const original = await waitForFinalReceiptOverApi(
      closing.graphqlUrl,
      token,
      submitted.data.submitPermissionChange.receipt.number,
      "id",
    );
    expect(original.status).toBe("FAILED");
    await waitUntil(
      async () => (await graphql(closing.graphqlUrl, "{ acceptanceWindow { open } }", {}, token)).data,
      (data) => data?.acceptanceWindow.open === false,
      { what: "the acceptance window to close at 10:00 JST", timeoutMs: 30_000, intervalMs: 250 },
    );
    const before = await closing.app.database.prisma.receipt.count();
    const result = await graphql(closing.graphqlUrl, RETRY, { input: { receiptId: original.id } }, token);
    expect(result.data.retryFailedItems).toEqual({
      replayed: false,
      receipt: null,
      userErrors: [
        {
          code: "OUTSIDE_ACCEPTANCE_HOURS",
          message: userErrorMessages.OUTSIDE_ACCEPTANCE_HOURS,
          field: null,
          lineIds: [],
        },
      ],
    });
    expect(await closing.app.database.prisma.receipt.count()).toBe(before);
  });
});
