// The audit log, readable (R15): who did what, when, from which address, to
// which lines, with which receipt. The rows are written by services/audit.ts,
// which never stores a password (a password inquiry records the lines and
// their count only); this module reads them for auditEvents and the 監査ログ
// CSV, and deletes rows past AUDIT_RETENTION_DAYS (the daily job).
import type { Actor } from "../domain/auth/actor.ts";
import { formatDateTime } from "../domain/format.ts";
import { auditTexts } from "../domain/messages.ts";
import type { Db } from "../lib/db.ts";
import type { Prisma } from "../prisma/generated/client/client.ts";
import { type Column, type CsvExport, EXPORT_PAGE_SIZE, keysetPages, stamp } from "./exports.ts";

export const DEFAULT_AUDIT_RETENTION_DAYS = 400;

/** The actions the log records (services that call audit()); anything newer reads as OTHER. */
export const AUDIT_ACTIONS = [
  "LOGIN",
  "LOGIN_FAILED",
  "LINES_REFRESHED",
  "PASSWORD_INQUIRY",
  "PERMISSION_CHANGE_SUBMITTED",
  "PERMISSION_CHANGE_RETRIED",
  "APP_DOWNLOAD_MAIL_REQUESTED",
  "APP_DOWNLOAD_MAIL_RESENT",
  "PASSWORD_NOTICE_MAIL_REQUESTED",
  "PASSWORD_NOTICE_MAIL_RESENT",
  "API_TOKEN_CREATED",
  "API_TOKEN_REVOKED",
  "OTHER",
] as const;

export type AuditAction = (typeof AUDIT_ACTIONS)[number];

const KNOWN = AUDIT_ACTIONS.filter((a) => a !== "OTHER") as string[];

export function auditActionOf(stored: string): AuditAction {
  return KNOWN.includes(stored) ? (stored as AuditAction) : "OTHER";
}

/** Who acted, as the row remembers it (names are snapshots, kept if the actor is renamed or deleted). */
export interface AuditActorView {
  kind: "ADMINISTRATOR" | "API_TOKEN";
  /** The administrator's or token's id, when the row has it. */
  id: string | null;
  name: string;
  /** The administrator's login id; null for a token. */
  loginId: string | null;
}

export function auditActorView(row: {
  adminId: string | null;
  apiTokenId: string | null;
  actor: string;
  actorName: string | null;
}): AuditActorView {
  if (row.apiTokenId || row.actor.startsWith("token:")) {
    const name = row.actorName ?? row.actor.slice("token:".length);
    return { kind: "API_TOKEN", id: row.apiTokenId, name, loginId: null };
  }
  return { kind: "ADMINISTRATOR", id: row.adminId, name: row.actorName ?? row.actor, loginId: row.actor };
}

export interface AuditFilter {
  from?: Date | null;
  to?: Date | null;
  /** An administrator or an API token. */
  actor?: { kind: "ADMINISTRATOR" | "API_TOKEN"; id: string } | null;
  action?: AuditAction | null;
  lineId?: string | null;
  /** 電話番号 (with or without hyphens): entries about the listed line with this number. */
  phoneNumber?: string | null;
}

/** No line has it: a filter on an unknown phone number matches nothing. */
const NO_LINE = "00000000-0000-0000-0000-000000000000";

/** 090-1234-5678 from 09012345678 (how lines store it); anything else as given. */
function listedForm(phoneNumber: string): string {
  const digits = phoneNumber
    .replace(/[^0-9０-９]/g, "")
    .replace(/[０-９]/g, (d) => String(d.charCodeAt(0) - 0xff10));
  return digits.length === 11
    ? `${digits.slice(0, 3)}-${digits.slice(3, 7)}-${digits.slice(7)}`
    : phoneNumber.trim();
}

/** The filter with a phone number turned into its line (one read), for auditWhere. */
export async function resolveAuditFilter(
  db: Db,
  actor: Actor,
  filter: AuditFilter | null | undefined,
): Promise<AuditFilter> {
  if (!filter?.phoneNumber?.trim()) return filter ?? {};
  const line = await db.line.findUnique({
    where: {
      accountId_phoneNumber: { accountId: actor.accountId, phoneNumber: listedForm(filter.phoneNumber) },
    },
    select: { id: true },
  });
  const lineId = line?.id ?? NO_LINE;
  // Both given and different: nothing matches.
  return { ...filter, lineId: filter.lineId && filter.lineId !== lineId ? NO_LINE : lineId };
}

/** The actors the log has entries of (the 管理者 filter's choices), newest activity first. */
export async function auditActors(db: Db, actor: Actor): Promise<AuditActorView[]> {
  const rows = await db.$queryRaw<
    {
      adminId: string | null;
      apiTokenId: string | null;
      actor: string;
      actorName: string | null;
      last: Date;
    }[]
  >`
    SELECT * FROM (
      SELECT DISTINCT ON ("adminId", "apiTokenId")
        "adminId"::text AS "adminId", "apiTokenId"::text AS "apiTokenId", "actor", "actorName", "createdAt" AS "last"
      FROM "AuditEvent"
      WHERE "accountId" = ${actor.accountId}::uuid AND ("adminId" IS NOT NULL OR "apiTokenId" IS NOT NULL)
      ORDER BY "adminId", "apiTokenId", "createdAt" DESC
    ) AS "latest"
    ORDER BY "last" DESC
    LIMIT 200`;
  return rows.map((row) => auditActorView(row));
}

