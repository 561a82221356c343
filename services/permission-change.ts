// 利用可否設定: expanding a selection, previewing it (確認) and submitting it
// (決定). Every check runs before anything is written; a refused request
// writes nothing.
import { type Actor, groupScope, lineScope } from "../domain/auth/actor.ts";
import type { Clock } from "../domain/clock.ts";
import { authErrorMessages, screenTexts } from "../domain/messages.ts";
import { acceptanceWindow } from "../domain/rules/acceptance.ts";
import { selectionErrors, userError } from "../domain/rules/selection.ts";
import type { Line } from "../prisma/generated/client/client.ts";
import { Prisma } from "../prisma/generated/client/client.ts";
import type { Db } from "../server/db.ts";
import { audit, auditActorOf } from "./audit.ts";
import { appendEvent, insertReceiptItems, nextReceiptNumber, type ReceiptEventRecord } from "./receipts.ts";

export interface PermissionChangeInput {
  lines?: { lineId: string; backup: boolean; phonebookMigration: boolean; version?: number | null }[] | null;
  groups?: { groupId: string; backup: boolean; phonebookMigration: boolean }[] | null;
  idempotencyKey?: string | null;
}

export interface ChangeError {
  code: string;
  message: string;
  field?: string;
  lineIds: string[];
}

export interface Target {
  line: Line & { group: { name: string } | null };
  backup: boolean;
  phonebookMigration: boolean;
  /** The version the administrator saw at 確認, when the client sent it (R5). */
  expectedVersion: number | null;
}

export interface Warning {
  code: "SHARED_PHONEBOOK";
  message: string;
  lineIds: string[];
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function notFound(field: string, ids: string[]): ChangeError {
  return { code: "NOT_FOUND", message: authErrorMessages.NOT_FOUND, field, lineIds: ids };
}

/** R6: groups expand to their members with the group's pair; a line chosen on its own keeps its own pair. */
export async function expandSelection(
  db: Db | Prisma.TransactionClient,
  actor: Actor,
  input: PermissionChangeInput,
): Promise<{ targets: Target[]; errors: ChangeError[] }> {
  const errors: ChangeError[] = [];
  const byLine = new Map<string, Target>();

  const groupInputs = input.groups ?? [];
  if (groupInputs.length > 0) {
    const ids = groupInputs.map((g) => g.groupId).filter((id) => UUID.test(id));
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
      for (const line of found.get(choice.groupId)?.lines ?? []) {
        byLine.set(line.id, {
          line,
          backup: choice.backup,
          phonebookMigration: choice.phonebookMigration,
          expectedVersion: null,
        });
      }
    }
  }

  const lineInputs = input.lines ?? [];
  if (lineInputs.length > 0) {
    const ids = lineInputs.map((l) => l.lineId).filter((id) => UUID.test(id));
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
        expectedVersion: choice.version ?? null,
      });
    }
  }

  const targets = [...byLine.values()].sort((a, b) => a.line.phoneNumber.localeCompare(b.line.phoneNumber));
  errors.push(...selectionErrors(targets.map((t) => t.line)));
  return { targets, errors };
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
  const { targets, errors } = await expandSelection(db, actor, input);
  return { targets, warnings: warningsFor(targets), errors: [...errors, ...inFlight(targets)] };
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
      /** For realtime fan-out after commit (empty on a replay). */
      accepted?: { event: ReceiptEventRecord; accountId: string; lineIds: string[] };
    }
  | { ok: false; errors: ChangeError[] };

