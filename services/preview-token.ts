// The preview token (R18): what 確認 saw, handed back at 決定.
//
// previewPermissionChange returns, beside each expanded line's version, one
// opaque string holding the selection as the preview expanded it: every
// selected group with its pair and its members, and every expanded line with
// the version the preview read, its pair and whether it was chosen on its own.
// submitPermissionChange first checks that the token describes the input (the
// same groups and lines with the same pairs; anything else is
// PREVIEW_TOKEN_MISMATCH, a token that does not decode INVALID_PREVIEW_TOKEN),
// then expects every expanded line at the version the token names and every
// group with exactly the members it names; anything else is a CONFLICT (R5).
//
// The token is not signed, on purpose: it grants nothing. It only states what
// its holder saw; scope, R3, R16 and R5 are checked against the database as for
// any submit. A client that edits a token can only claim other versions or
// members, and a claim that is not the current state is refused as CONFLICT,
// just like an honest token that went stale.
//
// Format, base64url of (big-endian):
//   u8 format (1) · u16 group count G
//   G ×     [16-byte group id · u8 pair]
//   lines × [16-byte line id · u32 version · u8 pair (+4: chosen on its own) · u16 group number (1-based; 0: none)]
// where pair is 1 for backup plus 2 for phonebookMigration. 200 lines take
// about 6 KB, far below MAX_PREVIEW_TOKEN_LENGTH.
import { MAX_LINES_PER_REQUEST } from "../domain/rules/selection.ts";

/** Longer strings are refused before anything else is read. */
export const MAX_PREVIEW_TOKEN_LENGTH = 16_384;

const FORMAT = 1;
const HEADER = 3;
const GROUP_RECORD = 17;
const LINE_RECORD = 23;
const BACKUP = 1;
const MIGRATION = 2;
const CHOSEN = 4;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export interface PreviewSelection {
  groups: { groupId: string; backup: boolean; phonebookMigration: boolean; memberIds: string[] }[];
  lines: { lineId: string; version: number; backup: boolean; phonebookMigration: boolean; chosen: boolean }[];
}

/** What submit expects to find (R18): each expanded line's version and each group's members. */
export interface SeenAtPreview {
  versions: ReadonlyMap<string, number>;
  groupMembers: ReadonlyMap<string, ReadonlySet<string>>;
}

export type PreviewTokenCheck =
  | { ok: true; seen: SeenAtPreview }
  | { ok: false; code: "INVALID_PREVIEW_TOKEN" | "PREVIEW_TOKEN_MISMATCH" };

const pairOf = (t: { backup: boolean; phonebookMigration: boolean }) =>
  (t.backup ? BACKUP : 0) | (t.phonebookMigration ? MIGRATION : 0);

/** The token of a selection, or null when it could not be handed back (ids that are not UUIDs, too long). */
export function encodePreviewToken(selection: PreviewSelection): string | null {
  const { groups, lines } = selection;
  const ids = [...groups.map((g) => g.groupId), ...lines.map((l) => l.lineId)];
  if (!ids.every((id) => UUID.test(id)) || groups.length > 0xffff) return null;
  const groupNumber = new Map<string, number>();
  groups.forEach((g, index) => {
    for (const id of g.memberIds) groupNumber.set(id, index + 1);
  });
  const bytes = Buffer.alloc(HEADER + groups.length * GROUP_RECORD + lines.length * LINE_RECORD);
  bytes.writeUInt8(FORMAT, 0);
  bytes.writeUInt16BE(groups.length, 1);
  let at = HEADER;
  for (const group of groups) {
    bytes.write(group.groupId.replaceAll("-", ""), at, "hex");
    bytes.writeUInt8(pairOf(group), at + 16);
    at += GROUP_RECORD;
  }
  for (const line of lines) {
    bytes.write(line.lineId.replaceAll("-", ""), at, "hex");
    bytes.writeUInt32BE(line.version >>> 0, at + 16);
    bytes.writeUInt8(pairOf(line) | (line.chosen ? CHOSEN : 0), at + 20);
    bytes.writeUInt16BE(groupNumber.get(line.lineId) ?? 0, at + 21);
    at += LINE_RECORD;
  }
  const token = bytes.toString("base64url");
  return token.length <= MAX_PREVIEW_TOKEN_LENGTH ? token : null;
}

