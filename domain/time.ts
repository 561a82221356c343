// Calendar helpers in Japan Standard Time. JST is UTC+9 all year (no DST), so a
// fixed offset is exact. Calendar dates travel as "YYYY-MM-DD" strings; Prisma
// stores @db.Date columns as UTC midnight, which toDateOnly/fromDateOnly convert.
const JST_OFFSET_MS = 9 * 60 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;

/** A calendar date, "YYYY-MM-DD". */
export type CalendarDate = string;

/** The JST calendar date of an instant. */
export function jstDate(at: Date): CalendarDate {
  return new Date(at.getTime() + JST_OFFSET_MS).toISOString().slice(0, 10);
}

/** "YYYYMMDD" of the JST date of an instant (receipt numbers). */
export function jstDayKey(at: Date): string {
  return jstDate(at).replaceAll("-", "");
}

/** Minutes since JST midnight. */
export function jstMinuteOfDay(at: Date): number {
  const shifted = new Date(at.getTime() + JST_OFFSET_MS);
  return shifted.getUTCHours() * 60 + shifted.getUTCMinutes();
}

/** The instant at which a JST calendar date begins, plus `minutes`. */
export function jstInstant(date: CalendarDate, minutes = 0): Date {
  return new Date(Date.parse(`${date}T00:00:00Z`) - JST_OFFSET_MS + minutes * 60_000);
}

export function addDays(date: CalendarDate, days: number): CalendarDate {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/** Whole days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: CalendarDate, to: CalendarDate): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);
}

/** For @db.Date columns. */
export function toDateOnly(date: CalendarDate): Date {
  return new Date(`${date}T00:00:00Z`);
}

export function fromDateOnly(value: Date): CalendarDate {
  return value.toISOString().slice(0, 10);
}
