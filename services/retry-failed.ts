// R19: 異常終了分を再設定. A permission change's failed items (all of them, or
// those chosen) become a new permission-change receipt with their original
// targets, linked to the original as a mail resend is (R11), item by item.
// It is accepted exactly as 決定 is (permission-change.ts): R17, R4, then the
// selection again (R3, R16: a line cancelled since is refused) and R5 with
// the version each line had when the original accepted it, so a line that
// someone else changed since the failure is a CONFLICT.
import { type Actor, receiptScope } from "../domain/auth/actor.ts";
import type { Clock } from "../domain/clock.ts";
import { authErrorMessages, retryMessages } from "../domain/messages.ts";
import { userError } from "../domain/rules/selection.ts";
import type { Db } from "../lib/db.ts";
import type { EventsPort } from "./events.ts";
import { keyedRequest } from "./idempotency.ts";
import { acceptPermissionChange, type Prepared, type SubmitResult } from "./permission-change.ts";

export interface RetryFailedInput {
  receiptId: string;
  /**
   * The failed items to retry; when null, every failed item of the receipt
   * that no retry took up yet. An empty list selects nothing (R3).
   */
  itemIds?: string[] | null;
  idempotencyKey?: string | null;
}

export async function retryFailedItems(
  db: Db,
  clock: Clock,
  events: EventsPort,
  actor: Actor,
  settings: { acceptanceHours: string },
  input: RetryFailedInput,
  meta: { ip?: string | null } = {},
): Promise<SubmitResult> {
  const itemIds = input.itemIds == null ? null : [...new Set(input.itemIds)].sort();
  // R17: the body is the receipt and the chosen items, in any order; it
  // names the receipt it retries, so it never matches a submit's body.
  const keyed = keyedRequest(actor, input.idempotencyKey, { retryOf: input.receiptId, itemIds });
  return acceptPermissionChange(
    db,
    clock,
    events,
    actor,
    settings,
    keyed,
    () => failedItems(db, actor, input.receiptId, itemIds),
    meta,
  );
}

/** The chosen failed items of a permission change the actor may see, as a selection of their lines. */
async function failedItems(
  db: Db,
  actor: Actor,
  receiptId: string,
  itemIds: string[] | null,
): Promise<Prepared> {
  const original = await db.receipt.findFirst({
    where: { AND: [{ id: receiptId, kind: "PERMISSION_CHANGE" }, receiptScope(actor)] },
    select: {
      id: true,
      items: {
        // All: the failed items no retry took up yet (a retry that failed
        // again is retried from its own receipt).
        where: itemIds ? { id: { in: itemIds } } : { status: "FAILED", resends: { none: {} } },
        orderBy: { position: "asc" },
        select: {
          id: true,
          lineId: true,
          status: true,
          backup: true,
          phonebookMigration: true,
          lineVersion: true,
        },
      },
    },
  });
  if (!original) {
    return {
      ok: false,
      errors: [{ code: "NOT_FOUND", message: authErrorMessages.NOT_FOUND, field: "receiptId", lineIds: [] }],
    };
  }
  const { items } = original;
  if (itemIds) {
    if (itemIds.length === 0) return { ok: false, errors: [{ ...userError("NO_LINES_SELECTED") }] };
    // Ids of another receipt's items say nothing about that receipt.
    if (items.length !== itemIds.length) {
      return {
        ok: false,
        errors: [{ code: "NOT_FOUND", message: authErrorMessages.NOT_FOUND, field: "itemIds", lineIds: [] }],
      };
    }
    const notFailed = items.filter((item) => item.status !== "FAILED");
    if (notFailed.length > 0) {
      return {
        ok: false,
        errors: [
          {
            code: "ITEM_NOT_FAILED",
            message: retryMessages.ITEM_NOT_FAILED,
            field: "itemIds",
            lineIds: notFailed.map((item) => item.lineId),
          },
        ],
      };
    }
  } else if (items.length === 0) {
    return {
      ok: false,
      errors: [{ code: "NOTHING_TO_RETRY", message: retryMessages.NOTHING_TO_RETRY, lineIds: [] }],
    };
  }
  return {
    ok: true,
    input: {
      lines: items.map((item) => ({
        lineId: item.lineId,
        backup: item.backup ?? false,
        phonebookMigration: item.phonebookMigration ?? false,
        // R5: a failure leaves the line's version as it was at acceptance;
        // any other version means someone changed the line since.
        version: item.lineVersion,
      })),
    },
    lineage: {
      parentId: original.id,
      itemOf: new Map(items.map((item) => [item.lineId, item.id])),
      auditAction: "PERMISSION_CHANGE_RETRIED",
    },
  };
}
