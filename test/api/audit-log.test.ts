// The audit log, readable (issue 18 point 3, R15): auditEvents(filter, first,
// after) with totalCount, its access (MAIN and READ_AUDIT tokens only), its
// filters, the 監査ログ CSV, and that a password never appears in it.
// Scenario: changeFeedScenario (a small account, two groups, another account).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditTexts, authErrorMessages, filterErrorMessages } from "../../domain/messages.ts";
import { pruneAuditEvents } from "../../services/audit-log.ts";
import { changeFeedScenario, FEED_NOW } from "../scenarios/change-feed.scenarios.ts";
import type { Seeded } from "../scenarios/scenario.ts";
import { type RunningApp, startScenarioApp } from "../support/app.ts";
import { graphql, graphqlFrom, loginAs, submitPermissionChange } from "../support/graphql.ts";
import { waitForFinalReceiptOverApi } from "../support/wait.ts";

const env = { FAKE_NOW: FEED_NOW, CARRIER_LATENCY_MS: "0", CARRIER_FAILURE_RATE: "0" };

const AUDIT = /* GraphQL */ `
  query ($filter: AuditEventFilter, $first: Int, $after: String) {
    auditEvents(filter: $filter, first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { node {
        id action actionCode at ipAddress lineCount
        actor { kind id name loginId }
        lines { id phoneNumber }
        receipt { number kind }
      } }
    }
  }`;

type AuditNode = {
  id: string;
  action: string;
  actionCode: string;
  at: string;
  ipAddress: string | null;
  lineCount: number;
  actor: { kind: string; id: string | null; name: string; loginId: string | null };
  lines: { id: string; phoneNumber: string }[];
  receipt: { number: string; kind: string } | null;
};

