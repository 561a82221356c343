// 利用可否設定: expanding a selection, previewing it (確認) and submitting it
// (決定). Every check runs before anything is written; a refused request
// writes nothing.
import { type Actor, groupScope, lineScope } from "../domain/auth/actor.ts";
import type { Clock } from "../domain/clock.ts";
import { authErrorMessages, screenTexts } from "../domain/messages.ts";
import { acceptanceWindow } from "../domain/rules/acceptance.ts";
import { selectionErrors, userError } from "../domain/rules/selection.ts";
import type { Db } from "../lib/db.ts";
import type { Line, Prisma } from "../prisma/generated/client/client.ts";
import type { EventsPort } from "./events.ts";
import { type KeyedRequest, keyedRequest, sortedById } from "./idempotency.ts";
import type { SeenAtPreview } from "./preview-token.ts";
import { acceptOnce, acceptReceipt, type ChangeError, type ReceiptDraft } from "./receipts.ts";
import type { LineChangedState } from "./webhooks/outbox.ts";

export interface PermissionChangeInput {
  lines?: { lineId: string; backup: boolean; phonebookMigration: boolean; version?: number | null }[] | null;
  groups?: { groupId: string; backup: boolean; phonebookMigration: boolean }[] | null;
  idempotencyKey?: string | null;
  /** What 確認 saw, from a preview token that matched this input (R18). */
  seenAtPreview?: SeenAtPreview | null;
}

export interface Target {
  line: Line & { group: { name: string } | null };
  backup: boolean;
  phonebookMigration: boolean;
  /** The version the administrator saw at 確認, when the client sent it (R5, R18). */
  expectedVersion: number | null;
  /** Chosen on its own, or as a member of a selected group (R6). */
  source: "line" | "group";
}

/** A selected group as expanded: its pair and the members the actor may see. */
export interface ExpandedGroup {
  groupId: string;
  backup: boolean;
  phonebookMigration: boolean;
  memberIds: string[];
}

export interface Warning {
  code: "SHARED_PHONEBOOK";
  message: string;
  lineIds: string[];
}

function notFound(field: string, ids: string[]): ChangeError {
  return { code: "NOT_FOUND", message: authErrorMessages.NOT_FOUND, field, lineIds: ids };
}

/** R6: groups expand to their members with the group's pair; a line chosen on its own keeps its own pair. */
export async function expandSelection(
  db: Db | Prisma.TransactionClient,
  actor: Actor,
  input: PermissionChangeInput,
): Promise<{ targets: Target[]; groups: ExpandedGroup[]; errors: ChangeError[] }> {
  const errors: ChangeError[] = [];
  const byLine = new Map<string, Target>();
  const expandedGroups = new Map<string, ExpandedGroup>();
  const seen = input.seenAtPreview?.versions;

  const groupInputs = input.groups ?? [];
  if (groupInputs.length > 0) {
    const ids = groupInputs.map((g) => g.groupId);
    const groups = await db.group.findMany({
      where: { AND: [{ id: { in: ids } }, groupScope(actor)] },
      include: {
        lines: { where: lineScope(actor), include: { group: { select: { name: true } } } },
        _count: { select: { lines: { where: { deviceKind: "FEATURE_PHONE_3G" } } } },
      },
    });
    const found = new Map(groups.map((g) => [g.id, g]));
    const missing = groupInputs.filter((g) => !found.has(g.groupId)).map((g) => g.groupId);
    if (missing.length > 0) errors.push(notFound("groups", []));
    const with3g = groups.filter((g) => g._count.lines > 0);
    if (with3g.length > 0) {
      errors.push({
        code: "GROUP_NOT_SELECTABLE",
        message: screenTexts.GROUP_WITH_3G_NOT_SELECTABLE,
        field: "groups",
        lineIds: [],
      });
    }
    for (const choice of groupInputs) {
      const group = found.get(choice.groupId);
      if (!group) continue;
      expandedGroups.set(group.id, {
        groupId: group.id,
        backup: choice.backup,
        phonebookMigration: choice.phonebookMigration,
        memberIds: group.lines.map((l) => l.id),
      });
      for (const line of group.lines) {
        byLine.set(line.id, {
          line,
          backup: choice.backup,
          phonebookMigration: choice.phonebookMigration,
          expectedVersion: seen?.get(line.id) ?? null,
          source: "group",
        });
      }
    }
  }

  const lineInputs = input.lines ?? [];
  if (lineInputs.length > 0) {
    const ids = lineInputs.map((l) => l.lineId);
    const lines = await db.line.findMany({
      where: { AND: [{ id: { in: ids } }, lineScope(actor)] },
      include: { group: { select: { name: true } } },
    });
    const found = new Map(lines.map((l) => [l.id, l]));
    const missing = lineInputs.filter((l) => !found.has(l.lineId)).map((l) => l.lineId);
    if (missing.length > 0) errors.push(notFound("lines", missing));
    for (const choice of lineInputs) {
      const line = found.get(choice.lineId);
      if (!line) continue;
      byLine.set(line.id, {
        line,
        backup: choice.backup,
        phonebookMigration: choice.phonebookMigration,
        expectedVersion: choice.version ?? seen?.get(line.id) ?? null,
        source: "line",
      });
    }
  }

  const targets = [...byLine.values()].sort((a, b) => a.line.phoneNumber.localeCompare(b.line.phoneNumber));
  errors.push(...selectionErrors(targets.map((t) => t.line)));
  return { targets, groups: [...expandedGroups.values()], errors };
}

