// Times are shown in Japan time whatever the browser's zone; the formatting is
// shared with the server's CSV exports (domain/format.ts).
export { formatDateTime, formatUpcomingTime } from "../../domain/format.ts";

/** The start of a JST calendar day (yyyy-mm-dd from a date input) as an ISO instant. */
export function jstDayStart(day: string): string {
  return new Date(`${day}T00:00:00+09:00`).toISOString();
}

/** The last millisecond of a JST calendar day. */
export function jstDayEnd(day: string): string {
  return new Date(new Date(`${day}T00:00:00+09:00`).getTime() + 86_400_000 - 1).toISOString();
}

export function newIdempotencyKey(): string {
  return crypto.randomUUID();
}
