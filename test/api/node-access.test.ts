// node(id) answers what the root fields would answer the same caller: every
// Node type × every kind of caller, from one explicit table. A node the caller
// may not see is null, exactly like an id that exists nowhere, so ids cannot
// be probed (SPEC §2, §5).
// Scenario: tenantsScenario (自社株式会社: 営業部 with GroupA@admin, 開発部; 他社商事 with Other@admin).
import { encodeGlobalID } from "@pothos/plugin-relay";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { otherAccount, tenantsScenario } from "../scenarios/tenants.scenarios.ts";
import { type RunningApp, startScenarioApp } from "../support/app.ts";
import { graphql, loginAs } from "../support/graphql.ts";

const SCOPES = [
  "READ_LINES",
  "READ_RECEIPTS",
  "CHANGE_PERMISSIONS",
  "SEND_MAIL",
  "READ_PASSWORDS",
  "CHECK_FEATURE_ACCESS",
  "READ_AUDIT",
  "MANAGE_WEBHOOKS",
] as const;
type Scope = (typeof SCOPES)[number];
type Caller = "MAIN" | "SUB" | "GROUP" | Scope | "OTHER_MAIN" | "ANONYMOUS";
type SignedIn = Exclude<Caller, "ANONYMOUS">;
const CALLERS: readonly Caller[] = ["MAIN", "SUB", "GROUP", ...SCOPES, "OTHER_MAIN", "ANONYMOUS"];

/**
 * Who sees each node, by the root fields' rules: `lines`/`line` and `groups`
 * need READ_LINES and a GROUP administrator's groups; `receipts`/`receipt`
 * need READ_RECEIPTS and a GROUP administrator's own receipts; `apiTokens` is
 * MAIN only (and `viewer { apiToken }` shows a token itself); administrators
 * are seen by MAIN and SUB, a GROUP administrator sees only themselves (as
 * `viewer { administrator }`); `auditEvents` needs READ_AUDIT (MAIN only among
 * administrators); `webhookEndpoints`/`webhookDeliveries` need MANAGE_WEBHOOKS
 * (MAIN only among administrators); nothing crosses accounts. Anonymous callers are
 * refused with UNAUTHENTICATED, as by every root field.
 */
const TABLE = {
  "a line of 営業部": ["MAIN", "SUB", "GROUP", "READ_LINES"],
  "a line of 開発部": ["MAIN", "SUB", "READ_LINES"],
  "the group 営業部": ["MAIN", "SUB", "GROUP", "READ_LINES"],
  "the group 開発部": ["MAIN", "SUB", "READ_LINES"],
  "Manager@admin's receipt": ["MAIN", "SUB", "READ_RECEIPTS"],
  "an item of Manager@admin's receipt": ["MAIN", "SUB", "READ_RECEIPTS"],
  "GroupA@admin's receipt": ["MAIN", "SUB", "GROUP", "READ_RECEIPTS"],
  "an item of GroupA@admin's receipt": ["MAIN", "SUB", "GROUP", "READ_RECEIPTS"],
  "the administrator Manager@admin": ["MAIN", "SUB"],
  "the administrator Substitute@admin": ["MAIN", "SUB"],
  "the administrator GroupA@admin": ["MAIN", "SUB", "GROUP"],
  "the READ_LINES API token": ["MAIN", "READ_LINES"],
  "the CHECK_FEATURE_ACCESS API token": ["MAIN", "CHECK_FEATURE_ACCESS"],
  "an audit event of 自社": ["MAIN", "READ_AUDIT"],
  "a webhook endpoint of 自社": ["MAIN", "MANAGE_WEBHOOKS"],
  "a webhook delivery of 自社": ["MAIN", "MANAGE_WEBHOOKS"],
  "a line of 他社商事": ["OTHER_MAIN"],
  "a group of 他社商事": ["OTHER_MAIN"],
  "a receipt of 他社商事": ["OTHER_MAIN"],
  "an item of a receipt of 他社商事": ["OTHER_MAIN"],
  "the administrator Other@admin": ["OTHER_MAIN"],
  "an API token of 他社商事": ["OTHER_MAIN"],
  "an audit event of 他社商事": ["OTHER_MAIN"],
  "a webhook endpoint of 他社商事": ["OTHER_MAIN"],
  "a webhook delivery of 他社商事": ["OTHER_MAIN"],
  "a Line id that exists nowhere": [],
  "a Receipt id that exists nowhere": [],
} as const satisfies Record<string, readonly Caller[]>;
type Target = keyof typeof TABLE;

