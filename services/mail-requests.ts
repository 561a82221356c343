// アプリダウンロード依頼メール (R9), My SoftBankパスワード通知 and 照会 (R10),
// and resends (R11). Mails are receipts too: their items go through the same
// durable queue as permission changes.
import { type Actor, hasScope, lineScope } from "../domain/auth/actor.ts";
import type { Clock } from "../domain/clock.ts";
import { authErrorMessages, mailErrorMessages } from "../domain/messages.ts";
import { appDownloadMailPlan, type MailPlan, passwordNoticePlan } from "../domain/rules/mail.ts";
import { selectionErrors } from "../domain/rules/selection.ts";
import type { Line } from "../prisma/generated/client/client.ts";
import type { Db } from "../server/db.ts";
import { audit, auditActorOf } from "./audit.ts";
import type { Carrier } from "./carrier/port.ts";
import type { EventsPort } from "./events.ts";
import {
  earlierRequest,
  type KeyedRequest,
  keyColumns,
  keyedRequest,
  keyReused,
  lostKeyRace,
} from "./idempotency.ts";
import type { ChangeError } from "./permission-change.ts";
import { receiptAdmin } from "./permission-change.ts";
import { appendEvent, insertReceiptItems, nextReceiptNumber } from "./receipts.ts";

export type MailKind = "APP_DOWNLOAD_MAIL" | "PASSWORD_NOTICE_MAIL";

export interface Skipped {
  line: Line;
  code: string;
  reason: string;
}

export type MailRequestResult =
  | { ok: true; receiptId: string; skipped: Skipped[]; replayed: boolean }
  | { ok: false; errors: ChangeError[]; skipped: Skipped[] };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const plans: Record<MailKind, (line: Line) => MailPlan> = {
  APP_DOWNLOAD_MAIL: appDownloadMailPlan,
  PASSWORD_NOTICE_MAIL: passwordNoticePlan,
};

type LineWithGroup = Line & { group: { name: string } | null };

/** The selected lines the actor may see, in phone order, and the errors of the selection (R3). */
async function selectLines(db: Db, actor: Actor, lineIds: string[]) {
  const unique = [...new Set(lineIds)];
  const lines = await db.line.findMany({
    where: { AND: [{ id: { in: unique.filter((id) => UUID.test(id)) } }, lineScope(actor)] },
    include: { group: { select: { name: true } } },
    orderBy: { phoneNumber: "asc" },
  });
  const errors: ChangeError[] = [];
  const found = new Set(lines.map((l) => l.id));
  const missing = unique.filter((id) => !found.has(id));
  if (missing.length > 0) {
    errors.push({
      code: "NOT_FOUND",
      message: authErrorMessages.NOT_FOUND,
      field: "lineIds",
      lineIds: missing,
    });
  }
  // Unknown ids already explain an empty selection; R3 covers the rest.
  const r3 = selectionErrors(lines).filter((e) => !(missing.length > 0 && e.code === "NO_LINES_SELECTED"));
  errors.push(...r3.map((e) => ({ ...e })));
  return { lines, errors };
}

/** Writes the receipt, its items and its first event; tells `events` after the commit. */
async function createMailReceipt(
  db: Db,
  clock: Clock,
  events: EventsPort,
  actor: Actor,
  kind: MailKind,
  lines: LineWithGroup[],
  options: {
    keyed?: KeyedRequest | null;
    parentId?: string;
    resendOf?: Map<string, string>;
    ip?: string | null;
  },
): Promise<string> {
  const now = clock.now();
  const accepted = await db.$transaction(async (tx) => {
    const admin = await receiptAdmin(tx, actor);
    const receipt = await tx.receipt.create({
      data: {
        accountId: actor.accountId,
        number: await nextReceiptNumber(tx, now),
        kind,
        adminId: admin.adminId,
        apiTokenId: actor.kind === "apiToken" ? actor.tokenId : null,
        adminName: admin.name,
        adminLoginId: admin.loginId,
        receivedAt: now,
        parentId: options.parentId ?? null,
        ...keyColumns(options.keyed ?? null),
      },
    });
    await insertReceiptItems(
      tx,
      receipt.id,
      lines.map((line) => ({
        lineId: line.id,
        groupName: line.group?.name ?? null,
        phoneNumber: line.phoneNumber,
        lineName: line.name,
        lineVersion: line.version,
        backup: null,
        phonebookMigration: null,
        resendOfId: options.resendOf?.get(line.id) ?? null,
      })),
    );
    const event = await appendEvent(tx, receipt.id, { status: "PROCESSING", at: now });
    await audit(tx, auditActorOf(actor), options.parentId ? `${kind}_RESENT` : `${kind}_REQUESTED`, {
      at: now,
      ip: options.ip,
      receiptId: receipt.id,
      lineIds: lines.map((l) => l.id),
      detail: {
        number: receipt.number,
        lines: lines.length,
        ...(options.parentId ? { resendOf: options.parentId } : {}),
      },
    });
    return event;
  });
  events.receiptEvent(accepted);
  return accepted.receiptId;
}

