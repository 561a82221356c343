// Every id the database generates is a UUID, and a uuid column refuses
// anything else (the whole query fails). Services filter ids with this before
// they query, so an id that cannot exist is simply not found.

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Is `value` a UUID in its canonical text form (what a uuid column stores)? */
export function isUuid(value: unknown): value is string {
  return typeof value === "string" && UUID.test(value);
}