describe("auditEvents: the audit log", () => {
  let server: RunningApp;
  let data: Seeded<keyof typeof changeFeedScenario.account.lines>;
  let manager: string;
  let substitute: string;
  let auditToken: string;
  let mailToken: string;
  let receiptNumber: string;
  let passwords: string[];

  const read = async (token: string, variables: Record<string, unknown> = {}) => {
    const result = await graphql(server.graphqlUrl, AUDIT, { first: 50, ...variables }, token);
    return result;
  };
  const nodes = async (token: string, variables: Record<string, unknown> = {}) => {
    const result: any = await read(token, variables);
    if (!result.data) throw new Error(JSON.stringify(result));
    return {
      total: result.data.auditEvents.totalCount as number,
      nodes: result.data.auditEvents.edges.map((e: any) => e.node) as AuditNode[],
    };
  };
  const createToken = async (name: string, scopes: string[]) => {
    const created: any = await graphql(
      server.graphqlUrl,
      "mutation ($input: CreateApiTokenInput!) { createApiToken(input: $input) { token userErrors { code } } }",
      { input: { name, scopes } },
      manager,
    );
    return created.data.createApiToken.token as string;
  };

  beforeAll(async () => {
    const started = await startScenarioApp(changeFeedScenario, env);
    server = started;
    data = started.data;
    const url = server.graphqlUrl;
    manager = await loginAs(url, "Manager@admin");
    substitute = await loginAs(url, "Substitute@admin");
    // A wrong password for an existing administrator: LOGIN_FAILED.
    await graphql(url, 'mutation { login(loginId: "Substitute@admin", password: "wrong-pass") { token } }');
    const receipt = await submitPermissionChange(url, manager, [data.lines.sales1.id, data.lines.sales2.id]);
    receiptNumber = receipt.number;
    await waitForFinalReceiptOverApi(url, manager, receipt.number);
    // パスワード照会 from another address (127.0.0.2).
    const inquiry = await graphqlFrom(
      "127.0.0.2",
      url,
      "mutation ($input: InquirePasswordsInput!) { inquirePasswords(input: $input) { passwords { password } userErrors { code } } }",
      { input: { lineIds: [data.lines.dev1.id, data.lines.dev2.id] } },
      { authorization: `Bearer ${substitute}` },
    );
    passwords = (inquiry.data as any).inquirePasswords.passwords.map((p: { password: string }) => p.password);
    expect(passwords).toHaveLength(2);
    auditToken = await createToken("監査ツール", ["READ_AUDIT"]);
    mailToken = await createToken("MDM", ["SEND_MAIL", "READ_LINES"]);
    const mail: any = await graphql(
      url,
      "mutation ($input: SendMailInput!) { sendAppDownloadMail(input: $input) { receipt { number } userErrors { code } } }",
      { input: { lineIds: [data.lines.sales3.id] } },
      mailToken,
    );
    expect(mail.data.sendAppDownloadMail.userErrors).toEqual([]);
  });
  afterAll(() => server.stop());

  it("MAIN reads who did what, when, from where, to which lines, with the receipt; newest first; totalCount", async () => {
    const { total, nodes: events } = await nodes(manager);
    expect(events.map((e) => e.action)).toEqual([
      "APP_DOWNLOAD_MAIL_REQUESTED",
      "API_TOKEN_CREATED",
      "API_TOKEN_CREATED",
      "PASSWORD_INQUIRY",
      "PERMISSION_CHANGE_SUBMITTED",
      "LOGIN_FAILED",
      "LOGIN",
      "LOGIN",
    ]);
    expect(total).toBe(8);
    const [mail, , , inquiry, submit, failed] = events as AuditNode[];
    expect(submit).toMatchObject({
      actionCode: "PERMISSION_CHANGE_SUBMITTED",
      actor: { kind: "ADMINISTRATOR", name: "管理者", loginId: "Manager@admin" },
      lineCount: 2,
      receipt: { number: receiptNumber, kind: "PERMISSION_CHANGE" },
    });
    expect(submit?.lines.map((l) => l.id).sort()).toEqual(
      [data.lines.sales1.id, data.lines.sales2.id].sort(),
    );
    expect(inquiry).toMatchObject({
      ipAddress: "127.0.0.2",
      actor: { kind: "ADMINISTRATOR", name: "代理管理者(サブ管理者)", loginId: "Substitute@admin" },
      lineCount: 2,
      receipt: null,
    });
    expect(failed?.actor.loginId).toBe("Substitute@admin");
    expect(mail?.actor).toMatchObject({ kind: "API_TOKEN", name: "MDM", loginId: null });
    expect(mail?.actor.id).toEqual(expect.any(String));
    // Paging: two at a time, the same entries in the same order.
    const first = (await read(manager, { first: 2 })) as any;
    const second = (await read(manager, {
      first: 2,
      after: first.data.auditEvents.pageInfo.endCursor,
    })) as any;
    expect(second.data.auditEvents.edges.map((e: any) => e.node.id)).toEqual(
      events.slice(2, 4).map((e) => e.id),
    );
    expect(second.data.auditEvents.totalCount).toBe(8);
  });

  it("filters: action, actor (administrator or token), line, period; a period backwards is refused", async () => {
    const inquiries = await nodes(manager, { filter: { action: "PASSWORD_INQUIRY" } });
    expect(inquiries.total).toBe(1);
    const subId = inquiries.nodes[0]?.actor.id;
    const bySub = await nodes(manager, { filter: { actor: subId } });
    expect(bySub.nodes.map((e) => e.action)).toEqual(["PASSWORD_INQUIRY", "LOGIN_FAILED", "LOGIN"]);
    const tokenId = (await nodes(manager, { filter: { action: "APP_DOWNLOAD_MAIL_REQUESTED" } })).nodes[0]
      ?.actor.id;
    expect((await nodes(manager, { filter: { actor: tokenId } })).total).toBe(1);
    const aboutDev1 = await nodes(manager, { filter: { lineId: data.lines.dev1.id } });
    expect(aboutDev1.nodes.map((e) => e.action)).toEqual(["PASSWORD_INQUIRY"]);
    const byPhone = await nodes(manager, {
      filter: { phoneNumber: data.lines.dev2.phoneNumber.replaceAll("-", "") },
    });
    expect(byPhone.nodes.map((e) => e.action)).toEqual(["PASSWORD_INQUIRY"]);
    expect((await nodes(manager, { filter: { phoneNumber: "090-0000-0000" } })).total).toBe(0);
    const actors: any = await graphql(
      server.graphqlUrl,
      "{ auditActors { kind name loginId } }",
      {},
      manager,
    );
    expect(actors.data.auditActors).toEqual([
      { kind: "API_TOKEN", name: "MDM", loginId: null },
      { kind: "ADMINISTRATOR", name: "管理者", loginId: "Manager@admin" },
      { kind: "ADMINISTRATOR", name: "代理管理者(サブ管理者)", loginId: "Substitute@admin" },
    ]);
    const both = await nodes(manager, { filter: { lineId: data.lines.sales1.id, actor: subId } });
    expect(both).toEqual({ total: 0, nodes: [] });
    const at = new Date(inquiries.nodes[0]?.at as string);
    const period = await nodes(manager, {
      filter: {
        from: new Date(at.getTime() + 1).toISOString(),
        to: new Date(at.getTime() + 3_600_000).toISOString(),
      },
    });
    expect(period.nodes.map((e) => e.action)).toEqual([
      "APP_DOWNLOAD_MAIL_REQUESTED",
      "API_TOKEN_CREATED",
      "API_TOKEN_CREATED",
    ]);
    const reversed: any = await read(manager, {
      filter: { from: "2026-11-25T00:00:00+09:00", to: "2026-11-24T00:00:00+09:00" },
    });
    expect(reversed.errors?.[0]).toMatchObject({
      message: filterErrorMessages.DATE_RANGE_REVERSED,
      extensions: { code: "BAD_USER_INPUT", reason: "DATE_RANGE_REVERSED" },
    });
  });

  it("access: MAIN and READ_AUDIT tokens; SUB, GROUP and other tokens are FORBIDDEN; another account sees its own only", async () => {
    const byToken = await nodes(auditToken);
    expect(byToken.total).toBe(8);
    const group = await loginAs(server.graphqlUrl, "GroupA@admin");
    for (const token of [substitute, group, mailToken]) {
      const refused: any = await read(token);
      expect(refused.data).toBeNull();
      expect(refused.errors).toEqual([
        expect.objectContaining({ message: authErrorMessages.FORBIDDEN, extensions: { code: "FORBIDDEN" } }),
      ]);
    }
    const viewer: any = await graphql(server.graphqlUrl, "{ viewer { scopes } }", {}, substitute);
    expect(viewer.data.viewer.scopes).not.toContain("READ_AUDIT");
    const other = await loginAs(server.graphqlUrl, "OtherFeed@admin");
    const theirs = await nodes(other);
    expect(theirs.nodes.map((e) => [e.action, e.actor.loginId])).toEqual([["LOGIN", "OtherFeed@admin"]]);
    // node(id) is no side door.
    const id = byToken.nodes[0]?.id;
    const asSub: any = await graphql(
      server.graphqlUrl,
      "query ($id: ID!) { node(id: $id) { id } }",
      { id },
      substitute,
    );
    expect(asSub.data.node).toBeNull();
    const asOther: any = await graphql(
      server.graphqlUrl,
      "query ($id: ID!) { node(id: $id) { id } }",
      { id },
      other,
    );
    expect(asOther.data.node).toBeNull();
  });

  it("passwords never appear: not in the API's answer, the CSV, nor the stored rows", async () => {
    const everything = JSON.stringify(await read(manager, { first: 200 }));
    const rows = JSON.stringify(await server.app.database.prisma.auditEvent.findMany());
    const csv = await fetch(`${server.url}/export/audit.csv`, {
      headers: { authorization: `Bearer ${manager}` },
    });
    const text = await csv.text();
    for (const password of passwords) {
      expect(password.length).toBeGreaterThan(3);
      expect(everything).not.toContain(password);
      expect(rows).not.toContain(password);
      expect(text).not.toContain(password);
    }
    expect(everything).not.toContain("wrong-pass");
    expect(rows).not.toContain("wrong-pass");
  });

  it("retention: entries older than AUDIT_RETENTION_DAYS are deleted, newer ones kept", async () => {
    const db = server.app.database.prisma;
    const now = server.app.clock.now();
    const before = (await nodes(manager)).total;
    await db.auditEvent.create({
      data: {
        accountId: data.accountId,
        actor: "Manager@admin",
        action: "LOGIN",
        createdAt: new Date(now.getTime() - 401 * 86_400_000),
      },
    });
    expect((await nodes(manager)).total).toBe(before + 1);
    expect(await pruneAuditEvents(db, now, 400)).toBe(1);
    expect((await nodes(manager)).total).toBe(before);
  });

  it("監査ログ CSV: the screen's filter as parameters; READ_AUDIT needed", async () => {
    const url = `${server.url}/export/audit.csv?action=PASSWORD_INQUIRY`;
    const response = await fetch(url, { headers: { authorization: `Bearer ${auditToken}` } });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(response.headers.get("content-disposition")).toMatch(
      /^attachment; filename="audit_\d{8}_\d{4}\.csv"/,
    );
    const text = (await response.text()).replace(/^\uFEFF/, "");
    const [header, row, ...rest] = text.trimEnd().split("\r\n");
    const c = auditTexts.columns;
    expect(header).toBe(
      [c.no, c.at, c.action, c.actorName, c.actorId, c.ip, c.lines, c.phoneNumbers, c.receipt].join(","),
    );
    expect(rest).toEqual([]);
    expect(row?.split(",").slice(2)).toEqual([
      auditTexts.actions.PASSWORD_INQUIRY,
      "代理管理者(サブ管理者)",
      "Substitute@admin",
      "127.0.0.2",
      "2",
      [data.lines.dev1.phoneNumber, data.lines.dev2.phoneNumber].sort().join(" "),
      "",
    ]);
    const refused = await fetch(url, { headers: { authorization: `Bearer ${substitute}` } });
    expect(refused.status).toBe(403);
    const bad = await fetch(`${server.url}/export/audit.csv?action=NOPE`, {
      headers: { authorization: `Bearer ${manager}` },
    });
    expect(bad.status).toBe(400);
  });
});
