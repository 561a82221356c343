// R8 Eligibility timing (manual §4 「設定変更申請が可能になるタイミング」).
//
// - Existing lines, and lines with a model change or information change, are
//   eligible at any time (from the day of the change on).
// - Lines newly added (new contract or MNP port-in) to an account that already
//   has its portal ID: on the day of the addition only after a manual refresh
//   (手動更新); from the next day on, through the automatic daily sync.
// - Pure-new contracts whose account received its portal ID for them: once
//   the portal ID has been issued.
// - Never before the contract date, and never without a portal ID.
import type { LineChangeKind } from "../../prisma/generated/client/enums.ts";
import { addDays, type CalendarDate, jstDate } from "../time.ts";

export interface RosterEntry {
  contractedOn: CalendarDate;
  changeKind: LineChangeKind;
  /** When the last contract event (new contract, port-in, change) happened. */
  changedAt: Date;
}

export interface PortalAccount {
  portalIdIssuedAt: Date | null;
  lastManualRefreshAt: Date | null;
}

export type Eligibility =
  | { eligible: true }
  | {
      eligible: false;
      reason: "BEFORE_CONTRACT_DATE" | "NO_PORTAL_ID" | "NEEDS_MANUAL_REFRESH";
      /** The first day the line becomes eligible without further action, if known. */
      eligibleFrom: CalendarDate | null;
    };

export function eligibility(line: RosterEntry, account: PortalAccount, now: Date): Eligibility {
  const today = jstDate(now);
  if (today < line.contractedOn) {
    return { eligible: false, reason: "BEFORE_CONTRACT_DATE", eligibleFrom: line.contractedOn };
  }
  const issuedAt = account.portalIdIssuedAt;
  if (!issuedAt || issuedAt > now) {
    return { eligible: false, reason: "NO_PORTAL_ID", eligibleFrom: null };
  }
  if (line.changeKind !== "NEW_LINE" && line.changeKind !== "MNP_PORT_IN") {
    return { eligible: true };
  }
  // 純新規: the portal ID was issued for this contract, after it was made.
  if (issuedAt >= line.changedAt) return { eligible: true };

  // 追加: an account that already had its portal ID.
  const addedOn = jstDate(line.changedAt);
  if (today > addedOn) return { eligible: true };
  const refreshed = account.lastManualRefreshAt;
  if (refreshed && refreshed >= line.changedAt) return { eligible: true };
  return { eligible: false, reason: "NEEDS_MANUAL_REFRESH", eligibleFrom: addDays(addedOn, 1) };
}