/** Only the actor's account; the filter's conditions. Callers check READ_AUDIT first. */
export function auditWhere(
  actor: Actor,
  filter: AuditFilter | null | undefined,
): Prisma.AuditEventWhereInput {
  const and: Prisma.AuditEventWhereInput[] = [{ accountId: actor.accountId }];
  if (filter?.from) and.push({ createdAt: { gte: filter.from } });
  if (filter?.to) and.push({ createdAt: { lte: filter.to } });
  if (filter?.actor) {
    and.push(
      filter.actor.kind === "API_TOKEN" ? { apiTokenId: filter.actor.id } : { adminId: filter.actor.id },
    );
  }
  if (filter?.action) {
    and.push(filter.action === "OTHER" ? { action: { notIn: KNOWN } } : { action: filter.action });
  }
  if (filter?.lineId) and.push({ lineIds: { has: filter.lineId } });
  return { AND: and };
}

/** Newest first; the id (UUIDv7) breaks ties and is the cursor. */
export const AUDIT_ORDER: Prisma.AuditEventOrderByWithRelationInput[] = [
  { createdAt: "desc" },
  { id: "desc" },
];

// ---------------------------------------------------------------------------
// 監査ログ CSV (GET /export/audit.csv, server/exports.ts)
// ---------------------------------------------------------------------------

const auditSelect = {
  id: true,
  createdAt: true,
  action: true,
  actor: true,
  actorName: true,
  adminId: true,
  apiTokenId: true,
  ip: true,
  lineIds: true,
  receipt: { select: { number: true } },
} as const satisfies Prisma.AuditEventSelect;

type ExportedEvent = Prisma.AuditEventGetPayload<{ select: typeof auditSelect }> & { phoneNumbers: string[] };

const c = auditTexts.columns;
const auditColumns: readonly Column<ExportedEvent>[] = [
  { header: c.no, value: (_e, no) => String(no) },
  { header: c.at, value: (e) => formatDateTime(e.createdAt) },
  { header: c.action, value: (e) => auditTexts.actions[auditActionOf(e.action)] },
  {
    header: c.actorName,
    value: (e) => {
      const who = auditActorView(e);
      return who.kind === "API_TOKEN" ? `${auditTexts.tokenActor}${who.name}` : who.name;
    },
  },
  { header: c.actorId, value: (e) => auditActorView(e).loginId ?? "" },
  { header: c.ip, value: (e) => e.ip ?? "" },
  { header: c.lines, value: (e) => String(e.lineIds.length) },
  { header: c.phoneNumbers, value: (e) => e.phoneNumbers.join(" ") },
  { header: c.receipt, value: (e) => e.receipt?.number ?? "", asText: true },
];

/**
 * The audit log as a CSV file, newest first, with the filter of the screen.
 * Phone numbers are the lines' current ones, read a page at a time.
 */
export function auditExport(db: Db, actor: Actor, options: { filter: AuditFilter; now: Date }): CsvExport {
  const where = auditWhere(actor, options.filter);
  return {
    fileName: `${auditTexts.fileName}_${stamp(options.now)}.csv`,
    asciiFileName: `audit_${stamp(options.now)}.csv`,
    columns: auditColumns,
    pages: () =>
      keysetPages<ExportedEvent>(async (after) => {
        const rows = await db.auditEvent.findMany({
          select: auditSelect,
          where,
          orderBy: AUDIT_ORDER,
          take: EXPORT_PAGE_SIZE,
          ...(after ? { cursor: { id: after.id }, skip: 1 } : {}),
        });
        const ids = [...new Set(rows.flatMap((r) => r.lineIds))];
        // One array parameter: a page of 1,000 events may name 200,000 lines.
        const phones = new Map(
          ids.length > 0
            ? (
                await db.$queryRaw<{ id: string; phoneNumber: string }[]>`
                  SELECT "id"::text AS "id", "phoneNumber" FROM "Line"
                  WHERE "accountId" = ${actor.accountId}::uuid AND "id" = ANY(${ids}::uuid[])`
              ).map((l) => [l.id, l.phoneNumber])
            : [],
        );
        return rows.map((r) => ({
          ...r,
          phoneNumbers: r.lineIds.flatMap((id) => {
            const phone = phones.get(id);
            return phone ? [phone] : [];
          }),
        }));
      }, auditColumns),
  };
}

/** Deletes audit rows older than the retention (the daily job); returns how many. */
export async function pruneAuditEvents(db: Db, now: Date, retentionDays: number): Promise<number> {
  const cutoff = new Date(now.getTime() - retentionDays * 86_400_000);
  const { count } = await db.auditEvent.deleteMany({ where: { createdAt: { lt: cutoff } } });
  return count;
}
