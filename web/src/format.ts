// Times are shown in Japan time whatever the browser's zone (the portal's
// users and the carrier work in JST).
const dateTime = new Intl.DateTimeFormat("ja-JP", {
  timeZone: "Asia/Tokyo",
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
  hour: "2-digit",
  minute: "2-digit",
});

/** 2026/11/24 10:05 (JST); empty for null. */
export function formatDateTime(iso: string | null | undefined): string {
  return iso ? dateTime.format(new Date(iso)) : "";
}

const timeOfDay = new Intl.DateTimeFormat("ja-JP", {
  timeZone: "Asia/Tokyo",
  hour: "2-digit",
  minute: "2-digit",
});

/** 10:05 (JST); null for null or a time already past (`now`), i.e. "due now". */
export function formatUpcomingTime(iso: string | null | undefined, now = Date.now()): string | null {
  if (!iso || new Date(iso).getTime() <= now) return null;
  return timeOfDay.format(new Date(iso));
}

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
