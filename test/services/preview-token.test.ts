// R18: the preview token carries what 確認 saw to 決定. Round trips, refuses
// what this server could not have issued, and checks it describes the input.
import { describe, expect, it } from "vitest";
import {
  checkPreviewToken,
  decodePreviewToken,
  encodePreviewToken,
  MAX_PREVIEW_TOKEN_LENGTH,
  type PreviewSelection,
} from "../../services/preview-token.ts";

const uuid = (n: number) => `00000000-0000-4000-8000-${n.toString(16).padStart(12, "0")}`;
const G = uuid(0xa);
const L1 = uuid(1);
const L2 = uuid(2);
const L3 = uuid(3);

// A group with two members (one of them also chosen on its own with its own pair) and one line alone.
const selection: PreviewSelection = {
  groups: [{ groupId: G, backup: true, phonebookMigration: false, memberIds: [L1, L2] }],
  lines: [
    { lineId: L1, version: 7, backup: true, phonebookMigration: false, chosen: false },
    { lineId: L2, version: 2, backup: false, phonebookMigration: true, chosen: true },
    { lineId: L3, version: 4_000_000_000, backup: true, phonebookMigration: true, chosen: true },
  ],
};
const input = {
  groups: [{ groupId: G, backup: true, phonebookMigration: false }],
  lines: [
    { lineId: L2, backup: false, phonebookMigration: true },
    { lineId: L3, backup: true, phonebookMigration: true, version: 4_000_000_000 },
  ],
};

describe("R18 preview token", () => {
  it("round-trips the selection compactly (200 lines in well under the bound)", () => {
    const token = encodePreviewToken(selection)!;
    expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodePreviewToken(token)).toEqual(selection);
    const big = encodePreviewToken({
      groups: [],
      lines: Array.from({ length: 200 }, (_, i) => ({
        lineId: uuid(i + 1),
        version: i,
        backup: true,
        phonebookMigration: false,
        chosen: true,
      })),
    })!;
    expect(big.length).toBeLessThan(MAX_PREVIEW_TOKEN_LENGTH / 2);
  });

  it("gives what submit expects: every line's version and every group's members", () => {
    const check = checkPreviewToken(encodePreviewToken(selection)!, input);
    expect(check.ok).toBe(true);
    if (!check.ok) return;
    expect(Object.fromEntries(check.seen.versions)).toEqual({ [L1]: 7, [L2]: 2, [L3]: 4_000_000_000 });
    expect([...check.seen.groupMembers.get(G)!]).toEqual([L1, L2]);
  });

  it("refuses what does not decode: garbage, too long, truncated, extended, unknown format", () => {
    const token = encodePreviewToken(selection)!;
    const bytes = Buffer.from(token, "base64url");
    const otherFormat = Buffer.from(bytes);
    otherFormat[0] = 2;
    for (const bad of [
      "",
      "not a token!",
      "A".repeat(MAX_PREVIEW_TOKEN_LENGTH + 1),
      bytes.subarray(0, bytes.length - 1).toString("base64url"),
      Buffer.concat([bytes, Buffer.alloc(5)]).toString("base64url"),
      otherFormat.toString("base64url"),
      `${token}=`,
    ]) {
      expect(decodePreviewToken(bad), bad.slice(0, 40)).toBeNull();
      expect(checkPreviewToken(bad, input)).toEqual({ ok: false, code: "INVALID_PREVIEW_TOKEN" });
    }
  });

  it("refuses a line that is in the token for no reason, and duplicates", () => {
    const orphan = encodePreviewToken({
      groups: [],
      lines: [{ lineId: L1, version: 1, backup: true, phonebookMigration: true, chosen: false }],
    })!;
    expect(decodePreviewToken(orphan)).toBeNull();
    const twice = encodePreviewToken({
      groups: [],
      lines: [
        { lineId: L1, version: 1, backup: true, phonebookMigration: true, chosen: true },
        { lineId: L1, version: 2, backup: true, phonebookMigration: true, chosen: true },
      ],
    })!;
    expect(decodePreviewToken(twice)).toBeNull();
  });

  it("must describe the input: other lines, groups or pairs, or another version, are a mismatch", () => {
    const token = encodePreviewToken(selection)!;
    const mismatch = { ok: false, code: "PREVIEW_TOKEN_MISMATCH" };
    expect(checkPreviewToken(token, { ...input, groups: [] })).toEqual(mismatch);
    expect(checkPreviewToken(token, { ...input, lines: input.lines.slice(1) })).toEqual(mismatch);
    expect(
      checkPreviewToken(token, {
        ...input,
        lines: [...input.lines, { lineId: L1, backup: true, phonebookMigration: false }],
      }),
    ).toEqual(mismatch);
    expect(
      checkPreviewToken(token, {
        ...input,
        groups: [{ groupId: G, backup: true, phonebookMigration: true }],
      }),
    ).toEqual(mismatch);
    expect(
      checkPreviewToken(token, {
        ...input,
        lines: [input.lines[0]!, { lineId: L3, backup: true, phonebookMigration: true, version: 3 }],
      }),
    ).toEqual(mismatch);
  });
});