/** R17: the caller's earlier mail request of this kind under this key, or its refusal when the body differs. */
async function replay(
  db: Db,
  actor: Actor,
  kind: MailKind,
  keyed: KeyedRequest,
): Promise<MailRequestResult | null> {
  const earlier = await earlierRequest(db, actor, kind, keyed);
  if (earlier === null) return null;
  if (earlier === "reused") return { ok: false, errors: [keyReused], skipped: [] };
  return { ok: true, receiptId: earlier.receiptId, skipped: [], replayed: true };
}

export async function requestMail(
  db: Db,
  clock: Clock,
  events: EventsPort,
  actor: Actor,
  kind: MailKind,
  input: { lineIds: string[]; idempotencyKey?: string | null },
  meta: { ip?: string | null } = {},
): Promise<MailRequestResult> {
  // R17: the body is the set of lines; their order and repeats mean nothing.
  const keyed = keyedRequest(actor, input.idempotencyKey, { lineIds: [...new Set(input.lineIds)].sort() });
  const earlier = keyed && (await replay(db, actor, kind, keyed));
  if (earlier) return earlier;
  const { lines, errors } = await selectLines(db, actor, input.lineIds);
  if (errors.length > 0) return { ok: false, errors, skipped: [] };
  const plan = plans[kind];
  const skipped: Skipped[] = [];
  const toSend: LineWithGroup[] = [];
  for (const line of lines) {
    const decision = plan(line);
    if (decision.send) toSend.push(line);
    else skipped.push({ line, code: decision.code, reason: decision.reason });
  }
  if (toSend.length === 0) {
    return {
      ok: false,
      skipped,
      errors: [{ code: "NOTHING_TO_SEND", message: mailErrorMessages.NOTHING_TO_SEND, lineIds: [] }],
    };
  }
  try {
    const receiptId = await createMailReceipt(db, clock, events, actor, kind, toSend, { keyed, ip: meta.ip });
    return { ok: true, receiptId, skipped, replayed: false };
  } catch (error) {
    const raced = lostKeyRace(keyed, error) && (await replay(db, actor, kind, keyed));
    if (raced) return raced;
    throw error;
  }
}

/** R11: resend selected items of a mail receipt (all of them when none are named) as a new receipt linked to it. */
export async function resendMail(
  db: Db,
  clock: Clock,
  events: EventsPort,
  actor: Actor,
  kind: MailKind,
  input: { receiptId: string; itemIds?: string[] | null },
  meta: { ip?: string | null } = {},
): Promise<MailRequestResult> {
  const visible = actor.kind === "admin" && actor.role === "GROUP" ? { adminId: actor.adminId } : {};
  const original = UUID.test(input.receiptId)
    ? await db.receipt.findFirst({
        where: { id: input.receiptId, accountId: actor.accountId, kind, ...visible },
        include: { items: { include: { line: { include: { group: { select: { name: true } } } } } } },
      })
    : null;
  if (!original) {
    return {
      ok: false,
      skipped: [],
      errors: [{ code: "NOT_FOUND", message: authErrorMessages.NOT_FOUND, field: "receiptId", lineIds: [] }],
    };
  }
  const wanted = input.itemIds && input.itemIds.length > 0 ? new Set(input.itemIds) : null;
  const items = original.items.filter((i) => !wanted || wanted.has(i.id));
  if (wanted && items.length !== wanted.size) {
    return {
      ok: false,
      skipped: [],
      errors: [{ code: "NOT_FOUND", message: authErrorMessages.NOT_FOUND, field: "itemIds", lineIds: [] }],
    };
  }
  const lines = items.map((i) => i.line);
  const errors = selectionErrors(lines).map((e) => ({ ...e }));
  if (errors.length > 0) return { ok: false, errors, skipped: [] };
  const resendOf = new Map(items.map((i) => [i.lineId, i.id]));
  const receiptId = await createMailReceipt(db, clock, events, actor, kind, lines, {
    parentId: original.id,
    resendOf,
    ip: meta.ip,
  });
  return { ok: true, receiptId, skipped: [], replayed: false };
}

/** R10 照会: the passwords of the selected lines, for MAIN/SUB (and tokens with READ_PASSWORDS); audited without the passwords. */
export async function inquirePasswords(
  db: Db,
  clock: Clock,
  carrier: Carrier,
  actor: Actor,
  input: { lineIds: string[] },
  meta: { ip?: string | null } = {},
): Promise<
  { ok: true; passwords: { line: Line; password: string }[] } | { ok: false; errors: ChangeError[] }
> {
  if (!hasScope(actor, "READ_PASSWORDS")) {
    return { ok: false, errors: [{ code: "FORBIDDEN", message: authErrorMessages.FORBIDDEN, lineIds: [] }] };
  }
  const { lines, errors } = await selectLines(db, actor, input.lineIds);
  if (errors.length > 0) return { ok: false, errors };
  const passwords = await carrier.passwords(lines.map((l) => l.phoneNumber));
  await audit(db, auditActorOf(actor), "PASSWORD_INQUIRY", {
    at: clock.now(),
    ip: meta.ip,
    lineIds: lines.map((l) => l.id),
    detail: { lines: lines.length },
  });
  return {
    ok: true,
    passwords: lines.flatMap((line) => {
      const password = passwords.get(line.phoneNumber);
      return password ? [{ line, password }] : [];
    }),
  };
}