const NODE = `query ($id: ID!) { node(id: $id) {
  __typename id
  ... on Line { phoneNumber name affiliation }
  ... on Group { name }
  ... on Receipt { number }
  ... on ReceiptItem { phoneNumber name }
  ... on Administrator { loginId name }
  ... on ApiToken { name prefix scopes }
  ... on AuditEvent { action actor { kind name loginId } at }
  ... on WebhookEndpoint { url eventTypes }
  ... on WebhookDelivery { webhookId eventType status }
} }`;
const CREATE_TOKEN = `mutation ($input: CreateApiTokenInput!) {
  createApiToken(input: $input) { token apiToken { id name prefix scopes } userErrors { code } }
}`;
const UNAUTHENTICATED = { message: "ログインしてください。", extensions: { code: "UNAUTHENTICATED" } };

let server: RunningApp;
let url: string;
const tokens = {} as Record<SignedIn, string>;
/** Each target's id and what node(id) shows a caller who may see it. */
const targets = {} as Record<Target, { id: string; node: Record<string, unknown> | null }>;

async function ok(query: string, variables: Record<string, unknown>, token: string) {
  const result = await graphql(url, query, variables, token);
  expect(result.errors).toBeUndefined();
  return result.data;
}

beforeAll(async () => {
  const started = await startScenarioApp(
    tenantsScenario,
    { FAKE_NOW: "2026-11-24T10:00:00+09:00", WEBHOOK_ALLOWED_HOSTS: "127.0.0.1" },
    { startWorker: false },
  );
  server = started;
  const { data } = started;
  url = server.graphqlUrl;
  const prisma = server.app.database.prisma;
  tokens.MAIN = await loginAs(url, "Manager@admin");
  tokens.SUB = await loginAs(url, "Substitute@admin");
  tokens.GROUP = await loginAs(url, "GroupA@admin");
  tokens.OTHER_MAIN = await loginAs(url, "Other@admin");

  for (const scope of SCOPES) {
    const created = await ok(CREATE_TOKEN, { input: { name: `MDM ${scope}`, scopes: [scope] } }, tokens.MAIN);
    tokens[scope] = created.createApiToken.token;
    const { id, ...fields } = created.createApiToken.apiToken;
    if (scope === "READ_LINES" || scope === "CHECK_FEATURE_ACCESS") {
      targets[`the ${scope} API token`] = { id, node: { __typename: "ApiToken", id, ...fields } };
    }
  }
  const otherToken = await ok(
    CREATE_TOKEN,
    { input: { name: "MDM サンプル", scopes: ["READ_LINES"] } },
    tokens.OTHER_MAIN,
  );
  const { id: otherTokenId, ...otherTokenFields } = otherToken.createApiToken.apiToken;
  targets["an API token of 他社商事"] = {
    id: otherTokenId,
    node: { __typename: "ApiToken", id: otherTokenId, ...otherTokenFields },
  };

  const administrators: [Target, SignedIn][] = [
    ["the administrator Manager@admin", "MAIN"],
    ["the administrator Substitute@admin", "SUB"],
    ["the administrator GroupA@admin", "GROUP"],
    ["the administrator Other@admin", "OTHER_MAIN"],
  ];
  for (const [target, caller] of administrators) {
    const { viewer } = await ok(`{ viewer { administrator { id loginId name } } }`, {}, tokens[caller]);
    targets[target] = {
      id: viewer.administrator.id,
      node: { __typename: "Administrator", ...viewer.administrator },
    };
  }

  // What node(id) shows of a line or group is what the root field `line` shows its owner.
  const LINE = `query ($phoneNumber: String!) { line(phoneNumber: $phoneNumber) {
    __typename id phoneNumber name affiliation group { __typename id name }
  } }`;
  const lineAndGroup = async (phoneNumber: string, owner: SignedIn) => {
    const { group, ...line } = (await ok(LINE, { phoneNumber }, tokens[owner])).line;
    return { line: { id: line.id as string, node: line }, group: { id: group.id as string, node: group } };
  };
  const sales = await lineAndGroup(data.lines.sales.phoneNumber, "MAIN");
  const dev = await lineAndGroup(data.lines.development.phoneNumber, "MAIN");
  const other = await lineAndGroup(otherAccount.lines.head.phoneNumber, "OTHER_MAIN");
  // The ids are the scenario's.
  expect([sales.line.id, sales.group.id, dev.line.id, dev.group.id]).toEqual([
    data.lines.sales.id,
    data.groups.営業部?.id,
    data.lines.development.id,
    data.groups.開発部?.id,
  ]);
  expect(other.group.node.name).toBe("本社");
  const salesLine = sales.line;
  const devLine = dev.line;
  const otherLine = other.line;
  targets["a line of 営業部"] = salesLine;
  targets["a line of 開発部"] = devLine;
  targets["a line of 他社商事"] = otherLine;
  targets["the group 営業部"] = sales.group;
  targets["the group 開発部"] = dev.group;
  targets["a group of 他社商事"] = other.group;

  // Receipts written as the product writes them, out of the carrier's reach.
  const receipt = async (loginId: string, number: string, phoneNumber: string) => {
    const admin = await prisma.administrator.findUniqueOrThrow({ where: { loginId } });
    const row = await prisma.line.findFirstOrThrow({
      where: { phoneNumber, accountId: admin.accountId },
      include: { group: true },
    });
    return prisma.receipt.create({
      data: {
        accountId: admin.accountId,
        number,
        kind: "PERMISSION_CHANGE",
        status: "PROCESSING",
        adminId: admin.id,
        adminName: admin.name,
        adminLoginId: admin.loginId,
        receivedAt: new Date("2026-11-24T01:00:00Z"),
        items: {
          create: {
            lineId: row.id,
            position: 0,
            groupName: row.group?.name ?? null,
            phoneNumber: row.phoneNumber,
            lineName: row.name,
            backup: true,
            phonebookMigration: true,
            lineVersion: row.version,
            status: "PENDING",
            nextAttemptAt: new Date("2100-01-01T00:00:00Z"),
          },
        },
      },
    });
  };
  const receipts: [Target, Target, string, SignedIn, string][] = [
    [
      "Manager@admin's receipt",
      "an item of Manager@admin's receipt",
      "Manager@admin",
      "MAIN",
      devLine.node.phoneNumber,
    ],
    [
      "GroupA@admin's receipt",
      "an item of GroupA@admin's receipt",
      "GroupA@admin",
      "GROUP",
      salesLine.node.phoneNumber,
    ],
    [
      "a receipt of 他社商事",
      "an item of a receipt of 他社商事",
      "Other@admin",
      "OTHER_MAIN",
      otherLine.node.phoneNumber,
    ],
  ];
  let sequence = 0;
  for (const [receiptTarget, itemTarget, loginId, owner, phoneNumber] of receipts) {
    const number = `202611249900000${++sequence}`;
    await receipt(loginId, number, phoneNumber);
    const data = await ok(
      `query ($number: String!) { receipt(number: $number) {
        __typename id number items(first: 1) { edges { node { __typename id phoneNumber name } } }
      } }`,
      { number },
      tokens[owner],
    );
    const { items, ...receiptNode } = data.receipt;
    const itemNode = items.edges[0].node;
    targets[receiptTarget] = { id: receiptNode.id, node: receiptNode };
    targets[itemTarget] = { id: itemNode.id, node: itemNode };
  }

  // Audit events: the sign-ins above, as the root field `auditEvents` shows them to each account's MAIN.
  const AUDIT = `{ auditEvents(filter: { action: LOGIN }, first: 1) { edges { node {
    __typename id action actor { kind name loginId } at
  } } } }`;
  for (const [target, owner] of [
    ["an audit event of 自社", "MAIN"],
    ["an audit event of 他社商事", "OTHER_MAIN"],
  ] as const) {
    const node = (await ok(AUDIT, {}, tokens[owner])).auditEvents.edges[0].node;
    targets[target] = { id: node.id, node };
  }

  // Webhook endpoints and a delivery each (a ping: the worker is not running, so nothing is sent),
  // as the mutations' payloads show them.
  for (const [endpointTarget, deliveryTarget, owner] of [
    ["a webhook endpoint of 自社", "a webhook delivery of 自社", "MAIN"],
    ["a webhook endpoint of 他社商事", "a webhook delivery of 他社商事", "OTHER_MAIN"],
  ] as const) {
    const created = await ok(
      `mutation ($input: CreateWebhookEndpointInput!) {
        createWebhookEndpoint(input: $input) { endpoint { __typename id url eventTypes } userErrors { code } }
      }`,
      { input: { url: "http://127.0.0.1:9/hook", eventTypes: ["RECEIPT_COMPLETED"] } },
      tokens[owner],
    );
    expect(created.createWebhookEndpoint.userErrors).toEqual([]);
    const endpoint = created.createWebhookEndpoint.endpoint;
    const pinged = await ok(
      `mutation ($id: ID!) { pingWebhookEndpoint(id: $id) {
        delivery { __typename id webhookId eventType status } userErrors { code }
      } }`,
      { id: endpoint.id },
      tokens[owner],
    );
    expect(pinged.pingWebhookEndpoint.userErrors).toEqual([]);
    const delivery = pinged.pingWebhookEndpoint.delivery;
    targets[endpointTarget] = { id: endpoint.id, node: endpoint };
    targets[deliveryTarget] = { id: delivery.id, node: delivery };
  }

  const nowhere = "00000000-0000-4000-8000-000000000000";
  targets["a Line id that exists nowhere"] = { id: encodeGlobalID("Line", nowhere), node: null };
  targets["a Receipt id that exists nowhere"] = { id: encodeGlobalID("Receipt", nowhere), node: null };
});
afterAll(() => server.stop());

