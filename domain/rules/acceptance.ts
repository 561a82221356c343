// R4 Acceptance hours: "Permission changes are accepted 09:00–23:00
// Asia/Tokyo. Outside: OUTSIDE_ACCEPTANCE_HOURS — ただいまの時間帯はあんしん
// バックアップを利用できません。" (manual: 利用可否設定の変更申請受付時間は
// 9:00-23:00です。)
//
// - The hours are a knob (ACCEPTANCE_HOURS, "HH:MM-HH:MM", default
//   "09:00-23:00"); 24:00 is allowed as an end.
// - Start inclusive, end exclusive: 09:00:00 is open, 23:00:00 is closed.
// - Judged in JST (UTC+9 all year), never in the server's or UTC's calendar.
// - A window whose end is not after its start wraps midnight ("22:00-06:00"
//   is open from 22:00 until 06:00 the next morning).
import { addDays, type CalendarDate, jstDate, jstInstant } from "../time.ts";

const MINUTES_PER_DAY = 24 * 60;
const SPEC_PATTERN = /^(\d{2}):(\d{2})-(\d{2}):(\d{2})$/;

export interface AcceptanceHours {
  /** Minutes after JST midnight at which a window opens (0–1439). */
  startMinute: number;
  /** Minutes after JST midnight at which it closes (0–1440); ≤ start wraps midnight. */
  endMinute: number;
}

export function parseAcceptanceHours(spec: string): AcceptanceHours {
  const match = SPEC_PATTERN.exec(spec.trim());
  if (!match) {
    throw new Error(
      `Invalid acceptance hours ${JSON.stringify(spec)}: expected "HH:MM-HH:MM", e.g. "09:00-23:00"`,
    );
  }
  const [, startH, startM, endH, endM] = match.map(Number) as [number, number, number, number, number];
  const invalid = (reason: string) =>
    new Error(`Invalid acceptance hours ${JSON.stringify(spec)}: ${reason}`);
  if (startH > 23 || startM > 59) throw invalid("the start must be between 00:00 and 23:59");
  if (endH > 24 || endM > 59 || (endH === 24 && endM !== 0)) {
    throw invalid("the end must be between 00:00 and 24:00");
  }
  const startMinute = startH * 60 + startM;
  const endMinute = endH * 60 + endM;
  if (endMinute === startMinute) {
    throw invalid("the start and end must differ (use 00:00-24:00 for all day)");
  }
  return { startMinute, endMinute };
}

export interface AcceptanceWindow {
  open: boolean;
  /** When open: the start of the current window; when closed: of the next one. */
  opensAt: Date;
  /** When open: the end of the current window; when closed: of the next one. */
  closesAt: Date;
}

/** The window that opens on the JST calendar date `date`. */
function windowOpeningOn(date: CalendarDate, { startMinute, endMinute }: AcceptanceHours) {
  const end = endMinute > startMinute ? endMinute : endMinute + MINUTES_PER_DAY;
  return { opensAt: jstInstant(date, startMinute), closesAt: jstInstant(date, end) };
}

export function acceptanceWindow(now: Date, hours: string): AcceptanceWindow {
  const parsed = parseAcceptanceHours(hours);
  const today = jstDate(now);
  // A window lasts less than a day after its opening, so the one that covers
  // or follows `now` opened yesterday (wrapping windows), today or tomorrow.
  for (const offset of [-1, 0, 1]) {
    const { opensAt, closesAt } = windowOpeningOn(addDays(today, offset), parsed);
    if (now < closesAt) return { open: now >= opensAt, opensAt, closesAt };
  }
  // Unreachable: tomorrow's window always closes after `now`.
  throw new Error(`No acceptance window found after ${now.toISOString()}`);
}
