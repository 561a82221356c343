// 手動更新 and the automatic daily sync (R8): the carrier's roster is copied
// into the portal's line list, listing each line when it becomes eligible and
// bringing listed lines' contract facts up to date.
import type { Actor } from "../domain/auth/actor.ts";
import type { Clock } from "../domain/clock.ts";
import { eligibility } from "../domain/rules/eligibility.ts";
import { jstDate, toDateOnly } from "../domain/time.ts";
import type { Db } from "../lib/db.ts";
import { audit, auditActorOf } from "./audit.ts";
import { type Carrier, CarrierError, type RosterLine } from "./carrier/port.ts";
import { type LineChangeRecord, recordLineChanges } from "./change-feed.ts";

export interface SyncResult {
  added: number;
  updated: number;
  /** The phone numbers of the lines newly listed (what 手動更新 shows it added). */
  addedPhoneNumbers: string[];
}

const FACTS = [
  "name",
  "nameKana",
  "affiliation",
  "mailAddress",
  "deviceKind",
  "contractStatus",
  "appPreinstalled",
  "sharedPhonebook",
  "changeKind",
] as const;

function facts(line: RosterLine) {
  return {
    name: line.name,
    nameKana: line.nameKana,
    affiliation: line.affiliation,
    mailAddress: line.mailAddress,
    deviceKind: line.deviceKind,
    contractStatus: line.contractStatus,
    contractedOn: toDateOnly(line.contractedOn),
    changeKind: line.changeKind,
    changedAt: line.changedAt,
    appPreinstalled: line.appPreinstalled,
    sharedPhonebook: line.sharedPhonebook,
    upgradedFrom3gOn: line.upgradedFrom3gOn ? toDateOnly(line.upgradedFrom3gOn) : null,
  };
}

export async function syncRoster(
  db: Db,
  carrier: Carrier,
  accountId: string,
  trigger: "MANUAL" | "DAILY",
  now: Date,
  claimedRunId?: string,
): Promise<SyncResult> {
  const account = await db.account.findUniqueOrThrow({ where: { id: accountId } });
  const run = claimedRunId
    ? { id: claimedRunId }
    : await db.lineSyncRun.create({ data: { accountId, trigger, startedAt: now } });
  try {
    const roster = await carrier.roster(account.carrierCustomerCode);
    const listed = new Map(
      (await db.line.findMany({ where: { accountId } })).map((line) => [line.phoneNumber, line]),
    );
    const portal = {
      portalIdIssuedAt: account.portalIdIssuedAt,
      lastManualRefreshAt: trigger === "MANUAL" ? now : account.lastManualRefreshAt,
    };
    const toAdd = roster.filter((r) => !listed.has(r.phoneNumber) && eligibility(r, portal, now).eligible);
    const toUpdate = roster.filter((r) => {
      const line = listed.get(r.phoneNumber);
      return line && FACTS.some((key) => line[key] !== r[key]);
    });
    await db.$transaction(async (tx) => {
      if (toAdd.length > 0) {
        await tx.line.createMany({
          data: toAdd.map((r) => ({
            accountId,
            phoneNumber: r.phoneNumber,
            ...facts(r),
            backup: r.backup,
            phonebookMigration: r.phonebookMigration,
            listedAt: now,
          })),
        });
      }
      for (const r of toUpdate) {
        await tx.line.update({
          where: { accountId_phoneNumber: { accountId, phoneNumber: r.phoneNumber } },
          data: { ...facts(r), version: { increment: 1 } },
        });
      }
      // The change feed: lines listed, updated or cancelled, after the line writes.
      const listedNow =
        toAdd.length > 0
          ? await tx.line.findMany({
              where: { accountId, phoneNumber: { in: toAdd.map((r) => r.phoneNumber) } },
              select: { id: true },
              orderBy: { phoneNumber: "asc" },
            })
          : [];
      const feed: LineChangeRecord[] = [
        ...listedNow.map((line) => ({ lineId: line.id, kind: "LISTED" as const })),
        ...toUpdate.flatMap((r) => {
          const line = listed.get(r.phoneNumber);
          if (!line) return [];
          const cancelled = r.contractStatus === "CANCELLED" && line.contractStatus !== "CANCELLED";
          return [{ lineId: line.id, kind: cancelled ? ("CANCELLED" as const) : ("UPDATED" as const) }];
        }),
      ];
      await recordLineChanges(tx, accountId, feed, now);
      if (trigger === "MANUAL")
        await tx.account.update({ where: { id: accountId }, data: { lastManualRefreshAt: now } });
      await tx.lineSyncRun.update({
        where: { id: run.id },
        data: { finishedAt: new Date(), added: toAdd.length, updated: toUpdate.length },
      });
    });
    return {
      added: toAdd.length,
      updated: toUpdate.length,
      addedPhoneNumbers: toAdd.map((r) => r.phoneNumber),
    };
  } catch (error) {
    await db.lineSyncRun.update({
      where: { id: run.id },
      data: { finishedAt: new Date(), error: String(error) },
    });
    throw error;
  }
}

/**
 * 手動更新 by an administrator. A carrier that cannot hand over the roster
 * is the caller's answer (the run records it too), not a server error.
 */
export async function refreshLines(
  db: Db,
  clock: Clock,
  carrier: Carrier,
  actor: Actor,
  meta: { ip?: string | null } = {},
): Promise<{ ok: true; result: SyncResult } | { ok: false; errors: { code: string; message: string }[] }> {
  const now = clock.now();
  let result: SyncResult;
  try {
    result = await syncRoster(db, carrier, actor.accountId, "MANUAL", now);
  } catch (error) {
    if (error instanceof CarrierError)
      return { ok: false, errors: [{ code: error.code, message: error.message }] };
    throw error;
  }
  await audit(db, auditActorOf(actor), "LINES_REFRESHED", { at: now, ip: meta.ip, detail: { ...result } });
  return { ok: true, result };
}

/**
 * The automatic daily sync: once per JST day and account. The day's run is
 * claimed under a transaction-scoped advisory lock, so several server
 * processes never run it twice.
 */
export async function runDailySyncs(db: Db, carrier: Carrier, now: Date): Promise<number> {
  const today = jstDate(now);
  let ran = 0;
  for (const account of await db.account.findMany({ select: { id: true } })) {
    const claimed = await db.$transaction(async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${account.id}))`;
      const last = await tx.lineSyncRun.findFirst({
        where: { accountId: account.id, trigger: "DAILY", error: null },
        orderBy: { startedAt: "desc" },
      });
      if (last && jstDate(last.startedAt) === today) return null;
      return tx.lineSyncRun.create({ data: { accountId: account.id, trigger: "DAILY", startedAt: now } });
    });
    if (!claimed) continue;
    await syncRoster(db, carrier, account.id, "DAILY", now, claimed.id);
    ran++;
  }
  return ran;
}
