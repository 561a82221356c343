// Every id the database generates is a UUID, and a uuid column refuses
// anything else (the whole query fails). The schema refuses, as it decodes
// them, ids whose inner id is not one (schema/ids.ts) and cursors holding
// another (schema/input-hygiene.ts); services trust the ids that reach them.

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Is `value` a UUID in its canonical text form (what a uuid column stores)? */
export function isUuid(value: unknown): value is string {
  return typeof value === "string" && UUID.test(value);
}