/** R18: lines that joined or left a selected group since 確認 saw its members. */
function membershipChanges(groups: ExpandedGroup[], seen: SeenAtPreview | null | undefined): string[] {
  if (!seen) return [];
  const changed = new Set<string>();
  for (const group of groups) {
    const before = seen.groupMembers.get(group.groupId);
    if (!before) continue;
    const now = new Set(group.memberIds);
    for (const id of now) if (!before.has(id)) changed.add(id);
    for (const id of before) if (!now.has(id)) changed.add(id);
  }
  return [...changed];
}

/** R14: allowing migration on a shared-phonebook line deserves the manual's caution; it does not block. */
export function warningsFor(targets: Target[]): Warning[] {
  const shared = targets.filter((t) => t.phonebookMigration && t.line.sharedPhonebook).map((t) => t.line.id);
  return shared.length > 0
    ? [{ code: "SHARED_PHONEBOOK", message: screenTexts.SHARED_PHONEBOOK_CAUTION, lineIds: shared }]
    : [];
}

/** R5, as far as it can be seen before submitting: lines with a change already in flight. */
function inFlight(targets: Target[]): ChangeError[] {
  const busy = targets.filter((t) => t.line.status === "PROCESSING").map((t) => t.line.id);
  return busy.length > 0 ? [{ ...userError("CONFLICT", busy) }] : [];
}

export async function previewPermissionChange(db: Db, actor: Actor, input: PermissionChangeInput) {
  const { targets, groups, errors } = await expandSelection(db, actor, input);
  return { targets, groups, warnings: warningsFor(targets), errors: [...errors, ...inFlight(targets)] };
}

class Refused extends Error {
  constructor(readonly errors: ChangeError[]) {
    super("refused");
  }
}

export type SubmitResult =
  | {
      ok: true;
      receiptId: string;
      replayed: boolean;
      targets: number;
    }
  | { ok: false; errors: ChangeError[] };

/**
 * R17: what a keyed submit asks for, as its fingerprint sees it: the lines
 * and groups with their targets (and the versions sent with lines), in id
 * order. What 確認 saw is a precondition of the request, not part of it.
 */
function requestBody(input: PermissionChangeInput) {
  return {
    lines: sortedById(input.lines ?? [], (l) => l.lineId),
    groups: sortedById(input.groups ?? [], (g) => g.groupId),
  };
}

/** 決定. Accepted receipts and the lines they mark PROCESSING are told to `events` after the commit. */
export async function submitPermissionChange(
  db: Db,
  clock: Clock,
  events: EventsPort,
  actor: Actor,
  settings: { acceptanceHours: string },
  input: PermissionChangeInput,
  meta: { ip?: string | null } = {},
): Promise<SubmitResult> {
  const keyed = keyedRequest(actor, input.idempotencyKey, requestBody(input));
  return acceptPermissionChange(
    db,
    clock,
    events,
    actor,
    settings,
    keyed,
    async () => ({ ok: true, input }),
    meta,
  );
}

/** Where a receipt of permission changes comes from, when it is not a plain submit (R19). */
export interface Lineage {
  /** The receipt it retries. */
  parentId: string;
  /** Per line: the item of the parent it retries. */
  itemOf: ReadonlyMap<string, string>;
  /** What the audit log calls it (R15). */
  auditAction: string;
}

/** What a request asks for once its own checks have passed, or why it is refused. */
export type Prepared =
  | { ok: true; input: PermissionChangeInput; lineage?: Lineage }
  | { ok: false; errors: ChangeError[] };

/**
 * The one way a receipt of permission changes is accepted, for 決定 and for
 * retries of failed items (R19): R17 (a keyed request replays or is refused),
 * R4, then the request's own checks (`prepare`), then the selection and the
 * lines in one transaction (R3, R5, R6, R16, R18).
 */
