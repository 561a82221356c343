// Global IDs at the boundary: every ID argument is decoded here (Pothos's
// `t.arg.globalID` and `node(id)` through the builder's `decodeGlobalID`,
// plain `ID` arguments through `rawId`), so nothing that is not one of our
// ids reaches the database. Every id the database generates is a UUID; a
// uuid column refuses anything else, and the query would fail as a whole.
import { decodeGlobalID } from "@pothos/plugin-relay";
import { GraphQLError } from "graphql";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Is `value` a UUID in its canonical text form (what a uuid column stores)? */
export function isUuid(value: unknown): value is string {
  return typeof value === "string" && UUID.test(value);
}

/** The client error for an ID argument that is not one of ours. */
export function invalidIdError(expected?: string): GraphQLError {
  return new GraphQLError(
    expected
      ? `Invalid ID: expected the ID of a ${expected}, as this API returns it.`
      : "Invalid ID: not an ID this API returned.",
    { extensions: { code: "BAD_USER_INPUT" } },
  );
}

/**
 * A global ID as its type name and raw id; anything malformed, or whose raw
 * id is not a UUID, is a BAD_USER_INPUT error. The builder's relay
 * `decodeGlobalID` option, so `node(id)` and `t.arg.globalID` use it too.
 */
export function decodeNodeId(globalID: string): { typename: string; id: string } {
  let decoded: { typename: string; id: string };
  try {
    decoded = decodeGlobalID(String(globalID));
  } catch {
    throw invalidIdError();
  }
  if (!isUuid(decoded.id)) throw invalidIdError();
  return decoded;
}

/** A global ID of the given type, as the raw database id; anything else is BAD_USER_INPUT. */
export function rawId(id: string | number, typename: string): string {
  let decoded: { typename: string; id: string };
  try {
    decoded = decodeNodeId(String(id));
  } catch {
    throw invalidIdError(typename);
  }
  if (decoded.typename !== typename) throw invalidIdError(typename);
  return decoded.id;
}
