// R18 Conflicts span 確認 → 決定, through GraphQL: the preview returns the
// version of every expanded line and a previewToken; 決定 with either refuses a
// line another administrator changed in between (R5 CONFLICT, nothing
// written), and with the token also a group whose members changed. A fresh
// 確認 is accepted.
// Scenario: conflictsScenario (lines in four groups, one test's each, and an ungrouped line that joins a group).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodePreviewToken, encodePreviewToken } from "../../services/preview-token.ts";
import { conflictsScenario } from "../scenarios/permission-change.scenarios.ts";
import type { Seeded, SeededLine } from "../scenarios/scenario.ts";
import { type RunningApp, startScenarioApp } from "../support/app.ts";
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

interface Preview {
  previewToken: string | null;
  lines: { version: number; line: { id: string; version: number } }[];
  userErrors: unknown[];
}

describe("R18 versions seen at 確認 travel to 決定", () => {
  let server: RunningApp;
  let manager: string;
  let substitute: string;
  let data: Seeded<keyof typeof conflictsScenario.account.lines>;

  beforeAll(async () => {
    const started = await startScenarioApp(conflictsScenario, env);
    server = started;
    data = started.data;
    manager = await loginAs(server.graphqlUrl, "Manager@admin");
    substitute = await loginAs(server.graphqlUrl, "Substitute@admin");
  });
  afterAll(() => server.stop());

  const pair = (backup: boolean) => ({ backup, phonebookMigration: true });
  /** A group of the scenario by name. */
  const group = (name: string) => data.groups[name]!;

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
    const { alone, generalAffairs1, generalAffairs2 } = data.lines;
    const seen = await preview({
      lines: [{ lineId: alone.id, ...pair(true) }],
      groups: [{ groupId: group("総務部").id, ...pair(false) }],
    });
    // The line, and 総務部 expanded into its two members.
    expect(seen.lines).toHaveLength(1 + (await groupSize(group("総務部").id)));
    expect(seen.lines.map((t) => t.line.id).sort()).toEqual(
      [alone, generalAffairs1, generalAffairs2].map((l) => l.id).sort(),
    );
    for (const target of seen.lines) expect(target.version).toBe(target.line.version);
    // As written: a line never changed is at version 1.
    expect(seen.lines.find((t) => t.line.id === alone.id)!.version).toBe(1);
    expect(seen.previewToken).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  async function groupSize(id: string): Promise<number> {
    const result: any = await graphql(
      server.graphqlUrl,
      "query ($id: ID!) { lines(first: 1, filter: {groupId: $id}) { totalCount } }",
      { id },
      manager,
    );
    return result.data.lines.totalCount;
  }

  it("R18: with per-line versions, a line changed since 確認 is a CONFLICT naming it; a fresh 確認 is accepted", async () => {
    const { changedAfterPreview: line, untouched } = data.lines;
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
    const line = data.lines.changedAfterToken;
    const input = { lines: [{ lineId: line.id, ...pair(true) }] };
    const seen = await preview(input);

    await changedByManager([line.id], false);
    expect(await refusedWritingNothing({ ...input, previewToken: seen.previewToken })).toEqual([
      { ...CONFLICT, lineIds: [line.id] },
    ]);

    await accepted({ ...input, previewToken: (await preview(input)).previewToken });
  });

  it("R18: a group member changed since 確認 is a CONFLICT; so is a group whose members changed", async () => {
    const { changedMember, leavingMember, joining } = data.lines;
    const input = { groups: [{ groupId: group("人事部").id, ...pair(true) }] };
    const prisma = server.app.database.prisma;
    // The roster moves lines between groups; the API cannot, so the test does it in the database.
    const moveTo = async (line: SeededLine, to: string | null) =>
      prisma.line.updateMany({ where: { phoneNumber: line.phoneNumber }, data: { groupId: to } });
    const rawGroupId = group("人事部").rawId;

    // A member's version moved.
    const seen = await preview(input);
    await changedByManager([changedMember.id], false);
    expect(await refusedWritingNothing({ ...input, previewToken: seen.previewToken })).toEqual([
      { ...CONFLICT, lineIds: [changedMember.id] },
    ]);

    // A line joined the group (the roster's 所属 changed) after 確認.
    const beforeJoin = await preview(input);
    await moveTo(joining, rawGroupId);
    expect(await refusedWritingNothing({ ...input, previewToken: beforeJoin.previewToken })).toEqual([
      { ...CONFLICT, lineIds: [joining.id] },
    ]);

    // A member left it.
    const leaving = leavingMember;
    const beforeLeave = await preview(input);
    await moveTo(leaving, null);
    expect(await refusedWritingNothing({ ...input, previewToken: beforeLeave.previewToken })).toEqual([
      { ...CONFLICT, lineIds: [leaving.id] },
    ]);

    // What 確認 shows now is what 決定 accepts.
    await accepted({ ...input, previewToken: (await preview(input)).previewToken });
  });

  it("R18: a token claiming other versions than 確認 saw is a CONFLICT, not a way around it", async () => {
    const line = data.lines.forged;
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
    const { tokenLine: a, otherTokenLine: b } = data.lines;
    const input = { lines: [{ lineId: a.id, ...pair(true) }] };
    const seen = await preview(input);
    const token = seen.previewToken!;

    for (const garbage of ["", "not a token", "A".repeat(16_385), token.slice(0, -2)]) {
      expect(await refusedWritingNothing({ ...input, previewToken: garbage })).toEqual([
        tokenError("INVALID_PREVIEW_TOKEN"),
      ]);
    }
    for (const other of [
      { lines: [{ lineId: b.id, ...pair(true) }] },
      { lines: [{ lineId: a.id, ...pair(false) }] },
      { lines: [...input.lines, { lineId: b.id, ...pair(true) }] },
      { lines: [{ ...input.lines[0], version: seen.lines[0]!.version + 1 }] },
      { groups: [{ groupId: group("経理部").id, ...pair(true) }] },
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