const cells = CALLERS.flatMap((caller) =>
  (Object.keys(TABLE) as Target[]).map((target) => ({
    caller,
    target,
    visible: (TABLE[target] as readonly Caller[]).includes(caller),
  })),
);

describe.each(CALLERS)("node(id) asked by %s", (caller) => {
  it.each(cells.filter((cell) => cell.caller === caller))(
    "$target: visible $visible",
    async ({ target, visible }) => {
      const { id, node } = targets[target];
      if (caller === "ANONYMOUS") {
        const result = await graphql(url, NODE, { id });
        expect(result.data?.node ?? null).toBeNull();
        expect(result.errors).toMatchObject([UNAUTHENTICATED]);
        return;
      }
      const result = await graphql(url, NODE, { id }, tokens[caller]);
      expect(result.errors).toBeUndefined();
      expect(result.data).toEqual({ node: visible ? node : null });
    },
  );
});

it("the table covers every type that implements Node", async () => {
  const result = await ok(`{ __type(name: "Node") { possibleTypes { name } } }`, {}, tokens.MAIN);
  const covered = new Set(Object.values(targets).map((t) => t.node?.__typename));
  expect(result.__type.possibleTypes.map((t: { name: string }) => t.name).sort()).toEqual(
    [...covered].filter(Boolean).sort(),
  );
});