export async function submitPermissionChange(
  db: Db,
  clock: Clock,
  actor: Actor,
  settings: { acceptanceHours: string },
  input: PermissionChangeInput,
  meta: { ip?: string | null } = {},
): Promise<SubmitResult> {
  const key = input.idempotencyKey?.trim() || null;
  if (key) {
    const existing = await findByIdempotencyKey(db, actor, key);
    if (existing) return existing;
  }
  const now = clock.now();
  // R4 comes first: outside the hours, nothing else matters.
  if (!acceptanceWindow(now, settings.acceptanceHours).open) {
    return { ok: false, errors: [{ ...userError("OUTSIDE_ACCEPTANCE_HOURS") }] };
  }
  try {
    return await db.$transaction(
      async (tx) => {
        const { targets, errors } = await expandSelection(tx, actor, input);
        if (errors.length > 0) throw new Refused(errors);
        // R5: lock the lines (in id order, so two submits on overlapping
        // lines cannot deadlock) and mark those IN_SERVICE as PROCESSING, in
        // one statement with one array parameter; then check nobody changed
        // them since 確認 and that no change was in flight. Two administrators
        // racing on the same lines serialize here; the second one finds them
        // PROCESSING and is refused, and a refusal rolls the marking back.
        const ids = targets.map((t) => t.line.id);
        const marked = await tx.$queryRaw<{ id: string; version: number }[]>`
          WITH "locked" AS (
            SELECT "id" FROM "Line" WHERE "id" = ANY(${ids}::uuid[]) ORDER BY "id" FOR UPDATE
          )
          UPDATE "Line" SET "status" = 'PROCESSING', "updatedAt" = ${new Date()}
          FROM "locked" WHERE "Line"."id" = "locked"."id" AND "Line"."status" = 'IN_SERVICE'
          RETURNING "Line"."id"::text AS id, "Line"."version"`;
        const current = new Map(marked.map((l) => [l.id, l]));
        const conflicting = targets
          .filter((t) => {
            const row = current.get(t.line.id);
            return !row || (t.expectedVersion !== null && row.version !== t.expectedVersion);
          })
          .map((t) => t.line.id);
        if (conflicting.length > 0) throw new Refused([{ ...userError("CONFLICT", conflicting) }]);

        const admin = await receiptAdmin(tx, actor);
        const receipt = await tx.receipt.create({
          data: {
            accountId: actor.accountId,
            number: await nextReceiptNumber(tx, now),
            kind: "PERMISSION_CHANGE",
            adminId: admin.adminId,
            apiTokenId: actor.kind === "apiToken" ? actor.tokenId : null,
            adminName: admin.name,
            adminLoginId: admin.loginId,
            receivedAt: now,
            idempotencyKey: key,
          },
        });
        await insertReceiptItems(
          tx,
          receipt.id,
          targets.map((t) => ({
            lineId: t.line.id,
            groupName: t.line.group?.name ?? null,
            phoneNumber: t.line.phoneNumber,
            lineName: t.line.name,
            lineVersion: current.get(t.line.id)?.version ?? t.line.version,
            backup: t.backup,
            phonebookMigration: t.phonebookMigration,
            resendOfId: null,
          })),
        );
        const event = await appendEvent(tx, receipt.id, { status: "PROCESSING", at: now });
        await audit(tx, auditActorOf(actor), "PERMISSION_CHANGE_SUBMITTED", {
          at: now,
          ip: meta.ip,
          receiptId: receipt.id,
          lineIds: ids,
          detail: { number: receipt.number, lines: targets.length },
        });
        return {
          ok: true as const,
          receiptId: receipt.id,
          replayed: false,
          targets: targets.length,
          accepted: { event, accountId: actor.accountId, lineIds: ids },
        };
      },
      { timeout: 30_000, maxWait: 30_000 },
    );
  } catch (error) {
    if (error instanceof Refused) return { ok: false, errors: error.errors };
    // Two retries with one key racing: the unique index lets one in.
    if (key && error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") {
      const existing = await findByIdempotencyKey(db, actor, key);
      if (existing) return existing;
    }
    throw error;
  }
}

async function findByIdempotencyKey(db: Db, actor: Actor, key: string): Promise<SubmitResult | null> {
  const receipt = await db.receipt.findUnique({
    where: { accountId_idempotencyKey: { accountId: actor.accountId, idempotencyKey: key } },
    select: { id: true, _count: { select: { items: true } } },
  });
  return receipt ? { ok: true, receiptId: receipt.id, replayed: true, targets: receipt._count.items } : null;
}

/** The name and loginId a receipt shows: the administrator, or the token's creator for MDM tools. */
export async function receiptAdmin(tx: Prisma.TransactionClient, actor: Actor) {
  const adminId = actor.kind === "admin" ? actor.adminId : actor.createdById;
  const admin = await tx.administrator.findUniqueOrThrow({ where: { id: adminId } });
  return {
    adminId: admin.id,
    name: actor.kind === "admin" ? admin.name : `${admin.name} (API: ${actor.tokenName})`,
    loginId: admin.loginId,
  };
}
