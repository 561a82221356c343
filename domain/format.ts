// How the portal writes instants for people: in Japan time whatever the
// reader's zone (the portal's users and the carrier work in JST). Shared by
// the web client's screens and the server's CSV exports (services/exports.ts),
// so that a file shows what the screen shows.
const dateTime = new Intl.DateTimeFormat("ja-JP", {
  timeZone: "Asia/Tokyo",
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
  hour: "2-digit",
  minute: "2-digit",
});

const timeOfDay = new Intl.DateTimeFormat("ja-JP", {
  timeZone: "Asia/Tokyo",
  hour: "2-digit",
  minute: "2-digit",
});

const asDate = (value: Date | string) => (typeof value === "string" ? new Date(value) : value);

/** 2026/11/24 10:05 (JST); empty for null. */
export function formatDateTime(value: Date | string | null | undefined): string {
  return value ? dateTime.format(asDate(value)) : "";
}

/** 10:05 (JST); null for null or a time already past (`now`), i.e. "due now". */
export function formatUpcomingTime(value: Date | string | null | undefined, now = Date.now()): string | null {
  if (!value || asDate(value).getTime() <= now) return null;
  return timeOfDay.format(asDate(value));
}
