import { decodeGlobalID } from "@pothos/plugin-relay";

/**
 * A global ID of the given type, as the raw database id. Anything that does
 * not decode is passed on as given: services then simply do not find it, so a
 * malformed id gets the same NOT_FOUND user error as a foreign one.
 */
export function rawId(id: string | number, typename: string): string {
  try {
    const decoded = decodeGlobalID(String(id));
    return decoded.typename === typename ? decoded.id : String(id);
  } catch {
    return String(id);
  }
}