export async function acceptPermissionChange(
  db: Db,
  clock: Clock,
  events: EventsPort,
  actor: Actor,
  settings: { acceptanceHours: string },
  keyed: KeyedRequest | null,
  prepare: () => Promise<Prepared>,
  meta: { ip?: string | null } = {},
): Promise<SubmitResult> {
  return acceptOnce<SubmitResult>(db, actor, "PERMISSION_CHANGE", keyed, answers, async () => {
    const now = clock.now();
    // R4 comes first: outside the hours, nothing else matters.
    if (!acceptanceWindow(now, settings.acceptanceHours).open) {
      return { ok: false, errors: [{ ...userError("OUTSIDE_ACCEPTANCE_HOURS") }] };
    }
    const prepared = await prepare();
    if (!prepared.ok) return prepared;
    try {
      const accepted = await acceptReceipt(
        db,
        events,
        actor,
        { at: now, keyed, ip: meta.ip, transaction: { timeout: 30_000, maxWait: 30_000 } },
        (tx) => draft(tx, actor, prepared.input, prepared.lineage),
      );
      return { ok: true, receiptId: accepted.receiptId, replayed: false, targets: accepted.items };
    } catch (error) {
      if (error instanceof Refused) return { ok: false, errors: error.errors };
      throw error;
    }
  });
}

/** R17: the caller's earlier submit under this key, or its refusal when the body differs. */
const answers = {
  replayed: (earlier: { receiptId: string; items: number }): SubmitResult => ({
    ok: true,
    receiptId: earlier.receiptId,
    replayed: true,
    targets: earlier.items,
  }),
  refused: (errors: ChangeError[]): SubmitResult => ({ ok: false, errors }),
};

/**
 * The receipt of a permission change, after its own checks inside the
 * transaction that accepts it: the selection (R3, R6, R16), then the lines it
 * marks PROCESSING (R5, R18). Throws Refused, which rolls everything back.
 */
async function draft(
  tx: Prisma.TransactionClient,
  actor: Actor,
  input: PermissionChangeInput,
  lineage?: Lineage,
): Promise<ReceiptDraft> {
  const { targets, groups, errors } = await expandSelection(tx, actor, input);
  if (errors.length > 0) throw new Refused(errors);
  // R5: lock the lines (in id order, so two submits on overlapping
  // lines cannot deadlock) and mark those IN_SERVICE as PROCESSING, in
  // one statement with one array parameter; then check nobody changed
  // them since 確認 (R18: the versions 確認 saw, and the members it saw
  // in each selected group) and that no change was in flight. Two
  // administrators racing on the same lines serialize here; the second
  // one finds them PROCESSING and is refused, and a refusal rolls the
  // marking back.
  const ids = targets.map((t) => t.line.id);
  // RETURNING gives the lines' new state, which line.changed shows: no read after.
  const marked = await tx.$queryRaw<LineChangedState[]>`
    WITH "locked" AS (
      SELECT "id" FROM "Line" WHERE "id" = ANY(${ids}::uuid[]) ORDER BY "id" FOR UPDATE
    )
    UPDATE "Line" SET "status" = 'PROCESSING', "updatedAt" = ${new Date()}
    FROM "locked" WHERE "Line"."id" = "locked"."id" AND "Line"."status" = 'IN_SERVICE'
    RETURNING "Line"."id"::text AS id, "Line"."accountId"::text AS "accountId",
      "Line"."groupId"::text AS "groupId", "Line"."phoneNumber", "Line"."version",
      "Line"."status"::text AS status, "Line"."contractStatus"::text AS "contractStatus",
      "Line"."backup", "Line"."phonebookMigration", "Line"."lastAppDownloadMailAt"`;
  const current = new Map(marked.map((l) => [l.id, l]));
  const conflicting = targets
    .filter((t) => {
      const row = current.get(t.line.id);
      return !row || (t.expectedVersion !== null && row.version !== t.expectedVersion);
    })
    .map((t) => t.line.id);
  for (const id of membershipChanges(groups, input.seenAtPreview)) {
    if (!conflicting.includes(id)) conflicting.push(id);
  }
  if (conflicting.length > 0) throw new Refused([{ ...userError("CONFLICT", conflicting) }]);
  return {
    kind: "PERMISSION_CHANGE",
    items: targets.map((t) => ({
      lineId: t.line.id,
      groupName: t.line.group?.name ?? null,
      phoneNumber: t.line.phoneNumber,
      lineName: t.line.name,
      lineVersion: current.get(t.line.id)?.version ?? t.line.version,
      backup: t.backup,
      phonebookMigration: t.phonebookMigration,
      resendOfId: lineage?.itemOf.get(t.line.id) ?? null,
    })),
    parentId: lineage?.parentId ?? null,
    auditAction: lineage?.auditAction ?? "PERMISSION_CHANGE_SUBMITTED",
    linesChanged: [...current.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)),
  };
}