function uuidAt(bytes: Buffer, at: number): string {
  const hex = bytes.toString("hex", at, at + 16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The selection a token describes, or null when it is not one this server could have issued. */
export function decodePreviewToken(token: string): PreviewSelection | null {
  if (token.length === 0 || token.length > MAX_PREVIEW_TOKEN_LENGTH || !/^[A-Za-z0-9_-]+$/.test(token)) {
    return null;
  }
  const bytes = Buffer.from(token, "base64url");
  if (bytes.length < HEADER || bytes.toString("base64url") !== token || bytes.readUInt8(0) !== FORMAT) {
    return null;
  }
  const groupCount = bytes.readUInt16BE(1);
  const rest = bytes.length - HEADER - groupCount * GROUP_RECORD;
  if (rest < 0 || rest % LINE_RECORD !== 0 || rest / LINE_RECORD > MAX_LINES_PER_REQUEST) return null;

  const groups: PreviewSelection["groups"] = [];
  let at = HEADER;
  for (let i = 0; i < groupCount; i++, at += GROUP_RECORD) {
    const pair = bytes.readUInt8(at + 16);
    if (pair > (BACKUP | MIGRATION)) return null;
    groups.push({
      groupId: uuidAt(bytes, at),
      backup: (pair & BACKUP) !== 0,
      phonebookMigration: (pair & MIGRATION) !== 0,
      memberIds: [],
    });
  }
  const lines: PreviewSelection["lines"] = [];
  for (; at < bytes.length; at += LINE_RECORD) {
    const flags = bytes.readUInt8(at + 20);
    const group = bytes.readUInt16BE(at + 21);
    // Every line is in the selection for a reason: chosen on its own or a member of a selected group.
    if (flags > (BACKUP | MIGRATION | CHOSEN) || group > groupCount || (group === 0 && !(flags & CHOSEN))) {
      return null;
    }
    const lineId = uuidAt(bytes, at);
    lines.push({
      lineId,
      version: bytes.readUInt32BE(at + 16),
      backup: (flags & BACKUP) !== 0,
      phonebookMigration: (flags & MIGRATION) !== 0,
      chosen: (flags & CHOSEN) !== 0,
    });
    if (group > 0) groups[group - 1]?.memberIds.push(lineId);
  }
  const unique = (ids: string[]) => new Set(ids).size === ids.length;
  if (!unique(groups.map((g) => g.groupId)) || !unique(lines.map((l) => l.lineId))) return null;
  return { groups, lines };
}

interface Choice {
  backup: boolean;
  phonebookMigration: boolean;
}

/** Same ids with the same pairs; later duplicates in the input win, as when the selection is expanded. */
function sameChoices<T extends Choice>(
  input: readonly (T & { id: string })[],
  token: readonly (Choice & { id: string })[],
  agrees: (inputChoice: T, id: string) => boolean = () => true,
): boolean {
  const wanted = new Map(input.map((c) => [c.id.toLowerCase(), c]));
  if (wanted.size !== token.length) return false;
  return token.every((t) => {
    const c = wanted.get(t.id);
    return c !== undefined && pairOf(c) === pairOf(t) && agrees(c, t.id);
  });
}

/**
 * Whether a token describes this input (raw ids, as the service takes them),
 * and if so what submit should expect. A line's own `version` in the input
 * must agree with the token's.
 */
export function checkPreviewToken(
  token: string,
  input: {
    lines?:
      | readonly { lineId: string; backup: boolean; phonebookMigration: boolean; version?: number | null }[]
      | null;
    groups?: readonly { groupId: string; backup: boolean; phonebookMigration: boolean }[] | null;
  },
): PreviewTokenCheck {
  const selection = decodePreviewToken(token);
  if (!selection) return { ok: false, code: "INVALID_PREVIEW_TOKEN" };
  const versions = new Map(selection.lines.map((l) => [l.lineId, l.version]));
  const groupsMatch = sameChoices(
    (input.groups ?? []).map((g) => ({ ...g, id: g.groupId })),
    selection.groups.map((g) => ({ ...g, id: g.groupId })),
  );
  const linesMatch = sameChoices(
    (input.lines ?? []).map((l) => ({ ...l, id: l.lineId })),
    selection.lines.filter((l) => l.chosen).map((l) => ({ ...l, id: l.lineId })),
    (c, id) => c.version == null || c.version === versions.get(id),
  );
  if (!groupsMatch || !linesMatch) return { ok: false, code: "PREVIEW_TOKEN_MISMATCH" };
  return {
    ok: true,
    seen: {
      versions,
      groupMembers: new Map(selection.groups.map((g) => [g.groupId, new Set(g.memberIds)])),
    },
  };
}
