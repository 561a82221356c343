// R18 Conflicts span 確認 → 決定, through GraphQL: the preview returns the
// version of every expanded line and a previewToken; 決定 with either refuses a
// line another administrator changed in between (R5 CONFLICT, nothing
// written), and with the token also a group whose members changed. A fresh
// 確認 is accepted.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodePreviewToken, encodePreviewToken } from "../../services/preview-token.ts";
import { type RunningApp, startTestApp } from "../support/app.ts";
import { graphql, loginAs } from "../support/graphql.ts";
import { waitForFinalReceiptOverApi } from "../support/wait.ts";

const env = { FAKE_NOW: "2026-11-24T10:00:00+09:00", CARRIER_LATENCY_MS: "0", CARRIER_FAILURE_RATE: "0" };
const CONFLICT = {
  code: "CONFLICT",
  message: "ただいま受付できません。しばらく経ってから再度お試しください。",
  field: null,
};
const tokenError = (code: string) => ({
  code,
  message: "入力内容に誤りがあります。",
  field: "previewToken",
  lineIds: [],
});

const PREVIEW = /* GraphQL */ `
  mutation ($input: PermissionChangeInput!) {
    previewPermissionChange(input: $input) {
      previewToken
      lines { version line { id version } }
      userErrors { code message field lineIds }
    }
  }`;
const SUBMIT = /* GraphQL */ `
  mutation ($input: PermissionChangeInput!) {
    submitPermissionChange(input: $input) { receipt { id number } userErrors { code message field lineIds } }
  }`;

interface LineNode {
  id: string;
  phoneNumber: string;
  version: number;
  group: { id: string; name: string } | null;
}
interface Preview {
  previewToken: string | null;
  lines: { version: number; line: { id: string; version: number } }[];
  userErrors: unknown[];
}

