// アプリダウンロード依頼メール (R9), My SoftBankパスワード通知 and 照会 (R10),
// and resends (R11). Mails are receipts too: their items go through the same
// durable queue as permission changes.
import { type Actor, hasScope, lineScope } from "../domain/auth/actor.ts";
import type { Clock } from "../domain/clock.ts";
import { authErrorMessages, mailErrorMessages } from "../domain/messages.ts";
import { appDownloadMailPlan, type MailPlan, passwordNoticePlan } from "../domain/rules/mail.ts";
import { selectionErrors } from "../domain/rules/selection.ts";
import type { Db } from "../lib/db.ts";
import type { Line } from "../prisma/generated/client/client.ts";
import type { ReceiptKind } from "../prisma/generated/client/enums.ts";
import { audit, auditActorOf } from "./audit.ts";
import type { Carrier } from "./carrier/port.ts";
import type { EventsPort } from "./events.ts";
import { type KeyedRequest, keyedRequest } from "./idempotency.ts";
import { acceptOnce, acceptReceipt, type ChangeError } from "./receipts.ts";

/** The receipt kinds that send a mail to each line (not the MailMessage's own MailKind). */
export type MailReceiptKind = Extract<ReceiptKind, "APP_DOWNLOAD_MAIL" | "PASSWORD_NOTICE_MAIL">;

export interface Skipped {
  line: Line;
  code: string;
  reason: string;
}

export type MailRequestResult =
  | { ok: true; receiptId: string; skipped: Skipped[]; replayed: boolean }
  | { ok: false; errors: ChangeError[]; skipped: Skipped[] };

const plans: Record<MailReceiptKind, (line: Line) => MailPlan> = {
  APP_DOWNLOAD_MAIL: appDownloadMailPlan,
  PASSWORD_NOTICE_MAIL: passwordNoticePlan,
};

type LineWithGroup = Line & { group: { name: string } | null };

/** The selected lines the actor may see, in phone order, and the errors of the selection (R3). */
async function selectLines(db: Db, actor: Actor, lineIds: string[]) {
  const unique = [...new Set(lineIds)];
  const lines = await db.line.findMany({
    where: { AND: [{ id: { in: unique } }, lineScope(actor)] },
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

/** Accepts a mail receipt for `lines` (receipts.ts writes it and tells `events` after the commit). */
function acceptMail(
  db: Db,
  clock: Clock,
  events: EventsPort,
  actor: Actor,
  kind: MailReceiptKind,
  lines: LineWithGroup[],
  options: {
    keyed?: KeyedRequest | null;
    parentId?: string;
    resendOf?: Map<string, string>;
    ip?: string | null;
  },
) {
  const acceptance = { at: clock.now(), keyed: options.keyed, ip: options.ip };
  return acceptReceipt(db, events, actor, acceptance, async () => ({
    kind,
    parentId: options.parentId,
    items: lines.map((line) => ({
      lineId: line.id,
      groupName: line.group?.name ?? null,
      phoneNumber: line.phoneNumber,
      lineName: line.name,
      lineVersion: line.version,
      backup: null,
      phonebookMigration: null,
      resendOfId: options.resendOf?.get(line.id) ?? null,
    })),
    auditAction: options.parentId ? `${kind}_RESENT` : `${kind}_REQUESTED`,
  }));
}

/** R17: the caller's earlier mail request of this kind under this key, or its refusal when the body differs. */
const answers = {
  replayed: (earlier: { receiptId: string }): MailRequestResult => ({
    ok: true,
    receiptId: earlier.receiptId,
    skipped: [],
    replayed: true,
  }),
  refused: (errors: ChangeError[]): MailRequestResult => ({ ok: false, errors, skipped: [] }),
};

export async function requestMail(
  db: Db,
  clock: Clock,
  events: EventsPort,
  actor: Actor,
  kind: MailReceiptKind,
  input: { lineIds: string[]; idempotencyKey?: string | null },
  meta: { ip?: string | null } = {},
): Promise<MailRequestResult> {
  // R17: the body is the set of lines; their order and repeats mean nothing.
  const keyed = keyedRequest(actor, input.idempotencyKey, { lineIds: [...new Set(input.lineIds)].sort() });
  return acceptOnce<MailRequestResult>(db, actor, kind, keyed, answers, async () => {
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
    const { receiptId } = await acceptMail(db, clock, events, actor, kind, toSend, { keyed, ip: meta.ip });
    return { ok: true, receiptId, skipped, replayed: false };
  });
}

/** R11: resend selected items of a mail receipt (all of them when none are named) as a new receipt linked to it. */
export async function resendMail(
  db: Db,
  clock: Clock,
  events: EventsPort,
  actor: Actor,
  kind: MailReceiptKind,
  input: { receiptId: string; itemIds?: string[] | null },
  meta: { ip?: string | null } = {},
): Promise<MailRequestResult> {
  const visible = actor.kind === "admin" && actor.role === "GROUP" ? { adminId: actor.adminId } : {};
  const original = await db.receipt.findFirst({
    where: { id: input.receiptId, accountId: actor.accountId, kind, ...visible },
    include: { items: { include: { line: { include: { group: { select: { name: true } } } } } } },
  });
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
  const { receiptId } = await acceptMail(db, clock, events, actor, kind, lines, {
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