describe("R18 versions seen at 確認 travel to 決定", () => {
  let server: RunningApp;
  let manager: string;
  let substitute: string;
  let lines: LineNode[];
  let ungrouped: LineNode[];

  beforeAll(async () => {
    server = await startTestApp(env);
    manager = await loginAs(server.graphqlUrl, "Manager@admin");
    substitute = await loginAs(server.graphqlUrl, "Substitute@admin");
    const fields = "edges { node { id phoneNumber version group { id name } } }";
    const page: any = await graphql(
      server.graphqlUrl,
      `{ grouped: lines(first: 200, filter: {contractStatus: ACTIVE, outOfService: false}) { ${fields} }
         ungrouped: lines(first: 5, filter: {contractStatus: ACTIVE, outOfService: false, ungrouped: true}) { ${fields} } }`,
      {},
      manager,
    );
    lines = page.data.grouped.edges.map((e: any) => e.node);
    ungrouped = page.data.ungrouped.edges.map((e: any) => e.node);
  });
  afterAll(() => server.stop());

  const pair = (backup: boolean) => ({ backup, phonebookMigration: true });
  const linesOf = (group: string) => lines.filter((l) => l.group?.name === group);

  async function preview(input: unknown, token = substitute): Promise<Preview> {
    const result: any = await graphql(server.graphqlUrl, PREVIEW, { input }, token);
    expect(result.data.previewPermissionChange.userErrors).toEqual([]);
    return result.data.previewPermissionChange;
  }

  async function submit(input: unknown, token = substitute) {
    const result: any = await graphql(server.graphqlUrl, SUBMIT, { input }, token);
    return result.data.submitPermissionChange as {
      receipt: { id: string; number: string } | null;
      userErrors: unknown[];
    };
  }

  /** Another administrator changes the lines, and the carrier finishes applying it. */
  async function changedByManager(ids: string[], backup = true) {
    const accepted = await submit({ lines: ids.map((lineId) => ({ lineId, ...pair(backup) })) }, manager);
    expect(accepted.userErrors).toEqual([]);
    const final = await waitForFinalReceiptOverApi(server.graphqlUrl, manager, accepted.receipt!.number);
    expect(final.status).toBe("SUCCEEDED");
  }

  async function refusedWritingNothing(input: unknown) {
    const prisma = server.app.database.prisma;
    const before = await prisma.receipt.count();
    const payload = await submit(input);
    expect(payload.receipt).toBeNull();
    expect(await prisma.receipt.count()).toBe(before);
    return payload.userErrors;
  }

  async function accepted(input: unknown) {
    const payload = await submit(input);
    expect(payload.userErrors).toEqual([]);
    expect(payload.receipt).not.toBeNull();
    const final = await waitForFinalReceiptOverApi(server.graphqlUrl, substitute, payload.receipt!.number);
    expect(final.status).toBe("SUCCEEDED");
  }

  it("R18: the preview returns every expanded line's version, for line and group selections, and a previewToken", async () => {
    const group = linesOf("総務部");
    const alone = linesOf("開発部")[0]!;
    const seen = await preview({
      lines: [{ lineId: alone.id, ...pair(true) }],
      groups: [{ groupId: group[0]!.group!.id, ...pair(false) }],
    });
    expect(seen.lines).toHaveLength(1 + (await groupSize(group[0]!.group!.id)));
    for (const target of seen.lines) expect(target.version).toBe(target.line.version);
    expect(seen.lines.find((t) => t.line.id === alone.id)!.version).toBe(alone.version);
    expect(seen.previewToken).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  async function groupSize(groupId: string): Promise<number> {
    const result: any = await graphql(
      server.graphqlUrl,
      "query ($id: ID!) { lines(first: 1, filter: {groupId: $id}) { totalCount } }",
      { id: groupId },
      manager,
    );
    return result.data.lines.totalCount;
  }

  it("R18: with per-line versions, a line changed since 確認 is a CONFLICT naming it; a fresh 確認 is accepted", async () => {
    const [line, untouched] = linesOf("開発部").slice(1, 3) as [LineNode, LineNode];
    const input = { lines: [line, untouched].map((l) => ({ lineId: l.id, ...pair(true) })) };
    const seen = await preview(input);
    const withVersions = (p: Preview) => ({
      lines: input.lines.map((l) => ({
        ...l,
        version: p.lines.find((t) => t.line.id === l.lineId)!.version,
      })),
    });

    await changedByManager([line.id], false);
    expect(await refusedWritingNothing(withVersions(seen))).toEqual([{ ...CONFLICT, lineIds: [line.id] }]);

    await accepted(withVersions(await preview(input)));
  });

  it("R18: with the previewToken alone, a line changed since 確認 is a CONFLICT; a fresh token is accepted", async () => {
    const line = linesOf("開発部")[3]!;
    const input = { lines: [{ lineId: line.id, ...pair(true) }] };
    const seen = await preview(input);

    await changedByManager([line.id], false);
    expect(await refusedWritingNothing({ ...input, previewToken: seen.previewToken })).toEqual([
      { ...CONFLICT, lineIds: [line.id] },
    ]);

    await accepted({ ...input, previewToken: (await preview(input)).previewToken });
  });

  it("R18: a group member changed since 確認 is a CONFLICT; so is a group whose members changed", async () => {
    const members = linesOf("人事部");
    const groupId = members[0]!.group!.id;
    const input = { groups: [{ groupId, ...pair(true) }] };
    const prisma = server.app.database.prisma;
    // The roster moves lines between groups; the API cannot, so the test does it in the database.
    const moveTo = async (line: LineNode, to: string | null) =>
      prisma.line.updateMany({ where: { phoneNumber: line.phoneNumber }, data: { groupId: to } });
    const { groupId: rawGroupId } = await prisma.line.findFirstOrThrow({
      where: { phoneNumber: members[0]!.phoneNumber },
    });

    // A member's version moved.
    const seen = await preview(input);
    await changedByManager([members[0]!.id], false);
    expect(await refusedWritingNothing({ ...input, previewToken: seen.previewToken })).toEqual([
      { ...CONFLICT, lineIds: [members[0]!.id] },
    ]);

    // A line joined the group (the roster's 所属 changed) after 確認.
    const joining = ungrouped[0]!;
    const beforeJoin = await preview(input);
    await moveTo(joining, rawGroupId);
    expect(await refusedWritingNothing({ ...input, previewToken: beforeJoin.previewToken })).toEqual([
      { ...CONFLICT, lineIds: [joining.id] },
    ]);

    // A member left it.
    const leaving = members[1]!;
    const beforeLeave = await preview(input);
    await moveTo(leaving, null);
    expect(await refusedWritingNothing({ ...input, previewToken: beforeLeave.previewToken })).toEqual([
      { ...CONFLICT, lineIds: [leaving.id] },
    ]);

    // What 確認 shows now is what 決定 accepts.
    await accepted({ ...input, previewToken: (await preview(input)).previewToken });
  });

  it("R18: a token claiming other versions than 確認 saw is a CONFLICT, not a way around it", async () => {
    const line = linesOf("経理部")[0]!;
    const input = { lines: [{ lineId: line.id, ...pair(true) }] };
    const selection = decodePreviewToken((await preview(input)).previewToken!)!;
    const forged = encodePreviewToken({
      ...selection,
      lines: selection.lines.map((l) => ({ ...l, version: l.version + 5 })),
    });
    expect(await refusedWritingNothing({ ...input, previewToken: forged })).toEqual([
      { ...CONFLICT, lineIds: [line.id] },
    ]);
  });

  it("R18: a token that does not decode, or describes another input, is a coded user error before any database work", async () => {
    const [a, b] = linesOf("経理部").slice(1, 3) as [LineNode, LineNode];
    const input = { lines: [{ lineId: a.id, ...pair(true) }] };
    const token = (await preview(input)).previewToken!;

    for (const garbage of ["", "not a token", "A".repeat(16_385), token.slice(0, -2)]) {
      expect(await refusedWritingNothing({ ...input, previewToken: garbage })).toEqual([
        tokenError("INVALID_PREVIEW_TOKEN"),
      ]);
    }
    for (const other of [
      { lines: [{ lineId: b.id, ...pair(true) }] },
      { lines: [{ lineId: a.id, ...pair(false) }] },
      { lines: [...input.lines, { lineId: b.id, ...pair(true) }] },
      { lines: [{ ...input.lines[0], version: a.version + 1 }] },
      { groups: [{ groupId: a.group!.id, ...pair(true) }] },
    ]) {
      expect(await refusedWritingNothing({ ...other, previewToken: token })).toEqual([
        tokenError("PREVIEW_TOKEN_MISMATCH"),
      ]);
    }
    // 確認 checks the token the same way.
    const previewed: any = await graphql(
      server.graphqlUrl,
      PREVIEW,
      { input: { ...input, previewToken: "x" } },
      substitute,
    );
    expect(previewed.data.previewPermissionChange).toEqual({
      previewToken: null,
      lines: [],
      userErrors: [tokenError("INVALID_PREVIEW_TOKEN")],
    });
    // The token itself was fine all along.
    await accepted({ ...input, previewToken: token });
  });
});
